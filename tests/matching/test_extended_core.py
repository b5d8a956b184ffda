"""A query that is an organisation's listed name *without its legal form* followed by words of its
own reaches review, never a hit. "Cambricon Technologies" is a hit of "Cambricon Technologies
Corporation Limited", but "Cambricon Technologies Polska" found nothing: the unmatched word weighs
much, so the share of the query covered fell to about 0.6 (304 of 1,064 Entity List China names
that are hits bare found nothing with " Polska" appended). ``floors.extended_core`` applies the
``extended`` floor when the query's distinctive words begin with all the listed name's distinctive
words, in order. A generic name with a word still finds nothing, and the index finds exactly what
the exhaustive search does."""

from __future__ import annotations

import random

import pytest

from exportscreen import Screener
from exportscreen.matching import MatchSettings, floors, prune
from exportscreen.matching.engine import NameMatcher
from exportscreen.registry.model import Entry, Registry, Source

S = MatchSettings()
SENSETIME = "Beijing Sensetime Technology Development Co., Ltd."
NAMES = [
    ("1", "Cambricon Technologies Corporation Limited", "entity"),
    ("2", "Huawei Technologies Co., Ltd.", "entity"),
    ("3", "CETC Chip Technology Co., Ltd.", "entity"),
    ("4", "Beijing Sensetime Technology Development Co., Ltd.", "entity"),
    ("5", "Tianjin University", "entity"),
    ("6", "Ali Hassan Mahmoud", "individual"),
    ("7", "New Technology Co., Ltd.", "entity"),
    ("8", "China Electronics Corporation", "entity"),
]
EXTENDED = [
    ("Cambricon Technologies Polska", "1"),
    ("Huawei Technologies Polska", "2"),
    ("CETC Chip Technology Polska", "3"),
    ("Beijing Sensetime Technology Development Import Export", "4"),
    ("Cambricon Technologies Polska Sp. z o.o.", "1"),
    ("Huawei Technologies Polska Sp z oo", "2"),
]
NOT_EXTENDED = [
    "Tianjin University of Finance and Economics",  # the next word is a connector: another name
    "Ali Hassan Mahmoud Trading",  # people are left out
    "Huawei Polska Technologies",  # another word among the listed ones
    "Cambricon Polska",  # one listed word only
    "Technologies Cambricon Polska",  # the listed words in another order
]


def _matcher(exhaustive: bool) -> NameMatcher:
    entries = [Entry(id=i, source="t", list="EL", name=n, type=t) for i, n, t in NAMES]  # type: ignore[arg-type]
    registry = Registry([Source(id="t", name="test", list="EL")], entries)
    return NameMatcher(registry, floor=S.review, use_cache=False, exhaustive=exhaustive)


@pytest.fixture(scope="module", params=[False, True], ids=["index", "exhaustive"])
def matcher(request: pytest.FixtureRequest) -> NameMatcher:
    return _matcher(bool(request.param))


@pytest.mark.parametrize(("query", "expected"), EXTENDED)
def test_the_listed_words_without_legal_form_and_words_of_its_own_are_review(
    matcher: NameMatcher, query: str, expected: str
) -> None:
    (top, *_) = matcher.search(query, limit=3, min_score=S.review)
    assert matcher.registry.entries[top.entry_index].id == expected
    assert S.review <= top.score < S.hit
    assert top.explanation is not None and top.explanation["method"] == "extended"


@pytest.mark.parametrize("query", NOT_EXTENDED)
def test_other_orders_connectors_and_people_are_not_extended(matcher: NameMatcher, query: str) -> None:
    found = matcher.search(query, limit=3, min_score=S.review)
    assert all(c.explanation is None or c.explanation["method"] != "extended" for c in found)


def test_the_bare_listed_words_stay_a_hit(matcher: NameMatcher) -> None:
    (top, *_) = matcher.search("Cambricon Technologies", limit=1, min_score=S.review)
    assert top.score >= S.hit


def _queries(rng: random.Random) -> list[str]:
    out = [q for q, _ in EXTENDED] + NOT_EXTENDED
    words = ["Polska", "Import", "Export", "of", "Co", "Ltd", "Wuhan", "Fab", "2", "Technologies", "Huawei"]
    for _i, name, _t in NAMES:
        listed = name.replace(",", "").replace(".", "").split()
        for _ in range(6):
            kept = [w for w in listed if rng.random() < 0.8 or w == listed[0]]
            for _ in range(rng.randint(0, 3)):
                kept.insert(rng.randint(1, len(kept)), rng.choice(words))
            out.append(" ".join(kept))
    return out


@pytest.mark.parametrize("skipped", [0, 2])
def test_the_index_finds_what_the_exhaustive_search_does(monkeypatch: pytest.MonkeyPatch, skipped: int) -> None:
    """Also with query words of its own allowed among the listed ones (``extension_skipped_words``)."""
    for module in (prune, floors):
        tuned = module._T.model_copy(
            update={"score": module._T.score.model_copy(update={"extension_skipped_words": skipped})}
        )
        monkeypatch.setattr(module, "_T", tuned)
    monkeypatch.setattr(floors, "_SC", floors._T.score)
    index, exhaustive = _matcher(False), _matcher(True)
    for query in _queries(random.Random(skipped)):
        a = {(c.entry_index, c.score) for c in index.search(query, limit=None, min_score=S.review)}
        b = {(c.entry_index, c.score) for c in exhaustive.search(query, limit=None, min_score=S.review)}
        assert a == b, query
    if skipped:
        (top, *_) = index.search("Huawei Digital Power Technologies Co Ltd", limit=1, min_score=S.review)
        assert top.explanation is not None and top.explanation["method"] == "extended"


# -- against the bundled lists and the CSL: the red team's names (the Screener's defaults) ---------


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener()


@pytest.mark.parametrize(
    ("query", "entry"),
    [
        ("Cambricon Technologies Polska", "Cambricon Technologies Corporation Limited"),
        ("Huawei Technologies Polska", "Huawei Technologies Co., Ltd."),
        ("CETC Chip Technology Polska", "CETC Chip Technology Co., Ltd."),
        ("Beijing Sensetime Technology Development Import Export", SENSETIME),
        ("Cambricon Technologies Import Export", "Cambricon Technologies Corporation Limited"),
    ],
)
def test_listed_names_without_legal_form_and_a_word_reach_review(screener: Screener, query: str, entry: str) -> None:
    found = screener.match_name(query, limit=3)
    assert found and found[0].entry_name == entry, [(m.entry_name, m.score) for m in found]
    assert S.review <= found[0].score < S.hit


@pytest.mark.parametrize("query", ["Cambricon Technologies Import Export", "Cambricon Technologies Polska"])
def test_the_floor_holds_for_a_party_in_another_country_than_the_entry(screener: Screener, query: str) -> None:
    """The country penalty took "Cambricon Technologies Import Export" of a party in PL from 72 to 62:
    nothing found. The floor holds after the features."""
    found = screener.match_name(query, country="PL", limit=1)
    assert found and found[0].entry_name == "Cambricon Technologies Corporation Limited"
    assert S.review <= found[0].score < S.hit


def test_a_generic_name_and_a_word_finds_nothing(screener: Screener) -> None:
    assert screener.match_name("Technology Development Polska") == []


def test_a_listed_name_of_common_words_and_a_word_is_no_hit(screener: Screener) -> None:
    """The listed "China Electronics Corporation" (1260H) with " Polska" is a review at most."""
    assert all(m.score < S.hit for m in screener.match_name("China Electronics Polska"))
