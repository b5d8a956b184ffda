"""A party and a listed entry in one country, counted as such (red team, lead 2026-12-07).

The Entity List files Hong Kong parties in its China section (285 bundled China-section entries have
a Hong Kong address; SMIC Hong Kong International Company Limited among them). A party in Hong Kong
was in "another country" than every one of them: ``country_conflict`` (-10) turned a hit into a
review and a review into nothing ("Megvii Technolgy" HK: 81.4 against 93.4 with CN), and the
``contained`` rule never applied ("Megvii Trading Co., Ltd." HK found nothing, nor without a
country). Now an entry is in its section's country and in each country its addresses end with, and
``features.same_country_as`` (lists/matching.yaml) counts a Hong Kong party as in China."""

from __future__ import annotations

import pytest

from exportscreen.matching import MatchSettings
from exportscreen.matching.engine import NameMatcher
from exportscreen.matching.names import address_countries
from exportscreen.registry import load_registry
from exportscreen.registry.model import Entry, Registry, Source

S = MatchSettings()


@pytest.fixture(scope="module")
def bundled() -> NameMatcher:
    return NameMatcher(load_registry(), floor=S.review, use_cache=False)


def _matcher() -> NameMatcher:
    entries = [
        Entry(
            id="moscow-arm",
            source="t",
            list="EL",
            name="Rotmeister Handelsgesellschaft GmbH",
            country="DE",
            addresses=("Leninsky Prospekt 12, 119071 Moscow, Russia",),
        ),
        Entry(id="filler", source="t", list="EL", name="Global Trading Company", country="US"),
    ]
    return NameMatcher(Registry([Source(id="t", name="test", list="EL")], entries), floor=S.review, use_cache=False)


@pytest.fixture(scope="module")
def matcher() -> NameMatcher:
    return _matcher()


def _top(matcher: NameMatcher, query: str, country: str | None) -> tuple[str, float] | None:
    found = matcher.search(query, country=country, limit=1, min_score=S.review)
    if not found:
        return None
    return matcher.registry.entries[found[0].entry_index].id, found[0].score


def test_a_hong_kong_party_is_in_the_country_of_a_china_section_entry(bundled: NameMatcher) -> None:
    cn, hk = _top(bundled, "Megvii Technolgy", "CN"), _top(bundled, "Megvii Technolgy", "HK")
    assert cn is not None and hk is not None
    assert hk == cn and hk[0] == "EL-CN-MEGVII-TECHNOLOGY" and hk[1] >= S.hit


def test_the_contained_rule_applies_to_a_hong_kong_party(bundled: NameMatcher) -> None:
    found = _top(bundled, "Megvii Trading Co., Ltd.", "HK")
    assert found is not None and found[0] == "EL-CN-MEGVII-TECHNOLOGY" and S.review <= found[1] < S.hit


def test_macau_is_not_counted_as_china(bundled: NameMatcher) -> None:
    """No list files Macau parties under China: a Macau party stays in another country."""
    mo, cn = _top(bundled, "Megvii Technolgy", "MO"), _top(bundled, "Megvii Technolgy", "CN")
    assert mo is not None and cn is not None and mo[1] < cn[1]


def test_an_entry_is_in_the_countries_its_addresses_end_with(matcher: NameMatcher) -> None:
    ru = _top(matcher, "Rotmeister Handelsgesellschaft", "RU")
    fr = _top(matcher, "Rotmeister Handelsgesellschaft", "FR")
    assert ru is not None and fr is not None
    (hit,) = matcher.search("Rotmeister Handelsgesellschaft", country="RU", limit=1, min_score=S.review)
    assert hit.explanation is not None
    features = hit.explanation["features"]
    assert isinstance(features, dict) and features["country"] == {
        "query": "RU",
        "entry": "DE",
        "entry_countries": ["DE", "RU"],
        "points": 2.0,
    }
    assert ru[1] - fr[1] == pytest.approx(12.0)  # +2 against -10


@pytest.mark.parametrize(
    ("addresses", "expected"),
    [
        (("Suite 3003, 30/F, No. 9 Queen's Road Central, Hong Kong",), {"HK"}),
        (("Office 12, Jebel Ali Free Zone, Dubai, U.A.E.", "18 Zhangjiang Road, Shanghai, China 201203"), {"AE", "CN"}),
        (("P.O. Box 1234", "Shenzhen", ""), set()),
    ],
)
def test_address_countries(addresses: tuple[str, ...], expected: set[str]) -> None:
    assert address_countries(addresses) == expected


def test_the_contained_rule_applies_to_an_organisation_without_a_country(bundled: NameMatcher) -> None:
    """A party without a country (orders often leave it out) that names itself an organisation by a
    legal form; a name with no legal form is not read so ("Sergei Kuznetsov" is no review of the
    listed "ODK-Kuznetsov")."""
    found = _top(bundled, "Megvii Trading Co., Ltd.", None)
    assert found is not None and found[0] == "EL-CN-MEGVII-TECHNOLOGY" and S.review <= found[1] < S.hit
    person = _top(bundled, "Sergei Kuznetsov", None)
    assert person is None or "KUZNETSOV" not in person[0]
