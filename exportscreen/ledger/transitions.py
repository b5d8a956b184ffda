"""What a re-screen reports: the stored orders and parties whose outcome changed (``Transition``).

An order's outcome is its category - with a baseline, the most severe category of the findings no
clearance covers (``baseline.assess``), so a cleared order is less risky until its clearance stops
applying. A party of a party file (``match --file``) has no rules: its outcome is the strength of
its strongest match, ``none < review < hit``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from exportscreen.baseline import Baseline, assess
from exportscreen.models import Category, Decision, PartyMatch

__all__ = [
    "ORDER_OUTCOMES",
    "PARTY_OUTCOMES",
    "RescreenStats",
    "Transition",
    "order_outcome",
    "party_outcome",
    "worse",
]

#: outcomes in increasing severity
ORDER_OUTCOMES = ("less_risky", "review", "sensitive")
PARTY_OUTCOMES = ("none", "review", "hit")


def order_outcome(decision: Decision, baseline: Baseline | None, today: dt.date | None = None) -> str:
    """The category, or with a baseline that of the findings it does not clear."""
    if baseline is None:
        return decision.category.value
    failing = [f.category for f in assess(decision, baseline, today=today) if not f.cleared]
    return max(failing, default=Category.LESS_RISKY).value


def party_outcome(matches: list[PartyMatch]) -> str:
    if any(m.strength == "hit" for m in matches):
        return "hit"
    return "review" if matches else "none"


def worse(kind: Literal["order", "party"], before: str, after: str) -> bool:
    scale = ORDER_OUTCOMES if kind == "order" else PARTY_OUTCOMES
    return scale.index(after) > scale.index(before)


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class EntryRef(_Out):
    """A list entry an outcome rests on, before or after."""

    source: str
    id: str
    name: str
    list: str
    score: float
    strength: Literal["hit", "review"]


class Transition(_Out):
    """One stored order or party whose outcome differs under the lists in force now."""

    kind: Literal["order", "party"]
    key: str = Field(description="order id, or the party's reference in its party file")
    before: str
    after: str
    worse: bool
    stored_run: str = Field(description="run id of the stored record compared against")
    stored_registry: str = Field(description="registry version the stored outcome was confirmed under")
    registry: str = Field(description="registry version screened against now")
    as_of: dt.date
    rule_ids: list[str] = Field(default_factory=list, description="rules above less risky now (orders)")
    matches_before: list[EntryRef] = Field(default_factory=list)
    matches_after: list[EntryRef] = Field(default_factory=list)
    note: str | None = Field(default=None, description="why a clearance no longer applies, where one did")


class RescreenStats(_Out):
    """How much of the ledger a re-screen looked at, and why."""

    as_of: dt.date
    registry: str
    full: bool
    full_reasons: list[str]
    fresh_entries: int
    orders_stored: int
    orders_rescreened: int
    parties_stored: int
    parties_rescreened: int
    transitions: int
    worse: int
    recorded_runs: list[str]
