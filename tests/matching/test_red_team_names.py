"""Names of listed parties the red team wrote so that the bundled lists found nothing (F2, F3, F8):
each now reaches its entry at review or above with the defaults."""

from __future__ import annotations

import pytest

from exportscreen import Screener
from exportscreen.matching import MatchSettings

S = MatchSettings()


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener()


@pytest.mark.parametrize(
    ("query", "entry"),
    [
        ("Hu@wei Technologies", "Huawei Technologies Co., Ltd."),
        ("Hu-a-wei Tech", "Huawei Technologies Co., Ltd."),
        ("Shanghai Aerospace Equipment Manufacturer", "Shanghai Aerospace Equip. Man."),
        ("China Aviation Industry Standard Parts", "China Aviation Ind. Std. Parts"),
        ("Fuhua Precision Manufacturing Co", "Fuhua Precision Man. Co"),
        ("Huawei Technologies Co Ltd Procurement Dept", "Huawei Technologies Co., Ltd."),
        ("Yangtze Memory Technologies Co Ltd Wuhan Fab 2", "Yangtze Memory Technologies Co., Ltd."),
    ],
)
def test_the_red_teams_spellings_reach_their_entry(screener: Screener, query: str, entry: str) -> None:
    found = screener.match_name(query, country="CN", limit=3)
    assert found and found[0].entry_name == entry, [(m.entry_name, m.score) for m in found]
    assert found[0].score >= S.review


@pytest.mark.parametrize(
    ("query", "country", "entry"),
    [
        ("国防科技大学", "CN", "National University of Defense Technology (NUDT)"),
        ("哈尔滨工业大学", "CN", "Harbin Institute of Technology"),
        ("科大讯飞股份有限公司", "CN", "IFLYTEK"),
        ("Ростех", "KZ", "Rostec (Russian Technologies State Corporation)"),
    ],
)
def test_a_listed_party_written_in_its_own_script_is_found(
    screener: Screener, query: str, country: str, entry: str
) -> None:
    """The Chinese and Russian names the overlay now carries for entries outside the curated set (F1)."""
    found = screener.match_name(query, country=country, limit=3)
    assert found and found[0].entry_name == entry and found[0].score >= S.review


def test_another_university_of_the_same_city_is_not_found(screener: Screener) -> None:
    assert screener.match_name("天津财经大学", country="CN") == []


@pytest.mark.parametrize(
    ("query", "entry"),
    [
        ("深圳市华为技术有限公司", "Huawei Technologies Co., Ltd."),
        ("杭州海康威视", "Hangzhou Hikvision Digital Technology Co., Ltd."),
        ("上海中芯国际", "Semiconductor Manufacturing International Corporation (SMIC)"),
        ("武汉长江存储科技有限责任公司", "Yangtze Memory Technologies Co., Ltd."),
        ("福建晋华集成电路有限公司", "Fujian Jinhua Integrated Circuit Company, Ltd."),
    ],
)
def test_a_chinese_name_with_its_city_or_province_in_front_is_found(screener: Screener, query: str, entry: str) -> None:
    """The whole run of characters was one word: 深圳市华为技术 never met 华为技术 (F1)."""
    found = screener.match_name(query, country="CN", limit=3)
    assert found and found[0].entry_name == entry and found[0].score >= S.review


@pytest.mark.parametrize("query", ["北京大学", "武汉大学"])
def test_a_place_and_a_generic_word_find_nothing(screener: Screener, query: str) -> None:
    assert screener.match_name(query, country="CN") == []
