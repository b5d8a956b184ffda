"""Address matching: the same house number on the same street is a hit under any name; another
number or another street is no match (the bundled lists: SMIC's Zhangjiang campus)."""

from __future__ import annotations

import pytest

from exportscreen.matching import MatchSettings
from exportscreen.matching.address import fold_address, parse_address
from exportscreen.matching.engine import NameMatcher
from exportscreen.matching.words import word_lists
from exportscreen.registry import load_registry

S = MatchSettings()
SMIC = "Semiconductor Manufacturing International Corporation (SMIC)"


@pytest.fixture(scope="module")
def bundled() -> NameMatcher:
    return NameMatcher(load_registry(), floor=S.review, use_cache=False)


def strengths(m: NameMatcher, address: str) -> dict[str, str | None]:
    return {
        m.registry.entries[c.entry_index].name: S.strength(c.score)
        for c in m.search_address(address, limit=None, min_score=S.review)
    }


# (query address, strength against SMIC's "No. 18 Zhang Jiang Road, Pudong New Area, Shanghai 201203, China")
CASES = [
    ("No. 18 Zhangjiang Road, Pudong, Shanghai", "hit"),  # joined street words, no "New Area", no postcode
    ("18 Zhangjiang Rd., Pudong New Area, Shanghai", "hit"),  # abbreviation
    ("18 ZHANG JIANG RD, PUDONG, SHANGHAI 201203, PRC", "hit"),
    ("Zhangjiang Lu 18 Hao, Pudong, Shanghai", "hit"),  # pinyin street type and number marker
    ("18 Zhangjiang Road", "review"),  # no place to confirm it
    ("18 Zhangjiang Road, Pudong, Beijing", "review"),  # a place the listed address does not have
    ("No. 19 Zhangjiang Road, Pudong, Shanghai 201203", None),  # another house number, same postcode
    ("Building 3, No. 19 Zhangjiang Road, Pudong, Shanghai", None),  # "3" is no house number here
    ("No. 18 Gaosi Road, Pudong, Shanghai", None),  # same number, another street
    ("18 Road, Shanghai", None),
]


@pytest.mark.parametrize(("address", "strength"), CASES, ids=[c[0] for c in CASES])
def test_smic_campus(bundled: NameMatcher, address: str, strength: str | None) -> None:
    assert strengths(bundled, address).get(SMIC) == strength


def test_other_zhangjiang_addresses_need_their_own_number(bundled: NameMatcher) -> None:
    # "No. 497, Gaosi Road, Zhangjiang Hi-Tech Park": 497 is on Gaosi Road, not Zhangjiang Road
    assert strengths(bundled, "497 Zhangjiang Road, Pudong, Shanghai") == {}
    assert "Zhangjiang Laboratory" not in strengths(bundled, "No. 18 Zhangjiang Road, Pudong, Shanghai")


def test_explanation_names_street_and_places(bundled: NameMatcher) -> None:
    found = bundled.search_address("No. 18 Zhangjiang Road, Pudong, Shanghai", limit=None)
    c = next(x for x in found if bundled.registry.entries[x.entry_index].name == SMIC)
    assert c.explanation["how"] == "same_street_and_places"
    assert c.explanation["street"] == "zhangjiang"
    assert c.explanation["shared_numbers"] == ["18"]
    assert c.explanation["places_found"] == ["pudong", "shanghai"]


def test_parse_address() -> None:
    words = word_lists()
    text = "6th Floor, Building 3, No. 18, Zhangjiang Road, Shanghai 201203 China"
    a = parse_address(fold_address(text, words), words)
    assert a.streets == (("18", "zhangjiang"),)
    assert "201203" not in a.numbers and {"18", "3", "6th"} <= a.numbers
    assert parse_address(fold_address("ul. Lenina 5, Moscow", words), words).streets == (("5", "lenina"),)


def test_name_words_in_listed_addresses_are_not_places(bundled: NameMatcher) -> None:
    # "Huawei Base" is in the addresses of Huawei's affiliates: "huawei" is a name word there, so
    # "Huawei Technologies (Shenzhen)" is Huawei and not "Shenzhen HiSilicon Technologies Co."
    found = bundled.search("Huawei Technologies (Shenzhen)", country="CN", limit=None, min_score=S.review)
    names = [bundled.registry.entries[c.entry_index].name for c in found]
    assert names[0] == "Huawei Technologies Co., Ltd."
    assert not [n for n in names if "HiSilicon" in n]  # other Huawei rows of the full list may follow


def test_campus_without_house_number_given_verbatim_is_a_review(bundled: NameMatcher) -> None:
    got = strengths(bundled, "Bantian Huawei Base, Longgang District, Shenzhen")
    assert got and set(got.values()) == {"review"}
    assert strengths(bundled, "Longgang District, Shenzhen") == {}  # places alone are no address
    found = bundled.search_address("Bantian Huawei Base, Longgang District, Shenzhen", limit=1)[0]
    assert found.explanation["rule"] == "distinctive_words_without_number"
    assert found.explanation["query_text"] == "Bantian Huawei Base, Longgang District, Shenzhen"
    assert found.explanation["listed_text"] == found.matched_name


def test_chinese_script_address(bundled: NameMatcher) -> None:
    assert strengths(bundled, "上海市浦东新区张江路18号").get(SMIC) in ("review", "hit")
    assert strengths(bundled, "上海市浦东新区张江路19号").get(SMIC) is None  # another house number
    words = word_lists()
    assert fold_address("上海市浦东新区张江路18号", words) == "shanghai pudong new area zhangjiang road 18"


HUAWEI = "Huawei Technologies Co., Ltd."
YMTC = "Yangtze Memory Technologies Co., Ltd."


@pytest.mark.parametrize(
    ("address", "entry"),
    [
        # the Chinese run 坂田华为 is read as one word, "bantianhuawei": split into listed words
        ("深圳市龙岗区坂田华为基地", HUAWEI),
        ("Shenzhen Longgang District BantianHuawei Base", HUAWEI),
        # 三路 is "3rd Road" in the listed "88 Weilai 3rd Road, East Lake High-tech Development Zone, Wuhan"
        ("武汉市东湖新技术开发区未来三路88号", YMTC),
    ],
)
def test_chinese_address_without_spaces_is_a_review(bundled: NameMatcher, address: str, entry: str) -> None:
    assert strengths(bundled, address).get(entry) == "review"


def test_joined_words_split_only_into_listed_words(bundled: NameMatcher) -> None:
    assert strengths(bundled, "坂田华为基地") == {}  # two words: too few for an address without a number
    assert strengths(bundled, "Shenzhen Longgang District Bantianhuaweix Base") == {}
    found = bundled.search_address("深圳市龙岗区坂田华为基地", limit=1)[0]
    assert found.explanation["query_normalised"] == "shenzhen longgang district bantian huawei base"
    assert fold_address("未来三路", word_lists()) == "weilai 3rd road"


def test_a_listed_post_office_box_is_found(bundled: NameMatcher) -> None:
    """'P.O. Box 42340, Dubai, U.A.E' is the whole listed address of Entity List entries; its five digits
    were read as a postal code and dropped, so the exact listed address was no match (red team 29,
    finding 9). A box number is compared like a house number: a review, never a hit by the box alone."""
    found = strengths(bundled, "P.O. Box 42340, Dubai, U.A.E")
    assert found.get("A.H. Shamnad") == "review" and found.get("Narinco") == "review"
    assert strengths(bundled, "P.O. Box 42341, Dubai, U.A.E").get("A.H. Shamnad") is None
    words = word_lists()
    assert "42340" in parse_address(fold_address("PO Box 42340, Dubai", words), words).numbers
    assert "201203" not in parse_address(fold_address("Shanghai 201203", words), words).numbers


@pytest.mark.parametrize(
    "address",
    [
        # whole listed addresses without a house number, of 2-3 distinctive words (red team 41, F4):
        # no match before (words_only_min_words is 4)
        "Bantian Longgang District, Shenzhen, 518129, China",
        "Science and Technology Building of the National University of Defense Technology",
        "Guangming Rd., Atushi City, XUAR 845350, China",
        "Gaokede Building, Huaqiang North, Shenzhen, China",
        "Tuanjie Rd. Tacheng City, XUAR 834700, China",
    ],
)
def test_a_short_listed_address_given_verbatim_is_a_review(bundled: NameMatcher, address: str) -> None:
    found = bundled.search_address(address, limit=None, min_score=S.review)
    verbatim = [c for c in found if c.matched_name == address]
    assert verbatim and all(S.strength(c.score) == "review" for c in verbatim), found
    assert verbatim[0].explanation["rule"] == "listed_address_verbatim"


@pytest.mark.parametrize(
    "address",
    [
        "Shenzhen, Guangdong, China",  # places only
        "Mexico City, Mexico",
        "Madrid, Spain",
        "Dubai, UAE",
        "Longgang District, Shenzhen",  # not the whole of any listed address
        "Gaokede Building, Huaqiang North, Shenzhen, Guangdong, China",  # a word the listed one lacks
        "5 Gaokede Building, Huaqiang North, Shenzhen, China",  # a number of its own
        "Bantian Longgang District, Shenzhen, 518000, China",  # another postal code
    ],
)
def test_places_alone_or_another_short_address_match_nothing(bundled: NameMatcher, address: str) -> None:
    assert strengths(bundled, address) == {}


def test_a_street_one_letter_apart_in_another_city_is_no_match(bundled: NameMatcher) -> None:
    """ "Calle Bagdad 12, Madrid" was a review of "No:460/12 Bagdat Caddesi …, Istanbul …" (the number and
    a street one letter apart); the street in the listed place still matches."""
    assert strengths(bundled, "Calle Bagdad 12, Madrid") == {}
    assert strengths(bundled, "Bagdad Caddesi 12, Istanbul")


def test_postal_codes_and_specific_words_are_parsed() -> None:
    words = word_lists()
    parsed = parse_address(fold_address("Gaokede Building, Huaqiang North, Shenzhen 518000, China", words), words)
    assert parsed.postcodes == {"518000"} and parsed.specific == {"gaokede"}
    assert parse_address(fold_address("Guangming Rd., Atushi City", words), words).specific == {"guangming"}
