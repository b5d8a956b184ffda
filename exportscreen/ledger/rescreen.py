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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from exportscreen import __version__
from exportscreen.baseline import Baseline, assess
from exportscreen.ledger.basis import Basis, Confirmations, data_dates
from exportscreen.ledger.delta import COVERED, DIRECT, UNKNOWN, DeltaIndex, fresh_entries, may_match_many
from exportscreen.ledger.transitions import (
    EntryRef,
    RescreenStats,
    Transition,
    match_change,
    open_matches,
    order_outcome,
    party_matches,
    party_outcome,
    worse,
)
from exportscreen.matching.engine import NameMatcher
from exportscreen.matching.terms import PartyTerms
from exportscreen.models import Decision, PackRef, PartyMatch, Transaction
from exportscreen.registry.model import Registry

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


class _Deltas:
    """The fresh entries against each stored registry version and date (built when first asked)."""

    def __init__(self, screener: Screener, ledger: Ledger, on: dt.date, dates: dict[str, set[dt.date]]) -> None:
        self.screener, self.ledger, self.on = screener, ledger, on
        #: per registry version, every date a record confirmed under it was screened on
        self.dates = dates
        self._old: dict[str, Registry | None] = {}
        self._index: dict[str, DeltaIndex] = {}
        self.fresh: set[tuple[str, str]] = set()

    def old(self, version: str) -> Registry | None:
        if version not in self._old:
            self._old[version] = (
                self.ledger.registry(version, known=self.screener.registry)
                if self.ledger.has_registry(version)
                else None
            )
        return self._old[version]

    def fresh_count(self) -> int:
        """How many entries are fresh against the stored registries read so far, also where no index
        was needed (every record re-screened for another reason)."""
        for version, old in self._old.items():
            if old is not None and version not in self._index:
                dates = sorted(self.dates.get(version, ()))
                self.fresh |= fresh_entries(old, self.screener.registry, on=self.on, old_dates=dates)
        return len(self.fresh)

    def index_engine(self) -> NameMatcher | None:
        """The screener's matcher when it is the index engine (only its parties can be probed)."""
        m = self.screener.matcher
        return m if isinstance(m, NameMatcher) else None

    def index(self, version: str) -> DeltaIndex | None:
        hit = self._index.get(version)
        if hit is None:
            old = self.old(version)
            if old is None:
                return None
            dates = sorted(self.dates.get(version, ()))
            fresh = fresh_entries(old, self.screener.registry, on=self.on, old_dates=dates)
            self.fresh |= fresh
            hit = DeltaIndex(
                self.screener.matcher, self.screener.registry, fresh, min_score=self.screener.settings.review
            )
            self._index[version] = hit
        return hit


def _refs(matches: Iterable[PartyMatch]) -> list[EntryRef]:
    return [
        EntryRef(source=m.source, id=m.entry_id, name=m.entry_name, list=m.list, score=m.score, strength=m.strength)
        for m in matches
    ]


def _order_names(tx: Transaction) -> Iterator[tuple[str, str | None]]:
    for p in tx.parties:
        for name in (p.name, *p.aliases):
            yield name, p.country
        for o in p.owners:
            yield o.name, o.country


class _Planner:
    """Decides, record by record, what must be re-screened."""

    def __init__(
        self, screener: Screener, ledger: Ledger, on: dt.date, full: bool, orders: list[StoredDecision]
    ) -> None:
        self.screener, self.on, self.full = screener, on, full
        runs = ledger.runs()
        self.confirmations = Confirmations(runs)
        dates: dict[str, set[dt.date]] = {}
        for r in runs:
            dates.setdefault(r.registry_version, set()).add(r.as_of or r.started_at.date())
        for s in orders:
            basis = self.confirmations.basis(s.run_seq, "orders")
            dates.setdefault(basis.registry_version, set()).add(basis.on or s.decision.as_of)
        self.deltas = _Deltas(screener, ledger, on, dates)
        self.dates = data_dates(screener)
        self.packs_now = tuple((p.id, p.version) for p in screener.packs if p.active(on))
        self.reasons: set[str] = {"requested"} if full else set()

    def _global(self, basis: Basis) -> str | None:
        if self.full:
            return "requested"
        if basis.tool_version != __version__:
            return f"tool version {basis.tool_version} -> {__version__}"
        old = self.deltas.old(basis.registry_version)
        if old is None:
            return f"registry {basis.registry_version[:12]} not in the ledger"
        return None

    def _dated(self, stored_on: dt.date) -> bool:
        lo, hi = min(stored_on, self.on), max(stored_on, self.on)
        return lo != hi and any(lo <= d <= hi for d in self.dates)

    def order(self, stored: StoredDecision) -> bool:
        basis = self.confirmations.basis(stored.run_seq, "orders")
        d = stored.decision
        why = self._global(basis)
        if why is not None:
            self.reasons.add(why)
            return True
        on = basis.on or d.as_of
        packs = basis.packs if basis.packs is not None else tuple((p.id, p.version) for p in d.packs)
        old = self.deltas.old(basis.registry_version)
        if d.matches or packs != self.packs_now or self._dated(on):
            return True
        if old is None or old.lists != self.screener.registry.lists:
            return True
        if any(r.covered_by for r in d.licence_requirements):
            return True
        if self.screener.licensing.register is not None and d.licence_requirements:
            return True
        index = self.deltas.index(basis.registry_version)
        if index is None:
            return True
        tx = stored.transaction
        if any(index.name_may_match(name, country) for name, country in _order_names(tx)):
            return True
        return any(p.address and index.address_may_match(p.address) for p in tx.parties)

    def party(self, stored: StoredMatch) -> DeltaIndex | bool:
        """True: re-screen; False: it stands; an index: re-screen if its name may match a fresh entry."""
        basis = self.confirmations.basis(stored.run_seq, "parties")
        why = self._global(basis)
        if why is not None:
            self.reasons.add(why)
            return True
        if stored.matches:
            return True
        index = self.deltas.index(basis.registry_version)
        if index is None:
            return True
        return index if index.entry_indices else False

    def _probed_runs(self, ledger: Ledger, runs: list[int]) -> dict[int, DeltaIndex]:
        """The party-file runs whose rows can be found by their search terms: recorded with the terms of
        this matcher's scheme, under a basis that needs no full re-screen, with an index that probes."""
        engine = self.deltas.index_engine()
        if engine is None or self.full:
            return {}
        scheme = PartyTerms(engine.words).scheme
        schemes = ledger.term_schemes()
        out: dict[int, DeltaIndex] = {}
        for seq in runs:
            basis = self.confirmations.basis(seq, "parties")
            if schemes.get(seq) != scheme or self._global(basis) is not None:
                continue
            index = self.deltas.index(basis.registry_version)
            if index is not None and not index.exhaustive:
                out[seq] = index
        return out

    def parties(self, ledger: Ledger, workers: int) -> list[StoredMatch]:
        """The stored parties to re-screen, by ref. Rows of a run with search terms are found through
        them (``DeltaIndex.probe``); the others are read one by one."""
        runs = ledger.match_runs()
        probed = self._probed_runs(ledger, runs)
        found: list[StoredMatch] = []
        waiting: dict[int, tuple[DeltaIndex, list[StoredMatch]]] = {}
        if set(runs) - set(probed):
            for m in ledger.latest_matches():
                if m.run_seq in probed:
                    continue
                verdict = self.party(m)
                if verdict is True:
                    found.append(m)
                elif verdict is not False:
                    waiting.setdefault(id(verdict), (verdict, []))[1].append(m)
        by_index: dict[int, tuple[DeltaIndex, set[int]]] = {}
        for seq, index in probed.items():
            by_index.setdefault(id(index), (index, set()))[1].add(seq)
        vocabulary = list(ledger.term_vocabulary()) if by_index else []
        for index, seqs in by_index.values():
            found += _probed(ledger, index, seqs, vocabulary, workers)
        for index, group in waiting.values():
            hits = may_match_many(index, ((m.name, m.country, UNKNOWN) for m in group), workers=workers)
            found.extend(m for m, hit in zip(group, hits, strict=True) if hit)
        return sorted(found, key=lambda m: m.ref)


def _probed(
    ledger: Ledger, index: DeltaIndex, seqs: set[int], vocabulary: list[str], workers: int
) -> list[StoredMatch]:
    """The rows of runs ``seqs`` to re-screen, found through their search terms: each row the probe admits
    is tested on its name and country alone (with what the probe knows of how it was admitted), and
    only those it keeps, and those that had a match, are read in full as the newest of their ref."""
    probe = index.probe(vocabulary)
    assert probe is not None  # the runs were chosen so
    direct, covered = ledger.rows_admitted_by(probe)
    admitted = {pos: DIRECT for pos in direct if pos[0] in seqs}
    admitted.update((pos, COVERED) for pos in covered if pos[0] in seqs)
    names = ledger.names_at(admitted)
    keep = [pos for pos, (_name, _country, had) in names.items() if had]
    tested = [(pos, name, country) for pos, (name, country, had) in names.items() if not had]
    hits = may_match_many(index, ((name, country, admitted[pos]) for pos, name, country in tested), workers=workers)
    keep += [pos for (pos, _name, _country), hit in zip(tested, hits, strict=True) if hit]
    return list(ledger.latest_matches_at(keep))


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
    """Re-screen what the lists in force on ``as_of`` (default today) can change; see the module doc."""
    on = as_of or dt.date.today()
    orders = list(ledger.latest_decisions())
    plan = _Planner(screener, ledger, on, full, orders)
    touched_orders = [s for s in orders if plan.order(s)]
    new_decisions: dict[str, Decision] = {}
    results = screener.screen_many((s.transaction for s in touched_orders), as_of=on, workers=workers)
    for s, dec in zip(touched_orders, results, strict=True):
        assert isinstance(dec, Decision)
        new_decisions[s.transaction_id] = dec
    transitions: list[Transition] = []
    stored_rules: dict[str, list[str]] = {}
    for s in orders:
        dec = new_decisions.get(s.transaction_id, s.decision)
        before = order_outcome(s.decision, baseline, s.decision.as_of)
        after = order_outcome(dec, baseline, on)
        change, got_worse = (
            match_change(open_matches(s.decision, baseline, s.decision.as_of), open_matches(dec, baseline, on))
            if before == after
            else (None, False)
        )
        if before != after or change:
            transitions.append(_order_transition(s, dec, before, after, baseline, on, plan, change, got_worse))
            stored_rules[s.transaction_id] = _fired(s.decision)
    touched_parties = plan.parties(ledger, workers)
    parties_stored = ledger.party_count()
    stored_matches = {m.ref: m for m in touched_parties}
    new_matches = _rematch(screener, touched_parties, on, workers)
    for ref, stored in stored_matches.items():
        before, after = party_outcome(stored.matches), party_outcome(new_matches[ref])
        change, got_worse = (
            match_change(party_matches(stored.matches), party_matches(new_matches[ref]))
            if before == after
            else (None, False)
        )
        if before != after or change:
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
    plan: _Planner,
    change: str | None,
    got_worse: bool,
) -> Transition:
    """``change``: how the list matches changed when the outcome did not (``match_change``)."""
    notes = [f.note for f in assess(dec, baseline, today=on) if not f.cleared and f.note] if baseline else []
    notes += [change] if change else []
    return Transition(
        kind="order",
        key=s.transaction_id,
        before=before,
        after=after,
        worse=got_worse if change else worse("order", before, after),
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
    plan: _Planner,
    change: str | None,
    got_worse: bool,
) -> Transition:
    return Transition(
        kind="party",
        key=stored.ref,
        before=before,
        after=after,
        worse=got_worse if change else worse("party", before, after),
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
    plan: _Planner,
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
