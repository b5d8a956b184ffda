"""Readable case tables, including the regressions of ANCHORS §4/§5."""

from __future__ import annotations

import pytest

from exportscreen._errors import InputError
from exportscreen.matching import MatchSettings
from exportscreen.matching.engine import NameMatcher

S = MatchSettings()


def top(m: NameMatcher, name: str, country: str | None = None) -> tuple[str, float] | None:
    found = m.search(name, country=country, limit=1, min_score=S.review)
    if not found:
        return None
    return m.registry.entries[found[0].entry_index].name, found[0].score


SMIC = "Semiconductor Manufacturing International Corporation (SMIC)"

# (query, country, expected entry name or None, expected strength: "hit", "review" or None)
CASES = [
    ("BELLETECH CORP", None, None, None),  # watchman#483: a shared "CORP" is no match
    ("George Bush", None, None, None),  # watchman#115
    ("emma daniels", None, None, None),  # watchman#338: single-word listed name inside a longer query
    ("TSMC", "TW", None, None),  # not SMIC
    ("Taiwan Semiconductor Manufacturing Company", "TW", None, None),
    ("SMIC Beijing", "CN", "Semiconductor Manufacturing International (Beijing) Corporation", "hit"),
    ("SMIC", "CN", SMIC, "hit"),
    ("S.M.I.C.", None, SMIC, "hit"),
    ("中芯国际", None, SMIC, "hit"),
    ("Semiconductor Manufacturing Intl Corp", "CN", SMIC, "hit"),
    ("Huawei Technologies (Shenzhen)", "CN", "Huawei Technologies Co., Ltd.", "hit"),
    ("HUAWE1 Technologies Co Ltd", None, "Huawei Technologies Co., Ltd.", "hit"),
    ("Zhongke Shuguang", "CN", "Sugon", "hit"),
    ("YMTC", "CN", "Yangtze Memory Technologies Co., Ltd.", "review"),
    ("SMEE", "CN", "Shanghai Micro Electronics Equipment (Group) Co., Ltd.", "review"),
    ("Tianjin University of Technology", "CN", None, None),
]


@pytest.mark.parametrize(("query", "country", "expect", "strength"), CASES, ids=[c[0] for c in CASES])
def test_case_table(
    small_matcher: NameMatcher, query: str, country: str | None, expect: str | None, strength: str | None
) -> None:
    got = top(small_matcher, query, country)
    if expect is None:
        assert got is None, got
        return
    assert got is not None
    assert got[0] == expect
    assert S.strength(got[1]) == strength, got


def test_calibration_order(small_matcher: NameMatcher) -> None:
    full = small_matcher.search("Huawei Technologies Co., Ltd.", country="CN", limit=1)[0].score
    alias = small_matcher.search("Dawning Information Industry Co., Ltd.", limit=1)[0].score
    fuzzy = small_matcher.search("Huawey Technologies", limit=1)[0].score
    assert full == 100.0
    assert full > alias > fuzzy


def test_country_conflict_lowers(small_matcher: NameMatcher) -> None:
    same = small_matcher.search("Huawei Technologies", country="CN", limit=1)[0].score
    none = small_matcher.search("Huawei Technologies", limit=1)[0].score
    other = small_matcher.search("Huawei Technologies", country="US", limit=1)[0].score
    assert same > none > other


def test_person_does_not_strongly_match_company(small_matcher: NameMatcher) -> None:
    as_org = small_matcher.search("George Habbash", limit=1)[0].score
    as_company = small_matcher.search("George Habbash", limit=1, kind="entity")[0].score
    assert as_company < as_org
    assert S.strength(as_company) != "hit"


def test_explanation(small_matcher: NameMatcher) -> None:
    c = small_matcher.search("Huawei Technologies (Shenzhen)", country="CN", limit=1)[0]
    e = c.explanation
    assert e["matched_name"] == "Huawei Technologies Co., Ltd."
    assert {"query": "huawei", "listed": "huawei", "similarity": 1.0, "how": "exact"} in e["aligned"]  # type: ignore[operator]
    assert e["query_words_in_listed_address"] == ["shenzhen"]
    assert "country" in e["features"]  # type: ignore[operator]


def test_address_matches_under_any_name(small_matcher: NameMatcher) -> None:
    found = small_matcher.search_address("No. 18 Zhangjiang Road, Pudong", min_score=S.review)
    assert found and small_matcher.registry.entries[found[0].entry_index].name.startswith("Semiconductor")
    assert S.strength(found[0].score) == "hit"
    street_only = small_matcher.search_address("No. 18 Zhangjiang Road", min_score=S.review)
    assert street_only and S.strength(street_only[0].score) == "review"
    assert small_matcher.search_address("18 Road, Shanghai", min_score=S.review) == []


@pytest.mark.parametrize("bad", ["", "   ", "...!!!", "Co., Ltd.", "The Company Limited", "x" * 10_000, "\x00\x01\x02"])
def test_bad_input_is_input_error(small_matcher: NameMatcher, bad: str) -> None:
    with pytest.raises(InputError):
        small_matcher.search(bad)


def test_control_characters_are_dropped(small_matcher: NameMatcher) -> None:
    assert top(small_matcher, "Huawei\x07 Technologies\u200b Co., Ltd.") == ("Huawei Technologies Co., Ltd.", 98.0)


def test_explanation_shows_both_texts_and_the_rule(small_matcher: NameMatcher) -> None:
    c = small_matcher.search("SMIC Beijing", country="CN", limit=1)[0]
    e = c.explanation
    assert e["query_text"] == "SMIC Beijing" and e["listed_text"] == "SMIC Beijing"
    c = small_matcher.search("Zhongke Shuguang", limit=1)[0]
    e = c.explanation
    assert e["listed_text"] == "Sugon" and "pinyin pair" in str(e["summary"])
    c = small_matcher.search("Huawei Technologeis Co Ltd", limit=1)[0]
    summary = str(c.explanation["summary"])
    assert "'Huawei Technologeis Co Ltd' ~ name 'Huawei Technologies Co., Ltd.'" in summary
    assert "technologeis ~ technologies (typo)" in summary
    aligned = c.explanation["aligned"]
    assert isinstance(aligned, list)
    assert {"query": "technologeis", "listed": "technologies", "similarity": 0.9, "how": "typo"} in aligned
