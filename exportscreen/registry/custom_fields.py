"""One record of a custom list as the fields of its entry (``registry.custom``): the id from a field
or a hash, each field spec's values read, split, matched, cleaned and mapped, dates parsed, and the
one-valued and many-valued fields checked."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from exportscreen._errors import ListError
from exportscreen.registry.custom_mapping import FieldSpec, Mapping
from exportscreen.registry.custom_records import Record, lookup
from exportscreen.registry.listfile import clean_name, clean_text, parse_date, split_federal_register

__all__ = ["iter_entries"]

_MULTI = frozenset(
    {"aliases", "weak_aliases", "other_names", "addresses", "federal_register", "rule_citations",
     "license_footnotes", "programs", "ids", "tags"}
)  # fmt: skip
_SINGLE = frozenset({"name", "list", "type", "country", "start_date", "end_date", "confidence"})
_DATES = frozenset({"start_date", "end_date"})
_NAMES = frozenset({"name", "aliases", "weak_aliases", "other_names"})


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
            raw = _texts(lookup(record, spec.field)[1], spec.field, data, loc)
        else:
            parts = [clean_text(t) for f in spec.fields or [] for t in _texts(lookup(record, f)[1], f, data, loc)]
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
        values = [clean_text(t) for t in _texts(lookup(record, spec.field)[1], spec.field, data, loc)]
        ident = " ".join(v for v in values if v)
        if not ident:
            raise ListError(f"id field {spec.field!r} is empty", path=data, location=loc)
        return spec.prefix + ident
    parts = ["\x1f".join(clean_text(t) for t in _texts(lookup(record, f)[1], f, data, loc)) for f in spec.hash or []]
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


def iter_entries(mapping: Mapping, records: list[Record], data: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each record's location and its entry's fields, in the order of the records."""
    compiled = [_Compiled(target, spec) for target, spec in mapping.fields.items()]
    for loc, record in records:
        yield loc, _convert(mapping, compiled, record, data, loc)
