"""One CSL record as the fields of its entry (``registry.csl``): the list code and source-native id,
aliases in Federal-Register wording, the entry type of the rows that leave it blank, an implausible
listing date kept in the remarks, and the published particulars without an Entry field."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from exportscreen._errors import ListError
from exportscreen.geo import resolve_country
from exportscreen.registry.csl_lists import LISTS, list_code
from exportscreen.registry.csl_rows import Row
from exportscreen.registry.listfile import clean_name, clean_text, dedupe, parse_date, split_federal_register
from exportscreen.registry.model import EntryType

__all__ = ["convert"]

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


def convert(row: Row, path: Path) -> tuple[str, dict[str, Any], dt.date | None]:
    """Map a CSL record to (list code, entry fields, listing date for the as-of estimate)."""
    v = row.values
    loc = row.location
    source_name = v.get("source", "")
    code = list_code(source_name)
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
