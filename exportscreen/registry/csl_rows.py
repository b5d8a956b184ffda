"""Reading a CSL file's records (``registry.csl``): the 29-column CSV bulk file, its header and
record widths checked, and the JSON form, its values printed as the CSV prints them, with the
per-list dates of its ``sources_used``; and the merging of a record published twice in one list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exportscreen._errors import ListError
from exportscreen._io import parse_json
from exportscreen.registry.csl_lists import list_code
from exportscreen.registry.listfile import clean_text, iter_csv, parse_date

__all__ = ["COLUMNS", "Row", "csv_rows", "json_rows", "merge_repeat"]

#: The 29 columns of the CSV bulk file, in published order.
COLUMNS: tuple[str, ...] = (
    "_id", "source", "entity_number", "type", "programs", "name", "title", "addresses",
    "federal_register_notice", "start_date", "end_date", "standard_order", "license_requirement",
    "license_policy", "call_sign", "vessel_type", "gross_tonnage", "gross_registered_tonnage",
    "vessel_flag", "vessel_owner", "remarks", "source_list_url", "alt_names", "citizenships",
    "dates_of_birth", "nationalities", "places_of_birth", "source_information_url", "ids",
)  # fmt: skip


@dataclass
class Row:
    """One source record, as text fields, with where it came from."""

    values: dict[str, str]
    location: str
    line: int | None


_IGNORED_IN_DUPLICATES = frozenset({"source_list_url", "source_information_url"})


def merge_repeat(first: Row, again: Row, code: str, ident: str, path: Path) -> None:
    """Fold a repeated record into the first one, or fail when the two differ."""
    for key, value in again.values.items():
        if key in _IGNORED_IN_DUPLICATES and not value.strip():
            continue
        mine = first.values.get(key, "")
        if clean_text(mine) == clean_text(value):
            continue
        if not clean_text(mine) or key in _IGNORED_IN_DUPLICATES:
            first.values[key] = mine or value
            continue
        where = f"line {first.line}" if first.line is not None else first.location
        raise ListError(
            f"duplicate id {ident!r} in list {code}: the record at {where} has the same id "
            f"but a different {key!r} ({clean_text(mine)[:60]!r} vs {clean_text(value)[:60]!r})",
            path=path,
            location=again.location,
        )


def csv_rows(text: str, path: Path) -> list[Row]:
    records = iter_csv(text, path)
    first = next(records, None)
    if first is None:
        raise ListError("file is empty: expected the CSL header row", path=path)
    line, header = first
    header = [h.strip().lstrip("\ufeff") for h in header]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise ListError(f"duplicate column(s) in header: {', '.join(dupes)}", path=path, location=f"line {line}")
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ListError(
            f"missing CSL column(s): {', '.join(missing)} (the CSL CSV has {len(COLUMNS)} columns)",
            path=path,
            location=f"line {line}",
        )
    width = len(header)
    rows: list[Row] = []
    for line, fields in records:
        if len(fields) != width:
            raise ListError(
                f"record has {len(fields)} fields, the header has {width} (a stray or unterminated quote?)",
                path=path,
                location=f"line {line}",
            )
        rows.append(Row(dict(zip(header, fields, strict=True)), f"line {line}", line))
    return rows


def _json_text(value: Any, key: str, path: Path, loc: str) -> str:
    """A JSON field as the CSV would print it (lists and address/id objects joined by "; ")."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise ListError(f"field {key!r}: expected text, found a boolean", path=path, location=loc)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "; ".join(p for p in (_json_item(item, key, path, loc) for item in value) if p)
    raise ListError(f"field {key!r}: expected text or a list, found {type(value).__name__}", path=path, location=loc)


_ADDRESS_PARTS = ("address", "city", "state", "state_or_province", "postal_code", "country")
_ID_PARTS = ("country", "number", "type")


def _json_item(item: Any, key: str, path: Path, loc: str) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, int | float) and not isinstance(item, bool):
        return str(item)
    if isinstance(item, dict):
        parts = _ADDRESS_PARTS if key == "addresses" else _ID_PARTS if key == "ids" else tuple(item)
        return ", ".join(clean_text(str(item[p])) for p in parts if item.get(p) not in (None, ""))
    raise ListError(f"field {key!r}: unexpected {type(item).__name__} in a list", path=path, location=loc)


def json_rows(text: str, path: Path) -> tuple[list[Row], dict[str, dt.date]]:
    if not text.strip():
        raise ListError("file is empty", path=path)
    data = parse_json(text, path=path, error=ListError)
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise ListError('expected a JSON object with a "results" array (the CSL JSON form)', path=path)
    rows: list[Row] = []
    for i, record in enumerate(data["results"]):
        loc = f"results[{i}]"
        if not isinstance(record, dict):
            raise ListError("expected an object", path=path, location=loc)
        values = {("_id" if k == "id" else k): _json_text(v, k, path, loc) for k, v in record.items()}
        for required in ("_id", "source", "name"):
            if not values.get(required, "").strip():
                raise ListError(f"required field {required!r} is missing or empty", path=path, location=loc)
        rows.append(Row(values, loc, None))
    updated: dict[str, dt.date] = {}
    sources_used = data.get("sources_used")
    if isinstance(sources_used, list):
        for i, item in enumerate(sources_used):
            loc = f"sources_used[{i}]"
            if not isinstance(item, dict) or not isinstance(item.get("source"), str):
                raise ListError("expected an object with a source name", path=path, location=loc)
            code = list_code(item["source"])
            stamp = item.get("source_last_updated") or item.get("last_updated")
            if code is None or not isinstance(stamp, str) or not stamp.strip():
                continue
            date, _ = parse_date(stamp, path=path, location=loc, field="source_last_updated")
            if date is not None:
                updated[code] = date
    return rows, updated
