"""A query that is an organisation's listed name followed by words of its own (a department, a fab, a
school) reaches review, never a hit: the red team's "Huawei Technologies Co Ltd Procurement Dept" and
"Yangtze Memory Technologies Co Ltd Wuhan Fab 2" found nothing (F2). A name the listed name only
begins ("Tianjin University of Finance and Economics") and a person are left out; the index finds
exactly what the exhaustive search does."""

from __future__ import annotations

import pytest

from exportscreen.matching import MatchSettings
from exportscreen.matching.engine import NameMatcher
from exportscreen.registry.model import Entry, Registry, Source

S = MatchSettings()
NAMES = [
    ("1", "Huawei Technologies Co., Ltd.", "entity"),
    ("2", "Yangtze Memory Technologies Co., Ltd.", "entity"),
    ("3", "National University of Defense Technology", "entity"),
    ("4", "Tianjin University", "entity"),
    ("5", "Beihang University", "entity"),
    ("6", "Ali Hassan Mahmoud", "individual"),
]


def _matcher(exhaustive: bool) -> NameMatcher:
    entries = [Entry(id=i, source="t", list="EL", name=n, type=t) for i, n, t in NAMES]  # type: ignore[arg-type]
    registry = Registry([Source(id="t", name="test", list="EL")], entries)
    return NameMatcher(registry, floor=S.review, use_cache=False, exhaustive=exhaustive)


@pytest.fixture(scope="module", params=[False, True], ids=["index", "exhaustive"])
def matcher(request: pytest.FixtureRequest) -> NameMatcher:
    return _matcher(bool(request.param))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Huawei Technologies Co Ltd Procurement Dept", "1"),
        ("Yangtze Memory Technologies Co Ltd Wuhan Fab 2", "2"),
        ("National University of Defense Technology College of Computer Science", "3"),
        ("Beihang University School of Computer Science", "5"),
    ],
)
def test_the_listed_name_with_words_of_its_own_is_review(matcher: NameMatcher, query: str, expected: str) -> None:
    (top, *_) = matcher.search(query, limit=3, min_score=S.review)
    assert matcher.registry.entries[top.entry_index].id == expected
    assert S.review <= top.score < S.hit
    assert top.explanation is not None and top.explanation["method"] == "extended"


@pytest.mark.parametrize(
    "query",
    ["Tianjin University of Finance and Economics", "Ali Hassan Mahmoud Trading", "Beihang Universityplace Hotel"],
)
def test_a_name_the_listed_name_only_begins_or_a_person_is_not_extended(matcher: NameMatcher, query: str) -> None:
    found = matcher.search(query, limit=3, min_score=S.review)
    assert all(c.explanation is None or c.explanation["method"] != "extended" for c in found)


def test_the_index_finds_what_the_exhaustive_search_does() -> None:
    index, exhaustive = _matcher(False), _matcher(True)
    for query in ["Huawei Technologies Co Ltd Procurement Dept", "Beihang University School of Computer Science",
                  "Tianjin University of Finance and Economics"]:  # fmt: skip
        a = [(c.entry_index, c.score) for c in index.search(query, limit=None, min_score=S.review)]
        b = [(c.entry_index, c.score) for c in exhaustive.search(query, limit=None, min_score=S.review)]
        assert a == b
