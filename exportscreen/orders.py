"""Reading order files: YAML and JSON files holding one transaction or a list of them, and CSV files
of line items (``exportscreen.orders_csv``).

Each order comes back with the file and the line where it starts, so reports can point at it.
Directories are searched recursively, through links to directories, for ``*.yaml``, ``*.yml``,
``*.json`` and ``*.csv``, leaving out hidden files and directories (``.exportscreen-baseline.yaml``,
``.pre-commit-config.yaml``, ``.git``, ``.venv``) and the files a run reads as its own configuration
(``exclude``: baseline, column mapping, lists, packs); a link to a missing order file is an error. A
file named on its own is always read. A spreadsheet or other order-like file this module cannot read
(``UNREADABLE_ORDER_SUFFIXES``: ``.xlsx``, ``.tsv``, ``.xml`` ...) is an error wherever it is found, so
orders kept in it are never skipped unread.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exportscreen._errors import InputError
from exportscreen._io import parse_json, parse_yaml_with_lines, read_text
from exportscreen.limits import LIMITS
from exportscreen.orders_csv import CsvMapping, parse_csv_orders

__all__ = ["ORDER_SUFFIXES", "UNREADABLE_ORDER_SUFFIXES", "LoadedOrder", "collect_paths", "expand_paths", "load_orders"]

ORDER_SUFFIXES = (".yaml", ".yml", ".json", ".csv")
# Files that hold orders in a format this module does not read (spreadsheets, other delimited or
# structured exports, archives of them). Skipped in a directory, their orders would pass unscreened.
UNREADABLE_ORDER_SUFFIXES = (
    ".xlsx", ".xlsm", ".xls", ".ods", ".tsv", ".tab", ".jsonl", ".ndjson", ".xml",
    ".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".tar",
)  # fmt: skip


@dataclass(frozen=True)
class LoadedOrder:
    path: Path
    line: int
    data: dict[str, Any]


def _excluded(path: Path, exclude: tuple[Path, ...]) -> bool:
    resolved = path.resolve()
    return any(resolved == x or resolved.is_relative_to(x) for x in exclude)


def _unreadable(path: Path) -> InputError | None:
    if path.suffix.lower() not in UNREADABLE_ORDER_SUFFIXES:
        return None
    return InputError(
        f"cannot read {path.suffix.lower()} order files: export or unpack them as CSV (with --csv-mapping),"
        " YAML or JSON, or move the file out of the screened paths",
        path=path,
    )


def _walk(root: Path, suffixes: tuple[str, ...]) -> Iterator[Path]:
    """The files under ``root`` with one of ``suffixes`` or ``UNREADABLE_ORDER_SUFFIXES`` (the caller
    reports those), hidden files and directories left out,
    following links to directories (each real directory once, so a link loop ends). A link with an
    order suffix whose target is missing is an error: skipped, its orders would pass unread."""
    seen: set[str] = set()
    for top, dirs, files in os.walk(root, followlinks=True):
        real = os.path.realpath(top)
        if real in seen:
            dirs.clear()
            continue
        seen.add(real)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            f = Path(top, name)
            suffix = f.suffix.lower()
            if name.startswith(".") or (suffix not in suffixes and suffix not in UNREADABLE_ORDER_SUFFIXES):
                continue
            if not f.exists():
                raise InputError("symbolic link to a file that does not exist", path=f)
            if f.is_file():
                yield f


def _expand_one(raw: str, suffixes: tuple[str, ...], exclude: tuple[Path, ...] = ()) -> list[Path]:
    p = Path(raw)
    if p.is_dir():
        found = sorted(f for f in _walk(p, suffixes) if not _excluded(f, exclude))
        if not found:
            raise InputError(f"no order files ({', '.join(suffixes)}) in directory", path=p)
        return found
    if p.exists():
        return [p]
    if any(ch in raw for ch in "*?["):
        # glob leaves hidden files out by itself
        matches = sorted(
            Path(m) for m in glob.glob(raw, recursive=True) if Path(m).is_file() and not _excluded(Path(m), exclude)
        )
        if not matches:
            raise InputError("glob pattern matches no file", path=raw)
        return matches
    raise InputError("file not found", path=p)


def collect_paths(
    paths: list[str], suffixes: tuple[str, ...] = ORDER_SUFFIXES, *, exclude: Iterable[str | Path] = ()
) -> tuple[list[Path], list[InputError]]:
    """Files, directories (recursively, by suffix, without hidden files and ``exclude``) and glob
    patterns, sorted and de-duplicated, with an ``InputError`` for each name that matches nothing (a
    typo must not screen zero orders)."""
    out: list[Path] = []
    errors: list[InputError] = []
    skip = tuple(Path(x).resolve() for x in exclude)
    for raw in paths:
        try:
            out += _expand_one(raw, suffixes, skip)
        except InputError as exc:
            errors.append(exc)
    unique: dict[Path, Path] = {}
    for f in out:
        unique.setdefault(f.resolve(), f)
    readable: list[Path] = []
    for f in unique.values():
        refused = _unreadable(f)
        if refused is None:
            readable.append(f)
        else:
            errors.append(refused)
    return readable, errors


def expand_paths(paths: list[str], suffixes: tuple[str, ...] = ORDER_SUFFIXES) -> list[Path]:
    """Like ``collect_paths``, raising the first error."""
    files, errors = collect_paths(paths, suffixes)
    if errors:
        raise errors[0]
    return files


def _json_lines(text: str) -> list[int]:
    """Start line of each top-level array element (or of the single object)."""
    lines: list[int] = []
    depth = 0
    in_string = escape = False
    line = 1
    top_is_array = None
    for ch in text:
        if ch == "\n":
            line += 1
        if in_string:
            if escape:
                escape = False
            elif ch == "\\":
                escape = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch in "[{":
            if depth == 0:
                top_is_array = ch == "["
                if not top_is_array:
                    lines.append(line)
            elif depth == 1 and top_is_array:
                lines.append(line)
            depth += 1
        elif ch in "]}":
            depth -= 1
    return lines


def load_orders(path: Path, *, csv_mapping: CsvMapping | None = None) -> list[LoadedOrder]:
    """All orders of one YAML, JSON or CSV file; raises ``InputError`` naming the file and line."""
    text = read_text(path)
    if not text.strip():
        raise InputError("file is empty", path=path)
    if path.suffix.lower() == ".csv":
        rows = parse_csv_orders(text, path=path, mapping=csv_mapping)
        if len(rows) > LIMITS.max_orders_per_file:
            raise InputError(f"{len(rows)} orders, over the limit of {LIMITS.max_orders_per_file} per file", path=path)
        return [LoadedOrder(path, row.line, row.data) for row in rows]
    is_json = path.suffix.lower() == ".json"
    if is_json:
        data, lines = parse_json(text, path=path), _json_lines(text)
    else:
        data, lines = parse_yaml_with_lines(text, path=path)
    items: list[Any]
    if isinstance(data, list):
        items = data
    elif isinstance(data, dict):
        items = [data]
    else:
        raise InputError("an order file holds one order (a mapping) or a list of orders", path=path)
    if not items:
        raise InputError("the file holds an empty list of orders", path=path)
    if len(items) > LIMITS.max_orders_per_file:
        raise InputError(f"{len(items)} orders, over the limit of {LIMITS.max_orders_per_file} per file", path=path)
    out: list[LoadedOrder] = []
    for i, item in enumerate(items):
        line = lines[i] if i < len(lines) else 1
        if not isinstance(item, dict):
            raise InputError(f"order {i + 1} is not a mapping of fields", path=path, location=f"line {line}")
        out.append(LoadedOrder(path, line, item))
    return out
