"""Which stored parties a list update can touch (``DeltaIndex``), decided with the matcher's own index.

A full re-screen scores every stored party against every listed name. After a list update only the
*fresh* entries - added, changed, or listed on the new screening date but not on the old one - can
give a party a match it did not have; every party that had a match at all is re-screened anyway
(its entry may have changed, been removed or been cleared). So a party needs re-screening for the
fresh entries only when its name matches one of them, and that is decided by the engine itself on
the new registry (its weights, vocabulary and coverage floor), over the fresh names only:

* the candidates are ``Pruner.gather`` cut to the fresh names, computed from the fresh names'
  postings (``DeltaIndex.fresh_candidates``; ``tests/rescreen/test_delta.py`` checks it equals the
  engine's gather), plus the names never pruned (compact form, initials, split words, a name the
  query begins);
* each candidate is scored by the engine's scorer and accepted as ``NameMatcher.search`` accepts
  it (at the review threshold). What is left is the cost of preparing each stored party's query.

Addresses go through the address matcher itself (``search_address``), restricted to fresh entries.
What this cannot see, by design: a score against an *unchanged* entry that the update moves across a
threshold through the listed words' weights (``ln(1 + N / df)`` shifts a little with every entry
added). Parties with a stored match are re-screened, so this is only about a party with no match
rising from just under the review threshold; ``rescreen --full`` re-screens everything.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import TYPE_CHECKING

from exportscreen._errors import InputError
from exportscreen.matching.base import Matcher
from exportscreen.matching.engine import NameMatcher
from exportscreen.matching.prune import coverage_floor
from exportscreen.matching.query import Query
from exportscreen.registry.model import Entry, Registry

if TYPE_CHECKING:
    from concurrent.futures import Future

__all__ = ["DeltaIndex", "fresh_entries", "may_match_many"]

#: names sent to a worker process at a time
CHUNK = 2048
_WORKER: DeltaIndex | None = None


def fresh_entries(
    old: Registry, new: Registry, *, on: dt.date, old_dates: Sequence[dt.date]
) -> frozenset[tuple[str, str]]:
    """Keys of the entries of ``new`` in force on ``on`` that could match where the same entry of
    ``old`` could not on any of ``old_dates``: added, changed (content hash), or newly in force."""
    before = {e.key: e for e in old.entries}
    lo = min(old_dates) if old_dates else on
    hi = max(old_dates) if old_dates else on
    out: set[tuple[str, str]] = set()
    for e in new.entries:
        if not e.active(on):
            continue
        prev = before.get(e.key)
        if prev is None or prev.content_hash != e.content_hash or _dated_between(prev, lo, hi):
            out.add(e.key)
    return frozenset(out)


def _dated_between(e: Entry, lo: dt.date, hi: dt.date) -> bool:
    """The entry may have been out of force on some date in ``[lo, hi]`` (a start or end date that
    could exclude one of them)."""
    return (e.start_date is not None and e.start_date > lo) or (e.end_date is not None and e.end_date <= hi)


class DeltaIndex:
    """The fresh entries of one matcher's registry, and the test of whether a party can match one."""

    def __init__(
        self, matcher: Matcher, registry: Registry, fresh: Iterable[tuple[str, str]], *, min_score: float
    ) -> None:
        self.min_score = min_score
        keys = frozenset(fresh)
        entries = registry.entries
        self.entry_indices: frozenset[int] = frozenset(i for i, e in enumerate(entries) if e.key in keys)
        self.has_addresses = any(entries[i].addresses for i in self.entry_indices)
        #: another engine than the index (a test double, a future engine): every party may match
        self.engine: NameMatcher | None = matcher if isinstance(matcher, NameMatcher) else None
        self.names: frozenset[int] = frozenset()
        self.words: frozenset[int] = frozenset()
        self.holders: dict[int, frozenset[int]] = {}
        #: per listed word, the fresh names posted under it (the engine's postings, cut to fresh names)
        self.postings: dict[int, tuple[int, ...]] = {}
        self.theta = 0.0
        if self.engine is not None:
            c = self.engine.compiled
            self.names = frozenset(k for k, e in enumerate(c.entry) if e in self.entry_indices)
            holders: dict[int, set[int]] = {}
            for k in self.names:
                for vid in c.tokens[k]:
                    holders.setdefault(vid, set()).add(k)
            #: per listed word, the fresh names holding it
            self.holders = {vid: frozenset(ks) for vid, ks in holders.items()}
            self.words = frozenset(self.holders)
            for vid, ids in c.postings.items():
                mine = tuple(k for k in ((ids,) if isinstance(ids, int) else ids) if k in self.names)
                if mine:
                    self.postings[vid] = mine
            self.theta = coverage_floor(max(min_score, self.engine.floor))
        #: the index serves every threshold from its floor up; below it the matcher scores every name
        self.exhaustive = self.engine is None or self.engine.exhaustive or min_score < self.engine.floor
        self.matcher = matcher

    def __len__(self) -> int:
        return len(self.entry_indices)

    def name_may_match(self, name: str, country: str | None) -> bool:
        """Some fresh listed name is a candidate of ``name`` (a name the matcher refuses cannot match)."""
        if not self.entry_indices:
            return False
        if self.exhaustive or self.engine is None:
            return True
        try:
            queries = self.engine.queries.prepare(name, country, None)
        except InputError:
            return True  # the re-screen says what is wrong with it: never passed silently
        score = self.engine.scorer.score
        for q in queries:
            for k in self.fresh_candidates(q):
                s, detail = score(q, k)
                # the engine's own acceptance (NameMatcher.search): a fresh name that scores the threshold
                if detail is not None and s > 0 and s >= self.min_score:
                    return True
        return False

    def fresh_candidates(self, q: Query) -> set[int]:
        """``Pruner.gather(q, theta)`` cut to the fresh names (the engine's candidates at ``min_score``),
        computed over the fresh names' postings only; ``tests/rescreen/test_delta.py`` checks the two agree."""
        assert self.engine is not None
        c, names = self.engine.compiled, self.names
        found = self.engine.pruner.never_pruned(q) & names
        if q.has_stubs:
            holders = self.holders
            for vid in q.bounds:
                found.update(holders.get(vid, ()))
            return found
        postings = self.postings
        acc: dict[int, float] = {}
        for nm in q.near:
            for vid, (sim, _how) in nm.items():
                plist = postings.get(vid)
                if plist is None:
                    continue
                w = c.weight[vid] * sim
                for k in plist:
                    acc[k] = acc.get(k, 0.0) + w
        for _i, joined in q.joins:
            found.update(postings.get(joined, ()))
        least = self.engine.pruner.least_gathered(self.theta)
        found.update(k for k, a in acc.items() if a >= least[k])
        return found

    def address_may_match(self, address: str) -> bool:
        """A fresh entry's listed address matches ``address`` at ``min_score`` or more."""
        if not self.has_addresses:
            return False
        try:
            found = self.matcher.search_address(address, limit=None, min_score=self.min_score)
        except InputError:
            return True
        return any(c.entry_index in self.entry_indices for c in found)


def _init_worker(index: DeltaIndex) -> None:
    global _WORKER
    _WORKER = index


def _run_chunk(pairs: list[tuple[str, str | None]]) -> list[bool]:
    assert _WORKER is not None
    return [_WORKER.name_may_match(n, c) for n, c in pairs]


def may_match_many(index: DeltaIndex, pairs: Iterable[tuple[str, str | None]], *, workers: int = 1) -> Iterator[bool]:
    """``index.name_may_match`` of each (name, country), in input order; ``workers > 1`` tests them in
    forked processes that share the index (``matching.batch``'s pattern: at most two chunks in flight
    per worker, so memory stays flat)."""
    if workers <= 1 or not index.entry_indices:
        for name, country in pairs:
            yield index.name_may_match(name, country)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from exportscreen.matching.batch import gc_frozen

    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    it = iter(pairs)
    with gc_frozen(), ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(index,)
    ) as pool:
        pending: deque[Future[list[bool]]] = deque()
        while chunk := list(islice(it, CHUNK)):
            pending.append(pool.submit(_run_chunk, chunk))
            if len(pending) >= 2 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
