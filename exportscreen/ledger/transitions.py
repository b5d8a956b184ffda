"""What a re-screen reports: the stored orders and parties whose outcome changed (``Transition``).

An order's outcome is its category - with a baseline, the most severe category of the findings no
clearance covers (``baseline.assess``), so a cleared order is less risky until its clearance stops
applying. A party of a party file (``match --file``) has no rules: its outcome is the strength of
its strongest match, ``none < review < hit``. An outcome that stays the same while its list matches
change is a transition too (``match_change``): an order already under review for one match that a
newly listed party joins got worse, though its category did not move.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from exportscreen.baseline import Baseline, assess
from exportscreen.models import Category, Decision, PartyMatch

__all__ = [
    "ORDER_OUTCOMES",
    "PARTY_OUTCOMES",
    "MatchSeen",
    "RescreenStats",
    "Transition",
    "match_change",
    "open_matches",
    "order_outcome",
    "outcome_change",
    "party_matches",
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


_STRENGTH = {"review": 0, "hit": 1}


class MatchSeen(NamedTuple):
    """A list match an outcome rests on, as ``match_change`` compares them."""

    party: str
    source: str
    entry_id: str
    entry_name: str
    list: str
    strength: str


def open_matches(decision: Decision, baseline: Baseline | None, today: dt.date | None = None) -> list[MatchSeen]:
    """The list matches of the findings of ``decision`` that ``baseline`` does not clear."""
    refs = [m for f in assess(decision, baseline, today=today) if not f.cleared for m in f.reason.matches]
    return [MatchSeen(m.party, m.entry_source, m.entry_id, m.entry_name, m.list, m.strength) for m in refs]


def party_matches(matches: list[PartyMatch]) -> list[MatchSeen]:
    return [MatchSeen(m.query_name, m.source, m.entry_id, m.entry_name, m.list, m.strength) for m in matches]


def _strongest(matches: list[MatchSeen]) -> dict[tuple[str, str, str], MatchSeen]:
    """Per (party, source, entry), its strongest match."""
    out: dict[tuple[str, str, str], MatchSeen] = {}
    for m in matches:
        key = (m.party, m.source, m.entry_id)
        if key not in out or _STRENGTH[m.strength] > _STRENGTH[out[key].strength]:
            out[key] = m
    return out


def match_change(before: list[MatchSeen], after: list[MatchSeen]) -> tuple[str | None, bool]:
    """How the list matches changed (None when they did not), and whether for the worse: a party
    matches an entry it did not match, or matches one more strongly."""
    old, new = _strongest(before), _strongest(after)
    gained = [m for k, m in new.items() if k not in old or _STRENGTH[m.strength] > _STRENGTH[old[k].strength]]
    lost = [m for k, m in old.items() if k not in new or _STRENGTH[m.strength] > _STRENGTH[new[k].strength]]
    if not gained and not lost:
        return None, False
    parts = []
    if gained:
        parts.append("new or stronger match: " + "; ".join(map(_text, gained)))
    if lost:
        parts.append("gone or weaker: " + "; ".join(map(_text, lost)))
    return ", ".join(parts), bool(gained)


def outcome_change(
    kind: Literal["order", "party"],
    before: str,
    after: str,
    old: list[MatchSeen],
    new: list[MatchSeen],
    loaded: frozenset[str] | None = None,
) -> tuple[bool, str | None, bool]:
    """Whether a stored outcome is a transition, the match change to note, and whether it got worse.

    Worse when the outcome is more severe, or when a party matches an entry it did not match (or one
    more strongly) and the outcome did not get worse by itself: an order that goes from sensitive to
    review because a licence now covers its requirement, while its consignee was newly listed, is worse
    news, never "better" (exit 0). Worse too when a stored match was on a list that no source loaded
    now provides (``loaded``: the list codes of the registry screened against): the match is gone
    because the list was not loaded (a --lists left out, a configured file missing), not because the
    party was delisted, so it is never reported as better."""
    change, gained = match_change(old, new)
    if before != after and (worse(kind, before, after) or not gained):
        change = None  # the outcome says it
    got_worse = gained if change else worse(kind, before, after)
    unloaded = sorted({m.list for m in old} - loaded) if loaded is not None else []
    if unloaded:
        codes = ", ".join(unloaded)
        dropped = (
            f"it matched on {codes} when recorded, and no source loaded now provides {codes}: load it again "
            "(--lists) or confirm it was dropped on purpose"
        )
        return True, f"{change}; {dropped}" if change else dropped, True
    return before != after or change is not None, change, got_worse


def _text(m: MatchSeen) -> str:
    return f"{m.party} ~ {m.entry_name} [{m.list}, {m.entry_id}] {m.strength}"


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
