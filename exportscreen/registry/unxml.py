"""The UN Security Council Consolidated List (``consolidated.xml`` of scsanctions.un.org).

``CONSOLIDATED_LIST/INDIVIDUALS/INDIVIDUAL`` and ``.../ENTITIES/ENTITY``: the id is the UN
``REFERENCE_NUMBER`` (``CDi.001``, stable across versions); the name joins ``FIRST_NAME`` ..
``FOURTH_NAME``; ``NAME_ORIGINAL_SCRIPT`` and the ``*_ALIAS`` names of quality ``Good``/``a.k.a.``/
``f.k.a.`` are aliases, those of quality ``Low`` weak aliases; each ``*_ADDRESS`` is one address;
``LISTED_ON`` is the start date; ``UN_LIST_TYPE`` (the sanctions regime) is the programme; document
numbers are ids; ``COMMENTS1`` the remarks. The country is the single nationality (individuals) or the
single address country (entities). The root's ``dateGenerated`` is the as-of date. Every entry has
the list code UN. Parsed with ``registry.xmlsafe`` (no DTDs).
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from exportscreen._errors import ListError
from exportscreen.geo import resolve_country
from exportscreen.registry.listfile import build_entry, clean_name
from exportscreen.registry.model import Entry, Source
from exportscreen.registry.xmlsafe import parse_xml, read_xml_bytes, text_of

__all__ = ["detect", "load"]

_ADDRESS_PARTS = ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY")
_WEAK = frozenset({"low"})


def detect(path: Path) -> bool:
    if not path.is_file() or path.suffix.lower() != ".xml":
        return False
    with path.open("rb") as fh:
        head = fh.read(1024)
    return b"<CONSOLIDATED_LIST" in head


def _country(values: set[str]) -> str | None:
    if len(values) != 1:
        return None
    try:
        return resolve_country(next(iter(values)))
    except ValueError:
        return None


def _date(text: str, path: Path, loc: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ListError(f"invalid date {text!r}", path=path, location=loc) from None


def _fields(record: ET.Element, kind: str, path: Path) -> dict[str, Any]:
    ref = text_of(record, "REFERENCE_NUMBER") or text_of(record, "DATAID")
    loc = f"{kind} {ref}"
    if not ref:
        raise ListError(f"{kind} without REFERENCE_NUMBER or DATAID", path=path)
    name = clean_name(" ".join(text_of(record, t) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")))
    if not name:
        raise ListError("record without a name", path=path, location=loc)
    aliases = [clean_name(text_of(record, "NAME_ORIGINAL_SCRIPT"))]
    weak: list[str] = []
    for alias in record.iterfind(f"{kind}_ALIAS"):
        text = clean_name(text_of(alias, "ALIAS_NAME"))
        if text:
            (weak if text_of(alias, "QUALITY").lower() in _WEAK else aliases).append(text)
    addresses: list[str] = []
    address_countries: set[str] = set()
    for address in record.iterfind(f"{kind}_ADDRESS"):
        parts = [text_of(address, t) for t in _ADDRESS_PARTS]
        note = text_of(address, "NOTE")
        text = ", ".join(p for p in parts if p) + (f" ({note})" if note and any(parts) else "")
        if text and text not in addresses:
            addresses.append(text)
        if text_of(address, "COUNTRY"):
            address_countries.add(text_of(address, "COUNTRY"))
    nationalities = {text_of(v) for v in record.iterfind("NATIONALITY/VALUE") if text_of(v)}
    ids = [
        f"{text_of(d, 'TYPE_OF_DOCUMENT') or 'Document'}: {text_of(d, 'NUMBER')}"
        for d in record.iterfind(f"{kind}_DOCUMENT")
        if text_of(d, "NUMBER")
    ]
    regime = text_of(record, "UN_LIST_TYPE")
    return {
        "id": ref,
        "name": name,
        "type": "individual" if kind == "INDIVIDUAL" else "entity",
        "aliases": tuple(dict.fromkeys(a for a in aliases if a and a.casefold() != name.casefold())),
        "weak_aliases": tuple(dict.fromkeys(weak)),
        "addresses": tuple(addresses),
        "country": _country(nationalities) if kind == "INDIVIDUAL" else _country(address_countries),
        "start_date": _date(text_of(record, "LISTED_ON"), path, loc),
        "programs": (f"UN-{regime}",) if regime else (),
        "ids": tuple(dict.fromkeys(ids)),
        "remarks": text_of(record, "COMMENTS1") or None,
    }


def load(path: Path) -> tuple[list[Source], list[Entry]]:
    root = parse_xml(read_xml_bytes(path), path)
    if root.tag != "CONSOLIDATED_LIST":
        raise ListError("not the UN consolidated list (root element CONSOLIDATED_LIST)", path=path)
    as_of = _date(root.get("dateGenerated") or "", path, "dateGenerated")
    source = Source(
        id="un:CONSOLIDATED",
        name="UN Security Council Consolidated List",
        list="UN",
        as_of=as_of,
        as_of_basis="file" if as_of else "unknown",
        url="https://scsanctions.un.org/resources/xml/en/consolidated.xml",
        authority="United Nations Security Council",
        derived_from=f"UN consolidated XML {path.name}",
        path=str(path),
        format="un-consolidated-xml",
    )
    entries: list[Entry] = []
    seen: set[str] = set()
    for kind, group in (("INDIVIDUAL", "INDIVIDUALS"), ("ENTITY", "ENTITIES")):
        for record in root.iterfind(f"{group}/{kind}"):
            fields = _fields(record, kind, path)
            if fields["id"] in seen:
                raise ListError(
                    f"reference number {fields['id']!r} twice", path=path, location=f"{kind} {fields['id']}"
                )
            seen.add(fields["id"])
            values = {k: v for k, v in fields.items() if v is not None}
            entries.append(build_entry({**values, "list": "UN", "source": source.id}, path=path, location=fields["id"]))
    return [source], entries
