"""The official US lists as extracted by phagehunter/nsfreg (``data/<list>.json``), and their stable ids.

One file per list: ``{"list_id", "source_file", "extracted", "count", "entities": [...]}``, each
entity with ``name``, ``aliases``, ``country`` (the list's country section, in English), ``address``
(one string), ``effective_date``, ``federal_register`` (the citation column as printed) and ``notes``
(the Entity List's licence-requirement column; remarks on the other lists). Five lists are read:

=================  ======  ==============================================================
``list_id``        code    what the row becomes
=================  ======  ==============================================================
bis-entity-list    EL      cell read by ``cells.read_cell``; licence text + footnote numbers
bis-meu            MEU     cell read by ``cells.read_cell``; ``notes`` are remarks
bis-dpl            DPL     one row per address of a denial order; ``Expires:`` = end date
ofac-nscmic        CMIC    ``Program:`` -> programs, ``USCC:``/``ISIN:`` -> ids
dow-1260h          1260H   ``notes`` (the notice's reason for listing) are remarks
=================  ======  ==============================================================

**Stable ids** (``registry.ids``): the publications have no entry numbers, so an id is made from
what identifies the row in print, ``<code>-<country>-<NAME SLUG>``; a DPL row, printed once per
address, also carries a hash of its address. Rows printed twice, identically, are merged and counted.

**As-of date.** The Entity List, MEU and NS-CMIC are the texts as downloaded on the extraction date;
the DPL is the BIS export named in ``source_file`` (``dpl_04142026.csv``: 2026-04-14); the 1260H list
is the notice's date (the newest listing date).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from exportscreen._errors import ListError
from exportscreen._io import parse_json
from exportscreen.geo import country_name, resolve_country
from exportscreen.registry.cells import footnotes, read_cell
from exportscreen.registry.ids import assign_ids
from exportscreen.registry.listfile import build_entry, clean_name, clean_text, read_list_text, split_federal_register
from exportscreen.registry.model import Entry, Source

__all__ = ["KINDS", "Converted", "ListKind", "convert", "detect", "entry_from_json", "load"]

_FORMAT = "nsfreg-json"
_BIS = "US Department of Commerce, Bureau of Industry and Security"


@dataclass(frozen=True)
class ListKind:
    list_id: str
    code: str
    source_id: str
    name: str
    authority: str
    url: str
    as_of: Literal["extracted", "file_name", "newest_listing"]
    cells: bool = False
    organisations: bool = False
    address_in_id: bool = False


KINDS: dict[str, ListKind] = {
    k.list_id: k
    for k in (
        ListKind(
            "bis-entity-list", "EL", "bis-entity-list", "BIS Entity List (15 CFR Part 744, Supplement No. 4)", _BIS,
            "https://www.ecfr.gov/current/title-15/subtitle-B/chapter-VII/subchapter-C/part-744#Supplement-No.-4-to-Part-744",
            "extracted", cells=True,
        ),
        ListKind(
            "bis-meu", "MEU", "bis-meu-list", "BIS Military End-User List (15 CFR Part 744, Supplement No. 7)", _BIS,
            "https://www.ecfr.gov/current/title-15/subtitle-B/chapter-VII/subchapter-C/part-744/appendix-Supplement%20No.%207%20to%20Part%20744",
            "extracted", cells=True, organisations=True,
        ),
        ListKind(
            "bis-dpl", "DPL", "bis-denied-persons-list", "BIS Denied Persons List", _BIS,
            "https://www.bis.gov/licensing/end-user-guidance/denied-persons-list-dpl", "file_name", address_in_id=True,
        ),
        ListKind(
            "ofac-nscmic", "CMIC", "ofac-ns-cmic-list",
            "OFAC Non-SDN Chinese Military-Industrial Complex Companies List (NS-CMIC)",
            "US Department of the Treasury, Office of Foreign Assets Control",
            "https://www.treasury.gov/ofac/downloads/ccmc/nscmiclist.pdf", "extracted", organisations=True,
        ),
        ListKind(
            "dow-1260h", "1260H", "dod-1260h-list",
            "Chinese military companies, section 1260H of the NDAA for FY2021 (DoD)",
            "US Department of Defense (Department of War)",
            "https://www.federalregister.gov/documents/search?conditions%5Bsearch_type_id%5D=3&conditions%5Bterm%5D=1260H",
            "newest_listing", organisations=True,
        ),
    )
}  # fmt: skip

_PROGRAM = re.compile(r"Program:\s*([^;]+)")
_IDS = re.compile(r"(?:^|;\s*)((?:USCC|ISIN|Registration Number):\s*[^;]+)")
_EXPIRES = re.compile(r"Expires:\s*(\d{4}-\d{2}-\d{2})")
_DPL_FILE_DATE = re.compile(r"(\d{2})(\d{2})(\d{4})")
#: Names of a country as the lists print them, besides its English short name.
_PRINTED_COUNTRY = {"CN": ("Hong Kong", "PRC"), "RU": ("Russia",), "AE": ("U.A.E", "UAE"), "GB": ("U.K", "UK")}


@dataclass
class Converted:
    """One list file read into JSON-ready entry dicts (dates as ISO text), with what was done to it."""

    kind: ListKind
    source_file: str
    extracted: dt.date
    as_of: dt.date
    records: int
    entries: list[dict[str, Any]]
    merged: int = 0
    repairs: dict[str, int] = field(default_factory=dict)


def _date(value: str | None, path: Path, loc: str) -> str | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise ListError(f"invalid date {value!r} (expected YYYY-MM-DD)", path=path, location=loc) from None


def _unique(values: list[str], exclude: str = "") -> list[str]:
    seen = {exclude.casefold()}
    out: list[str] = []
    for v in values:
        if v and v.casefold() not in seen:
            seen.add(v.casefold())
            out.append(v)
    return out


def _printed_countries(code: str | None, section: str) -> tuple[str, ...]:
    if code is None:
        return (section,)
    return (section, country_name(code), *_PRINTED_COUNTRY.get(code, ()))


def _row(kind: ListKind, row: Mapping[str, Any], path: Path, loc: str, repairs: dict[str, int]) -> dict[str, Any]:
    section = clean_text(row.get("country"))
    try:
        country = resolve_country("UA" if section == "Crimea Region of Ukraine" else section) if section else None
    except ValueError as exc:
        raise ListError(str(exc), path=path, location=f"{loc}.country") from None
    aliases = [a for a in (row.get("aliases") or []) if isinstance(a, str)]
    notes = clean_text(row.get("notes")) or None
    out: dict[str, Any] = {}
    remarks: list[str] = []
    if kind.cells:
        cell = read_cell(str(row.get("name") or ""), aliases, row.get("address"), _printed_countries(country, section))
        for repair in cell.repairs:
            repairs[repair] = repairs.get(repair, 0) + 1
        name, alias_list, addresses, remarks = cell.name, cell.aliases, cell.addresses, cell.remarks
    else:
        name = clean_name(row.get("name"))
        alias_list = [clean_name(a) for a in aliases]
        address = clean_text(row.get("address"))
        addresses = [clean_name(a) for a in address.split("; ")] if kind.code == "CMIC" else [address]
    if not name:
        raise ListError("record has no name", path=path, location=loc)
    out["name"] = name
    if kind.organisations:
        out["type"] = "entity"
    out["aliases"] = _unique(alias_list, exclude=name)
    out["addresses"] = _unique([a for a in addresses if a])
    out["country"] = country
    out["start_date"] = _date(row.get("effective_date"), path, f"{loc}.effective_date")
    fr = clean_text(row.get("federal_register"))
    out["federal_register"] = list(split_federal_register(fr)) if fr else []
    if kind.code == "EL":
        if notes:
            out["license_requirement"], numbers = footnotes(notes)
            out["license_footnotes"] = list(numbers)
    else:
        remarks = [*remarks, *([notes] if notes else [])]
    if kind.code == "DPL" and notes:
        expires = _EXPIRES.search(notes)
        out["end_date"] = _date(expires.group(1), path, f"{loc}.notes") if expires else None
    if kind.code == "CMIC" and notes:
        out["programs"] = [clean_text(p) for p in _PROGRAM.findall(notes)]
        out["ids"] = [clean_text(i) for i in _IDS.findall(notes)]
    out["remarks"] = "; ".join(remarks) or None
    return {k: v for k, v in out.items() if v not in (None, [], "")}


def _as_of(kind: ListKind, source_file: str, extracted: dt.date, entries: list[dict[str, Any]], path: Path) -> dt.date:
    if kind.as_of == "extracted":
        return extracted
    if kind.as_of == "file_name":
        m = _DPL_FILE_DATE.search(source_file)
        if m is None:
            raise ListError(f"no MMDDYYYY date in source_file {source_file!r}", path=path, location="source_file")
        return dt.date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
    dates = [dt.date.fromisoformat(e["start_date"]) for e in entries if "start_date" in e]
    if not dates:
        raise ListError("no listing date to take the as-of date from", path=path)
    return max(d for d in dates if d <= extracted)


def convert(path: Path) -> Converted:
    """Read one nsfreg list file (see the module docstring); any problem raises ``ListError``."""
    doc = parse_json(read_list_text(path), path=path, error=ListError)
    if not isinstance(doc, dict) or not isinstance(doc.get("entities"), list):
        raise ListError("expected an object with list_id, source_file, extracted and entities", path=path)
    kind = KINDS.get(str(doc.get("list_id")))
    if kind is None:
        raise ListError(f"unknown list_id {doc.get('list_id')!r}; known: {', '.join(KINDS)}", path=path)
    extracted_text = _date(str(doc.get("extracted") or ""), path, "extracted")
    if extracted_text is None:
        raise ListError("the file has no extraction date (extracted)", path=path, location="extracted")
    extracted = dt.date.fromisoformat(extracted_text)
    source_file = clean_text(str(doc.get("source_file") or ""))
    records = doc["entities"]
    if doc.get("count") is not None and doc.get("count") != len(records):
        raise ListError(f"count says {doc.get('count')}, the file holds {len(records)} records", path=path)
    repairs: dict[str, int] = {}
    rows: list[tuple[str, dict[str, Any]]] = []
    for i, record in enumerate(records):
        if not isinstance(record, dict):
            raise ListError("a record must be an object", path=path, location=f"entities[{i}]")
        rows.append((f"entities[{i}]", _row(kind, record, path, f"entities[{i}]", repairs)))
    entries, merged = assign_ids(kind.code, rows, path, address_in_id=kind.address_in_id)
    as_of = _as_of(kind, source_file, extracted, entries, path)
    return Converted(kind, source_file, extracted, as_of, len(records), entries, merged, dict(sorted(repairs.items())))


def detect(path: Path) -> bool:
    if not path.is_file() or path.suffix.lower() != ".json":
        return False
    with path.open("rb") as fh:
        head = fh.read(512)
    return b'"list_id"' in head and any(f'"{k}"'.encode() in head for k in KINDS)


def entry_from_json(fields: Mapping[str, Any], *, source: str, list_code: str, path: Path, location: str) -> Entry:
    """An ``Entry`` from a JSON-ready entry dict (lists to tuples, ISO dates to dates), checked."""
    values: dict[str, Any] = {"source": source, "list": list_code}
    for key, value in fields.items():
        if isinstance(value, list):
            values[key] = tuple(value)
        elif key in ("start_date", "end_date") and isinstance(value, str):
            values[key] = dt.date.fromisoformat(value)
        else:
            values[key] = value
    return build_entry(values, path=path, location=location)


def load(path: Path) -> tuple[list[Source], list[Entry]]:
    """Load one nsfreg list file as a registry source (``--lists bis_entity_list.json``)."""
    converted = convert(path)
    kind = converted.kind
    notes = f"{converted.merged} record(s) printed twice merged" if converted.merged else None
    source = Source(
        id=f"nsfreg:{kind.code}",
        name=f"{kind.name}, nsfreg extraction",
        list=kind.code,
        as_of=converted.as_of,
        as_of_basis="file",
        url=kind.url,
        authority=kind.authority,
        derived_from="; ".join(p for p in (f"phagehunter/nsfreg {path.name}", notes) if p),
        path=str(path),
        format=_FORMAT,
    )
    entries = [
        entry_from_json(f, source=source.id, list_code=kind.code, path=path, location=f"entries[{i}]")
        for i, f in enumerate(converted.entries)
    ]
    return [source], entries
