"""What the HTML audit report is rendered from: one ``AuditReport``, built by whichever command ran.

``check`` and ``screen`` build it from the per-order results they already compute for the other
formats (``OrderResult``: file, line, Decision, findings with their clearances, and the validated
``Transaction``) and from the inputs that could not be screened (``InputProblem``). A re-screen or a
ledger period fills the same structure and adds ``changes`` (what moved since an earlier screening)
or ``period`` (the dates it covers)::

    AuditReport(
        run=RunInfo(command="check", tool_version=..., run_id=..., run_by=..., generated_at=...,
                    as_of=None, inputs=(InputFile(...), ...), registry=RegistryInfo(...),
                    packs=(RulePack, ...), hit_threshold=88.0, review_threshold=70.0,
                    baseline=InputFile(...) | None, period=None),
        results=(OrderResult, ...),          # in file order
        problems=(InputProblem, ...),
        changes=ChangeSet(since="<registry version or run id>", since_date=..., orders=(OrderChange, ...)) | None,
    )

Everything here is plain data; the report never screens or decides anything. ``run_id`` defaults to
a digest of what went into the run (``derive_run_id``), so the same inputs at the same time give the
same file, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from exportscreen.baseline import InputProblem, OrderResult
from exportscreen.models import Category, RegistryInfo
from exportscreen.rules import RulePack

__all__ = [
    "AuditReport",
    "ChangeSet",
    "Command",
    "InputFile",
    "OrderChange",
    "RunInfo",
    "derive_run_id",
    "input_file",
]

Command = Literal["check", "screen", "rescreen", "report"]


@dataclass(frozen=True)
class InputFile:
    """A file the run read, as named on the command line, with the SHA-256 of its bytes."""

    path: str
    sha256: str
    size: int


def input_file(path: Path) -> InputFile:
    """Hash ``path`` (an order file or baseline) for the report header."""
    data = path.read_bytes()
    return InputFile(str(path), hashlib.sha256(data).hexdigest(), len(data))


@dataclass(frozen=True)
class RunInfo:
    """Who ran what, when, against which lists, packs and thresholds.

    ``as_of``: the screening date given on the command line, or None when each order's date (when later
    than the day of the run, else that day) was used. ``period``: the first and last day a ledger report covers.
    """

    command: Command
    tool_version: str
    run_id: str
    run_by: str
    generated_at: dt.datetime
    as_of: dt.date | None
    inputs: tuple[InputFile, ...]
    registry: RegistryInfo | None
    packs: tuple[RulePack, ...]
    hit_threshold: float
    review_threshold: float
    baseline: InputFile | None = None
    period: tuple[dt.date, dt.date] | None = None


@dataclass(frozen=True)
class OrderChange:
    """How one order's screening moved since the earlier one (None: it was not screened then)."""

    order_id: str
    before: Category | None
    after: Category
    rules_added: tuple[str, ...] = ()
    rules_removed: tuple[str, ...] = ()
    entries_added: tuple[str, ...] = ()
    entries_removed: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChangeSet:
    """The "changes since version X" section of a re-screen: X names the earlier lists or run."""

    since: str
    since_date: dt.date | None
    orders: tuple[OrderChange, ...]


@dataclass(frozen=True)
class AuditReport:
    run: RunInfo
    results: tuple[OrderResult, ...]
    problems: tuple[InputProblem, ...] = ()
    changes: ChangeSet | None = None


def derive_run_id(
    *,
    tool_version: str,
    generated_at: dt.datetime,
    inputs: Sequence[InputFile],
    registry: RegistryInfo | None,
    packs: Sequence[RulePack],
    thresholds: tuple[float, float],
    as_of: dt.date | None,
    baseline: InputFile | None,
) -> str:
    """A short id that names this run: a digest of its time and of everything it screened with."""
    parts = [
        tool_version,
        generated_at.isoformat(),
        *(f"{f.path}:{f.sha256}" for f in inputs),
        registry.version if registry else "",
        *(f"{p.id}@{p.version}" for p in packs),
        f"{thresholds[0]:g}/{thresholds[1]:g}",
        as_of.isoformat() if as_of else "",
        baseline.sha256 if baseline else "",
    ]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]
