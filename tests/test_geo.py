"""Countries and dated country groups."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from exportscreen import PackError
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


def test_macau_with_d5_for_chip_rules_from_2023_01_17() -> None:
    g = load_country_groups()
    assert "D:5M" in g.groups_of("MO", dt.date(2023, 1, 17))
    assert "D:5M" not in g.groups_of("MO", dt.date(2023, 1, 16))
    assert "D:5" not in g.groups_of("MO", dt.date(2023, 2, 1))
    assert "D:5M" in g.groups_of("CN", dt.date(2022, 12, 1))


def test_chip_rule_destinations_widen_to_d5_on_2023_11_17() -> None:
    g = load_country_groups()
    assert "D:5M" not in g.groups_of("CN", dt.date(2022, 10, 6))
    assert "D:5M" in g.groups_of("CN", dt.date(2022, 10, 7))
    assert "D:5M" in g.groups_of("HK", dt.date(2022, 10, 7))
    assert "D:5M" not in g.groups_of("ZW", dt.date(2023, 11, 16))
    assert "D:5M" in g.groups_of("ZW", dt.date(2023, 11, 17))
    evidence = g.membership_evidence("D:5M", "ZW", dt.date(2023, 11, 17))
    assert evidence is not None and evidence.country == "ZW"
    assert g.membership_evidence("D:5M", "ZW", dt.date(2023, 11, 16)) is None


def test_section_country_scopes_are_dated() -> None:
    g = load_country_groups()
    assert "744.21(a)(1)" not in g.groups_of("NI", dt.date(2024, 3, 14))
    assert "744.21(a)(1)" in g.groups_of("NI", dt.date(2024, 3, 15))
    assert "744.21(a)(1)" not in g.groups_of("MO", dt.date(2026, 1, 1))
    assert "744.21(a)(2)" in g.groups_of("RU", dt.date(2022, 2, 24))
    assert "744.21(a)(1)" in g.groups_of("RU", dt.date(2022, 2, 23))
    assert "744.22(a)" in g.groups_of("IR", dt.date(2022, 1, 1))
    assert "744.22(a)" not in g.groups_of("MO", dt.date(2022, 1, 1))


def test_dated_include_of_an_unknown_group_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "groups.yaml"
    path.write_text(
        "format: exportscreen-country-groups/1\nsource: s\nas_of: 2026-01-01\ncitation: c\n"
        "groups:\n  X:\n    name: x\n    include: [{group: 'D:9', valid_from: ac-rules-2023}]\n",
        encoding="utf-8",
    )
    with pytest.raises(PackError, match="unknown group 'D:9'"):
        load_country_groups(path)


def test_dated_memberships() -> None:
    g = load_country_groups()
    assert "D:5" in g.groups_of("KH", dt.date(2023, 1, 1))
    assert "D:5" not in g.groups_of("KH", dt.date(2026, 1, 1))
    assert "D:5" in g.groups_of("NI", dt.date(2024, 6, 1))
    assert "D:5" not in g.groups_of("NI", dt.date(2024, 1, 1))
    assert g.groups_of("SA", dt.date(2026, 1, 1)) == ["D:3", "D:4"]
    m = g.membership_evidence("D:5M", "MO", dt.date(2024, 1, 1))
    assert m is not None and m.citation == "88 FR 2821"
    uae = g.membership_evidence("A:5", "AE", dt.date(2026, 6, 21))
    assert uae is not None and uae.valid_from == dt.date(2026, 6, 21)  # a date name of the file, resolved
