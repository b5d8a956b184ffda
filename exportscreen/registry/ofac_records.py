"""Reading the files of an OFAC legacy CSV set (``registry.ofac``) into one record per entity: the
headerless primary file (``-0-`` as empty, the Ctrl-Z end line), its addresses, aliases and
overflowing remarks joined from the companion files, repeats merged when identical and refused when
not, and a companion row for an entity missing from the primary file refused."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from exportscreen._errors import ListError
from exportscreen.registry.listfile import clean_name, clean_text, iter_csv, read_list_text

__all__ = [
    "PRIMARY_WIDTH",
    "Record",
    "find_companion",
    "join_addresses",
    "join_aliases",
    "join_comments",
    "load_primary",
]

#: Fields of a primary-file record (``sdn.csv``, ``cons_prim.csv``).
PRIMARY_WIDTH = 12
_ALIAS_TYPES = {"aka": False, "fka": False, "nka": False, "weak": True, "weak aka": True}


@dataclass
class Record:
    """One entity of the primary file (its line and cells) with what the companion files add."""

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


def find_companion(directory: Path, name: str) -> Path | None:
    """The file ``name`` in ``directory``, matched exactly or else ignoring case; None when absent."""
    exact = directory / name
    if exact.is_file():
        return exact
    for p in directory.iterdir():
        if p.name.lower() == name and p.is_file():
            return p
    return None


def load_primary(path: Path) -> dict[str, Record]:
    """The records of a primary file by entity number."""
    records: dict[str, Record] = {}
    for line, cells in _rows(path, PRIMARY_WIDTH):
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
        records[ent] = Record(line, cells)
    if not records:
        raise ListError("file holds no entries", path=path)
    return records


def _owner(records: dict[str, Record], ent: str, path: Path, line: int, what: str) -> Record:
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


def join_addresses(path: Path, records: dict[str, Record]) -> None:
    """Add each row of an address file to its record as one address string."""
    for line, ent, cells in _keyed_rows(path, 6, "Add_num"):
        rec = _owner(records, ent, path, line, "address")
        text = ", ".join(c for c in cells[2:5] if c)
        if cells[5]:
            text = f"{text} ({cells[5]})" if text else cells[5]
        if text:
            rec.addresses.append(text)
            rec.countries.add(cells[4])


def join_aliases(path: Path, records: dict[str, Record]) -> None:
    """Add each row of an alias file to its record, as an alias or a weak alias by its type."""
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


def join_comments(path: Path, records: dict[str, Record]) -> None:
    """Add each row of a comments file to its record's remarks, continued exactly as published."""
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
