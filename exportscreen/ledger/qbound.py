"""A party's query bounded before it is prepared (``QueryBound``): the bound ``Pruner.select`` drops
names by, over both sides, computed from the party name's readings and the words near the fresh
names' words that ``DeltaIndex.probe`` found.

``Probe.admits`` bounds only the coverage ``C`` of a fresh name (the listed side), summed over every
term of a party; ``Pruner.select`` also bounds ``Q``, the share of the query's weight the name can
cover, which needs the query's own words and their weights. Most parties the probe admits cover one
distinctive word of a fresh name and have words of their own, so ``Q`` drops them (at 100,000
generated parties: 5,257 tested, 1,494 kept by ``select``, 277 matching).

``QueryBound.may_reach`` is False only where ``name_may_match`` is False: per reading of the name
and fresh name it reaches, ``C`` and ``Q`` are bounded from above as ``select`` bounds them (every
query word near one of the name's words, or credited by its entry's addresses or other names, or
begun by one of its initials, counted as covered at full weight; its weak words and initials
covered in full), with the query words weighed as ``QueryBuilder`` weighs them. Whatever the bound
does not model is let through: a name the matcher refuses, any term the probe admits directly (a
join, compact form, acronym, beginning of a fresh name, split word) or through a stub, a reading
with a stub, a fresh name whose distinctive words all match exactly (identical, extended), and a
fresh name of one distinctive word that a query word is near (the ``contained`` floor).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from exportscreen._errors import InputError
from exportscreen.matching.prune import A_COVER, B_QUERY
from exportscreen.matching.query import Reading, stubs_of
from exportscreen.matching.terms import PartyTerms
from exportscreen.matching.tuning import tuning

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from exportscreen.ledger.delta import Probe
    from exportscreen.matching.engine import NameMatcher
    from exportscreen.matching.index import CompiledNames
    from exportscreen.matching.query import QueryBuilder

__all__ = ["QueryBound", "word_weight"]

#: the bounds are summed in another order than the engine's: a little room in their last bits
_SLACK = 1e-9


@dataclass(frozen=True, slots=True)
class _Fresh:
    """One fresh listed name, as the bound reads it."""

    tokens: frozenset[int]
    #: (position, listed word id, weight) of its distinctive words; what of them ``C`` needs
    heavy: tuple[tuple[int, int, float], ...]
    cover: float
    #: the weight of its other words (weak words, initials), counted as covered
    light: float
    total: float
    #: what ``C ** A * Q ** B`` must reach for its kind of name
    need: float
    #: the words of its entry's addresses and other names (they credit a query word)
    credits: frozenset[str]
    #: the letters of its listed initials (each credits a query word it begins)
    initials: frozenset[str]


class QueryBound:
    """The fresh names of one ``DeltaIndex`` and its probe, bounding a party name's score against them."""

    def __init__(
        self,
        engine: NameMatcher,
        probe: Probe,
        names: frozenset[int],
        holders: dict[int, frozenset[int]],
        min_score: float,
        nearness: Callable[[str], dict[int, float]],
    ) -> None:
        c = self.c = engine.compiled
        self.builder = engine.queries
        self.probe = probe
        self.holders = holders
        self.terms = PartyTerms(engine.words)
        self.weak = engine.words.weak
        self.factor = tuning().weights.qualifier_factor
        self._nearness = nearness
        #: per word, the fresh words near it with the best similarity (the probe's, then computed)
        self._reach: dict[str, dict[int, float]] = dict(probe.reach)
        self._word_shares: dict[str, tuple[dict[int, dict[int, float]], frozenset[int]]] = {}
        #: per (word, dotted): its raw weight as a query word, and whether it is a qualifier
        self._weights: dict[tuple[str, bool], tuple[float, bool]] = {}
        need, _least = engine.pruner.needs(min_score)
        #: fresh names of one distinctive word: the ``contained`` rule may floor them whatever C and Q
        self.one_word = frozenset(k for k in names if sum(1 for vid in c.tokens[k] if not c.weak[vid]) == 1)
        self.fresh: dict[int, _Fresh] = {}
        for k in names:
            own = c.nweights[k]
            every = sum(c.weight[vid] if own is None else own[j] for j, vid in enumerate(c.tokens[k]))
            heavy = tuple(probe.words.get(k, ()))
            e = c.entry[k]
            self.fresh[k] = _Fresh(
                tokens=frozenset(c.tokens[k]),
                heavy=heavy,
                cover=probe.cover.get(k, 0.0),
                light=every - sum(w for _j, _vid, w in heavy),
                total=c.total[k],
                need=need[c.name_field[k]],
                credits=frozenset(c.address_words[e]) | frozenset(c.entry_words[e]),
                initials=frozenset(ch for _j, letters in c.initial_at[k] for ch in letters),
            )

    def reach(self, word: str) -> dict[int, float]:
        """The fresh words near ``word`` (ids of the compiled vocabulary) with the best similarity."""
        hit = self._reach.get(word)
        if hit is None:
            hit = self._reach[word] = self._nearness(word)
        return hit

    def _shares(self, word: str) -> tuple[dict[int, dict[int, float]], frozenset[int]]:
        """Per fresh name, the share ``word`` covers of each of its distinctive words (position:
        weight times similarity); and the fresh names holding any word near it."""
        hit = self._word_shares.get(word)
        if hit is None:
            near = self.reach(word)
            touched: set[int] = set()
            for vid in near:
                touched.update(self.holders.get(vid, ()))
            shares: dict[int, dict[int, float]] = {}
            for k in touched:
                mine = {j: w * near[vid] for j, vid, w in self.fresh[k].heavy if vid in near}
                if mine:
                    shares[k] = mine
            hit = self._word_shares[word] = (shares, frozenset(touched))
        return hit

    def may_reach(self, name: str, *, terms_checked: bool = False, reading: Reading | None = None) -> bool:
        """Some fresh name may score the threshold for ``name`` (False: ``name_may_match`` is False).
        ``terms_checked``: the probe is known to admit the name's terms through their coverage only
        (not directly, nor through a stub: ``Ledger.rows_admitted_by``), so they are not computed again;
        ``reading``: the name's reading (``Readings.of``), as the ledger stored it (not read again)."""
        if reading is None:
            try:
                reading = self.builder.readings.of(name)
            except InputError:
                return True
        if not terms_checked:
            terms = self.terms.of_reading(name, reading)
            p = self.probe
            if not terms.isdisjoint(p.direct) or (not terms.isdisjoint(p.stubs) and not terms.isdisjoint(p.near)):
                return True
        return any(self._reading_may_reach(text.split(), reading) for text, _note in reading.variants)

    def _reading_may_reach(self, words: list[str], reading: Reading) -> bool:
        c = self.c
        if any(stubs_of(words, reading.dotted, c.vocab.ids)):
            return True
        per_word = [self._shares(x) for x in words]
        # per fresh name, the best share of each of its distinctive words any query word covers
        best: dict[int, dict[int, float]] = {}
        for shares, _touched in per_word:
            for k, mine in shares.items():
                got = best.get(k)
                if got is None:
                    best[k] = dict(mine)
                    continue
                for j, x in mine.items():
                    if x > got.get(j, 0.0):
                        got[j] = x
        if not self.one_word.isdisjoint(best):
            return True
        qweights: list[float] | None = None
        qtotal = 0.0
        for k, got in best.items():
            f = self.fresh[k]
            covered = sum(got.values())
            if covered < f.cover:
                continue  # C alone falls short (the probe's test)
            if f.total <= 0:
                return True
            cover = min(1.0, (f.light + covered) / f.total)
            if cover >= 1.0 - _SLACK:
                return True  # identical or extended: scored by other rules
            if qweights is None:
                qweights = self._qweights(words, reading)
                qtotal = sum(qweights)
                if qtotal <= 0:
                    return True
            part = 0.0
            for word, (_shares, touched), wt in zip(words, per_word, qweights, strict=True):
                if (
                    k in touched
                    or (len(word) > 1 and word[0] in f.initials)
                    or (word not in self.weak and word in f.credits)
                ):
                    part += wt
            qcover = min(1.0, part / qtotal)
            need = f.need - _SLACK
            if qcover**B_QUERY >= need and cover**A_COVER * qcover**B_QUERY >= need:
                return True
        return False

    def adopt(self, weights: Mapping[tuple[str, bool], tuple[float, bool]]) -> None:
        """Take words' ``word_weight`` computed elsewhere (``ledger.pool.Helper``)."""
        self._weights.update(weights)

    def _qweights(self, words: list[str], reading: Reading) -> list[float]:
        """The query's word weights, as ``QueryBuilder`` weighs them (no word is a stub here): per word
        and dottedness its weight and whether it is a qualifier are the same in every name (kept)."""
        known, factor, qualifying, dotted = self._weights, self.factor, reading.qualifying, reading.dotted
        out: list[float] = []
        for x in words:
            key = (x, x in dotted)
            hit = known.get(key)
            if hit is None:
                hit = known[key] = word_weight(self.builder, self.c, x, key[1])
            wt, qualifier = hit
            out.append(wt * factor if qualifier or x in qualifying else wt)
        return out


def word_weight(builder: QueryBuilder, c: CompiledNames, word: str, dotted: bool) -> tuple[float, bool]:
    """A word's weight as a query word (``QueryBuilder.raw_weight``, not a stub) and whether it is a qualifier."""
    return builder.raw_weight(word, builder.near(word, dotted), False), c.is_qualifier(word)
