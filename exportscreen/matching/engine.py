"""The name and address matcher (``NameMatcher``): one scorer, run over the index or every name.

A search prepares the query (``query``), picks the names that may reach the threshold (``prune``),
scores them (``scoring``, word similarity from the rules of ``similarity``), keeps each entry's
best name and explains it (``explain``). Addresses go through ``address``. The compiled registry
comes from ``cache`` (built by ``index``); every constant from ``lists/matching.yaml``
(``tuning``). Calibration: an identical listed name with the right country scores 100, an
identical alias 95-97, the same distinctive words with other legal forms 92-96, fuzzy matches
below; a hit (88 by default) needs every distinctive query word explained.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from exportscreen._errors import InputError
from exportscreen.limits import LIMITS
from exportscreen.matching.address import ParsedAddressCache, search_address
from exportscreen.matching.base import Candidate
from exportscreen.matching.cache import load_or_compile
from exportscreen.matching.explain import name_explanation
from exportscreen.matching.index import CompiledNames
from exportscreen.matching.prune import Pruner, coverage_floor
from exportscreen.matching.query import PartyKind, Query, QueryBuilder
from exportscreen.matching.scoring import Detail, Scorer
from exportscreen.matching.words import WordLists, word_lists
from exportscreen.registry.model import Registry

__all__ = ["NameMatcher", "PartyKind"]


class NameMatcher:
    """The matcher over one registry.

    ``exhaustive=True`` scores every listed name against the listed words every rule scores above
    zero, found by linear scans (the reference the index is tested against). ``floor`` is the
    lowest ``min_score`` the index serves; lower ones run exhaustively.
    """

    def __init__(
        self,
        registry: Registry,
        *,
        floor: float = 60.0,
        exhaustive: bool = False,
        use_cache: bool = True,
        words: WordLists | None = None,
    ) -> None:
        self.registry = registry
        self.words = words or word_lists()
        self.exhaustive = exhaustive
        self.floor = floor
        started = time.perf_counter()
        self.compiled: CompiledNames = load_or_compile(
            registry, self.words, floor=floor, theta=coverage_floor(floor), use_cache=use_cache
        )
        self.compile_seconds = time.perf_counter() - started
        self.queries = QueryBuilder(self.compiled, self.words, exhaustive=exhaustive)
        self.scorer = Scorer(self.compiled, self.words)
        self.pruner = Pruner(self.compiled, self.words)
        self._addresses = ParsedAddressCache(self.words)

    def search(
        self,
        name: str,
        *,
        country: str | None = None,
        limit: int | None = 5,
        min_score: float = 0.0,
        kind: PartyKind | None = None,
    ) -> list[Candidate]:
        """Best entries for a party name, best first (ties by entry order); at most ``limit``.

        Raises ``InputError`` for a name that is empty, over ``max_name_chars``, without letters or
        digits, or made only of legal forms and noise words.
        """
        best: dict[int, tuple[float, int, Query, Detail]] = {}
        exhaustive = self.exhaustive or min_score < self.floor
        theta = coverage_floor(max(min_score, self.floor))
        entry = self.compiled.entry
        score = self.scorer.score
        for q in self.queries.prepare(name, country, kind):
            names: Iterable[int]
            if exhaustive:
                names = range(len(entry))
            elif min_score > 0:
                names = self.pruner.select(q, theta, min_score)
            else:
                names = self.pruner.gather(q, theta)
            for k in names:
                s, detail = score(q, k)
                if detail is None or s <= 0 or s < min_score:
                    continue
                e = entry[k]
                prev = best.get(e)
                if prev is None or s > prev[0] or (s == prev[0] and k < prev[1]):
                    best[e] = (s, k, q, detail)
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))
        if limit is not None:
            ranked = ranked[:limit]
        out: list[Candidate] = []
        for e, (s, k, q, detail) in ranked:
            fld = self.compiled.name_field[k]
            expl = name_explanation(self.compiled, q, k, detail, s)
            out.append(Candidate(e, self.compiled.text[k], "name" if fld == 0 else "alias", s, expl))
        return out

    def search_address(self, address: str, *, limit: int | None = 5, min_score: float = 0.0) -> list[Candidate]:
        """Entries with a listed address like ``address``, best first (see ``address``)."""
        if len(address) > LIMITS.max_name_chars * 4:
            raise InputError(f"address is {len(address)} characters, over the limit")
        return search_address(
            self.compiled.addresses,
            self._addresses,
            address,
            exhaustive=self.exhaustive,
            limit=limit,
            min_score=min_score,
        )
