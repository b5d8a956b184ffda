"""Delta re-screening of a ledger (``rescreen``): the stored orders and parties whose outcome the lists
in force now can change, re-screened, and the transitions between their outcomes.

Each stored order or party was last *confirmed* under one registry on one date: the run that
recorded it, or a later ``rescreen`` run that covered it (``meta.covers_through_run_seq``) and found
it unchanged. Against that registry it is re-screened in full when any of these holds, and its
stored outcome stands otherwise:

* it had a list match (the entry may have changed, been removed or cleared: re-evaluated);
* one of its names, aliases, owners or addresses is a candidate of a *fresh* entry - added, changed,
  or newly in force (``delta.DeltaIndex``, the matcher's own candidate rule);
* for an order: the rule packs in force differ from those it was screened with; a date a rule, tier,
  country group or licensing table holds lies between its date and the re-screening date; the list
  codes loaded differ; a licence covered one of its requirements (or a licence register is given);
* the tool version differs, or the ledger lacks the registry snapshot (nothing to compare against).

``full=True`` re-screens everything; the result is the same (``tests/rescreen`` compares them).
A re-screen is recorded as runs of command ``rescreen`` holding only what was re-screened, with
``covers_through_run_seq`` so the next one diffs from these lists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from exportscreen.baseline import Baseline, assess
from exportscreen.ledger.plan import Planner
from exportscreen.ledger.transitions import (
    EntryRef,
    RescreenStats,
    Transition,
    open_matches,
    order_outcome,
    outcome_change,
    party_matches,
    party_outcome,
)
from exportscreen.models import Decision, PackRef, PartyMatch
from exportscreen.screening_date import screening_day

if TYPE_CHECKING:
    from exportscreen.ledger import Ledger, StoredDecision, StoredMatch
    from exportscreen.screener import Screener

__all__ = ["RescreenReport", "rescreen"]


@dataclass
class RescreenReport:
    """The transitions (orders then parties, each by key), the figures, and the new decisions."""

    transitions: list[Transition]
    stats: RescreenStats
    decisions: dict[str, Decision] = field(default_factory=dict)
    matches: dict[str, list[PartyMatch]] = field(default_factory=dict)
    #: per order with a transition, the rules above less risky its stored decision fired
    stored_rules: dict[str, list[str]] = field(default_factory=dict)


def _refs(matches: Iterable[PartyMatch]) -> list[EntryRef]:
    return [
        EntryRef(source=m.source, id=m.entry_id, name=m.entry_name, list=m.list, score=m.score, strength=m.strength)
        for m in matches
    ]


def rescreen(
    screener: Screener,
    ledger: Ledger,
    *,
    as_of: dt.date | None = None,
    baseline: Baseline | None = None,
    full: bool = False,
    record: bool = True,
    workers: int = 1,
    user: str | None = None,
) -> RescreenReport:
    """Re-screen what the lists in force on ``as_of`` (default today) can change; see the module doc.

    Without ``as_of`` an order dated later than today (a planned shipment) is re-screened as of its
    own date, as ``check`` screens it; every other order and every party as of today."""
    on = as_of or dt.date.today()
    orders = list(ledger.latest_decisions())
    day = {s.transaction_id: screening_day(s.transaction.date, as_of, on) for s in orders}
    plan = Planner(screener, ledger, on, full, orders)
    touched_orders = [s for s in orders if day[s.transaction_id] != on or plan.order(s)]
    new_decisions: dict[str, Decision] = {}
    results = screener.screen_many((s.transaction for s in touched_orders), as_of=as_of, workers=workers)
    for s, dec in zip(touched_orders, results, strict=True):
        assert isinstance(dec, Decision)
        new_decisions[s.transaction_id] = dec
    transitions: list[Transition] = []
    stored_rules: dict[str, list[str]] = {}
    loaded = screener.registry.lists
    for s in orders:
        dec = new_decisions.get(s.transaction_id, s.decision)
        at = day[s.transaction_id]
        before = order_outcome(s.decision, baseline, s.decision.as_of)
        after = order_outcome(dec, baseline, at)
        seen_before = open_matches(s.decision, baseline, s.decision.as_of)
        seen_after = open_matches(dec, baseline, at)
        moved, change, got_worse = outcome_change("order", before, after, seen_before, seen_after, loaded)
        if moved:
            transitions.append(_order_transition(s, dec, before, after, baseline, at, plan, change, got_worse))
            stored_rules[s.transaction_id] = _fired(s.decision)
    touched_parties = plan.parties(ledger, workers)
    parties_stored = ledger.party_count()
    stored_matches = {m.ref: m for m in touched_parties}
    new_matches = _rematch(screener, touched_parties, on, workers)
    for ref, stored in stored_matches.items():
        before, after = party_outcome(stored.matches), party_outcome(new_matches[ref])
        moved, change, got_worse = outcome_change(
            "party", before, after, party_matches(stored.matches), party_matches(new_matches[ref]), loaded
        )
        if moved:
            transitions.append(
                _party_transition(stored, new_matches[ref], before, after, screener, on, plan, change, got_worse)
            )
    recorded: list[str] = []
    if record:
        recorded = _record(screener, ledger, plan, touched_orders, new_decisions, touched_parties, new_matches, user)
    transitions.sort(key=lambda t: (t.kind, t.key))
    stats = RescreenStats(
        as_of=on,
        registry=screener.registry.version,
        full=full,
        full_reasons=sorted(plan.reasons),
        fresh_entries=plan.deltas.fresh_count(),
        orders_stored=len(orders),
        orders_rescreened=len(touched_orders),
        parties_stored=parties_stored,
        parties_rescreened=len(touched_parties),
        transitions=len(transitions),
        worse=sum(t.worse for t in transitions),
        recorded_runs=recorded,
    )
    return RescreenReport(transitions, stats, new_decisions, new_matches, stored_rules)


def _fired(decision: Decision) -> list[str]:
    """The rules above less risky ``decision`` fired, sorted."""
    return sorted({r.rule_id for r in decision.reasons if r.category.value != "less_risky"})


def _order_transition(
    s: StoredDecision,
    dec: Decision,
    before: str,
    after: str,
    baseline: Baseline | None,
    on: dt.date,
    plan: Planner,
    change: str | None,
    got_worse: bool,
) -> Transition:
    """``change``: how the list matches changed, when the outcome does not say it (``outcome_change``)."""
    notes = [f.note for f in assess(dec, baseline, today=on) if not f.cleared and f.note] if baseline else []
    notes += [change] if change else []
    return Transition(
        kind="order",
        key=s.transaction_id,
        before=before,
        after=after,
        worse=got_worse,
        stored_run=s.run_id,
        stored_registry=plan.confirmations.basis(s.run_seq, "orders").registry_version,
        registry=dec.registry.version,
        as_of=on,
        rule_ids=_fired(dec),
        matches_before=_refs(s.decision.matches),
        matches_after=_refs(dec.matches),
        note="; ".join(notes) or None,
    )


def _party_transition(
    stored: StoredMatch,
    matches: list[PartyMatch],
    before: str,
    after: str,
    screener: Screener,
    on: dt.date,
    plan: Planner,
    change: str | None,
    got_worse: bool,
) -> Transition:
    return Transition(
        kind="party",
        key=stored.ref,
        before=before,
        after=after,
        worse=got_worse,
        stored_run=stored.run_id,
        stored_registry=plan.confirmations.basis(stored.run_seq, "parties").registry_version,
        registry=screener.registry.version,
        as_of=on,
        matches_before=_refs(stored.matches),
        matches_after=_refs(matches),
        note=change,
    )


def _rematch(screener: Screener, parties: list[StoredMatch], on: dt.date, workers: int) -> dict[str, list[PartyMatch]]:
    """The matches of each party now (``match_many``, each with its own country)."""
    found = screener.match_many(((m.name, m.country) for m in parties), as_of=on, workers=workers)
    out: dict[str, list[PartyMatch]] = {}
    for m, matches in zip(parties, found, strict=True):
        assert isinstance(matches, list)
        out[m.ref] = matches
    return out


def _record(
    screener: Screener,
    ledger: Ledger,
    plan: Planner,
    orders: list[StoredDecision],
    decisions: dict[str, Decision],
    parties: list[StoredMatch],
    matches: dict[str, list[PartyMatch]],
    user: str | None,
) -> list[str]:
    meta = {"covers_through_run_seq": plan.confirmations.last_seq, "full": plan.full}
    packs = [PackRef(id=i, version=v) for i, v in plan.packs_now]
    runs = [
        ledger.record(
            ((s.transaction, decisions[s.transaction_id]) for s in orders),
            command="rescreen",
            registry=screener.registry,
            as_of=plan.on,
            packs=packs,
            user=user,
            meta={**meta, "records": "orders"},
        ),
        ledger.record_matches(
            ((m.ref, m.name, m.country, matches[m.ref]) for m in parties),
            command="rescreen",
            registry=screener.registry,
            as_of=plan.on,
            user=user,
            meta={**meta, "records": "parties"},
        ),
    ]
    return [r.run_id for r in runs]
