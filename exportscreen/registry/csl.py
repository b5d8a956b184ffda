"""trade.gov Consolidated Screening List (CSL): the 29-column CSV bulk file and the JSON form.

The CSL merges 13 US source lists (Commerce: EL, MEU, UVL, DPL; State: DTC, ISN; Treasury: SDN, SSI,
FSE, CAP, PLC, NS-MBS, CMIC). Each source list becomes its own ``Source`` (``csl:EL``, ``csl:SDN``,
...) so entry counts per list stay visible, and every entry keeps its source-native id: the OFAC
``entity_number`` for Treasury rows (the CSL ``_id`` repeats it across Treasury lists), the CSL
``_id`` (a SHA-1) for the others.

Published quirks handled here (see ``../shared/data/csl/PROVENANCE.md``):

* multi-valued fields joined by ``"; "`` (``alt_names`` is also split on a bare ``;``);
* Entity List aliases in Federal-Register wording (``"and SMIC North"``: an affiliate, kept as an
  alias without the ``"and "``), alias prefixes such as ``f.k.a.``, names ending in ``", "``;
  embedded newlines and stray whitespace;
* a blank ``type`` on every BIS/State row: an entity unless the row clearly names a person;
* several Federal Register notices in one field without a separator;
* mangled two-digit years (``0017-05-26``): a date before 1980 is not believed; it is dropped (the
  entry then counts as listed at any date, the cautious reading) and the published text is kept in
  ``remarks``;
* the same record published twice in one list (CAP ``15268``): identical repeats are merged, a
  repeated id with different content is an error.

The file carries no publication date, so a source's as-of date is the newest listing date in the
file (``as_of_basis="newest_listing"``); the JSON form's ``sources_used[].source_last_updated``
is used when present (``as_of_basis="file"``).

The CSV, date and text helpers at the top are shared with the other list loaders.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from exportscreen._errors import ListError
from exportscreen._io import parse_json, read_text
from exportscreen.geo import resolve_country
from exportscreen.limits import LIMITS
from exportscreen.registry.model import Entry, EntryType, Source

__all__ = [
    "COLUMNS",
    "LISTS",
    "build_entry",
    "clean_name",
    "clean_text",
    "detect",
    "iter_csv",
    "load",
    "parse_date",
    "read_list_text",
    "split_federal_register",
]

# ---------------------------------------------------------------------------------------------
# Shared helpers (also used by the OFAC and custom-list loaders)
# ---------------------------------------------------------------------------------------------

_GZIP_MAGIC = b"\x1f\x8b"


def read_list_text(path: Path) -> str:
    """Read a UTF-8 list file, transparently gunzipping ``.gz`` content, within the size limit."""
    try:
        with path.open("rb") as fh:
            magic = fh.read(2)
    except OSError as exc:
        raise ListError(f"cannot read file: {exc.strerror or exc}", path=path) from exc
    if magic != _GZIP_MAGIC:
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


def _dedupe(values: Sequence[str], exclude: str = "") -> tuple[str, ...]:
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


# ---------------------------------------------------------------------------------------------
# The CSL itself
# ---------------------------------------------------------------------------------------------

#: The 29 columns of the CSV bulk file, in published order.
COLUMNS: tuple[str, ...] = (
    "_id", "source", "entity_number", "type", "programs", "name", "title", "addresses",
    "federal_register_notice", "start_date", "end_date", "standard_order", "license_requirement",
    "license_policy", "call_sign", "vessel_type", "gross_tonnage", "gross_registered_tonnage",
    "vessel_flag", "vessel_owner", "remarks", "source_list_url", "alt_names", "citizenships",
    "dates_of_birth", "nationalities", "places_of_birth", "source_information_url", "ids",
)  # fmt: skip


@dataclass(frozen=True)
class CslList:
    code: str
    name: str
    authority: str
    treasury: bool


#: The 13 source lists: code -> description. Source names in a file are matched by their code in
#: parentheses, so renamed lists (``Capta List (CAP)`` / ``... (CAPTA)``) still map.
LISTS: dict[str, CslList] = {
    c.code: c
    for c in (
        CslList("EL", "Entity List", "US Department of Commerce, Bureau of Industry and Security", False),
        CslList("MEU", "Military End User List", "US Department of Commerce, Bureau of Industry and Security", False),
        CslList("UVL", "Unverified List", "US Department of Commerce, Bureau of Industry and Security", False),
        CslList("DPL", "Denied Persons List", "US Department of Commerce, Bureau of Industry and Security", False),
        CslList("DTC", "ITAR Debarred", "US Department of State, Directorate of Defense Trade Controls", False),
        CslList("ISN", "Nonproliferation Sanctions", "US Department of State, Bureau of International Security "
                "and Nonproliferation", False),
        CslList("SDN", "Specially Designated Nationals", "US Department of the Treasury, OFAC", True),
        CslList("SSI", "Sectoral Sanctions Identifications List", "US Department of the Treasury, OFAC", True),
        CslList("FSE", "Foreign Sanctions Evaders", "US Department of the Treasury, OFAC", True),
        CslList("CAP", "Correspondent Account or Payable-Through Account Sanctions (CAPTA) List",
                "US Department of the Treasury, OFAC", True),
        CslList("PLC", "Palestinian Legislative Council List", "US Department of the Treasury, OFAC", True),
        CslList("NS-MBS", "Non-SDN Menu-Based Sanctions List", "US Department of the Treasury, OFAC", True),
        CslList("CMIC", "Non-SDN Chinese Military-Industrial Complex Companies List",
                "US Department of the Treasury, OFAC", True),
    )
}  # fmt: skip

_CODE_ALIASES = {"CAPTA": "CAP", "NS-MBS LIST": "NS-MBS", "MBS": "NS-MBS", "NS-CMIC": "CMIC", "NS-PLC": "PLC"}
_PAREN = re.compile(r"\(([^()]+)\)")


def _list_code(source_name: str) -> str | None:
    text = clean_text(source_name)
    upper = text.upper()
    if upper in LISTS:
        return upper
    if upper in _CODE_ALIASES:
        return _CODE_ALIASES[upper]
    for m in _PAREN.finditer(text):
        token = m.group(1).strip().upper()
        code = _CODE_ALIASES.get(token, token)
        if code in LISTS:
            return code
    return None


_ALIAS_SPLIT = re.compile(r"\s*;\s*")
_AKA_PREFIX = re.compile(r"^[afn]\.k\.a\.[,:]?\s+", re.IGNORECASE)
_PERSON_NAME = re.compile(r"\bindividual\b|,?\s(?:jr|sr)\.?$|,\s*i{2,3}$", re.IGNORECASE)
_PERSON_ADDRESS = re.compile(
    r"\bincarcerated\b|\binmate\b|\busm no\b|\bregister (?:no|number)\b|\bcorrectional\b|\bprison\b",
    re.IGNORECASE,
)
_COUNTRY_TAIL = re.compile(r"(?:^|,\s*)([A-Z]{2})$")


def _split_aliases(value: str, name: str) -> tuple[str, ...]:
    out: list[str] = []
    for part in _ALIAS_SPLIT.split(clean_text(value)):
        alias = clean_name(part).lstrip("-").strip()
        # Entity List wording: "...; and <affiliate>" (an affiliate) and "f.k.a. <former name>".
        if alias.startswith("and "):
            alias = clean_name(alias[4:])
        alias = clean_name(_AKA_PREFIX.sub("", alias, count=1))
        if alias:
            out.append(alias)
    return _dedupe(out, exclude=name)


def _split_plain(value: str, sep: str = "; ") -> tuple[str, ...]:
    return _dedupe([clean_name(p) for p in value.split(sep)]) if value else ()


def _address_country(addresses: Sequence[str]) -> str | None:
    codes = set()
    for a in addresses:
        m = _COUNTRY_TAIL.search(a)
        if m is None:
            return None
        codes.add(m.group(1))
    if len(codes) != 1:
        return None
    try:
        return resolve_country(codes.pop())
    except ValueError:
        return None


_TYPE_NAMES: dict[str, EntryType] = {
    "entity": "entity",
    "individual": "individual",
    "vessel": "vessel",
    "aircraft": "aircraft",
}


def _entry_type(raw: str, code: str, name: str, addresses: Sequence[str], path: Path, location: str) -> EntryType:
    text = raw.strip().lower()
    if text in _TYPE_NAMES:
        return _TYPE_NAMES[text]
    if text:
        raise ListError(f"unknown type {raw!r} in list {code}", path=path, location=location)
    if _PERSON_NAME.search(name) or any(_PERSON_ADDRESS.search(a) for a in addresses):
        return "individual"
    return "entity"


#: Published particulars without an Entry field, kept in ``remarks`` the way OFAC prints them.
_PARTICULARS: tuple[tuple[str, str], ...] = (
    ("title", "Title:"),
    ("dates_of_birth", "DOB"),
    ("places_of_birth", "POB"),
    ("nationalities", "nationality"),
    ("citizenships", "citizen"),
    ("call_sign", "Call Sign:"),
    ("vessel_type", "Vessel Type:"),
    ("vessel_flag", "Vessel Flag:"),
    ("vessel_owner", "Vessel Owner:"),
    ("gross_tonnage", "Tonnage:"),
    ("gross_registered_tonnage", "GRT:"),
    ("standard_order", "Standard Order:"),
)


@dataclass
class _Row:
    """One source record, as text fields, with where it came from."""

    values: dict[str, str]
    location: str
    line: int | None


def _convert(row: _Row, path: Path) -> tuple[str, dict[str, Any], dt.date | None]:
    """Map a CSL record to (list code, entry fields, listing date for the as-of estimate)."""
    v = row.values
    loc = row.location
    source_name = v.get("source", "")
    code = _list_code(source_name)
    if code is None:
        raise ListError(
            f"unknown CSL source list {clean_text(source_name)!r} (known codes: {', '.join(LISTS)})",
            path=path,
            location=loc,
        )
    if LISTS[code].treasury:
        ident = clean_text(v.get("entity_number")) or clean_text(v.get("_id"))
    else:
        ident = clean_text(v.get("_id")) or clean_text(v.get("entity_number"))
    if not ident:
        raise ListError(f"record of list {code} has no _id", path=path, location=loc)
    name = clean_name(v.get("name"))
    if not name:
        raise ListError(f"record {ident!r} of list {code} has no name", path=path, location=loc)
    addresses = _split_plain(v.get("addresses", ""))
    remarks: list[str] = []
    if text := clean_text(v.get("remarks")):
        remarks.append(text)
    dates: dict[str, dt.date | None] = {}
    for key in ("start_date", "end_date"):
        raw = v.get(key, "")
        date, plausible = parse_date(raw, path=path, location=loc, field=key)
        if not plausible:
            remarks.append(f"{key} as published: {raw.strip()} (implausible year, ignored)")
            date = None
        dates[key] = date
    for key, label in _PARTICULARS:
        if text := clean_text(v.get(key)):
            remarks.append(f"{label} {text}")
    fields: dict[str, Any] = {
        "id": ident,
        "list": code,
        "name": name,
        "type": _entry_type(v.get("type", ""), code, name, addresses, path, loc),
        "aliases": _split_aliases(v.get("alt_names", ""), name),
        "addresses": addresses,
        "country": _address_country(addresses),
        "start_date": dates["start_date"],
        "end_date": dates["end_date"],
        "federal_register": split_federal_register(v.get("federal_register_notice", "")),
        "license_requirement": clean_text(v.get("license_requirement")) or None,
        "license_policy": clean_text(v.get("license_policy")) or None,
        "programs": _split_plain(v.get("programs", "")),
        "ids": _split_plain(v.get("ids", "")),
        "remarks": "; ".join(remarks) or None,
        "source_url": clean_text(v.get("source_list_url")) or clean_text(v.get("source_information_url")) or None,
    }
    return code, fields, dates["start_date"]


_IGNORED_IN_DUPLICATES = frozenset({"source_list_url", "source_information_url"})


def _merge_repeat(first: _Row, again: _Row, code: str, ident: str, path: Path) -> None:
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


def _build(
    rows: list[_Row], path: Path, fmt: str, last_updated: Mapping[str, dt.date]
) -> tuple[list[Source], list[Entry]]:
    converted: dict[tuple[str, str], tuple[_Row, str, dict[str, Any], dt.date | None]] = {}
    repeats: dict[str, int] = {}
    for row in rows:
        code, fields, listed = _convert(row, path)
        key = (code, fields["id"])
        prior = converted.get(key)
        if prior is not None:
            _merge_repeat(prior[0], row, code, fields["id"], path)
            code, fields, listed = _convert(prior[0], path)
            repeats[code] = repeats.get(code, 0) + 1
            converted[key] = (prior[0], code, fields, listed)
            continue
        converted[key] = (row, code, fields, listed)
    if not converted:
        raise ListError("the CSL file holds no records", path=path)

    today = dt.date.today()
    newest = max((d for *_, d in converted.values() if d is not None and d <= today), default=None)
    per_list: dict[str, list[Entry]] = {}
    urls: dict[str, dict[str, int]] = {}
    published: dict[str, str] = {}
    for row, code, fields, _listed in converted.values():
        source_id = f"csl:{code}"
        published.setdefault(code, clean_text(row.values.get("source")))
        entry = build_entry({**fields, "source": source_id}, path=path, location=row.location)
        per_list.setdefault(code, []).append(entry)
        if entry.source_url:
            counter = urls.setdefault(code, {})
            counter[entry.source_url] = counter.get(entry.source_url, 0) + 1
    sources: list[Source] = []
    entries: list[Entry] = []
    for code in LISTS:
        if code not in per_list:
            continue
        info = LISTS[code]
        as_of = last_updated.get(code)
        basis: Literal["file", "newest_listing", "unknown"] = "file"
        if as_of is None:
            as_of, basis = newest, ("newest_listing" if newest else "unknown")
        url_counts = urls.get(code, {})
        note = f"; {repeats[code]} repeated record(s) merged" if code in repeats else ""
        sources.append(
            Source(
                id=f"csl:{code}",
                name=published[code] or info.name,
                list=code,
                as_of=as_of,
                as_of_basis=basis,
                url=max(url_counts, key=url_counts.__getitem__) if url_counts else None,
                authority=info.authority,
                derived_from=f"trade.gov Consolidated Screening List{note}",
                path=str(path),
                format=fmt,
            )
        )
        entries.extend(per_list[code])
    return sources, entries


def _csv_rows(text: str, path: Path) -> list[_Row]:
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
    rows: list[_Row] = []
    for line, fields in records:
        if len(fields) != width:
            raise ListError(
                f"record has {len(fields)} fields, the header has {width} (a stray or unterminated quote?)",
                path=path,
                location=f"line {line}",
            )
        rows.append(_Row(dict(zip(header, fields, strict=True)), f"line {line}", line))
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


def _json_rows(text: str, path: Path) -> tuple[list[_Row], dict[str, dt.date]]:
    if not text.strip():
        raise ListError("file is empty", path=path)
    data = parse_json(text, path=path, error=ListError)
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise ListError('expected a JSON object with a "results" array (the CSL JSON form)', path=path)
    rows: list[_Row] = []
    for i, record in enumerate(data["results"]):
        loc = f"results[{i}]"
        if not isinstance(record, dict):
            raise ListError("expected an object", path=path, location=loc)
        values = {("_id" if k == "id" else k): _json_text(v, k, path, loc) for k, v in record.items()}
        for required in ("_id", "source", "name"):
            if not values.get(required, "").strip():
                raise ListError(f"required field {required!r} is missing or empty", path=path, location=loc)
        rows.append(_Row(values, loc, None))
    updated: dict[str, dt.date] = {}
    sources_used = data.get("sources_used")
    if isinstance(sources_used, list):
        for i, item in enumerate(sources_used):
            loc = f"sources_used[{i}]"
            if not isinstance(item, dict) or not isinstance(item.get("source"), str):
                raise ListError("expected an object with a source name", path=path, location=loc)
            code = _list_code(item["source"])
            stamp = item.get("source_last_updated") or item.get("last_updated")
            if code is None or not isinstance(stamp, str) or not stamp.strip():
                continue
            date, _ = parse_date(stamp, path=path, location=loc, field="source_last_updated")
            if date is not None:
                updated[code] = date
    return rows, updated


def _sniff(path: Path) -> tuple[bytes, bool]:
    """The first bytes of the (decompressed) content and whether it was gzipped."""
    with path.open("rb") as fh:
        head = fh.read(65536)
    if head[:2] == _GZIP_MAGIC:
        try:
            with gzip.open(path, "rb") as gz:
                return gz.read(65536), True
        except (OSError, EOFError, zlib.error):
            return b"", True
    return head, False


def detect(path: Path) -> bool:
    """A CSV whose header has the CSL ``_id``/``source``/``name`` columns, or a JSON with ``results``."""
    if not path.is_file():
        return False
    try:
        head, _ = _sniff(path)
    except OSError:
        return False
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return '"results"' in text and '"source"' in text and '"name"' in text
    first = text.split("\n", 1)[0]
    columns = {c.strip().strip('"') for c in first.split(",")}
    return {"_id", "source", "name"} <= columns


def load(path: Path) -> tuple[list[Source], list[Entry]]:
    """Load a CSL bulk file (CSV or JSON, optionally gzipped) into one Source per source list."""
    text = read_list_text(path)
    if text.lstrip().startswith("{"):
        rows, updated = _json_rows(text, path)
        return _build(rows, path, "csl-json", updated)
    if not text.strip():
        raise ListError("file is empty: expected the CSL header row", path=path)
    return _build(_csv_rows(text, path), path, "csl-csv", {})
