"""Custom lists: any CSV, JSON or YAML list plus a small YAML file declaring its field mapping.

No code is needed for a new source. The mapping (``format: exportscreen-mapping/1``) lives either
beside the data file as ``<name>.mapping.yaml`` (``blocked.csv`` + ``blocked.mapping.yaml``; pass
the data file), or anywhere with a ``data:`` path relative to itself (pass the mapping file)::

    format: exportscreen-mapping/1
    data: blocked_customers.csv            # optional beside the data file
    records: entities                      # JSON/YAML: dotted key of the record array
    csv: {delimiter: ","}                  # CSV: a header row is required
    source:
      id: acme:blocked                     # unique among loaded sources
      name: ACME blocked customers
      list: X-BLOCKED-CUSTOMERS            # default list code of the entries
      as_of: 2026-06-30                    # declared date, or
      as_of_field: extracted               #   a top-level date in the data file
    id: customer_no                        # a field, or {hash: [name, country]}
    fields:                                # Entry field -> where its value comes from
      name: company
      aliases: {field: other_names, split: "|"}
      addresses: {fields: [street, city, country], join: ", "}
      country: country
      start_date: {field: blocked_since, date_format: "%d.%m.%Y"}
      end_date: {field: notes, pattern: "Expires: (\\d{4}-\\d{2}-\\d{2})"}
      type: {value: entity}

A field spec is a field name, or an object with exactly one of ``field`` (dotted path in JSON and
YAML records), ``fields`` (joined with ``join``) or ``value`` (a constant), then the optional steps
``split`` -> ``pattern`` (regex; its first group) -> ``strip_prefix`` / ``trim`` -> ``map`` ->
``default``. Dates are ISO unless ``date_format`` (strptime) is given; ``federal_register`` text is
split into notices. Without an ``as_of``/``as_of_field`` the newest start date is the as-of date.

The mapping is validated strictly (unknown keys are errors), a mapped column missing from a CSV
header or a key present in no record is an error, and every record failure names the data file
and its line (CSV) or record index (JSON/YAML). Records repeated verbatim are merged; the same id
with different content is an error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from exportscreen._errors import ListError
from exportscreen._io import parse_json, parse_yaml
from exportscreen.registry.custom_mapping import (
    FORMAT,
    FieldSpec,
    Mapping,
    is_mapping_file,
    mapping_for,
    read_mapping,
)
from exportscreen.registry.listfile import (
    build_entry,
    clean_name,
    clean_text,
    iter_csv,
    parse_date,
    read_list_text,
    split_federal_register,
)
from exportscreen.registry.model import Entry, Source

__all__ = ["FORMAT", "Mapping", "detect", "inputs", "load", "load_mapped", "mapping_for"]

_MULTI = frozenset(
    {"aliases", "weak_aliases", "other_names", "addresses", "federal_register", "rule_citations",
     "license_footnotes", "programs", "ids", "tags"}
)  # fmt: skip
_SINGLE = frozenset({"name", "list", "type", "country", "start_date", "end_date", "confidence"})
_DATES = frozenset({"start_date", "end_date"})
_NAMES = frozenset({"name", "aliases", "weak_aliases", "other_names"})


def detect(path: Path) -> bool:
    if not path.is_file():
        return False
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            with path.open("rb") as fh:
                if FORMAT.encode() in fh.read(4096):
                    return True
        except OSError:
            return False
    return not is_mapping_file(path) and mapping_for(path) is not None


# ---------------------------------------------------------------------------------------------
# Reading records
# ---------------------------------------------------------------------------------------------

_Record = tuple[str, dict[str, Any]]  # (location, record)


def _data_format(mapping: Mapping, data: Path) -> str:
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


def _csv_records(mapping: Mapping, data: Path, text: str, used: set[str]) -> list[_Record]:
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
    out: list[_Record] = []
    for line, fields in rows:
        if len(fields) != len(header):
            raise ListError(
                f"record has {len(fields)} fields, the header has {len(header)} (a stray or unterminated quote?)",
                path=data,
                location=f"line {line}",
            )
        out.append((f"line {line}", dict(zip(header, fields, strict=True))))
    return out


def _lookup(record: Any, dotted: str) -> tuple[bool, Any]:
    node = record
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _structured_records(mapping: Mapping, data: Path, doc: Any, used: set[str]) -> list[_Record]:
    where = mapping.records or ""
    if mapping.records:
        found, node = _lookup(doc, mapping.records)
        if not found:
            raise ListError(f"records key {mapping.records!r} not found", path=data)
    else:
        node = doc
    if not isinstance(node, list):
        hint = "" if mapping.records else " (set records: to the key holding the record array)"
        raise ListError(f"expected an array of records{hint}", path=data, location=where or None)
    out: list[_Record] = []
    seen: set[str] = set()
    for i, record in enumerate(node):
        loc = f"{where}[{i}]"
        if not isinstance(record, dict):
            raise ListError("a record must be an object", path=data, location=loc)
        seen.update(k for k in used if _lookup(record, k)[0])
        out.append((loc, record))
    missing = sorted(used - seen) if out else []
    if missing:
        raise ListError(f"field(s) named in the mapping occur in no record: {', '.join(missing)}", path=data)
    return out


# ---------------------------------------------------------------------------------------------
# Mapping records to entries
# ---------------------------------------------------------------------------------------------


def _texts(value: Any, key: str, data: Path, loc: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, bool):
        raise ListError(f"field {key!r}: expected text, found a boolean", path=data, location=loc)
    if isinstance(value, str | int | float | dt.date):
        return [str(value)]
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            if isinstance(item, list | dict | bool):
                raise ListError(f"field {key!r}: expected a list of texts", path=data, location=loc)
            if item is not None:
                out.append(str(item))
        return out
    raise ListError(f"field {key!r}: expected text or a list, found {type(value).__name__}", path=data, location=loc)


def _splitter(spec: FieldSpec) -> re.Pattern[str] | None:
    if spec.split is None:
        return None
    seps = [spec.split] if isinstance(spec.split, str) else spec.split
    return re.compile("|".join(re.escape(s) for s in sorted(seps, key=len, reverse=True)))


class _Compiled:
    """A field spec with its regular expressions compiled once."""

    def __init__(self, target: str, spec: FieldSpec) -> None:
        self.target = target
        self.spec = spec
        self.split = _splitter(spec)
        self.pattern = re.compile(spec.pattern) if spec.pattern else None

    def values(self, record: dict[str, Any], data: Path, loc: str) -> list[str]:
        spec = self.spec
        if spec.value is not None:
            raw = [spec.value]
        elif spec.field is not None:
            raw = _texts(_lookup(record, spec.field)[1], spec.field, data, loc)
        else:
            parts = [clean_text(t) for f in spec.fields or [] for t in _texts(_lookup(record, f)[1], f, data, loc)]
            joined = spec.join.join(p for p in parts if p)
            raw = [joined] if joined else []
        if self.split is not None:
            raw = [piece for text in raw for piece in self.split.split(text)]
        if self.pattern is not None:
            found: list[str] = []
            for text in raw:
                m = self.pattern.search(text)
                if m is not None:
                    found.append(m.group(1) if m.re.groups else m.group(0))
            raw = found
        out: list[str] = []
        for text in raw:
            value = clean_name(text) if self.target in _NAMES else clean_text(text)
            for prefix in spec.strip_prefix:
                if value.startswith(prefix):
                    value = clean_text(value[len(prefix) :])
                    break
            if spec.trim:
                value = value.strip(spec.trim).strip()
            if spec.map is not None and value in spec.map:
                mapped = spec.map[value]
                value = clean_text(mapped) if mapped is not None else ""
            if value:
                out.append(value)
        if not out and spec.default is not None:
            out = [spec.default]
        return out


def _unique(values: list[str], exclude: str = "") -> tuple[str, ...]:
    seen = {exclude.casefold()} if exclude else set()
    out: list[str] = []
    for v in values:
        if v.casefold() not in seen:
            seen.add(v.casefold())
            out.append(v)
    return tuple(out)


def _record_id(mapping: Mapping, record: dict[str, Any], data: Path, loc: str) -> str:
    spec = mapping.id
    if spec.field is not None:
        values = [clean_text(t) for t in _texts(_lookup(record, spec.field)[1], spec.field, data, loc)]
        ident = " ".join(v for v in values if v)
        if not ident:
            raise ListError(f"id field {spec.field!r} is empty", path=data, location=loc)
        return spec.prefix + ident
    parts = ["\x1f".join(clean_text(t) for t in _texts(_lookup(record, f)[1], f, data, loc)) for f in spec.hash or []]
    if not any(parts):
        raise ListError(f"all id fields ({', '.join(spec.hash or [])}) are empty", path=data, location=loc)
    return spec.prefix + hashlib.sha1("\x1e".join(parts).encode("utf-8")).hexdigest()[:16]


def _convert(
    mapping: Mapping, compiled: list[_Compiled], record: dict[str, Any], data: Path, loc: str
) -> dict[str, Any]:
    fields: dict[str, Any] = {"id": _record_id(mapping, record, data, loc), "list": mapping.source.list}
    for c in compiled:
        values = c.values(record, data, loc)
        target = c.target
        if target in _SINGLE and len(values) > 1:
            raise ListError(
                f"field {target!r} got {len(values)} values ({'; '.join(values)[:80]!r}); it takes one",
                path=data,
                location=loc,
            )
        if target in _DATES:
            date = None
            if values:
                date, _ = parse_date(values[0], path=data, location=loc, field=target, fmt=c.spec.date_format)
            fields[target] = date
        elif target == "license_footnotes":
            try:
                fields[target] = tuple(int(v) for v in values)
            except ValueError:
                raise ListError(f"license footnotes must be numbers: {values!r}", path=data, location=loc) from None
        elif target == "federal_register":
            fr = values if c.split is not None else [n for v in values for n in split_federal_register(v)]
            fields[target] = _unique(fr)
        elif target in _MULTI:
            fields[target] = _unique(values)
        elif target == "type":
            fields[target] = values[0].lower() if values else None
        elif target == "name":
            fields[target] = values[0] if values else ""
        elif target == "list":
            fields[target] = values[0] if values else mapping.source.list
        else:
            joined = "; ".join(values)
            fields[target] = joined or None
    name = fields.get("name", "")
    if not name:
        raise ListError("record has no name", path=data, location=loc)
    for key in ("aliases", "weak_aliases", "other_names"):
        if key in fields:
            fields[key] = _unique(list(fields[key]), exclude=name)
    return fields


_Basis = Literal["file", "newest_listing", "declared", "unknown"]


def _as_of(mapping: Mapping, data: Path, doc: Any) -> tuple[dt.date | None, _Basis | None]:
    spec = mapping.source
    if spec.as_of is not None:
        return spec.as_of, "declared"
    if spec.as_of_field is None:
        return None, None
    found, value = _lookup(doc, spec.as_of_field) if isinstance(doc, dict) else (False, None)
    if not found or value in (None, ""):
        raise ListError(f"as_of_field {spec.as_of_field!r} not found at the top level of the data file", path=data)
    if isinstance(value, dt.date):
        return value, "file"
    date, _ = parse_date(str(value), path=data, location=spec.as_of_field, field="as_of_field")
    return date, "file"


def _iter_entries(mapping: Mapping, records: list[_Record], data: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    compiled = [_Compiled(target, spec) for target, spec in mapping.fields.items()]
    for loc, record in records:
        yield loc, _convert(mapping, compiled, record, data, loc)


def load_mapped(mapping_path: Path, data: Path | None = None) -> tuple[list[Source], list[Entry]]:
    """Load a custom list from its mapping file (``data`` overrides the mapping's ``data:``)."""
    mapping = read_mapping(mapping_path)
    if data is None:
        if mapping.data is None:
            raise ListError("the mapping names no data file (data:)", path=mapping_path, location="data")
        data = (mapping_path.parent / mapping.data).resolve()
    if not data.is_file():
        raise ListError(f"data file {str(data)!r} named by the mapping is not found", path=mapping_path)
    used = set(mapping.id.source_fields())
    for field_spec in mapping.fields.values():
        used.update(field_spec.source_fields())
    text = read_list_text(data)
    if not text.strip():
        raise ListError("file is empty", path=data)
    fmt = _data_format(mapping, data)
    doc: Any = None
    if fmt == "csv":
        records = _csv_records(mapping, data, text, used)
    else:
        doc = (
            parse_json(text, path=data, error=ListError)
            if fmt == "json"
            else parse_yaml(text, path=data, error=ListError)
        )
        records = _structured_records(mapping, data, doc, used)
    if not records:
        raise ListError("the data file holds no records", path=data)

    spec = mapping.source
    kept: dict[str, tuple[str, dict[str, Any]]] = {}
    repeats = 0
    for loc, fields in _iter_entries(mapping, records, data):
        prior = kept.get(fields["id"])
        if prior is not None:
            if prior[1] == fields:
                repeats += 1
                continue
            differs = sorted(k for k in fields.keys() | prior[1].keys() if fields.get(k) != prior[1].get(k))
            raise ListError(
                f"duplicate id {fields['id']!r}: {prior[0]} has the same id but a different {', '.join(differs)}",
                path=data,
                location=loc,
            )
        kept[fields["id"]] = (loc, fields)
    entries = [build_entry({**f, "source": spec.id}, path=data, location=loc) for loc, f in kept.values()]

    as_of, basis = _as_of(mapping, data, doc)
    if basis is None:
        today = dt.date.today()
        listed = [e.start_date for e in entries if e.start_date is not None and e.start_date <= today]
        as_of, basis = (max(listed), "newest_listing") if listed else (None, "unknown")
    note = f"{repeats} repeated record(s) merged" if repeats else None
    derived = "; ".join(p for p in (spec.derived_from, f"mapping {mapping_path.name}", note) if p)
    source = Source(
        id=spec.id,
        name=spec.name,
        list=spec.list,
        as_of=as_of,
        as_of_basis=basis,
        url=spec.url,
        authority=spec.authority,
        derived_from=derived,
        path=str(data),
        format=f"custom-{fmt}",
    )
    return [source], entries


def inputs(path: Path) -> list[Path]:
    """The other file a custom list reads: the data file its mapping names, or the mapping beside its data."""
    if is_mapping_file(path):
        try:
            mapping = read_mapping(path)
        except ListError:
            return []
        data = (path.parent / mapping.data).resolve() if mapping.data else None
        return [data] if data is not None and data.is_file() else []
    beside = mapping_for(path)
    return [beside] if beside is not None else []


def load(path: Path) -> tuple[list[Source], list[Entry]]:
    """Load a custom list given its mapping file or its data file (with the mapping beside it)."""
    if path.suffix.lower() in (".yaml", ".yml") and (is_mapping_file(path) or mapping_for(path) is None):
        return load_mapped(path)
    mapping_path = mapping_for(path)
    if mapping_path is None:
        raise ListError("no <name>.mapping.yaml beside this file declares its field mapping", path=path)
    mapping = read_mapping(mapping_path)
    if mapping.data is not None and (mapping_path.parent / mapping.data).resolve() != path.resolve():
        raise ListError(
            f"the mapping beside this file names another data file ({mapping.data!r})",
            path=mapping_path,
            location="data",
        )
    return load_mapped(mapping_path, path)
