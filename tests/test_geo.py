"""Countries and dated country groups."""

from __future__ import annotations

import datetime as dt

import pytest

from exportscreen.geo import load_country_groups, resolve_country


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("CN", "CN"),
        ("cn", "CN"),
        ("China", "CN"),
        ("Hong Kong", "HK"),
        ("Macau", "MO"),
        ("Macao", "MO"),
        ("Russia", "RU"),
        ("South Korea", "KR"),
        ("NO", "NO"),
        ("Norway", "NO"),
        ("Türkiye", "TR"),
        ("CHN", "CN"),
    ],
)
def test_resolve_country(text: str, code: str) -> None:
    assert resolve_country(text) == code


@pytest.mark.parametrize("text", ["Narnia", "Korea", "Congo", "", "  ", "XX"])
def test_unknown_or_ambiguous_country_is_an_error(text: str) -> None:
    with pytest.raises(ValueError):
        resolve_country(text)


def test_hong_kong_takes_china_groups_from_2020_12_23() -> None:
    g = load_country_groups()
    assert "D:5" in g.groups_of("HK", dt.date(2021, 1, 1))
    assert "D:5" not in g.groups_of("HK", dt.date(2020, 6, 1))
    assert "A:6" in g.groups_of("HK", dt.date(2020, 6, 1))


def test_macau_with_d5_for_chip_rules_from_2023_01_18() -> None:
    g = load_country_groups()
    assert "D:5M" in g.groups_of("MO", dt.date(2023, 2, 1))
    assert "D:5M" not in g.groups_of("MO", dt.date(2022, 12, 1))
    assert "D:5" not in g.groups_of("MO", dt.date(2023, 2, 1))
    assert "D:5M" in g.groups_of("CN", dt.date(2022, 12, 1))


def test_dated_memberships() -> None:
    g = load_country_groups()
    assert "D:5" in g.groups_of("KH", dt.date(2023, 1, 1))
    assert "D:5" not in g.groups_of("KH", dt.date(2026, 1, 1))
    assert "D:5" in g.groups_of("NI", dt.date(2024, 6, 1))
    assert "D:5" not in g.groups_of("NI", dt.date(2024, 1, 1))
    assert g.groups_of("SA", dt.date(2026, 1, 1)) == ["D:3", "D:4"]
    m = g.membership_evidence("D:5M", "MO", dt.date(2024, 1, 1))
    assert m is not None and m.citation == "88 FR 2821"
