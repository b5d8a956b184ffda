"""OFAC's enhanced XML (``SDN_ENHANCED.XML``, ``CONS_ENHANCED.XML``, or the ``.ZIP`` that holds one).

One ``entity`` per listed party (``id`` = OFAC's entity number): its names (the primary name's
primary translation is the entry name; every other translation and alias is an alias, low-quality
ones weak aliases), addresses (parts joined, with the country), entity type, programs, identity
documents and ISINs. Each entry gets the code of the list it is on, from ``sanctionsLists``
(``Non-SDN CMIC List`` -> CMIC, ``Sectoral Sanctions Identifications List`` -> SSI, ...); a party on
two such lists gets one entry per list (id ``<entity>-<code>``), so rules reading either see it. Its
start date is the date that list published it. The file's ``publicationInfo/dataAsOf`` is the as-of
date. Parsed with ``registry.xmlsafe`` (no DTDs).
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

_MARK = b"sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ENHANCED_XML"
_AUTHORITY = "US Department of the Treasury, Office of Foreign Assets Control (OFAC)"
#: List code by a word of the ``sanctionsList`` name; "Consolidated List" is the publication itself.
_LISTS = (
    ("CMIC", "CMIC"), ("Sectoral", "SSI"), ("Palestinian", "PLC"), ("Menu-Based", "NS-MBS"), ("CAPTA", "CAP"),
    ("Correspondent", "CAP"), ("FSE", "FSE"), ("Evaders", "FSE"), ("SDN List", "SDN"),
)  # fmt: skip
_TYPES = {"individual": "individual", "entity": "entity", "vessel": "vessel", "aircraft": "aircraft"}


def detect(path: Path) -> bool:
    if not path.is_file() or path.suffix.lower() not in (".xml", ".zip"):
        return False
    try:
        if path.suffix.lower() == ".zip":
            head = read_xml_bytes(path)[:4096]
        else:
            with path.open("rb") as fh:
                head = fh.read(4096)
    except (ListError, OSError):
        return False
    return _MARK in head


def _code(list_name: str, path: Path, loc: str) -> str | None:
    if list_name == "Consolidated List":
        return None
    for word, code in _LISTS:
        if word in list_name:
            return code
    raise ListError(f"unknown OFAC sanctions list {list_name!r}", path=path, location=loc)


def _names(entity: ET.Element, q: str) -> tuple[str, list[str], list[str]]:
    primary = ""
    aliases: list[str] = []
    weak: list[str] = []
    for name in entity.iterfind(f"{q}names/{q}name"):
        translations = sorted(
            name.iterfind(f"{q}translations/{q}translation"), key=lambda t: text_of(t, f"{q}isPrimary") != "true"
        )
        full = [clean_name(text_of(t, f"{q}formattedFullName")) for t in translations]
        full = [f for f in full if f]
        if not full:
            continue
        if text_of(name, f"{q}isPrimary") == "true" and not primary:
            primary, rest = full[0], full[1:]
            aliases.extend(rest)
        elif text_of(name, f"{q}isLowQuality") == "true":
            weak.extend(full)
        else:
            aliases.extend(full)
    return primary, aliases, weak


def _addresses(entity: ET.Element, q: str) -> tuple[list[str], set[str]]:
    out: list[str] = []
    countries: set[str] = set()
    for address in entity.iterfind(f"{q}addresses/{q}address"):
        country = text_of(address, f"{q}country")
        if country:
            countries.add(country)
        parts = [
            text_of(p, f"{q}value")
            for p in address.iterfind(f"{q}translations/{q}translation/{q}addressParts/{q}addressPart")
        ]
        text = ", ".join(p for p in (*parts, country) if p)
        if text and text not in out:
            out.append(text)
    return out, countries


def _entries(entity: ET.Element, q: str, path: Path) -> list[dict[str, Any]]:
    ident = entity.get("id") or ""
    loc = f"entity {ident}"
    if not ident:
        raise ListError("entity without an id", path=path)
    name, aliases, weak = _names(entity, q)
    if not name:
        raise ListError("entity without a primary name", path=path, location=loc)
    addresses, countries = _addresses(entity, q)
    country = None
    if len(countries) == 1:
        try:
            country = resolve_country(next(iter(countries)))
        except ValueError:
            country = None
    ids = [
        f"ISIN: {text_of(f, f'{q}value')}"
        for f in entity.iterfind(f"{q}features/{q}feature")
        if text_of(f, f"{q}type") == "ISIN"
    ]
    for doc in entity.iterfind(f"{q}identityDocuments/{q}identityDocument"):
        number = text_of(doc, f"{q}documentNumber")
        if number:
            ids.append(f"{text_of(doc, f'{q}type') or 'ID'}: {number}")
    listed: dict[str, list[str]] = {}
    for item in entity.iterfind(f"{q}sanctionsLists/{q}sanctionsList"):
        code = _code(text_of(item), path, loc)
        if code is not None:
            listed.setdefault(code, []).extend(d for d in [item.get("datePublished") or ""] if d)
    if not listed:
        raise ListError("entity is on no sanctions list but the consolidated one", path=path, location=loc)
    etype = _TYPES.get(text_of(entity, f"{q}generalInfo/{q}entityType").lower())
    base: dict[str, Any] = {
        "name": name,
        "type": etype,
        "aliases": tuple(dict.fromkeys(a for a in aliases if a.casefold() != name.casefold())),
        "weak_aliases": tuple(dict.fromkeys(weak)),
        "addresses": tuple(addresses),
        "country": country,
        "programs": tuple(text_of(p) for p in entity.iterfind(f"{q}sanctionsPrograms/{q}sanctionsProgram")),
        "ids": tuple(dict.fromkeys(ids)),
    }
    out = []
    for code, dates in sorted(listed.items()):
        start = dt.date.fromisoformat(min(dates)[:10]) if dates else None
        out.append({**base, "id": ident if len(listed) == 1 else f"{ident}-{code}", "list": code, "start_date": start})
    return out


def load(path: Path) -> tuple[list[Source], list[Entry]]:
    root = parse_xml(read_xml_bytes(path), path)
    if not root.tag.startswith("{") or not root.tag.endswith("}sanctionsData"):
        raise ListError("not an OFAC enhanced XML file (root element sanctionsData)", path=path)
    q = root.tag[: root.tag.index("}") + 1]
    as_of_text = text_of(root, f"{q}publicationInfo/{q}dataAsOf")
    publication = text_of(root, f"{q}publicationInfo/{q}filters/{q}sanctionsLists/{q}sanctionsList") or "OFAC list"
    try:
        as_of = dt.date.fromisoformat(as_of_text[:10]) if as_of_text else None
    except ValueError:
        raise ListError(f"invalid dataAsOf {as_of_text!r}", path=path, location="publicationInfo") from None
    sdn = publication == "SDN List"
    source = Source(
        id="ofac-xml:SDN" if sdn else "ofac-xml:NON-SDN",
        name=f"OFAC {publication} (enhanced XML)",
        list="SDN" if sdn else "NON-SDN",
        as_of=as_of,
        as_of_basis="file" if as_of else "unknown",
        url="https://sanctionslist.ofac.treas.gov/Home/ConsolidatedList",
        authority=_AUTHORITY,
        derived_from=f"OFAC enhanced XML {path.name}",
        publication=publication,
        path=str(path),
        format="ofac-enhanced-xml",
    )
    entries: list[Entry] = []
    for entity in root.iterfind(f"{q}entities/{q}entity"):
        for fields in _entries(entity, q, path):
            fields = {k: v for k, v in fields.items() if v is not None}
            entries.append(build_entry({**fields, "source": source.id}, path=path, location=f"entity {fields['id']}"))
    return [source], entries
