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
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from exportscreen._errors import ListError
from exportscreen._io import load_model
from exportscreen.geo import resolve_country
from exportscreen.registry.listfile import build_entry, clean_name, clean_text, dedupe, iter_csv, read_list_text
from exportscreen.registry.model import Entry, Source

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

_PRIMARY_WIDTH = 12
_TYPES = {None: "entity", "individual": "individual", "vessel": "vessel", "aircraft": "aircraft"}
_ALIAS_TYPES = {"aka": False, "fka": False, "nka": False, "weak": True, "weak aka": True}
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


@dataclass
class _Record:
    line: int
    cells: list[str | None]
    aliases: list[str] = field(default_factory=list)
    weak: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    countries: set[str | None] = field(default_factory=set)
    extension: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _cell(raw: str) -> str | None:
    text = clean_text(raw)
    return None if text in ("-0-", "") else text


def _rows(path: Path, width: int) -> list[tuple[int, list[str | None]]]:
    """Records of one headerless legacy file, nulls as None, without the Ctrl-Z end marker."""
    text = read_list_text(path)
    body = text.rstrip("\r\n")
    if body.endswith("\x1a"):
        body = body[:-1]
    if not body.strip():
        raise ListError("file is empty", path=path)
    out: list[tuple[int, list[str | None]]] = []
    for line, fields in iter_csv(body, path):
        if line == 1 and fields[0].strip().lower() == "ent_num":
            continue  # a header row added by a re-publisher
        if len(fields) != width:
            raise ListError(
                f"record has {len(fields)} fields, expected {width} (a stray or unterminated quote?)",
                path=path,
                location=f"line {line}",
            )
        if "\x1a" in fields[0]:
            raise ListError("data after the end-of-file marker (Ctrl-Z)", path=path, location=f"line {line}")
        out.append((line, [_cell(c) for c in fields]))
    return out


def _ent_num(value: str | None, path: Path, line: int) -> str:
    if value is None or not value.isdigit():
        raise ListError(f"ent_num {value!r} is not a number", path=path, location=f"line {line}")
    return str(int(value))


def _companion(directory: Path, name: str) -> Path | None:
    exact = directory / name
    if exact.is_file():
        return exact
    for p in directory.iterdir():
        if p.name.lower() == name and p.is_file():
            return p
    return None


def _load_primary(path: Path) -> dict[str, _Record]:
    records: dict[str, _Record] = {}
    for line, cells in _rows(path, _PRIMARY_WIDTH):
        ent = _ent_num(cells[0], path, line)
        prior = records.get(ent)
        if prior is not None:
            if prior.cells == cells:
                continue
            raise ListError(
                f"duplicate ent_num {ent} with different content (first at line {prior.line})",
                path=path,
                location=f"line {line}",
            )
        if not cells[1]:
            raise ListError(f"entry {ent} has no name", path=path, location=f"line {line}")
        records[ent] = _Record(line, cells)
    if not records:
        raise ListError("file holds no entries", path=path)
    return records


def _owner(records: dict[str, _Record], ent: str, path: Path, line: int, what: str) -> _Record:
    rec = records.get(ent)
    if rec is None:
        raise ListError(
            f"{what} for ent_num {ent}, which is not in the primary file (files from different dates?)",
            path=path,
            location=f"line {line}",
        )
    return rec


def _keyed_rows(path: Path, width: int, key: str) -> Iterator[tuple[int, str, list[str | None]]]:
    """Rows of an add/alt file with their entity number; an identical repeat is skipped, a conflicting one refused."""
    seen: dict[str, tuple[int, list[str | None]]] = {}
    for line, cells in _rows(path, width):
        ent = _ent_num(cells[0], path, line)
        num = _ent_num(cells[1], path, line)
        prior = seen.get(num)
        if prior is not None:
            if prior[1] == cells:
                continue
            raise ListError(f"duplicate {key} {num} (first at line {prior[0]})", path=path, location=f"line {line}")
        seen[num] = (line, cells)
        yield line, ent, cells


def _join_addresses(path: Path, records: dict[str, _Record]) -> None:
    for line, ent, cells in _keyed_rows(path, 6, "Add_num"):
        rec = _owner(records, ent, path, line, "address")
        text = ", ".join(c for c in cells[2:5] if c)
        if cells[5]:
            text = f"{text} ({cells[5]})" if text else cells[5]
        if text:
            rec.addresses.append(text)
            rec.countries.add(cells[4])


def _join_aliases(path: Path, records: dict[str, _Record]) -> None:
    for line, ent, cells in _keyed_rows(path, 5, "alt_num"):
        rec = _owner(records, ent, path, line, "alias")
        kind = (cells[2] or "").lower().replace(".", "")
        if kind not in _ALIAS_TYPES:
            raise ListError(
                f"unknown alias type {cells[2]!r} (expected aka, fka, nka or weak)", path=path, location=f"line {line}"
            )
        name = clean_name(cells[3])
        if not name:
            raise ListError(f"alias {cells[1]} has no name", path=path, location=f"line {line}")
        (rec.weak if _ALIAS_TYPES[kind] else rec.aliases).append(name)
        if cells[4]:
            rec.notes.append(f"{name}: {cells[4]}")


def _join_comments(path: Path, records: dict[str, _Record]) -> None:
    text = read_list_text(path)
    body = text.rstrip("\r\n")
    if body.endswith("\x1a"):
        body = body[:-1]
    if not body.strip():
        return  # an empty comments file is normal: no remark overflowed
    for line, fields in iter_csv(body, path):
        if len(fields) != 2:
            raise ListError(f"record has {len(fields)} fields, expected 2", path=path, location=f"line {line}")
        ent = _ent_num(_cell(fields[0]), path, line)
        # The extension continues the remark mid-word: keep its text exactly, no separator.
        if fields[1].strip() not in ("", "-0-"):
            _owner(records, ent, path, line, "remarks extension").extension.append(fields[1])


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


def _entry(kind: _Kind, ent: str, rec: _Record, path: Path) -> Entry:
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
    found = [c for c in (_companion(directory, n) for n in names) if c is not None]
    return [c for c in found if c.resolve() != path.resolve()] if not path.is_dir() else []


def _load_set(kind: _Kind, primary: Path) -> tuple[Source, list[Entry]]:
    records = _load_primary(primary)
    directory = primary.parent
    used = [primary.name]
    missing: list[str] = []
    for name, joiner, loses in (
        (kind.add, _join_addresses, "addresses"),
        (kind.alt, _join_aliases, "aliases"),
        (kind.comments, _join_comments, None),
    ):
        companion = _companion(directory, name)
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
        p = _companion(directory, kind.primary)
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
        len(row) == _PRIMARY_WIDTH
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
