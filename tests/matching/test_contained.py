"""A listed name of one specific word inside a query of one or two words of its own is a review
(``matching.contained``): "Megvii Trading Co., Ltd." of the listed "Megvii" found nothing (55-68:
the query's own word costs coverage and ``lone_word`` takes 8 more; red team 41, finding F7). A
common listed word ("Global", "Alpha"), a party of another country, a person and three words of
its own stay as they were, and the index finds exactly what the exhaustive search does."""

from __future__ import annotations

import random

import pytest

from exportscreen._errors import InputError
from exportscreen.matching import MatchSettings
from exportscreen.matching.engine import NameMatcher
from exportscreen.registry.model import Entry, Registry, Source

S = MatchSettings()
NAMES = [
    ("megvii", "Megvii Technology", ("Megvii",), "CN", None),
    ("global", "Global Corporation Limited", (), "CN", None),
    ("alpha", "Alpha Group", (), "BY", None),
    ("groupa", "Group A", (), "CN", None),
    ("rostec", "Rostec (Russian Technologies State Corporation)", (), "RU", None),
    ("kuznetsov", "Kuznetsov PAO", (), "RU", "entity"),
    ("person", "Zhandarov", (), "RU", "individual"),
    ("vessel", "Sunrise", (), "CN", "vessel"),
]
# filler names of made-up words, so that a word of one name weighs what it weighs in the real lists
FILLER = [f"{a}{b}{c}ovo Works" for a in "bdfgk" for b in "aeiu" for c in "lmnrst"]


def _matcher(exhaustive: bool) -> NameMatcher:
    entries = [
        Entry(id=i, source="t", list="EL", name=n, aliases=a, country=cc, type=t)  # type: ignore[arg-type]
        for i, n, a, cc, t in NAMES
    ]
    entries += [Entry(id=f"f{i}", source="t", list="EL", name=n, country="US") for i, n in enumerate(FILLER)]
    registry = Registry([Source(id="t", name="test", list="EL")], entries)
    return NameMatcher(registry, floor=S.review, use_cache=False, exhaustive=exhaustive)


@pytest.fixture(scope="module", params=[False, True], ids=["index", "exhaustive"])
def matcher(request: pytest.FixtureRequest) -> NameMatcher:
    return _matcher(bool(request.param))


def _top(matcher: NameMatcher, query: str, country: str | None) -> tuple[str, float, str] | None:
    found = matcher.search(query, country=country, limit=1, min_score=S.review)
    if not found:
        return None
    (top,) = found
    return matcher.registry.entries[top.entry_index].id, top.score, str(top.explanation["method"])


@pytest.mark.parametrize(
    ("query", "country", "expected"),
    [
        ("Megvii Trading Co., Ltd.", "CN", "megvii"),
        ("Megvii Trading Co., Ltd.", None, "megvii"),  # no country, an organisation by its legal form
        ("Trading Megvii", "CN", "megvii"),
        ("Megvii Enterprise Business", "CN", "megvii"),
        ("Rostec Gruppa", "RU", "rostec"),
        ("Zavod Rostec", "RU", "rostec"),
    ],
)
def test_a_listed_word_and_one_or_two_of_its_own_is_a_review(
    matcher: NameMatcher, query: str, country: str | None, expected: str
) -> None:
    top = _top(matcher, query, country)
    assert top is not None and top[0] == expected and top[2] == "contained", top
    assert S.review <= top[1] < S.hit


@pytest.mark.parametrize(
    ("query", "country"),
    [
        ("Global Trading Co", "CN"),  # a common word (lists/names/generic_words.yaml)
        ("Alpha Trading", "BY"),
        ("Group A Trading", "CN"),  # no listed word long enough
        ("Megvii Trading Co., Ltd.", "US"),  # another country than the entry's
        ("Trading Megvii", None),  # no country to compare and no legal form
        ("Megvii Big Data Cloud", "CN"),  # three words of its own
        ("Sergei Zhandarov", "RU"),  # a listed person
        ("Sunrise Technology Limited", "CN"),  # a vessel
    ],
)
def test_common_words_other_countries_people_and_longer_names_are_not_contained(
    matcher: NameMatcher, query: str, country: str | None
) -> None:
    found = matcher.search(query, country=country, limit=None, min_score=S.review)
    assert all(c.explanation["method"] != "contained" for c in found), [(c.matched_name, c.score) for c in found]


def test_the_bare_listed_word_stays_a_hit(matcher: NameMatcher) -> None:
    top = _top(matcher, "Megvii", "CN")
    assert top is not None and top[0] == "megvii" and top[1] >= S.hit


def test_the_index_finds_what_the_exhaustive_search_does() -> None:
    index, exhaustive = _matcher(False), _matcher(True)
    rng = random.Random(41)
    own = ["Trading", "Global", "Keji", "Co", "Ltd", "Megvi", "Megviii", "Mеgvii", "Rostek", "Group", "of", "Wuhan"]
    for _i, name, aliases, _cc, _t in NAMES:
        for listed in (name, *aliases):
            for _ in range(12):
                words = listed.replace(",", "").split()
                for _ in range(rng.randint(0, 3)):
                    words.insert(rng.randint(0, len(words)), rng.choice(own))
                query = " ".join(words)
                country = rng.choice([None, "CN", "RU", "BY", "US"])
                assert _found(index, query, country) == _found(exhaustive, query, country), (query, country)


def _found(matcher: NameMatcher, query: str, country: str | None) -> set[tuple[int, float]] | None:
    try:
        return {
            (c.entry_index, c.score) for c in matcher.search(query, country=country, limit=None, min_score=S.review)
        }
    except InputError:  # "Group A" is only noise words: refused alike
        return None
