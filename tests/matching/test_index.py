"""The index loses nothing: it returns every entry the exhaustive mode scores at or above review."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from exportscreen.matching import MatchSettings
from exportscreen.matching.engine import NameMatcher
from exportscreen.registry.model import Registry

S = MatchSettings()
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u00ad", "\u2060", "\ufeff", "\u202e"]
CONFUSABLE = {"a": "а", "e": "е", "o": "о", "c": "с", "p": "р", "x": "х", "i": "і"}


def _noisy(name: str, rng: random.Random) -> str:
    chars = list(name)
    op = rng.randrange(5)
    pos = rng.randrange(len(chars))
    if op == 0:
        chars.insert(pos, rng.choice(INVISIBLE))
    elif op == 1 and chars[pos].lower() in CONFUSABLE:
        chars[pos] = CONFUSABLE[chars[pos].lower()]
    elif op == 2 and len(chars) > 3:
        del chars[pos]
    elif op == 3:
        return name.upper()
    else:
        words = name.split()
        rng.shuffle(words)
        return " ".join(words)
    return "".join(chars)


def _same(indexed: NameMatcher, exhaustive: NameMatcher, query: str) -> None:
    try:
        full = exhaustive.search(query, limit=None, min_score=S.review)
    except Exception as exc:  # the same InputError must come from both
        try:
            indexed.search(query, limit=None, min_score=S.review)
        except type(exc):
            return
        raise
    fast = indexed.search(query, limit=None, min_score=S.review)
    assert {(c.entry_index, c.score) for c in fast} == {(c.entry_index, c.score) for c in full}, query


def test_index_equals_exhaustive_on_small(small_registry: Registry, small_matcher: NameMatcher) -> None:
    exhaustive = NameMatcher(small_registry, floor=S.review, exhaustive=True, use_cache=False)
    rng = random.Random(7)
    for e in small_registry.entries:
        for name in (e.name, *e.aliases):
            for _ in range(5):
                _same(small_matcher, exhaustive, _noisy(name, rng))


def test_index_equals_exhaustive_on_csl_sample(csl_registry: Registry, csl_matcher: NameMatcher) -> None:
    exhaustive = NameMatcher(csl_registry, floor=S.review, exhaustive=True, use_cache=False)
    rng = random.Random(20221)
    sample = rng.sample(range(len(csl_registry.entries)), 60)
    for i in sample:
        _same(csl_matcher, exhaustive, _noisy(csl_registry.entries[i].name, rng))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_invisible_and_confusable_never_lower_below_review(small_matcher: NameMatcher, data: st.DataObject) -> None:
    e = data.draw(st.sampled_from(small_matcher.registry.entries))
    chars = list(e.name)
    for _ in range(data.draw(st.integers(1, 3))):
        pos = data.draw(st.integers(0, len(chars) - 1))
        if chars[pos].lower() in CONFUSABLE and data.draw(st.booleans()):
            chars[pos] = CONFUSABLE[chars[pos].lower()]
        else:
            chars.insert(pos, data.draw(st.sampled_from(INVISIBLE)))
    found = small_matcher.search("".join(chars), limit=None, min_score=S.review)
    assert any(small_matcher.registry.entries[c.entry_index].name == e.name for c in found)
