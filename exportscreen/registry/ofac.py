"""OFAC legacy CSV files: the SDN list and the Consolidated (non-SDN) list.

A set is a primary file plus optional companions in the same directory::

    SDN list:         sdn.csv        add.csv       alt.csv       sdn_comments.csv
    non-SDN list:     cons_prim.csv  cons_add.csv  cons_alt.csv  cons_comments.csv

Pass the primary file or the directory (a directory holding both primaries loads both lists).
The format (see ``../shared/data/ofac/PROVENANCE.md``): no header row, CRLF line endings, a final
Ctrl-Z (``0x1A``) line, ``-0-`` for an empty field, several programs in one field as
``SDGT] [SYRIA``, and remarks too long for ``sdn.csv`` continued in the comments file.

* ``alt.csv`` rows of type ``aka``/``fka``/``nka`` are aliases; a ``weak`` type, and every
  ``a.k.a. '...'`` quoted in the remarks (where OFAC prints its weak AKAs), are ``weak_aliases``.
* ``add.csv`` rows are joined to their entry as one address string each.
* An address, alias or comment for an entry missing from the primary file is an error: a
  mismatched set (files of different dates) must not be merged silently.
* Each non-SDN entry gets the code of the list it is on, from its programs: ``NS-PLC`` -> PLC,
  ``CMIC-*`` -> CMIC, ``FSE-*`` -> FSE, ``UKRAINE-EO13662`` -> SSI, ``561-Related`` -> CAP, and by
  elimination NS-MBS (the consolidated list is exactly these six lists); ``programs`` keeps all.

The files carry no date, so the as-of date is unknown (``as_of_basis="unknown"``), unless a date file
``ofac.yaml`` in the set's directory declares the date the files were downloaded (``--max-list-age``
then accepts them)::

    format: exportscreen-ofac-date/1
    as_of: 2026-11-30

Reading the files of a set into one record per entity is in ``registry.ofac_records``; this module
finds a set's files, turns each record into an entry and builds the source with its date.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from exportscreen._errors import ListError
from exportscreen._io import load_model
from exportscreen.geo import resolve_country
from exportscreen.registry.listfile import build_entry, clean_name, clean_text, dedupe
from exportscreen.registry.model import Entry, Source
from exportscreen.registry.ofac_records import (
    PRIMARY_WIDTH,
    Record,
    find_companion,
    join_addresses,
    join_aliases,
    join_comments,
    load_primary,
)

__all__ = ["detect", "load"]

_AUTHORITY = "US Department of the Treasury, Office of Foreign Assets Control (OFAC)"


@dataclass(frozen=True)
class _Kind:
    key: str
    primary: str
    add: str
    alt: str
    comments: str
    source_id: str
    name: str
    list: str
    url: str


_SDN = _Kind(
    "sdn", "sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv", "ofac:SDN",
    "OFAC Specially Designated Nationals and Blocked Persons List (SDN)", "SDN",
    "https://www.treasury.gov/ofac/downloads/sdn.csv",
)  # fmt: skip
_NON_SDN = _Kind(
    "non-sdn", "cons_prim.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv", "ofac:NON-SDN",
    "OFAC Consolidated Sanctions List (non-SDN lists)", "NON-SDN",
    "https://www.treasury.gov/ofac/downloads/consolidated/cons_prim.csv",
)  # fmt: skip
_KINDS = (_SDN, _NON_SDN)

_TYPES = {None: "entity", "individual": "individual", "vessel": "vessel", "aircraft": "aircraft"}
#: Weak AKAs in the remarks: ``a.k.a. 'NAME'`` (the name may itself hold apostrophes).
_WEAK_AKA = re.compile(r"\b[afn]\.k\.a\.,?\s+'(.+?)'(?=\s*(?:[;,)]|\.(?:\s|$)|$))", re.IGNORECASE)
_PARTICULARS = ("Title:", "Call Sign:", "Vessel Type:", "Tonnage:", "GRT:", "Vessel Flag:", "Vessel Owner:")

#: Non-SDN list code by program, checked in this order; anything else is NS-MBS (by elimination).
_NON_SDN_LISTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^NS-PLC$"), "PLC"),
    (re.compile(r"^CMIC-"), "CMIC"),
    (re.compile(r"^FSE-"), "FSE"),
    (re.compile(r"^UKRAINE-EO13662$"), "SSI"),
    (re.compile(r"^561-RELATED$", re.IGNORECASE), "CAP"),
)


def _programs(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    parts = (p.strip(" []") for p in value.split("] ["))
    return tuple(dict.fromkeys(p for p in parts if p))


def _non_sdn_list(programs: tuple[str, ...]) -> str:
    for pattern, code in _NON_SDN_LISTS:
        if any(pattern.search(p) for p in programs):
            return code
    return "NS-MBS"


def _country(names: set[str | None]) -> str | None:
    if len(names) != 1:
        return None
    (name,) = names
    if not name:
        return None
    try:
        return resolve_country(name)
    except ValueError:
        return None


def _entry(kind: _Kind, ent: str, rec: Record, path: Path) -> Entry:
    cells = rec.cells
    name = clean_name(cells[1])
    raw_type = (cells[2] or "").lower() or None
    if raw_type not in _TYPES:
        raise ListError(
            f"unknown SDN_Type {cells[2]!r} for entry {ent} (expected individual, vessel, aircraft or -0-)",
            path=path,
            location=f"line {rec.line}",
        )
    remark = (cells[11] or "") + "".join(rec.extension)
    remark = clean_text(remark)
    weak = [clean_name(m.group(1).strip("'")) for m in _WEAK_AKA.finditer(remark)]
    remarks = [remark] if remark else []
    for label, value in zip(_PARTICULARS, (cells[4], *cells[5:11]), strict=True):
        if value:
            remarks.append(f"{label} {value}")
    remarks.extend(rec.notes)
    programs = _programs(cells[3])
    aliases = dedupe(rec.aliases, name)
    strong = {a.casefold() for a in aliases}
    fields: dict[str, Any] = {
        "id": ent,
        "source": kind.source_id,
        "list": kind.list if kind is _SDN else _non_sdn_list(programs),
        "name": name,
        "type": _TYPES[raw_type],
        "aliases": aliases,
        "weak_aliases": dedupe([w for w in (*rec.weak, *weak) if w.casefold() not in strong], name),
        "addresses": tuple(dict.fromkeys(rec.addresses)),
        "country": _country(rec.countries),
        "programs": programs,
        "remarks": "; ".join(remarks) or None,
        "source_url": kind.url,
    }
    return build_entry(fields, path=path, location=f"line {rec.line}")


DATE_FILE = "ofac.yaml"


class _DateFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    format: Literal["exportscreen-ofac-date/1"]
    as_of: dt.date


def _declared_date(directory: Path) -> dt.date | None:
    path = directory / DATE_FILE
    if not path.is_file():
        return None
    return load_model(path, _DateFile, error=ListError, not_mapping="expected a mapping with format and as_of").as_of


def inputs(path: Path) -> list[Path]:
    """The files a set reads besides ``path`` itself: the companions of a primary file and the date file."""
    directory = path if path.is_dir() else path.parent
    names = [n for k in _KINDS for n in (k.primary, k.add, k.alt, k.comments)] + [DATE_FILE]
    found = [c for c in (find_companion(directory, n) for n in names) if c is not None]
    return [c for c in found if c.resolve() != path.resolve()] if not path.is_dir() else []


def _load_set(kind: _Kind, primary: Path) -> tuple[Source, list[Entry]]:
    records = load_primary(primary)
    directory = primary.parent
    used = [primary.name]
    missing: list[str] = []
    for name, joiner, loses in (
        (kind.add, join_addresses, "addresses"),
        (kind.alt, join_aliases, "aliases"),
        (kind.comments, join_comments, None),
    ):
        companion = find_companion(directory, name)
        if companion is not None and companion.resolve() != primary.resolve():
            joiner(companion, records)
            used.append(companion.name)
        elif loses is not None:
            missing.append(f"{name} (the list's {loses}) not beside {primary.name}")
    entries = [_entry(kind, ent, rec, primary) for ent, rec in records.items()]
    declared = _declared_date(directory)
    source = Source(
        id=kind.source_id,
        name=kind.name,
        list=kind.list,
        as_of=declared,
        as_of_basis="unknown" if declared is None else "declared",
        url=kind.url,
        authority=_AUTHORITY,
        derived_from="OFAC legacy CSV: " + ", ".join(used),
        missing_parts=tuple(missing),
        path=str(primary),
        format="ofac-legacy-csv",
    )
    return source, entries


def _kind_of(path: Path) -> _Kind:
    return _NON_SDN if path.name.lower().startswith("cons_") else _SDN


def _primaries(directory: Path) -> list[tuple[_Kind, Path]]:
    found: list[tuple[_Kind, Path]] = []
    for kind in _KINDS:
        p = find_companion(directory, kind.primary)
        if p is not None:
            found.append((kind, p))
    return found


def _looks_primary(path: Path) -> bool:
    """First record has 12 fields, a numeric ent_num and an SDN_Type (or ``-0-``)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8192)
    except OSError:
        return False
    first = head.decode("utf-8", errors="replace").splitlines()[0] if head else ""
    try:
        row = next(csv.reader(io.StringIO(first)))
    except (csv.Error, StopIteration):
        return False
    return (
        len(row) == PRIMARY_WIDTH
        and row[0].strip().isdigit()
        and (row[2].strip().lower() in ("-0-", "individual", "vessel", "aircraft"))
    )


def detect(path: Path) -> bool:
    if path.is_dir():
        return bool(_primaries(path))
    if not path.is_file():
        return False
    if path.name.lower() in (_SDN.primary, _NON_SDN.primary):
        return True
    return path.suffix.lower() == ".csv" and _looks_primary(path)


def load(path: Path) -> tuple[list[Source], list[Entry]]:
    """Load an OFAC legacy CSV set from its primary file or its directory."""
    if path.is_dir():
        targets = _primaries(path)
        if not targets:
            raise ListError("directory holds neither sdn.csv nor cons_prim.csv", path=path)
    else:
        targets = [(_kind_of(path), path)]
    sources: list[Source] = []
    entries: list[Entry] = []
    for kind, primary in targets:
        source, ents = _load_set(kind, primary)
        sources.append(source)
        entries.extend(ents)
    return sources, entries
