"""What a delta re-screen must re-screen (``Planner``), record by record: the basis each stored order or
party was last confirmed under, the fresh entries against each stored registry (``Deltas``), and the
party-file rows found through their search terms (``ledger.delta``, ``ledger.term_queries``).
``ledger.rescreen`` re-screens what the planner picks; see its module doc for the rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from exportscreen.ledger.basis import Basis, Confirmations, data_dates, tool_build
from exportscreen.ledger.delta import COVERED, DIRECT, UNKNOWN, DeltaIndex, fresh_entries
from exportscreen.ledger.models import LedgerError
from exportscreen.ledger.pool import Helper, may_match_many
from exportscreen.matching.batch import gc_frozen
from exportscreen.matching.engine import NameMatcher
from exportscreen.matching.terms import PartyTerms
from exportscreen.models import Transaction
from exportscreen.registry.model import Registry

if TYPE_CHECKING:
    from exportscreen.ledger import Ledger, StoredDecision, StoredMatch
    from exportscreen.screener import Screener

__all__ = ["Deltas", "Planner"]


class Deltas:
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


def _order_names(tx: Transaction) -> Iterator[tuple[str, str | None]]:
    for p in tx.parties:
        for name in (p.name, *p.aliases):
            yield name, p.country
        for o in p.owners:
            yield o.name, o.country


class Planner:
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
        self.deltas = Deltas(screener, ledger, on, dates)
        self.dates = data_dates(screener)
        self.packs_now = tuple((p.id, p.version) for p in screener.packs if p.active(on))
        self.reasons: set[str] = {"requested"} if full else set()

    def _global(self, basis: Basis) -> str | None:
        if self.full:
            return "requested"
        if basis.tool_version != tool_build():
            return f"tool version {basis.tool_version} -> {tool_build()}"
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
            # the loaded lists and index frozen: the ~100,000 rows, tuples and dicts made here would
            # otherwise start full collections walking them (~65 ms each; 0.2-0.3 s at 1,000,000 parties)
            with gc_frozen():
                found += _probed(ledger, index, seqs, vocabulary, workers)
        for index, group in waiting.values():
            hits = may_match_many(index, ((m.name, m.country, UNKNOWN, None) for m in group), workers=workers)
            found.extend(m for m, hit in zip(group, hits, strict=True) if hit)
        return sorted(found, key=lambda m: m.ref)


def _probed(
    ledger: Ledger, index: DeltaIndex, seqs: set[int], vocabulary: list[str], workers: int
) -> list[StoredMatch]:
    """The rows of runs ``seqs`` to re-screen, found through their search terms: each row the probe admits
    is tested on its name and country alone (with what the probe knows of how it was admitted), and
    only those it keeps, and those that had a match, are read in full as the newest of their ref."""
    words = [t[2:] for t in vocabulary if t.startswith("w:")]
    helper = Helper(index, words[1::2], words) if workers > 1 and index.engine and index.entry_indices else None
    try:
        known = None
        if helper is not None:  # half the words related here, half in the helper
            known = index.nearness(words[::2])
            known.update(helper.nearness())
        probe = index.probe(vocabulary, known)
        assert probe is not None  # the runs were chosen so
        direct, covered = ledger.rows_admitted_by(probe)
        admitted = {pos: DIRECT for pos in direct if pos[0] in seqs}
        admitted.update((pos, COVERED) for pos in covered if pos[0] in seqs)
        names = ledger.names_at(admitted)
        if helper is not None and index.bound is not None:
            index.bound.adopt(helper.weights())
    finally:
        if helper is not None:
            helper.close()
    keep = [pos for pos, row in names.items() if row.had_match]
    tested = [(pos, row) for pos, row in names.items() if not row.had_match]
    hits = may_match_many(index, ((r.name, r.country, admitted[pos], r.reading) for pos, r in tested), workers=workers)
    for (pos, _row), hit in zip(tested, hits, strict=True):
        if hit is None:
            raise LedgerError(
                f"the stored reading of match row {pos[1]} of run seq {pos[0]} does not validate "
                "(corrupted or edited ledger)",
                path=ledger.path,
            )
        if hit:
            keep.append(pos)
    return list(ledger.latest_matches_at(keep))
