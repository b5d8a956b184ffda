"""What a stored record was last confirmed under (``Confirmations``), and the dates the rules hold
(``data_dates``): the two facts delta re-screening needs besides the lists."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from exportscreen import __version__
from exportscreen._data import bundled_dir
from exportscreen._validated import environment_digest

if TYPE_CHECKING:
    from exportscreen.ledger import RunRecord
    from exportscreen.screener import Screener

__all__ = ["Basis", "Confirmations", "data_dates", "tool_build"]

_DATE = re.compile(rb"\b(19|20)\d\d-[01]\d-[0-3]\d\b")


def tool_build() -> str:
    """What a ledger run records as its tool version: the package version and a digest of the code and
    bundled data a verdict rests on (``environment_digest``). A run recorded by other screening code
    under the same version number (a fix before a release) is re-screened in full, never trusted."""
    return f"{__version__}+{environment_digest()[:16]}"


@cache
def _bundled_dates() -> tuple[dt.date, ...]:
    root = bundled_dir()
    # the packs' own test cases (cases.yaml) are read by `exportscreen explain` and the tests, never by a rule
    paths = [
        p
        for p in root.rglob("*")
        if p.is_file() and "registry" not in p.relative_to(root).parts and p.name != "cases.yaml"
    ]
    return _dates_in(p.read_bytes() for p in paths)


def _dates_in(blobs: Iterable[bytes]) -> tuple[dt.date, ...]:
    found: set[dt.date] = set()
    for blob in blobs:
        for m in _DATE.finditer(blob):
            try:
                found.add(dt.date.fromisoformat(m.group(0).decode()))
            except ValueError:
                continue
    return tuple(sorted(found))


def data_dates(screener: Screener) -> tuple[dt.date, ...]:
    """Every date written in the data the screener's rules read (packs, tiers, country groups, the
    licensing tables, named dates): between two of them, a screening gives the same result on any
    day. A superset: a date that bounds nothing only costs a re-screen."""
    extra = [p.path for p in screener.packs if p.path]

    return tuple(sorted(set(_bundled_dates()) | set(_dates_in(Path(p).read_bytes() for p in extra))))


@dataclass(frozen=True)
class Basis:
    """What a stored record was last confirmed under."""

    run: RunRecord
    registry_version: str
    tool_version: str
    packs: tuple[tuple[str, str], ...] | None
    on: dt.date | None


class Confirmations:
    """Per stored run, the latest re-screen run that covered it (or the run itself)."""

    def __init__(self, runs: list[RunRecord]) -> None:
        self.by_seq = {r.seq: r for r in runs}
        self.rescreens = sorted(
            (r for r in runs if r.command == "rescreen" and isinstance(r.meta.get("covers_through_run_seq"), int)),
            key=lambda r: -r.seq,
        )
        self.last_seq = max(self.by_seq, default=0)

    def basis(self, run_seq: int, records: str) -> Basis:
        """``records``: "orders" or "parties", what the re-screen run recorded (its packs are its orders')."""
        for r in self.rescreens:
            covered = r.meta.get("covers_through_run_seq")
            if isinstance(covered, int) and r.seq > run_seq and covered >= run_seq and r.meta.get("records") == records:
                return Basis(r, r.registry_version, r.tool_version, tuple((p.id, p.version) for p in r.packs), r.as_of)
        run = self.by_seq[run_seq]
        return Basis(run, run.registry_version, run.tool_version, None, None)
