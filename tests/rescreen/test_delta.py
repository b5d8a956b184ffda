"""The delta index's candidate rule is the engine's: its fresh candidates are exactly what
``Pruner.gather`` finds among the fresh names, and every fresh entry the engine matches is found."""

from __future__ import annotations

import random

from benchmarks.rescreen_bench import party_names
from exportscreen.ledger.delta import DeltaIndex, fresh_entries
from exportscreen.matching.engine import NameMatcher
from exportscreen.screener import Screener
from tests.rescreen.conftest import CLEAN, LATER, LISTED, NEWLY_LISTED, ON


def _queries(screener: Screener) -> list[tuple[str, str | None]]:
    rng = random.Random(5)
    names = [(n, None) for n in CLEAN + LISTED + NEWLY_LISTED]
    names += party_names(300)
    listed = [e.name for e in screener.registry.entries if e.list == "X-BLOCKED"]
    for name in listed:  # cut off, misspelt, reordered, joined
        words = name.split()
        names += [(name[: max(6, len(name) // 2)], None), (name.replace("e", "a", 1), "CN")]
        names += [(" ".join(reversed(words)), None), ("".join(words[:2]) + " " + " ".join(words[2:]), None)]
    names += [(rng.choice(listed).upper(), None) for _ in range(20)]
    return names


def test_fresh_candidates_equal_the_engines_gather(screener_v1: Screener, screener_v2: Screener) -> None:
    fresh = fresh_entries(screener_v1.registry, screener_v2.registry, on=LATER, old_dates=[ON])
    assert {k[1] for k in fresh} == {"B-2", "B-4", "B-5", "B-6"}
    index = DeltaIndex(screener_v2.matcher, screener_v2.registry, fresh, min_score=screener_v2.settings.review)
    engine = screener_v2.matcher
    assert isinstance(engine, NameMatcher)
    checked = 0
    for name, country in _queries(screener_v2):
        for q in engine.queries.prepare(name, country, None):
            assert index.fresh_candidates(q) == engine.pruner.gather(q, index.theta) & index.names, name
            checked += 1
    assert checked > 300


def test_every_fresh_match_is_a_candidate(screener_v1: Screener, screener_v2: Screener) -> None:
    fresh = fresh_entries(screener_v1.registry, screener_v2.registry, on=LATER, old_dates=[ON])
    index = DeltaIndex(screener_v2.matcher, screener_v2.registry, fresh, min_score=screener_v2.settings.review)
    matched = 0
    for name, country in _queries(screener_v2):
        found = screener_v2.matcher.search(name, country=country, limit=None, min_score=screener_v2.settings.review)
        if any(c.entry_index in index.entry_indices for c in found):
            matched += 1
            assert index.name_may_match(name, country), name
    assert matched >= 10
    # and the test is not vacuous: most generated customers are no candidate of the fresh entries
    assert sum(index.name_may_match(n, c) for n, c in party_names(300)) < 100
