"""The BIS Denied Persons List in BIS's own text format (``dpl.txt``).

Tab-separated, every field double-quoted, a header row of 12 columns::

    Name  Street_Address  City  State  Country  Postal_Code  Effective_Date  Expiration_Date
    Standard_Order  Last_Update  Action  FR_Citation

One row per address of a denial order; ids follow ``registry.ids`` (name + address hash), the same
scheme as the bundled DPL, so a row keeps its id whichever of the two files it came from. Dates are
``MM/DD/YYYY`` (``Last_Update``: ``YYYY-MM-DD``). A blank ``Country`` with a ``State`` is a US
address (BIS leaves the country out for most of them). The file carries no publication date: the
as-of date is the newest plausible ``Last_Update`` or ``Effective_Date`` (``newest_listing``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from exportscreen._errors import ListError
from exportscreen.geo import resolve_country
from exportscreen.registry.ids import assign_ids
from exportscreen.registry.listfile import (
    MIN_PLAUSIBLE_YEAR,
    clean_name,
    clean_text,
    iter_csv,
    read_list_text,
    split_federal_register,
)
from exportscreen.registry.model import Entry, Source
from exportscreen.registry.nsfreg import entry_from_json

__all__ = ["COLUMNS", "detect", "load"]

COLUMNS = (
    "Name", "Street_Address", "City", "State", "Country", "Postal_Code", "Effective_Date",
    "Expiration_Date", "Standard_Order", "Last_Update", "Action", "FR_Citation",
)  # fmt: skip
_HEADER = "\t".join(f'"{c}"' for c in COLUMNS[:3]).encode()
#: Country codes BIS prints that are not ISO 3166.
_PRINTED_CODES = {"PRC": "CN"}
_URL = "https://www.bis.gov/licensing/end-user-guidance/denied-persons-list-dpl"


def detect(path: Path) -> bool:
    if not path.is_file():
        return False
    with path.open("rb") as fh:
        return fh.read(len(_HEADER) + 3).lstrip(b"\xef\xbb\xbf").startswith(_HEADER)


def _date(text: str, fmt: str, path: Path, loc: str, column: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.datetime.strptime(text, fmt).date()
    except ValueError:
        raise ListError(f"column {column!r}: invalid date {text!r}", path=path, location=loc) from None


def _row(cells: dict[str, str], path: Path, loc: str, newest: list[dt.date]) -> dict[str, Any]:
    name = clean_name(cells["Name"])
    if not name:
        raise ListError("record has no name", path=path, location=loc)
    country_text = cells["Country"] or ("US" if cells["State"] else "")
    notes: list[str] = []
    try:
        country = resolve_country(_PRINTED_CODES.get(country_text, country_text)) if country_text else None
    except ValueError:
        country = None  # "NM" (a US state in the country column): the row still matches, without the hint
        notes.append(f"country printed as {country_text!r}")
    address = ", ".join(
        p for p in (cells[c] for c in ("Street_Address", "City", "State", "Country", "Postal_Code")) if p
    )
    start = _date(cells["Effective_Date"], "%m/%d/%Y", path, loc, "Effective_Date")
    end = _date(cells["Expiration_Date"], "%m/%d/%Y", path, loc, "Expiration_Date")
    updated = _date(cells["Last_Update"], "%Y-%m-%d", path, loc, "Last_Update")
    newest.extend(d for d in (start, updated) if d is not None and d.year >= MIN_PLAUSIBLE_YEAR)
    order = {"Y": "Standard", "N": "Non-Standard"}.get(cells["Standard_Order"].upper())
    notes += [f"Type of denial: {order}" if order else "", f"Action: {cells['Action']}" if cells["Action"] else ""]
    remarks = "; ".join(p for p in notes if p)
    out: dict[str, Any] = {
        "name": name,
        "addresses": [address] if address else [],
        "country": country,
        "start_date": start.isoformat() if start else None,
        "end_date": end.isoformat() if end and (start is None or end > start) else None,
        "federal_register": list(split_federal_register(cells["FR_Citation"])) if cells["FR_Citation"] else [],
        "remarks": remarks or None,
    }
    return {k: v for k, v in out.items() if v not in (None, [])}


def load(path: Path) -> tuple[list[Source], list[Entry]]:
    rows = iter_csv(read_list_text(path), path, delimiter="\t")
    first = next(rows, None)
    if first is None:
        raise ListError("file is empty", path=path)
    header = [clean_text(h).lstrip("\ufeff") for h in first[1]]
    if tuple(header) != COLUMNS:
        raise ListError(f"expected the 12 DPL columns {', '.join(COLUMNS)}; found {', '.join(header)}", path=path)
    newest: list[dt.date] = []
    converted: list[tuple[str, dict[str, Any]]] = []
    for line, fields in rows:
        loc = f"line {line}"
        if len(fields) != len(COLUMNS):
            raise ListError(f"record has {len(fields)} fields, expected {len(COLUMNS)}", path=path, location=loc)
        cells = {c: clean_text(v) for c, v in zip(COLUMNS, fields, strict=True)}
        converted.append((loc, _row(cells, path, loc, newest)))
    if not converted:
        raise ListError("the file holds no records", path=path)
    entries, merged = assign_ids("DPL", converted, path, address_in_id=True)
    today = dt.date.today()
    plausible = [d for d in newest if d <= today]
    source = Source(
        id="bis:DPL",
        name="BIS Denied Persons List",
        list="DPL",
        as_of=max(plausible) if plausible else None,
        as_of_basis="newest_listing" if plausible else "unknown",
        url=_URL,
        authority="US Department of Commerce, Bureau of Industry and Security",
        derived_from=f"BIS DPL text file {path.name}",
        notes=(f"{len(converted)} rows, {merged} printed twice merged",) if merged else (),
        path=str(path),
        format="bis-dpl-txt",
    )
    built = [entry_from_json(e, source=source.id, list_code="DPL", path=path, location=e["id"]) for e in entries]
    return [source], built
