"""Party files: a customer master or any list of names to screen (``exportscreen match --file``).

Three formats, told apart by the file's extension:

* CSV (``.csv``; UTF-8, a leading BOM allowed): a header row, then one party per row. Without a
  column mapping the header holds only ``name`` (required), ``country`` and ``id`` (case-insensitive;
  any other column is an error, so that a misspelt ``contry`` never passes unnoticed). With a mapping
  (``column=``, ``country_column=``, ``id_column=``: the file's header for each) every column not
  mapped is ignored, and ``country``/``id`` are still read from columns of those names if present.
  A row with fewer or more cells than the header is an error naming its line; blank rows are skipped.
* YAML (``.yaml``/``.yml``) and JSON (``.json``): a list of mappings, or ``{"parties": [...]}``; the
  keys are ``name``, ``country``, ``id`` or the mapped ones, under the same rules as CSV columns.

Every party is checked before it is yielded, and the first bad one raises ``InputError`` with the
file and line (fail closed: no row is ever skipped): a blank name, a name over ``max_name_chars``, an
unknown or ambiguous country (``geo.resolve_country``; a blank country is no country), a blank or
repeated id, more than ``max_parties_per_file`` parties. A party's ``ref`` is its id, else its line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from exportscreen._errors import InputError, format_validation_errors
from exportscreen._io import parse_json, parse_yaml_with_lines, read_text
from exportscreen.geo import resolve_country
from exportscreen.limits import LIMITS
from exportscreen.matching.words import nobody_named

if TYPE_CHECKING:
    from exportscreen.models import PartyMatch
    from exportscreen.screener import Screener

__all__ = ["FIELDS", "PartyResult", "PartyRow", "count_parties", "read_parties", "screen_parties"]

#: Our field names, which are also the default column names.
FIELDS = ("name", "country", "id")
_SUFFIXES = {".csv": "csv", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}


@dataclass(frozen=True)
class PartyRow:
    """One party read from a party file: ``ref`` is its id, else its line as text."""

    ref: str
    name: str
    country: str | None
    line: int


@dataclass(frozen=True)
class PartyResult:
    """What screening one party gave: its matches (best first), or why it could not be screened."""

    party: PartyRow
    matches: tuple[PartyMatch, ...] = ()
    error: str | None = None

    @property
    def status(self) -> Literal["match", "no match", "error"]:
        if self.error is not None:
            return "error"
        return "match" if self.matches else "no match"

    def ledger_row(self, source: str | None = None) -> tuple[str, str, str | None, list[PartyMatch]]:
        """The row ``Ledger.record_matches`` takes: (ref, name, country, matches). A ref that is only the
        row's line is qualified by ``source`` (the file) when given: the ledger keeps the newest row per
        ref, and line 2 of customers.csv is not line 2 of vendors.csv."""
        ref = self.party.ref
        if source is not None and ref == str(self.party.line):
            ref = f"{source}:{ref}"
        return (ref, self.party.name, self.party.country, list(self.matches))


class _PartyList(BaseModel):
    """The mapping form of a YAML or JSON party file."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    parties: list[Any]


@dataclass(frozen=True)
class _Columns:
    """Which of the file's columns (or keys) hold our fields, and whether others are allowed."""

    names: dict[str, str]  # our field -> the file's column, as given
    mapped: bool

    @classmethod
    def of(cls, column: str | None, country_column: str | None, id_column: str | None) -> _Columns:
        given = {"name": column, "country": country_column, "id": id_column}
        names = {f: (given[f] or f).strip() for f in FIELDS}
        if any(not v for v in names.values()):
            raise InputError("a mapped column name is blank")
        folded = [v.casefold() for v in names.values()]
        if len(set(folded)) != len(folded):
            raise InputError("two fields are mapped to the same column")
        return cls(names, mapped=any(v is not None for v in given.values()))

    def unknown_message(self, what: str) -> str:
        return (
            f"unknown {what}; a party file has the {what.split()[0]}s name, country and id "
            "(map others with --column, --country-column, --id-column)"
        )


@lru_cache(maxsize=4096)
def _country(value: str) -> str:
    return resolve_country(value)


class _Checker:
    """Turns raw (line, name, country, id) into PartyRows, with every check of the module docstring."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self.ids: dict[str, int] = {}

    def error(self, message: str, line: int) -> InputError:
        return InputError(message, path=self.path, location=f"line {line}")

    def row(self, line: int, name: object, country: object, ref: object, columns: _Columns) -> PartyRow:
        self.count += 1
        if self.count > LIMITS.max_parties_per_file:
            raise self.error(
                f"more than {LIMITS.max_parties_per_file} parties in one file (max_parties_per_file)", line
            )
        col = columns.names
        if name is None or (isinstance(name, str) and not name.strip()):
            raise self.error(f"the name is blank (column {col['name']!r})", line)
        if not isinstance(name, str):
            raise self.error(f"the name must be text, got {type(name).__name__} (column {col['name']!r})", line)
        name = name.strip()
        if len(name) > LIMITS.max_name_chars:
            raise self.error(
                f"the name is {len(name)} characters, over the limit of {LIMITS.max_name_chars} (max_name_chars)", line
            )
        code: str | None = None
        if country is not None and not isinstance(country, str):
            got = type(country).__name__
            raise self.error(f"the country must be text, got {got} (column {col['country']!r})", line)
        if country is not None and country.strip():
            try:
                code = _country(country.strip())
            except ValueError as exc:
                raise self.error(f"{exc} (column {col['country']!r})", line) from None
        if ref is None:
            key = str(line)
        else:
            if isinstance(ref, bool) or not isinstance(ref, str | int):
                raise self.error(f"the id must be text or a whole number (column {col['id']!r})", line)
            key = str(ref).strip()
            if not key:
                raise self.error(f"the id is blank (column {col['id']!r})", line)
            first = self.ids.setdefault(key, line)
            if first != line:
                raise self.error(f"id {key!r} appears twice: first on line {first} (column {col['id']!r})", line)
        return PartyRow(ref=key, name=name, country=code, line=line)


def _csv_index(header: list[str], columns: _Columns, path: Path) -> dict[str, int]:
    folded = [h.strip().casefold() for h in header]
    seen: dict[str, int] = {}
    for i, h in enumerate(folded):
        if not h and not columns.mapped:
            raise InputError(f"header column {i + 1} is blank", path=path, location="line 1")
        if h in seen and h:
            if columns.mapped and h not in {v.casefold() for v in columns.names.values()}:
                continue
            raise InputError(f"column {header[i].strip()!r} appears twice", path=path, location="line 1")
        seen[h] = i
    if not columns.mapped:
        for i, h in enumerate(folded):
            if h not in FIELDS:
                raise InputError(columns.unknown_message(f"column {header[i].strip()!r}"), path=path, location="line 1")
    index: dict[str, int] = {}
    for field, theirs in columns.names.items():
        hit = seen.get(theirs.casefold())
        if hit is not None:
            index[field] = hit
    if "name" not in index:
        raise InputError(
            f"the header has no column {columns.names['name']!r} (the party name; map another with --column)",
            path=path,
            location="line 1",
        )
    return index


def _read_csv(text: str, path: Path, columns: _Columns, check: _Checker) -> Iterator[PartyRow]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise InputError("the CSV file has no header row", path=path, location="line 1")
        index = _csv_index(header, columns, path)
        end = reader.line_num
        for row in reader:
            line, end = end + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise check.error(f"{len(row)} cells but the header has {len(header)} columns", line)
            cells = {f: row[i] for f, i in index.items()}
            yield check.row(line, cells["name"], cells.get("country"), cells.get("id"), columns)
    except csv.Error as exc:
        raise InputError(f"CSV error: {exc}", path=path, location=f"line {reader.line_num}") from exc


def _json_lines(text: str, count: int) -> list[int]:
    """The line on which each element of the party list starts (the file is valid JSON already)."""
    decoder = json.JSONDecoder()
    pos = len(text) - len(text.lstrip())
    if text[pos] == "{":  # {"parties": [...]}, its only key
        pos = text.index(":", decoder.raw_decode(text, text.index('"', pos))[1]) + 1
        pos = text.index("[", pos)
    pos += 1
    line, counted, starts = 1, 0, []
    ws = " \t\r\n"
    for _ in range(count):
        while text[pos] in ws:
            pos += 1
        line += text.count("\n", counted, pos)
        counted = pos
        starts.append(line)
        pos = decoder.raw_decode(text, pos)[1]
        while text[pos] in ws:
            pos += 1
        pos += 1  # the comma (or the closing bracket after the last element)
    return starts


def _yaml_lines(text: str, path: Path) -> tuple[Any, list[int]]:
    data, lines = parse_yaml_with_lines(text, path=path)
    if isinstance(data, dict):
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        lines = []
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == "parties" and isinstance(value, yaml.SequenceNode):
                    lines = [child.start_mark.line + 1 for child in value.value]
    return data, lines


def _read_data(text: str, path: Path, kind: str, columns: _Columns, check: _Checker) -> Iterator[PartyRow]:
    if kind == "json":
        data = parse_json(text, path=path)
        lines: list[int] = []
    else:
        data, lines = _yaml_lines(text, path)
    if isinstance(data, dict):
        try:
            items = _PartyList.model_validate(data).parties
        except ValidationError as exc:
            _, msg = format_validation_errors(exc.errors())
            raise InputError(f"a party file is a list of parties or {{parties: [...]}}: {msg}", path=path) from exc
    elif isinstance(data, list):
        items = data
    else:
        raise InputError("a party file is a list of parties or {parties: [...]}", path=path)
    if kind == "json":
        lines = _json_lines(text, len(items))
    if len(lines) != len(items):
        lines = list(range(1, len(items) + 1))
    known = {v.casefold(): f for f, v in columns.names.items()}
    for item, line in zip(items, lines, strict=True):
        if not isinstance(item, dict):
            got = type(item).__name__
            raise check.error(f"a party is a mapping with a {columns.names['name']!r} key, got {got}", line)
        values: dict[str, object] = {}
        for key, value in item.items():
            field = known.get(str(key).strip().casefold())
            if field is None:
                if not columns.mapped:
                    raise check.error(columns.unknown_message(f"key {key!r}"), line)
                continue
            values[field] = value
        if "name" not in values:
            raise check.error(f"the party has no {columns.names['name']!r} key", line)
        yield check.row(line, values["name"], values.get("country"), values.get("id"), columns)


def read_parties(
    path: str | Path,
    *,
    column: str | None = None,
    country_column: str | None = None,
    id_column: str | None = None,
) -> Iterator[PartyRow]:
    """The parties of a CSV, YAML or JSON party file, checked one by one, in file order.

    Raises ``InputError`` naming the file and line at the first party that cannot be screened (see
    the module docstring); the file itself is read under ``max_file_bytes`` when iteration starts.
    """
    path = Path(path)
    kind = _SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise InputError("a party file ends in .csv, .json, .yaml or .yml", path=path)
    columns = _Columns.of(column, country_column, id_column)
    return _read(path, kind, columns)


def _read(path: Path, kind: str, columns: _Columns) -> Iterator[PartyRow]:
    text = read_text(path)
    if not text.strip():
        raise InputError("file is empty", path=path)
    check = _Checker(path)
    if kind == "csv":
        yield from _read_csv(text, path, columns, check)
    else:
        yield from _read_data(text, path, kind, columns, check)


def count_parties(parties: Iterable[PartyRow]) -> int:
    """Read every party (so that a bad one fails before anything is screened) and count them."""
    return sum(1 for _ in parties)


def screen_parties(
    screener: Screener,
    parties: Iterable[PartyRow],
    *,
    limit: int = 5,
    as_of: dt.date | None = None,
    workers: int = 1,
) -> Iterator[PartyResult]:
    """Match every party against the lists with its own country; results stream in input order.

    A name the matcher refuses (no letters, say) comes back as a result with ``error`` set, and so does a
    name that names nobody (``matching.words.names_nobody``: ``TBD``, ``Customer 1``, a customer number
    ``100234``), which the order backstop ``party-unnamed`` reads the same way: screened as a name, it
    was "no match" (exit 0) for a customer nobody screened.
    """
    pending: deque[PartyRow] = deque()

    def queries() -> Iterator[tuple[str, str | None]]:
        for party in parties:
            pending.append(party)
            yield (party.name, party.country)

    results = screener.match_many(queries(), limit=limit, as_of=as_of, workers=workers, return_errors=True)
    for found in results:
        party = pending.popleft()
        if isinstance(found, InputError):
            yield PartyResult(party, error=found.message)
        elif (nobody := nobody_named(party.name)) is not None:
            yield PartyResult(party, error=nobody)
        else:
            yield PartyResult(party, matches=tuple(found))
