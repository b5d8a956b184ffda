"""Reading official list files and cleaning their fields, shared by every list loader (CSL, OFAC,
BIS, UN, the Federal Register extractions, custom lists): the file's text (gzip and BOM handled), CSV
rows with their line numbers, dates the publishers print, cleaned names and text, Federal Register
citations split one by one, and ``build_entry``, which makes the checks ``Entry`` would make without
per-field validation."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
import zlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from exportscreen._errors import ListError
from exportscreen._io import read_text
from exportscreen.geo import resolve_country
from exportscreen.limits import LIMITS
from exportscreen.registry.model import Entry

__all__ = [
    "GZIP_MAGIC",
    "MIN_PLAUSIBLE_YEAR",
    "build_entry",
    "clean_name",
    "clean_text",
    "dedupe",
    "iter_csv",
    "parse_date",
    "read_list_text",
    "split_federal_register",
]


GZIP_MAGIC = b"\x1f\x8b"


def read_list_text(path: Path) -> str:
    """Read a UTF-8 list file, transparently gunzipping ``.gz`` content, within the size limit."""
    try:
        with path.open("rb") as fh:
            magic = fh.read(2)
    except OSError as exc:
        raise ListError(f"cannot read file: {exc.strerror or exc}", path=path) from exc
    if magic != GZIP_MAGIC:
        return read_text(path, error=ListError)
    limit = LIMITS.max_file_bytes
    try:
        with gzip.open(path, "rb") as gz:
            raw = gz.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise ListError(f"cannot decompress gzip file: {exc}", path=path) from exc
    if len(raw) > limit:
        raise ListError(f"decompressed content is over the limit of {limit} bytes", path=path)
    if b"\x00" in raw:
        raise ListError("file contains NUL bytes: binary data or UTF-16, expected UTF-8 text", path=path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ListError(f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", path=path, location=f"line {line}") from exc
    return text.removeprefix("\ufeff")


def iter_csv(text: str, path: Path, *, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """Yield ``(first line number, fields)`` for each record; quoting errors raise ``ListError``.

    Blank lines are skipped. The reader is strict: a stray quote inside a field, or a quoted
    field still open at the end of the file, is an error naming the line where the record starts.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    last = 0
    while True:
        start = last + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            msg = str(exc)
            if "end of data" in msg or "EOF" in msg:
                msg = "unterminated quoted field: the quote opened in this record is never closed"
            else:
                msg = f"malformed CSV record: {msg} (a stray or unterminated quote?)"
            raise ListError(msg, path=path, location=f"line {start}") from exc
        last = reader.line_num
        if row and not (len(row) == 1 and not row[0].strip()):
            yield start, row


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?")

#: Dates before this year are taken as mangled (two-digit years read as ``0017``), not believed.
MIN_PLAUSIBLE_YEAR = 1980


def parse_date(
    value: str, *, path: Path, location: str, field: str, fmt: str | None = None
) -> tuple[dt.date | None, bool]:
    """Parse a date; returns ``(date, plausible)``. Unparseable text raises ``ListError``.

    ``plausible`` is False for a well-formed date before ``MIN_PLAUSIBLE_YEAR``; the caller drops it.
    """
    text = value.strip()
    if not text:
        return None, True
    try:
        if fmt is None:
            m = _ISO_DATE.fullmatch(text)
            if m is None:
                raise ValueError("expected YYYY-MM-DD")
            date = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        else:
            date = dt.datetime.strptime(text, fmt).date()
    except ValueError as exc:
        expected = fmt or "YYYY-MM-DD"
        raise ListError(
            f"field {field!r}: invalid date {value!r} ({exc}; expected {expected})", path=path, location=location
        ) from None
    return date, date.year >= MIN_PLAUSIBLE_YEAR


def clean_text(value: str | None) -> str:
    """Collapse whitespace (including embedded newlines) and strip."""
    if not value:
        return ""
    return " ".join(value.split())


def clean_name(value: str | None) -> str:
    """A name or alias as printed, without stray whitespace or trailing separators."""
    return clean_text(value).strip(" ,;")


_FR_CITATION = re.compile(r"\b\d{1,3}\s*F\.?\s*R\.?\s*\d")
_FR_TRIM = " ,;."


def split_federal_register(value: str) -> tuple[str, ...]:
    """Split a field holding several Federal Register notices into one string per notice.

    ``"68 F.R. 38290 6/27/03 71 F.R. 38843 7/10/06"`` gives two notices; text that holds no
    ``<volume> FR <page>`` citation (``"Vol. 86, No. 71, 04/15/2021"``) stays one notice.
    """
    text = clean_text(value)
    if not text:
        return ()
    starts = [m.start() for m in _FR_CITATION.finditer(text)]
    if len(starts) <= 1:
        return (text.strip(_FR_TRIM),)
    parts: list[str] = []
    head = text[: starts[0]].strip(_FR_TRIM)
    for i, s in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        part = text[s:end].strip(_FR_TRIM)
        part = re.sub(r"\s+and$", "", part).strip(_FR_TRIM)
        if i == 0 and head:
            part = f"{head} {part}"
        if part:
            parts.append(part)
    return tuple(parts)


def dedupe(values: Sequence[str], exclude: str = "") -> tuple[str, ...]:
    """``values`` without blanks and case-insensitive repeats (nor ``exclude``), first spelling kept."""
    seen = {exclude.casefold()} if exclude else set()
    out: list[str] = []
    for v in values:
        key = v.casefold()
        if v and key not in seen:
            seen.add(key)
            out.append(v)
    return tuple(out)


_ENTRY_FIELDS = frozenset(Entry.model_fields)
_TUPLE_FIELDS = frozenset(name for name, info in Entry.model_fields.items() if str(info.annotation).startswith("tuple"))
_TEXT_FIELDS = _ENTRY_FIELDS - _TUPLE_FIELDS - {"start_date", "end_date"}
_ENTRY_TYPES: frozenset[str] = frozenset({"entity", "individual", "vessel", "aircraft"})
_ENTRY_DEFAULTS: dict[str, Any] = {
    name: info.default
    for name, info in Entry.model_fields.items()
    if not info.is_required() and info.default_factory is None
}


def build_entry(fields: Mapping[str, Any], *, path: Path, location: str) -> Entry:
    """Build an ``Entry`` from loader output without per-field pydantic validation.

    The checks ``Entry`` would make are made here (fail closed, with the file and location):
    required id and name, known type, date and tuple types, a known country code. Strings must
    already be stripped (the loaders clean every value).
    """
    unknown = set(fields) - _ENTRY_FIELDS
    if unknown:
        raise ListError(f"internal: unknown entry fields {sorted(unknown)}", path=path, location=location)
    ident = fields.get("id")
    name = fields.get("name")
    if not isinstance(ident, str) or not ident:
        raise ListError("entry has no id", path=path, location=location)
    if not isinstance(name, str) or not name:
        raise ListError("entry has no name", path=path, location=location)
    etype = fields.get("type")
    if etype is not None and etype not in _ENTRY_TYPES:
        raise ListError(
            f"unknown entry type {etype!r} (expected one of {', '.join(sorted(_ENTRY_TYPES))})",
            path=path,
            location=location,
        )
    for key in ("start_date", "end_date"):
        value = fields.get(key)
        if value is not None and not isinstance(value, dt.date):
            raise ListError(f"field {key!r} is not a date", path=path, location=location)
    for key in _TUPLE_FIELDS & fields.keys():
        value = fields[key]
        if not isinstance(value, tuple):
            raise ListError(f"internal: field {key!r} must be a tuple", path=path, location=location)
        if key == "license_footnotes":
            if not all(isinstance(v, int) for v in value):
                raise ListError("license footnotes must be integers", path=path, location=location)
        elif not all(isinstance(v, str) and v and v == v.strip() for v in value):
            raise ListError(f"internal: field {key!r} holds a blank or unstripped value", path=path, location=location)
    for key in _TEXT_FIELDS & fields.keys():
        value = fields[key]
        if value is not None and (not isinstance(value, str) or value != value.strip()):
            raise ListError(f"internal: field {key!r} must be stripped text", path=path, location=location)
    if fields.get("confidence") not in (None, "V", "S", "U"):
        raise ListError(
            f"unknown confidence {fields['confidence']!r} (expected V, S or U)", path=path, location=location
        )
    country = fields.get("country")
    if country is not None:
        try:
            resolved = resolve_country(country)
        except ValueError as exc:
            raise ListError(str(exc), path=path, location=location) from None
        fields = {**fields, "country": resolved}
    return Entry.trusted({**_ENTRY_DEFAULTS, **fields})
