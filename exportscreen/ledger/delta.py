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
  it (at the review threshold).

Preparing every stored party's query would still cost more than the rest together, so a party
recorded with its search terms (``matching.terms``) is first tested on those: ``DeltaIndex.probe``
takes the ledger's distinct terms and returns those through which a fresh name can be a candidate
(a word the finders of the similarity rules relate to a fresh name's word, a join, compact form,
acronym or first word equal to a fresh name's, a possible stub); only the parties holding one are
prepared and tested as above. Each finder relates a pair of words on its own, so the finders over a
vocabulary of the fresh words alone find exactly the fresh words among a word's candidates (and the
rules score them as they would in the whole vocabulary).

Addresses go through the address matcher itself (``search_address``), restricted to fresh entries.
What this cannot see, by design: a score against an *unchanged* entry that the update moves across a
threshold through the listed words' weights (``ln(1 + N / df)`` shifts a little with every entry
added). Parties with a stored match are re-screened, so this is only about a party with no match
rising from just under the review threshold; ``rescreen --full`` re-screens everything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from exportscreen._errors import InputError
from exportscreen.ledger.qbound import QueryBound
from exportscreen.matching.base import Matcher
from exportscreen.matching.engine import NameMatcher
from exportscreen.matching.prune import coverage_floor
from exportscreen.matching.query import Query, Reading
from exportscreen.matching.similarity import RULES
from exportscreen.matching.terms import CUT_OFF, HAD_MATCH, REFUSED
from exportscreen.matching.vocab import Vocabulary
from exportscreen.matching.words import WordLists
from exportscreen.registry.model import Entry, Registry

if TYPE_CHECKING:
    pass

__all__ = ["COVERED", "DIRECT", "UNKNOWN", "DeltaIndex", "Probe", "fresh_entries"]

#: how the probe admitted a stored party's terms (``DeltaIndex.name_may_match``): not known; directly
#: or through a stub (``Probe.direct``, ``stubs`` with ``near``); through their coverage only
UNKNOWN, DIRECT, COVERED = 0, 1, 2


def fresh_entries(
    old: Registry, new: Registry, *, on: dt.date, old_dates: Sequence[dt.date]
) -> frozenset[tuple[str, str]]:
    """Keys of the entries of ``new`` that count on ``on`` (``Registry.counts_on``) and could match
    where the same entry of ``old`` could not on any of ``old_dates``: added, changed (content hash),
    or newly in force (or newly lapsed without the list confirming it)."""
    before = {e.key: e for e in old.entries}
    lo = min(old_dates) if old_dates else on
    hi = max(old_dates) if old_dates else on
    out: set[tuple[str, str]] = set()
    for e in new.entries:
        if not new.counts_on(e, on):
            continue
        prev = before.get(e.key)
        if prev is None or prev.content_hash != e.content_hash or _dated_between(old, prev, lo, hi):
            out.add(e.key)
    return frozenset(out)


def _dated_between(old: Registry, e: Entry, lo: dt.date, hi: dt.date) -> bool:
    """The entry may not have counted in ``old`` on some date in ``[lo, hi]``: a start date that could
    exclude one of them, or an end date before one of them that ``old`` confirms (a lapse its list
    does not confirm kept the entry counting, ``Registry.lapse_unconfirmed``)."""
    if e.start_date is not None and e.start_date > lo:
        return True
    return e.end_date is not None and e.end_date <= hi and not old.lapse_unconfirmed(e, hi)


@dataclass(frozen=True, slots=True)
class Probe:
    """What lets a party be a candidate of a fresh name: one of the ``direct`` terms; one of ``stubs``
    together with one of ``near``; or word terms covering enough of one fresh name's weight, the
    bound ``Pruner.select`` drops names by ("C alone falls short"): per name, the sum over its words
    of the word's weight times the best similarity of a party word to it reaches ``cover``. The
    name's weak words are counted as matched (they are left out of ``words``), so the test runs
    over its distinctive words only."""

    direct: frozenset[str]
    stubs: frozenset[str]
    near: frozenset[str]
    #: per word term, per listed word id of a fresh name it is near, the best similarity
    sims: dict[str, dict[int, float]]
    #: per fresh name id: (position, listed word id, weight) of its distinctive words
    words: dict[int, list[tuple[int, int, float]]]
    #: per fresh name id, the weight of its distinctive words the party must cover
    cover: dict[int, float]
    #: per word of a word term, every listed word id of a fresh name near it, with the best similarity
    reach: dict[str, dict[int, float]] = field(default_factory=dict)

    def admits(self, terms: frozenset[str]) -> bool:
        """A party with these terms may be a candidate of a fresh name (what the ledger's query decides)."""
        if not terms.isdisjoint(self.direct) or (not terms.isdisjoint(self.stubs) and not terms.isdisjoint(self.near)):
            return True
        best: dict[int, float] = {}
        for t in terms:
            for vid, sim in self.sims.get(t, {}).items():
                best[vid] = max(best.get(vid, 0.0), sim)
        if not best:
            return False
        for k, positions in self.words.items():
            got = [w * best[vid] for _pos, vid, w in positions if vid in best]
            if got and sum(got) >= self.cover[k]:
                return True
        return False


#: summed in another order than the engine's (SQL), a covered weight may differ in its last bits
COVER_SLACK = 1e-9


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
        self._held_vocab: Vocabulary | None = None
        #: set by ``probe``: the test ``name_may_match`` runs before preparing a query
        self.bound: QueryBound | None = None

    def __len__(self) -> int:
        return len(self.entry_indices)

    def name_may_match(
        self, name: str, country: str | None, admitted: int = UNKNOWN, reading: Reading | None = None
    ) -> bool:
        """Some fresh listed name is a candidate of ``name`` (a name the matcher refuses cannot match).
        ``admitted``: how the probe admitted the name's stored terms, when known (``DIRECT``: the
        bound, which lets such a name through, is not run; ``COVERED``: it is run without the terms);
        ``reading``: the name's reading (``Readings.of``) as the ledger stored it with them
        (``_rows.reading_text``), not read again."""
        if not self.entry_indices:
            return False
        if self.exhaustive or self.engine is None:
            return True
        bound = None if admitted == DIRECT else self.bound
        if bound is not None and not bound.may_reach(name, terms_checked=admitted == COVERED, reading=reading):
            return False
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

    def _fresh_vocabulary(self) -> Vocabulary:
        """The words of the fresh names, as a vocabulary the similarity rules' finders search."""
        assert self.engine is not None
        if self._held_vocab is None:
            c = self.engine.compiled
            self._held_vocab = Vocabulary.build(sorted({c.vocab.words[vid] for vid in self.holders}), self.engine.words)
        return self._held_vocab

    def nearness(self, words: Iterable[str]) -> dict[str, dict[int, float]]:
        """Per word, the fresh names' words near it (ids of the compiled vocabulary) with the best
        similarity (``_nearness``); what ``probe`` computes for each word term it is not given."""
        assert self.engine is not None
        held, lists, ids = self._fresh_vocabulary(), self.engine.words, self.engine.compiled.vocab.ids
        return {x: {ids[listed]: sim for listed, sim in _nearness(held, x, lists).items()} for x in words}

    def probe(self, terms: Iterable[str], known: Mapping[str, dict[int, float]] | None = None) -> Probe | None:
        """What lets a party be a candidate of a fresh name (``matching.terms``). The word, repeat and
        stub terms are looked at among ``terms`` (the ledger's vocabulary, ``VOCABULARY_KINDS``); the
        others are equalities, so the fresh names' own joins, compact forms, acronyms and beginnings
        are the terms. None when every party may match (another engine, or a threshold the index does
        not serve). ``known``: ``nearness`` of some of the words, computed elsewhere (another process)."""
        if self.exhaustive or self.engine is None:
            return None
        c = self.engine.compiled
        if not self.entry_indices:
            return Probe(frozenset({REFUSED, HAD_MATCH}), frozenset(), frozenset(), {}, {}, {})
        words, ids, names = c.vocab.words, c.vocab.ids, self.names
        held = {words[vid] for vid in self.holders}
        known = known or {}
        compacts = {key for key, found in c.compact_map.items() if _any_in(found, names)}
        acronyms = compacts | {key for key, found in c.initials_map.items() if _any_in(found, names)}
        direct: set[str] = {REFUSED, HAD_MATCH}
        # a query that is the beginning of a fresh name (never pruned): each beginning is a term
        direct.update(CUT_OFF + c.folded[k][:n] for k in names for n in range(1, len(c.folded[k]) + 1))
        # a query word that is two adjacent words of a fresh name joined (split words)
        direct.update("w:" + key for key, found in c.pair_postings.items() if _any_in(found, names))
        direct.update("j:" + w for w in held)  # two query words joined are a fresh name's word
        direct.update("c:" + key for key in acronyms)  # acronyms either way
        direct.update("i:" + key for key in compacts)
        stubs: set[str] = set()
        near: set[str] = set()
        sims: dict[str, dict[int, float]] = {}
        reach: dict[str, dict[int, float]] = {}
        words_of, cover = self._distinctive_words()
        distinctive = {vid for positions in words_of.values() for _j, vid, _w in positions}
        for term in terms:
            kind, _, text = term.partition(":")
            if kind == "s":
                if len(text) == 1 or text not in ids:
                    stubs.add(term)
                continue
            if kind != "w":
                raise ValueError(f"search term {term!r} is not of a vocabulary kind")
            every = known.get(text)
            if every is None:
                every = self.nearness((text,))[text]
            reach[text] = every
            if not every:
                continue
            near.add(term)
            mine = {vid: sim for vid, sim in every.items() if vid in distinctive}
            if mine:
                sims[term] = mine
        probe = Probe(frozenset(direct), frozenset(stubs), frozenset(near), sims, words_of, cover, reach)

        def nearness(word: str) -> dict[int, float]:
            return self.nearness((word,))[word]

        self.bound = QueryBound(self.engine, probe, names, self.holders, self.min_score, nearness)
        return probe

    def _distinctive_words(self) -> tuple[dict[int, list[tuple[int, int, float]]], dict[int, float]]:
        """Per fresh name its distinctive words (position, id, weight) and the weight of them a query
        must cover for the name's coverage to reach the least ``Pruner.select`` keeps (its weak words
        and a person's initials, which query words no finder returns credit, counted as matched; a
        name of weak words only keeps them all)."""
        assert self.engine is not None
        c = self.engine.compiled
        _need, least_cover = self.engine.pruner.needs(self.min_score)
        words_of: dict[int, list[tuple[int, int, float]]] = {}
        cover: dict[int, float] = {}
        for k in self.names:
            own = c.nweights[k]
            every = [(j, vid, c.weight[vid] if own is None else own[j]) for j, vid in enumerate(c.tokens[k])]
            initial = {j for j, _letters in c.initial_at[k]}
            heavy = [p for p in every if not c.weak[p[1]] and p[0] not in initial] or every
            light = sum(w for _j, _vid, w in every) - sum(w for _j, _vid, w in heavy)
            words_of[k] = heavy
            cover[k] = c.total[k] * least_cover[c.name_field[k]] - light - COVER_SLACK
        return words_of, cover

    def address_may_match(self, address: str) -> bool:
        """A fresh entry's listed address matches ``address`` at ``min_score`` or more."""
        if not self.has_addresses:
            return False
        try:
            found = self.matcher.search_address(address, limit=None, min_score=self.min_score)
        except InputError:
            return True
        return any(c.entry_index in self.entry_indices for c in found)


def _any_in(ids: int | tuple[int, ...], names: frozenset[int]) -> bool:
    return ids in names if isinstance(ids, int) else not names.isdisjoint(ids)


def _nearness(vocab: Vocabulary, word: str, lists: WordLists) -> dict[str, float]:
    """The words of ``vocab`` some rule scores ``word`` (dotted or not) above zero against, each with
    the best score: the query word's ``near`` cut to ``vocab`` (an upper bound when dotted)."""
    out: dict[str, float] = {}
    for rule in RULES:
        if rule.finder is None:
            continue
        for vid in vocab.candidates(rule, word, False, lists):
            listed = vocab.words[vid]
            sim = max(rule.score(word, listed, False, lists), rule.score(word, listed, True, lists))
            if sim > out.get(listed, 0.0):
                out[listed] = sim
    return out
