"""Reviewed-match baselines, and the check results they are applied to.

A compliance officer reviews a potential match and clears it ("Semiconductor Manufacturing
International Trading LLC of Ohio is not SMIC"); ``exportscreen review`` records that as a
``Clearance`` in a baseline file (``.exportscreen-baseline.yaml`` by default)::

    format: exportscreen-baseline/1
    tool_version: 0.1.0              # what produced the file
    registry_version: 5f0c...        # content hash of the lists screened against
    packs: [{id: china-advanced-computing, version: "2026.11.1"}]
    clearances:
      - order_id: PO-7         # the clearance key: order id, party name, list entry (source and id),
        party: SMIC Americas   # the entry's content hash and the rule id; never a line number,
        entry_source: bis-entity-list      # so it survives edits that move the order
        entry_id: EL-CN-SEMICONDUCTOR-MANUFACTURING-INTERNATIONAL-CORPORATION-SMIC
        entry_hash: 3b1f...    # sha256 of the entry as reviewed
        entry_name: Semiconductor Manufacturing International Corporation (SMIC)
        rule_id: potential-list-match
        strength: review       # the match strength when reviewed
        allow_hit: false       # true only when a hit was cleared with --allow-hit
        reviewer: J. Doe
        reason: Different company, Ohio registration checked
        reviewed_on: 2026-03-02
        expires: 2026-12-31    # required: the clearance applies up to and including this date

A clearance stops applying when the list entry changes (its content hash differs), when the order
names a different party for the same entry and rule, when it has expired, or when the match it
covered (review strength) has become a hit; the finding then fails again and says why. Only
findings backed by list matches (``Reason.matches``, typed ``MatchRef``) can be cleared, and only
review-strength ones unless the reviewer gives ``--allow-hit``. A baseline that cannot be read or
validated is a ``ConfigError`` (exit 2), never "everything cleared". Writes are atomic (temporary
file, fsync, ``os.replace``).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from exportscreen._errors import ConfigError
from exportscreen._io import load_model
from exportscreen.models import Category, Decision, MatchRef, PackRef, Reason, Transaction

__all__ = [
    "BASELINE_FORMAT",
    "DEFAULT_BASELINE",
    "DEFAULT_EXPIRY_DAYS",
    "Baseline",
    "Clearance",
    "Finding",
    "InputProblem",
    "OrderResult",
    "assess",
    "clearance_refs",
    "load_baseline",
    "save_baseline",
    "summary_counts",
    "write_atomic",
]

BASELINE_FORMAT = "exportscreen-baseline/1"
DEFAULT_BASELINE = ".exportscreen-baseline.yaml"
#: A clearance written without ``--expires`` applies for this many days (``review --expiry-days``).
DEFAULT_EXPIRY_DAYS = 365

ClearanceKey = tuple[str, str, str, str, str]


class Clearance(BaseModel):
    """One reviewed match: this party of this order is not (or is accepted as) this list entry."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)

    order_id: str = Field(min_length=1)
    party: str = Field(min_length=1)
    entry_source: str = Field(min_length=1)
    entry_id: str = Field(min_length=1)
    entry_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    entry_name: str = ""
    rule_id: str = Field(min_length=1)
    strength: Literal["hit", "review"]
    allow_hit: bool = False
    reviewer: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    reviewed_on: dt.date
    #: the last day it applies: every clearance expires (``review`` writes one; a baseline without it is
    #: malformed, so a clearance whose expiry was deleted never applies for ever)
    expires: dt.date

    @model_validator(mode="after")
    def _hit_needs_flag(self) -> Clearance:
        if self.strength == "hit" and not self.allow_hit:
            raise ValueError("a hit can only be cleared with allow_hit: true (exportscreen review --allow-hit)")
        return self

    @property
    def key(self) -> ClearanceKey:
        return (self.order_id, self.party, self.entry_source, self.entry_id, self.rule_id)

    def describe(self) -> str:
        what = "HIT cleared (--allow-hit)" if self.allow_hit else "cleared"
        until = f", expires {self.expires.isoformat()}"
        return f"{what} by {self.reviewer} on {self.reviewed_on.isoformat()}{until}: {self.reason}"


class Baseline(BaseModel):
    """A baseline file: what produced it and the clearances recorded in it."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    format: Literal["exportscreen-baseline/1"] = "exportscreen-baseline/1"
    tool_version: str
    registry_version: str
    packs: list[PackRef]
    clearances: list[Clearance] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> Baseline:
        seen: set[ClearanceKey] = set()
        for c in self.clearances:
            if c.key in seen:
                raise ValueError(f"two clearances for order {c.order_id!r}, party {c.party!r}, entry {c.entry_id!r}")
            seen.add(c.key)
        return self

    def add(self, clearance: Clearance) -> None:
        """Record ``clearance``, replacing any clearance with the same key."""
        self.clearances = sorted(
            [c for c in self.clearances if c.key != clearance.key] + [clearance], key=lambda c: c.key
        )

    def to_yaml(self) -> str:
        data = self.model_dump(mode="json")
        head = (
            "# exportscreen baseline: reviewed list matches (exportscreen review). Commit it with the orders;\n"
            "# a clearance stops applying when the list entry, the party or the date moves past it.\n"
        )
        return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)


def load_baseline(path: Path) -> Baseline:
    """Read and validate a baseline; raises ``ConfigError`` naming the file and field."""
    return load_model(
        path,
        Baseline,
        error=ConfigError,
        not_mapping="a baseline is a mapping with format, tool_version, registry_version, packs",
    )


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old or the new file, never half of one."""
    directory = path.parent if str(path.parent) else Path(".")
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):
        dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def save_baseline(baseline: Baseline, path: Path) -> None:
    write_atomic(path, baseline.to_yaml())


# ------------------------------------------------------------------------------------ findings


def clearance_refs(reason: Reason) -> list[MatchRef]:
    """The list matches a reason rests on (``Reason.matches``), one per clearance key (party and
    entry; the strongest when a party matched one entry twice, by name and by address)."""
    best: dict[tuple[str, str, str], MatchRef] = {}
    for ref in reason.matches:
        key = (ref.party, ref.entry_source, ref.entry_id)
        prev = best.get(key)
        if prev is None or (ref.strength == "hit" and prev.strength != "hit"):
            best[key] = ref
    return list(best.values())


@dataclass(frozen=True)
class Finding:
    """A fired rule above less risky, with what the baseline says about it.

    ``cleared`` findings do not fail the check; ``clearances`` are the ones that cleared it (who, why,
    until when); ``note`` says who cleared it, or why a recorded clearance no longer applies.
    """

    reason: Reason
    cleared: bool = False
    note: str | None = None
    allow_hit: bool = False
    clearances: tuple[Clearance, ...] = ()

    @property
    def rule_id(self) -> str:
        return self.reason.rule_id

    @property
    def category(self) -> Category:
        return self.reason.category


def _check_one(
    ref: MatchRef, order_id: str, rule_id: str, baseline: Baseline, today: dt.date
) -> tuple[Clearance | None, str | None]:
    """The clearance that covers ``ref``, or why none does (None when nothing was ever recorded)."""
    exact = next(
        (c for c in baseline.clearances if c.key == (order_id, ref.party, ref.entry_source, ref.entry_id, rule_id)),
        None,
    )
    if exact is None:
        other = next(
            (
                c
                for c in baseline.clearances
                if (c.order_id, c.entry_source, c.entry_id, c.rule_id)
                == (order_id, ref.entry_source, ref.entry_id, rule_id)
            ),
            None,
        )
        if other is not None:
            return None, (
                f"the clearance by {other.reviewer} on {other.reviewed_on.isoformat()} no longer applies: "
                f"the party changed (cleared {other.party!r}, the order now names {ref.party!r})"
            )
        return None, None
    stamp = f"the clearance by {exact.reviewer} on {exact.reviewed_on.isoformat()} no longer applies"
    if exact.entry_hash != ref.entry_hash:
        return None, f"{stamp}: list entry {ref.entry_id} changed since the review"
    if today > exact.expires:
        return None, f"{stamp}: it expired on {exact.expires.isoformat()}"
    if ref.strength == "hit" and not exact.allow_hit:
        return None, f"{stamp}: the match with {ref.entry_id} is now a hit (a review-strength match was cleared)"
    return exact, None


def assess(decision: Decision, baseline: Baseline | None, *, today: dt.date | None = None) -> list[Finding]:
    """The findings of ``decision`` (rules above less risky), each cleared or not by ``baseline``.

    A clearance's expiry is checked against the screening date (``decision.as_of``: ``--as-of``,
    else the order's date when later than today, else today), the date every other check used.
    ``today`` overrides it.
    """
    on = today or decision.as_of
    out: list[Finding] = []
    for reason in decision.reasons:
        if reason.category is Category.LESS_RISKY:
            continue
        refs = clearance_refs(reason)
        if baseline is None or not refs:
            out.append(Finding(reason))
            continue
        covering: list[Clearance] = []
        problems: list[str] = []
        for ref in refs:
            clearance, problem = _check_one(ref, decision.transaction_id, reason.rule_id, baseline, on)
            if clearance is not None:
                covering.append(clearance)
            elif problem is not None:
                problems.append(problem)
        if len(covering) == len(refs):
            notes = list(dict.fromkeys(c.describe() for c in covering))
            out.append(
                Finding(
                    reason,
                    cleared=True,
                    note="; ".join(notes),
                    allow_hit=any(c.allow_hit for c in covering),
                    clearances=tuple(dict.fromkeys(covering)),
                )
            )
        elif problems:
            out.append(Finding(reason, note="; ".join(dict.fromkeys(problems))))
        elif covering:
            out.append(Finding(reason, note=f"only {len(covering)} of {len(refs)} matches are cleared"))
        else:
            out.append(Finding(reason))
    return out


@dataclass(frozen=True)
class OrderResult:
    """One screened order: where it is, its Decision, its findings and the transaction as screened."""

    path: Path
    line: int
    decision: Decision
    findings: tuple[Finding, ...]
    transaction: Transaction | None = None

    @property
    def failing(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.cleared)


@dataclass(frozen=True)
class InputProblem:
    """An input that could not be screened (exit 2)."""

    path: Path | str
    line: int | None
    message: str

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line is not None else str(self.path)


def summary_counts(results: Iterable[OrderResult]) -> dict[str, int]:
    """Orders per outcome: sensitive, review, less_risky (no failing finding) and cleared findings."""
    counts = {"sensitive": 0, "review": 0, "less_risky": 0, "cleared": 0}
    for r in results:
        failing = r.failing
        counts["cleared"] += sum(1 for f in r.findings if f.cleared)
        if any(f.category is Category.SENSITIVE for f in failing):
            counts["sensitive"] += 1
        elif failing:
            counts["review"] += 1
        else:
            counts["less_risky"] += 1
    return counts
