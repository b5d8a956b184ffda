"""Reading the records of a custom list's data file (``registry.custom``): its format from the
mapping or the file name, a CSV's header checked against the columns the mapping names, a JSON or
YAML document's record array found by its dotted key, and a dotted key looked up in a record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from exportscreen._errors import ListError
from exportscreen.registry.custom_mapping import Mapping
from exportscreen.registry.listfile import clean_text, iter_csv

__all__ = ["Record", "csv_records", "data_format", "lookup", "structured_records"]

Record = tuple[str, dict[str, Any]]  # (location, record)


def data_format(mapping: Mapping, data: Path) -> str:
    if mapping.data_format:
        return mapping.data_format
    name = data.name.lower().removesuffix(".gz")
    if name.endswith((".csv", ".tsv", ".txt")):
        return "csv"
    if name.endswith(".json"):
        return "json"
    if name.endswith((".yaml", ".yml")):
        return "yaml"
    raise ListError("cannot tell the data format from the file name; set data_format in the mapping", path=data)


def csv_records(mapping: Mapping, data: Path, text: str, used: set[str]) -> list[Record]:
    delimiter = mapping.csv.delimiter
    if delimiter == "," and data.name.lower().removesuffix(".gz").endswith(".tsv"):
        delimiter = "\t"
    rows = iter_csv(text, data, delimiter=delimiter)
    first = next(rows, None)
    if first is None:
        raise ListError("file is empty: expected a header row", path=data)
    line, header = first
    header = [clean_text(h) for h in header]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise ListError(f"duplicate column(s) in header: {', '.join(dupes)}", path=data, location=f"line {line}")
    missing = sorted(used - set(header))
    if missing:
        raise ListError(
            f"column(s) named in the mapping are not in the header: {', '.join(missing)}",
            path=data,
            location=f"line {line}",
        )
    out: list[Record] = []
    for line, fields in rows:
        if len(fields) != len(header):
            raise ListError(
                f"record has {len(fields)} fields, the header has {len(header)} (a stray or unterminated quote?)",
                path=data,
                location=f"line {line}",
            )
        out.append((f"line {line}", dict(zip(header, fields, strict=True))))
    return out


def lookup(record: Any, dotted: str) -> tuple[bool, Any]:
    """Whether the dotted key is in ``record`` (nested objects), and its value."""
    node = record
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def structured_records(mapping: Mapping, data: Path, doc: Any, used: set[str]) -> list[Record]:
    where = mapping.records or ""
    if mapping.records:
        found, node = lookup(doc, mapping.records)
        if not found:
            raise ListError(f"records key {mapping.records!r} not found", path=data)
    else:
        node = doc
    if not isinstance(node, list):
        hint = "" if mapping.records else " (set records: to the key holding the record array)"
        raise ListError(f"expected an array of records{hint}", path=data, location=where or None)
    out: list[Record] = []
    seen: set[str] = set()
    for i, record in enumerate(node):
        loc = f"{where}[{i}]"
        if not isinstance(record, dict):
            raise ListError("a record must be an object", path=data, location=loc)
        seen.update(k for k in used if lookup(record, k)[0])
        out.append((loc, record))
    missing = sorted(used - seen) if out else []
    if missing:
        raise ListError(f"field(s) named in the mapping occur in no record: {', '.join(missing)}", path=data)
    return out
