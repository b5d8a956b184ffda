"""Orders in CSV: one row per line item, rows of the same order id grouped into one transaction.

The default column layout (a header row is required; column names are case-insensitive, unknown
columns are an error so that a misspelt ``datacentre`` never passes unnoticed)::

    order-level (may be blank on later rows of the same order; non-blank values must agree)
      order_id                       required on every row
      date, destination, destination_region, end_use
      end_use_tags                   separated by ";" or "|"
      <role>                         party name; role is one of purchaser, intermediate_consignee,
                                     ultimate_consignee, end_user, freight_forwarder, other
      <role>_country, <role>_address, <role>_headquarters_country
      <role>_aliases                 separated by "|"
    item-level (a row with any of these set adds one item)
      description, eccn, kind and every other field of ``Item`` (node_nm, tpp, datacenter,
      io_bandwidth_gbps, dram_cell_area_um2, transistor_count_billion, ..., quantity, value_usd, hts)

A row with fewer or more cells than the header is an error naming its line (a truncated export
must not read its missing cells as blank). Each order comes back with the line of its first row.
Cell values are passed as text to the one pydantic validation of ``Transaction`` (``"15832"``
becomes a number there). Owners cannot be expressed in CSV; use YAML or JSON for them.

ERP exports rarely use these names. A column-mapping file renames them, ignores every column it
does not map, and can translate ERP codes::

    format: exportscreen-order-csv-mapping/1
    delimiter: ";"                       # default ","
    columns:                             # our column -> the ERP's header
      order_id: Sales Document
      destination: Ship-to Country
      ultimate_consignee: Ship-to Name
      description: Material Description
    values:                              # optional: our column -> {ERP value: our value}
      kind: {CHIP: ic, SRV: computer}
    ignore: [Description]                # optional: headers named like an order column, left unread

A mapped header missing from the file is an error naming it, and so is an unmapped header that is one
of the order column names above (``end_user`` left out of the mapping would drop the end user unread),
also with spaces or hyphens for the underscores, or that holds the words of a role, the destination, the
ECCN or the end use ("End User Name", "Final Destination"), unless ``ignore`` lists it.

Cells that a spreadsheet would run as a formula (leading ``=``, ``+``, ``-``, ``@``) are kept as
plain text: nothing here evaluates them, and reporters pass every string through
``spreadsheet_safe`` so they are never re-emitted unescaped.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from exportscreen._data import bundled_dir
from exportscreen._errors import ConfigError, InputError, format_validation_errors
from exportscreen._io import load_data_file, load_model
from exportscreen.models import Item

__all__ = [
    "COLUMNS",
    "ITEM_COLUMNS",
    "MAPPING_FORMAT",
    "ORDER_COLUMNS",
    "ROLES",
    "CsvMapping",
    "CsvOrder",
    "load_csv_mapping",
    "parse_csv_orders",
    "spreadsheet_safe",
]

MAPPING_FORMAT = "exportscreen-order-csv-mapping/1"

ROLES = ("purchaser", "intermediate_consignee", "ultimate_consignee", "end_user", "freight_forwarder", "other")
_PARTY_SUFFIXES = ("", "_country", "_address", "_headquarters_country", "_aliases")
ORDER_COLUMNS: tuple[str, ...] = (
    "order_id",
    "date",
    "destination",
    "destination_region",
    "end_use",
    "end_use_tags",
    *(role + suffix for role in ROLES for suffix in _PARTY_SUFFIXES),
)
#: One CSV column per item field, named as in the Transaction schema.
ITEM_COLUMNS: tuple[str, ...] = tuple(Item.model_fields)
COLUMNS: frozenset[str] = frozenset(ORDER_COLUMNS + ITEM_COLUMNS)

# A spreadsheet runs a cell as a formula when it starts with one of these (OWASP CSV injection).
_FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """``text`` with a leading apostrophe when a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(_FORMULA_LEAD) else text


class CsvMapping(BaseModel):
    """A column-mapping file for an ERP's CSV export (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    format: Literal["exportscreen-order-csv-mapping/1"]
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    columns: dict[str, str] = Field(min_length=1)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    #: headers named like an order column that the export holds but that are deliberately not read
    ignore: list[str] = Field(default_factory=list)

    @field_validator("columns", "values")
    @classmethod
    def _known_columns(cls, value: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(value) - COLUMNS)
        if unknown:
            raise ValueError(f"unknown order column(s) {', '.join(unknown)}; known: {', '.join(sorted(COLUMNS))}")
        return value

    @field_validator("columns")
    @classmethod
    def _has_order_id(cls, value: dict[str, str]) -> dict[str, str]:
        if "order_id" not in value:
            raise ValueError("columns must map order_id")
        headers = [h.strip().casefold() for h in value.values()]
        if len(set(headers)) != len(headers):
            raise ValueError("two order columns are mapped to the same header")
        return value


def load_csv_mapping(path: Path) -> CsvMapping:
    """Read and validate a column-mapping file; raises ``InputError`` naming the field."""
    data = load_data_file(path)
    try:
        return CsvMapping.model_validate(data)
    except ValidationError as exc:
        loc, msg = format_validation_errors(exc.errors())
        raise InputError(f"column mapping: {msg}", path=path, location=loc) from exc


@dataclass(frozen=True)
class CsvOrder:
    """One transaction read from CSV: the line of its first row and of each item row."""

    line: int
    data: dict[str, Any]
    item_lines: tuple[int, ...]


def _header_index(header: list[str], mapping: CsvMapping | None, path: Path) -> dict[str, int]:
    """Our column name -> its index in the row."""
    folded = [h.strip().casefold() for h in header]
    if mapping is None:
        index: dict[str, int] = {}
        for i, name in enumerate(folded):
            if not name:
                raise InputError(f"header column {i + 1} is blank", path=path, location="line 1")
            if name not in COLUMNS:
                raise InputError(
                    f"unknown column {header[i].strip()!r}; the columns are documented in the README "
                    "(or give a column mapping with --csv-mapping)",
                    path=path,
                    location="line 1",
                )
            if name in index:
                raise InputError(f"column {name!r} appears twice", path=path, location="line 1")
            index[name] = i
    else:
        index = {}
        for ours, theirs in mapping.columns.items():
            want = theirs.strip().casefold()
            hits = [i for i, name in enumerate(folded) if name == want]
            if not hits:
                raise InputError(f"mapped column {theirs!r} (for {ours}) is not in the header", path=path)
            if len(hits) > 1:
                raise InputError(f"mapped column {theirs!r} appears twice in the header", path=path)
            index[ours] = hits[0]
        # A header that is one of our own column names but is mapped to nothing would be dropped
        # without a word (an end_user column left out of the mapping: a listed end user unscreened).
        mapped = set(index.values())
        ignored = {h.strip().casefold() for h in mapping.ignore}
        ours_unmapped = [
            header[i].strip()
            for i, name in enumerate(folded)
            if i not in mapped and _names_an_order_column(name) and name not in ignored
        ]
        if ours_unmapped:
            raise InputError(
                f"column(s) {', '.join(map(repr, ours_unmapped))} carry order column names but the mapping does "
                "not map them: map each (columns: {name: header}) or, to leave one unread, list it under ignore:",
                path=path,
                location="line 1",
            )
    if "order_id" not in index:
        raise InputError("the header has no order_id column", path=path, location="line 1")
    return index


class _HeaderWords(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    format: Literal["exportscreen-order-header-words/1"]
    runs: list[tuple[str, ...]] = Field(min_length=1)


@functools.cache
def _screened_words() -> tuple[tuple[str, ...], ...]:
    """Runs of words that, in an unmapped header, name what a screening reads (``lists/order_header_words.yaml``)."""
    found = load_model(bundled_dir() / "order_header_words.yaml", _HeaderWords, error=ConfigError)
    return tuple(tuple(w.casefold() for w in run) for run in found.runs)


#: a run of at least this many letters is found inside a longer word too ("EndUserName"); a shorter
#: one only as a word of its own ("HTS Code", not "Weights")
_RUN_TOGETHER_MIN = 6


def _names_an_order_column(folded: str) -> bool:
    """Whether a (case-folded) header is one of the order columns, written with spaces or hyphens for
    the underscores ("End User Country"), or holds the words of a role, the destination, the
    classification, a specification a tier reads or the end use, also run together ("EndUser", as ERPs
    write "ShipTo"): dropped unread, it would leave a party, a destination or an item unscreened."""
    words = tuple(w for w in re.split(r"[^0-9a-z]+", folded) if w)
    if folded in COLUMNS or "_".join(words) in COLUMNS:
        return True
    joined = "".join(words)
    for run in _screened_words():
        letters = "".join(run)
        if len(letters) >= _RUN_TOGETHER_MIN and letters in joined:
            return True
        if any(words[i : i + len(run)] == run for i in range(len(words))):
            return True
    return False


def _split(value: str, seps: str) -> list[str]:
    for sep in seps[1:]:
        value = value.replace(sep, seps[0])
    return [v.strip() for v in value.split(seps[0]) if v.strip()]


def _build(order: dict[str, str], items: list[dict[str, str]]) -> dict[str, Any]:
    tx: dict[str, Any] = {"id": order["order_id"]}
    for key in ("date", "destination", "destination_region", "end_use"):
        if key in order:
            tx[key] = order[key]
    if "end_use_tags" in order:
        tx["end_use_tags"] = _split(order["end_use_tags"], ";|")
    parties: list[dict[str, Any]] = []
    for role in ROLES:
        extra = [role + s for s in _PARTY_SUFFIXES[1:] if role + s in order]
        if role not in order:
            if extra:
                raise InputError(f"column {extra[0]!r} is set but the party name column {role!r} is blank")
            continue
        party: dict[str, Any] = {"role": role, "name": order[role]}
        for suffix in ("country", "address", "headquarters_country"):
            if f"{role}_{suffix}" in order:
                party[suffix] = order[f"{role}_{suffix}"]
        if f"{role}_aliases" in order:
            party["aliases"] = _split(order[f"{role}_aliases"], "|")
        parties.append(party)
    tx["parties"] = parties
    tx["items"] = [dict(item) for item in items]
    return tx


def parse_csv_orders(text: str, *, path: Path, mapping: CsvMapping | None = None) -> list[CsvOrder]:
    """Group the rows of a CSV order file into transactions; raises ``InputError`` naming the line."""
    delimiter = mapping.delimiter if mapping else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise InputError("the CSV file has no header row", path=path, location="line 1")
        index = _header_index(header, mapping, path)
        translate = mapping.values if mapping else {}
        orders: dict[str, tuple[int, dict[str, str], dict[str, int], list[dict[str, str]], list[int]]] = {}
        end = reader.line_num
        for row in reader:
            line, end = end + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                # a row one cell short is a truncated export (its last column would be read as blank)
                raise InputError(
                    f"{len(row)} cells but the header has {len(header)} columns", path=path, location=f"line {line}"
                )
            cells: dict[str, str] = {}
            for name, i in index.items():
                value = row[i].strip()
                if value:
                    cells[name] = translate.get(name, {}).get(value, value)
            order_id = cells.get("order_id")
            if not order_id:
                raise InputError("order_id is blank", path=path, location=f"line {line}")
            if order_id not in orders:
                orders[order_id] = (line, {}, {}, [], [])
            _, order, first_seen, items, item_lines = orders[order_id]
            for name in ORDER_COLUMNS:
                if name not in cells:
                    continue
                if name in order and order[name] != cells[name]:
                    raise InputError(
                        f"order {order_id!r}: column {name!r} is {order[name]!r} on line {first_seen[name]} but "
                        f"{cells[name]!r} here; order-level columns must agree on every row of an order",
                        path=path,
                        location=f"line {line}",
                    )
                order[name] = cells[name]
                first_seen.setdefault(name, line)
            item = {name: cells[name] for name in ITEM_COLUMNS if name in cells}
            if item:
                items.append(item)
                item_lines.append(line)
    except csv.Error as exc:
        raise InputError(f"CSV error: {exc}", path=path, location=f"line {reader.line_num}") from exc
    if not orders:
        raise InputError("the CSV file has a header but no order rows", path=path)
    out: list[CsvOrder] = []
    for line, order, _, items, item_lines in orders.values():
        try:
            data = _build(order, items)
        except InputError as exc:
            raise InputError(exc.message, path=path, location=f"line {line}") from exc
        out.append(CsvOrder(line, data, tuple(item_lines)))
    return out
