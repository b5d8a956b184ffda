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

The CSV, date and text helpers shared with the other list loaders are in ``registry.listfile``.
"""

from __future__ import annotations

import datetime as dt
import gzip
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from exportscreen._errors import ListError
from exportscreen._io import parse_json
from exportscreen.geo import resolve_country
from exportscreen.registry.listfile import (
    GZIP_MAGIC,
    build_entry,
    clean_name,
    clean_text,
    dedupe,
    iter_csv,
    parse_date,
    read_list_text,
    split_federal_register,
)
from exportscreen.registry.model import Entry, EntryType, Source

__all__ = ["COLUMNS", "LISTS", "detect", "load"]

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
    return dedupe(out, exclude=name)


def _split_plain(value: str, sep: str = "; ") -> tuple[str, ...]:
    return dedupe([clean_name(p) for p in value.split(sep)]) if value else ()


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
    if head[:2] == GZIP_MAGIC:
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
