"""The index loses nothing: it returns every entry the exhaustive mode scores at or above review."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exportscreen.matching import MatchSettings
from exportscreen.matching.engine import NameMatcher
from exportscreen.matching.prune import A_COVER, B_QUERY, BAND, MAX_BONUS, Pruner, coverage_floor
from exportscreen.matching.query import Query
from exportscreen.matching.slices import load_slice, slice_registry
from exportscreen.registry.model import Registry

S = MatchSettings()
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u00ad", "\u2060", "\ufeff", "\u2067"]
CONFUSABLE = {"a": "а", "e": "е", "o": "о", "c": "с", "p": "р", "x": "х", "i": "і"}


OCR = {"m": "rn", "l": "1", "o": "0", "s": "5", "d": "cl"}


def _noisy(name: str, rng: random.Random) -> str:
    """One disguise of every kind the similarity rules and scoring features answer: invisible and
    look-alike characters, a deleted letter, case, word order, OCR confusions, dropped vowels, a
    name cut short, a given name reduced to its initial, a dropped word, a swapped pair of letters."""
    chars = list(name)
    op = rng.randrange(11)
    pos = rng.randrange(len(chars))
    words = name.split()
    if op == 0:
        chars.insert(pos, rng.choice(INVISIBLE))
    elif op == 1 and chars[pos].lower() in CONFUSABLE:
        chars[pos] = CONFUSABLE[chars[pos].lower()]
    elif op == 2 and len(chars) > 3:
        del chars[pos]
    elif op == 3:
        return name.upper()
    elif op == 4:
        rng.shuffle(words)
        return " ".join(words)
    elif op == 5:
        return "".join(OCR.get(ch, ch) if i == pos else ch for i, ch in enumerate(name))
    elif op == 6:
        return " ".join(
            w[0] + "".join(c for c in w[1:-1] if c not in "aeiouAEIOU") + w[-1] if len(w) > 3 else w for w in words
        )
    elif op == 7:
        return name[: rng.choice((18, 20, 25, 35))].rstrip()
    elif op == 8 and len(words) > 1:
        return " ".join([words[0][0] + ".", *words[1:]])
    elif op == 9 and len(words) > 2:
        del words[rng.randrange(1, len(words) - 1)]
        return " ".join(words)
    elif pos < len(chars) - 1:
        chars[pos], chars[pos + 1] = chars[pos + 1], chars[pos]
    return "".join(chars)


def _same(indexed: NameMatcher, exhaustive: NameMatcher, query: str, min_score: float = S.review) -> None:
    try:
        full = exhaustive.search(query, limit=None, min_score=min_score)
    except Exception as exc:  # the same InputError must come from both
        try:
            indexed.search(query, limit=None, min_score=min_score)
        except type(exc):
            return
        raise
    fast = indexed.search(query, limit=None, min_score=min_score)
    assert {(c.entry_index, c.score) for c in fast} == {(c.entry_index, c.score) for c in full}, query


def test_index_equals_exhaustive_on_small(small_registry: Registry, small_matcher: NameMatcher) -> None:
    exhaustive = NameMatcher(small_registry, floor=S.review, exhaustive=True, use_cache=False)
    rng = random.Random(7)
    for e in small_registry.entries:
        for name in (e.name, *e.aliases):
            for _ in range(5):
                _same(small_matcher, exhaustive, _noisy(name, rng))


@pytest.mark.parametrize("min_score", [S.hit, 95.0, 99.0])
def test_index_equals_exhaustive_at_high_thresholds(
    small_registry: Registry, small_matcher: NameMatcher, min_score: float
) -> None:
    """Above the bands of fuzzy matches only identical names and bonuses remain: pruning keeps them."""
    exhaustive = NameMatcher(small_registry, floor=S.review, exhaustive=True, use_cache=False)
    rng = random.Random(11)
    for e in small_registry.entries:
        for name in (e.name, *e.aliases):
            _same(small_matcher, exhaustive, name, min_score)
            _same(small_matcher, exhaustive, _noisy(name, rng), min_score)


@settings(max_examples=300, deadline=None)
@given(
    weights=st.lists(st.floats(0.01, 20.0), min_size=1, max_size=8),
    least_need=st.floats(0.01, 1.2),
    mask=st.integers(0, 255),
)
def test_required_words_leave_too_little_without_them(weights: list[float], least_need: float, mask: int) -> None:
    """Any set of query words that misses every required word covers too little of the query."""
    words = [f"w{i}" for i in range(len(weights))]
    q = Query(
        text=" ".join(words),
        folded=" ".join(words),
        words=words,
        qweights=weights,
        rawweights=weights,
        joins=(),
        qualifier=[False] * len(words),
        stub=[False] * len(words),
        qtotal=sum(weights),
        near=[{} for _ in words],
        near_listed={},
        bounds={},
        split_names=set(),
        dotted=frozenset(),
        compact="",
        core_count=len(words),
        initials=(),
        country=None,
        kind=None,
        steps=[],
        variant=None,
    )
    required = Pruner.required_words(q, least_need)
    mask &= (1 << len(words)) - 1
    if required and not mask & required:
        covered = sum(w for i, w in enumerate(weights) if mask >> i & 1) / q.qtotal
        assert covered**B_QUERY < least_need


@settings(max_examples=300, deadline=None)
@given(min_score=st.floats(10.0, 97.0), below=st.floats(1e-9, 1e-3))
def test_coverage_floor_leaves_room_for_rounding(min_score: float, below: float) -> None:
    """A name covered less than ``coverage_floor`` cannot reach ``min_score`` even after the score is
    rounded to one decimal (a raw 69.96 is shown, and kept, as 70.0)."""
    cover = coverage_floor(min_score) * (1.0 - below)
    best_raw = max(BAND) * cover**A_COVER + MAX_BONUS
    assert round(best_raw, 1) < min_score


@pytest.mark.slow
def test_index_equals_exhaustive_on_csl_sample(csl_registry: Registry, csl_matcher: NameMatcher) -> None:
    exhaustive = NameMatcher(csl_registry, floor=S.review, exhaustive=True, use_cache=False)
    rng = random.Random(20221)
    sample = rng.sample(range(len(csl_registry.entries)), 120)
    for i in sample:
        _same(csl_matcher, exhaustive, _noisy(csl_registry.entries[i].name, rng))


def _stubbed(name: str, rng: random.Random) -> str:
    """The name with stubs (``Pruner.select`` bounds what they may credit): words but the last as
    dotted initials, joined or not ("T.s.G. Limited", "A. B. Trading"), or the last word cut to 1-3 letters."""
    words = name.split()
    op = rng.randrange(3)
    if op == 0:
        return "".join(w[0] + "." for w in words[:-1]) + " " + words[-1]
    if op == 1:
        return " ".join([*(w[0] + "." for w in words[:-1]), words[-1]])
    return " ".join([*words[:-1], words[-1][: rng.randint(1, 3)]])


@pytest.mark.slow
def test_index_equals_exhaustive_with_stubs(csl_registry: Registry, csl_matcher: NameMatcher) -> None:
    exhaustive = NameMatcher(csl_registry, floor=S.review, exhaustive=True, use_cache=False)
    rng = random.Random(4)
    entries = [e for e in csl_registry.entries if len(e.name.split()) >= 2]
    for e in rng.sample(entries, 90):
        _same(csl_matcher, exhaustive, _stubbed(e.name, rng))


def _initialled(name: str, rng: random.Random) -> str:
    """A person's listed name with given names as initials: "M.H. Surname", "M. H. Surname" or
    "SURNAME, M.H." (each initial credits the query words it begins: ``scoring.initialled``)."""
    surname, _, given = name.partition(",")
    if not given.strip():
        *first, surname = name.split()
        given = " ".join(first)
    letters = [w[0] + "." for w in given.split()]
    op = rng.randrange(3)
    if op == 0:
        return "".join(letters) + " " + surname.strip()
    if op == 1:
        return " ".join([*letters, surname.strip()])
    return f"{surname.strip()}, {''.join(letters)}"


@pytest.mark.slow
def test_index_equals_exhaustive_with_listed_initials(csl_registry: Registry) -> None:
    """A third of the listed people given by initials; queried by their full names and by others."""
    rng = random.Random(6)
    people = [e for e in csl_registry.entries if e.type == "individual" and len(e.name.split()) >= 2]
    chosen = rng.sample(people, len(people) // 3)
    renamed = {e.key: e.model_copy(update={"name": _initialled(e.name, rng)}) for e in chosen}
    registry = Registry(csl_registry.sources, [renamed.get(e.key, e) for e in csl_registry.entries])
    indexed = NameMatcher(registry, floor=S.review, use_cache=False)
    exhaustive = NameMatcher(registry, floor=S.review, exhaustive=True, use_cache=False)
    assert sum(1 for spans in indexed.compiled.initial_at if spans) > len(chosen) // 2
    by_initial = 0
    for e in rng.sample(chosen, 60):
        _same(indexed, exhaustive, e.name)
        _same(indexed, exhaustive, _noisy(e.name, rng))
        found = exhaustive.search(e.name, limit=None, min_score=S.review)
        by_initial += any("'how': 'initial'" in str(c.explanation) for c in found)
    assert by_initial >= 10  # the bound is exercised, not only names without initials
    for e in rng.sample(people, 30):
        _same(indexed, exhaustive, e.name)


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


@pytest.mark.slow
def test_stored_neighbours_equal_the_search(small_matcher: NameMatcher, csl_matcher: NameMatcher) -> None:
    """The neighbours the compiler stores for every listed word are those the index search finds."""
    rng = random.Random(3)
    for matcher in (small_matcher, csl_matcher):
        v = matcher.compiled.vocab
        assert len(v.near_offsets) == len(v.words) + 1
        for vid in rng.sample(range(len(v.words)), min(400, len(v.words))):
            assert v.listed_near(vid) == v.near(v.words[vid], False, matcher.words), v.words[vid]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["el-china-seed0", "sdn-individuals-seed0"])
def test_index_equals_exhaustive_on_perturbation_slices(shared_data: Path, name: str) -> None:
    """Every perturbation class of the development slices (and their negatives), on their own registry."""
    s = load_slice(shared_data.parent / "eval" / "ssb" / f"{name}.json")
    registry = slice_registry(s)
    indexed = NameMatcher(registry, floor=S.review, use_cache=False)
    exhaustive = NameMatcher(registry, floor=S.review, exhaustive=True, use_cache=False)
    for case in random.Random(5).sample(s.cases, 400):
        _same(indexed, exhaustive, case.query)
