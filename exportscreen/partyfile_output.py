"""Writing the results of a party file as they come: CSV, JSON, JSON Lines or text.

CSV has one row per (party, match), best match first (``match_rank`` 1, 2, ...), and one row for a
party without a match (``status`` ``no match``) or that could not be screened (``status`` ``error``
and the ``error`` column): every party of the input appears, so nothing is passed silently. Every
cell a spreadsheet would run as a formula (leading ``=`` ``+`` ``-`` ``@`` tab or CR: party names come
from outside) gets a leading apostrophe. JSON is one array, written element by element (valid JSON
for no party too); JSON Lines one object per party. Both carry ``ref``, ``line``, ``name``,
``country``, ``status``, ``matches`` (PartyMatch objects) and ``error``.
"""

from __future__ import annotations

import csv
import json
from typing import Any, Protocol

from exportscreen.orders_csv import spreadsheet_safe
from exportscreen.partyfile import PartyResult
from exportscreen.report.text import format_match, terminal_safe

__all__ = ["CSV_COLUMNS", "FORMATS", "PartyWriter", "Stream", "as_mapping", "open_writer"]

FORMATS = ("csv", "json", "jsonl", "text")
CSV_COLUMNS = (
    "ref",
    "line",
    "name",
    "country",
    "status",
    "match_count",
    "match_rank",
    "score",
    "strength",
    "list",
    "source",
    "entry_id",
    "entry_name",
    "matched_name",
    "matched_field",
    "error",
)


class Stream(Protocol):
    """Where a writer writes: a text file, stdout, or anything with these two methods."""

    def write(self, text: str, /) -> int: ...

    def flush(self) -> None: ...


def as_mapping(result: PartyResult) -> dict[str, Any]:
    """The JSON form of one result."""
    p = result.party
    return {
        "ref": p.ref,
        "line": p.line,
        "name": p.name,
        "country": p.country,
        "status": result.status,
        "matches": [m.model_dump(mode="json") for m in result.matches],
        "error": result.error,
    }


class PartyWriter:
    """Writes results to ``stream`` one at a time; ``close()`` ends the document (not the stream)."""

    def __init__(self, stream: Stream) -> None:
        self.stream = stream

    def write(self, result: PartyResult) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.stream.flush()


class _CsvWriter(PartyWriter):
    def __init__(self, stream: Stream) -> None:
        super().__init__(stream)
        self._csv = csv.writer(stream, lineterminator="\r\n")  # RFC 4180; a CR in a cell is quoted too
        self._csv.writerow(CSV_COLUMNS)

    def write(self, result: PartyResult) -> None:
        p = result.party
        head = [spreadsheet_safe(p.ref), str(p.line), spreadsheet_safe(p.name), p.country or "", result.status]
        n = str(len(result.matches))
        if not result.matches:
            self._csv.writerow([*head, n, *[""] * 9, spreadsheet_safe(result.error or "")])
            return
        for rank, m in enumerate(result.matches, 1):
            self._csv.writerow(
                [
                    *head,
                    n,
                    str(rank),
                    f"{m.score:g}",
                    m.strength,
                    spreadsheet_safe(m.list),
                    spreadsheet_safe(m.source),
                    spreadsheet_safe(m.entry_id),
                    spreadsheet_safe(m.entry_name),
                    spreadsheet_safe(m.matched_name),
                    m.matched_field,
                    "",
                ]
            )


class _JsonWriter(PartyWriter):
    def __init__(self, stream: Stream) -> None:
        super().__init__(stream)
        self._first = True
        stream.write("[")

    def write(self, result: PartyResult) -> None:
        self.stream.write("\n" if self._first else ",\n")
        self._first = False
        self.stream.write(json.dumps(as_mapping(result), sort_keys=True, ensure_ascii=False))

    def close(self) -> None:
        self.stream.write("]\n" if self._first else "\n]\n")
        super().close()


class _JsonlWriter(PartyWriter):
    def write(self, result: PartyResult) -> None:
        self.stream.write(json.dumps(as_mapping(result), sort_keys=True, ensure_ascii=False) + "\n")


class _TextWriter(PartyWriter):
    def write(self, result: PartyResult) -> None:
        p = result.party
        where = f"line {p.line}: {p.ref}: {p.name!r}" + (f" ({p.country})" if p.country else "")
        if result.error is not None:
            lines = [f"{where}: error: {result.error}"]
        elif not result.matches:
            lines = [f"{where}: no match at review strength or above"]
        else:
            lines = [f"{where}: {len(result.matches)} match(es)"]
            lines += ["  " + line for m in result.matches for line in format_match(m).split("\n")]
        self.stream.write("".join(terminal_safe(line) + "\n" for line in lines))


def open_writer(fmt: str, stream: Stream) -> PartyWriter:
    """A writer of format ``fmt`` (one of ``FORMATS``) on ``stream``."""
    writers: dict[str, type[PartyWriter]] = {
        "csv": _CsvWriter,
        "json": _JsonWriter,
        "jsonl": _JsonlWriter,
        "text": _TextWriter,
    }
    return writers[fmt](stream)
