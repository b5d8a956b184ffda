"""Listed names with parentheticals: "X (Y)" is also matched as "X"; a short name Y that ends the name
is an alias; a place parenthetical ("(UK)") dropped from the listed name ranks below the unqualified
name and is no hit with a conflicting country; explanations name the listed text and what was left out."""

from __future__ import annotations

import pytest

from exportscreen.matching import MatchSettings
from exportscreen.matching.engine import NameMatcher
from exportscreen.registry.model import Entry, Registry, Source

S = MatchSettings()


def _e(i: int, name: str, country: str | None = None, **kw: object) -> Entry:
    return Entry(id=str(i), source="t", list="EL", name=name, country=country, type="entity", **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def matcher() -> NameMatcher:
    entries = [
        _e(1, "Huawei Technologies (UK) Co., Ltd.", "GB"),
        _e(2, "Huawei Technologies Co., Ltd. (Huawei)", "CN"),
        _e(3, "Huawei Technologies Co., Ltd. (Huawei). Affiliated Entity: Huawei Mobile Technology Ltd.", "CN"),
        _e(4, "AERO CONTINENTE (USA) INC.", "US"),
        _e(5, "LTS Holding Limited (f.k.a. IPP-International Petroleum Products Ltd.)", "AE"),
        _e(6, "Semiconductor Manufacturing International (Hong Kong) Corporation", "HK"),
        _e(7, "Semiconductor Manufacturing International Corporation (SMIC)", "CN"),
    ]
    registry = Registry([Source(id="t", name="test", list="EL")], entries)
    return NameMatcher(registry, floor=S.review, use_cache=False)


def ranked(m: NameMatcher, name: str, country: str | None = None) -> list[tuple[str, float]]:
    return [(m.registry.entries[c.entry_index].id, c.score) for c in m.search(name, country=country, limit=None)]


def test_name_with_short_name_matches_without_it(matcher: NameMatcher) -> None:
    got = ranked(matcher, "Huawei Technologies Co., Ltd.", "CN")
    assert got[0] == ("2", 100.0)
    uk = dict(got)["1"]
    assert S.strength(uk) != "hit" and uk < 100.0


def test_place_qualified_name_ranks_below_without_country(matcher: NameMatcher) -> None:
    got = dict(ranked(matcher, "Huawei Technologies Co., Ltd."))
    assert got["2"] > got["1"]
    got = dict(ranked(matcher, "Semiconductor Manufacturing International Corporation"))
    assert got["7"] > got["6"]


def test_short_name_is_an_alias_only_where_it_ends_the_name(matcher: NameMatcher) -> None:
    got = dict(ranked(matcher, "Huawei", "CN"))
    assert S.strength(got["2"]) == "hit"
    assert S.strength(got.get("3", 0.0)) is None


def test_all_caps_place_and_fka(matcher: NameMatcher) -> None:
    assert ranked(matcher, "Aero Continente Inc")[0][0] == "4"
    assert ranked(matcher, "IPP International Petroleum Products Ltd")[0] == ("5", 90.0)


def test_explanation_names_the_listed_text(matcher: NameMatcher) -> None:
    c = next(x for x in matcher.search("Huawei Technologies Co., Ltd.", country="CN", limit=None) if x.entry_index == 0)
    assert c.matched_name == "Huawei Technologies (UK) Co., Ltd."
    e = c.explanation
    assert e["parentheticals_left_out"] == "UK"
    assert e["candidate_normalised"] == "huawei technologies co ltd"
    assert e["features"] == {
        "country": {"query": "CN", "entry": "GB", "points": -10.0},
        "listed_place_not_in_query": {"place": "UK", "points": -3.0},
    }
