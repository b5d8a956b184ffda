"""General mechanisms against false alarms, each on a small registry: a one-word listed name inside a
longer query, a common query word credited for a rare listed word, words of an organisation's other
names, and country-name parts that are no places."""

from __future__ import annotations

import pytest

from exportscreen.matching import MatchSettings
from exportscreen.matching.engine import NameMatcher
from exportscreen.matching.names import country_words
from exportscreen.registry.model import Entry, Registry, Source

S = MatchSettings()

NAMES = [
    ("APEX", "entity", ()),
    ("TECHNO ENERGY, S.A.", "entity", ()),
    ("SAFIRAN PAYAM DARYA SHIPPING COMPANY", "entity", ("SAPID",)),
    ("ALI, Ahmed Mohammed Hamed", "individual", ("ABU FATIMA",)),
    # filler so that "technology" is a common word and "techno" a rare one
    *((f"Filler{i} Technology Co., Ltd.", "entity", ()) for i in range(8)),
]


@pytest.fixture(scope="module")
def matcher() -> NameMatcher:
    entries = [
        Entry(id=str(i), source="t", list="SDN", name=n, type=t, aliases=a)  # type: ignore[arg-type]
        for i, (n, t, a) in enumerate(NAMES)
    ]
    return NameMatcher(Registry([Source(id="t", name="test", list="SDN")], entries), floor=S.review, use_cache=False)


def score(m: NameMatcher, query: str, name: str) -> float:
    for c in m.search(query, limit=None):
        if m.registry.entries[c.entry_index].name == name:
            return c.score
    return 0.0


def test_one_word_name_inside_a_longer_name(matcher: NameMatcher) -> None:
    assert S.strength(score(matcher, "Apex Technology Co., Limited", "APEX")) is None
    assert S.strength(score(matcher, "Apex Co., Limited", "APEX")) == "hit"  # legal forms explain the rest
    c = matcher.search("Apex Technology Co., Limited", limit=1)[0]
    assert c.explanation["features"] == {"one_word_name_in_longer_query": {"points": -8.0}}


def test_common_query_word_does_not_vouch_for_a_rare_listed_word(matcher: NameMatcher) -> None:
    assert S.strength(score(matcher, "New Energy Technology Co., Ltd.", "TECHNO ENERGY, S.A.")) is None
    c = next(x for x in matcher.search("New Energy Technology", limit=None) if x.entry_index == 1)
    credited = c.explanation["rarer_listed_words_credited_at"]
    assert isinstance(credited, dict) and 0 < float(credited["techno"]) < 1  # type: ignore[arg-type]


def test_other_names_of_an_organisation_explain_query_words(matcher: NameMatcher) -> None:
    c = matcher.search("SAPID Shipping Company", limit=1)[0]
    assert matcher.registry.entries[c.entry_index].name == "SAFIRAN PAYAM DARYA SHIPPING COMPANY"
    assert c.matched_name == "SAPID" and S.strength(c.score) is not None
    assert c.explanation["query_words_in_other_listed_names"] == ["shipping"]
    assert "one_word_name_in_longer_query" not in c.explanation["features"]  # type: ignore[operator]


def test_other_names_of_a_person_do_not(matcher: NameMatcher) -> None:
    assert S.strength(score(matcher, "Fatima Ali", "ALI, Ahmed Mohammed Hamed")) is None


def test_country_words() -> None:
    words = country_words()
    assert {"china", "guinea", "zealand", "korea", "hong", "kong"} <= words
    assert not {"new", "republic", "united", "man"} & words


@pytest.fixture(scope="module")
def people() -> NameMatcher:
    names = [
        ("KHAWLA BARZAN IBRAHIM HASAN AL-TIKRITI", "individual"),
        ("ZAYNIYAH, Jamal Husayn", "individual"),
        ("Friedrich Merz", "individual"),
        ("Siemens AG", "entity"),
    ]
    entries = [Entry(id=str(i), source="t", list="SDN", name=n, type=t) for i, (n, t) in enumerate(names)]  # type: ignore[arg-type]
    return NameMatcher(Registry([Source(id="t", name="test", list="SDN")], entries), floor=S.review, use_cache=False)


def test_family_name_differs(people: NameMatcher) -> None:
    name = "KHAWLA BARZAN IBRAHIM HASAN AL-TIKRITI"
    assert S.strength(score(people, "KHAWLA BARZAN IBRAHIM HASAN AL-MASHHADANI", name)) is None
    assert S.strength(score(people, "KHAWLA BARZAN AL-TIKRITI", name)) is not None  # middle names dropped
    assert S.strength(score(people, "Jamal ZAYNIYAH", "ZAYNIYAH, Jamal Husayn")) is not None


def test_short_surname_typo_and_long_legal_form(people: NameMatcher) -> None:
    assert S.strength(score(people, "Friedrich Mertz", "Friedrich Merz")) is not None
    assert S.strength(score(people, "Siemens Aktiengesellschaft", "Siemens AG")) is not None
