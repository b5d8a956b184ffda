"""One small hand-written case per perturbation class of the sanctions-screening benchmark: the
perturbed name is found (at review or above, first), and each negative class is no hit."""

from __future__ import annotations

import pytest

from exportscreen.matching import MatchSettings
from exportscreen.matching.engine import NameMatcher
from exportscreen.registry.model import Entry, Registry, Source

S = MatchSettings()

NAMES = [
    ("1", "3HC Semiconductors (HK) Co., Ltd.", "entity"),
    ("2", "Beijing Sevenstar Flowmeter Co., Ltd.", "entity"),
    ("3", "China Academy of Engineering Physics", "entity"),
    ("4", "Semiconductor Manufacturing International Corporation", "entity"),
    ("5", "AL-ZAWAHIRI, Ayman Muhammad Rabi", "individual"),
    ("6", "FERNANDEZ CASTRO, Fernando Alberto", "individual"),
    ("7", "MÜLLER, Jürgen", "individual"),
    ("8", "HUSSEIN, Qasim Abdallah", "individual"),
    ("9", "Shenzhen Kiwa Electronics Limited", "entity"),
    ("10", "Dmitry Aleksandrovich KOZLOV", "individual"),
    ("11", "OLIVAS OJEDA, Marco Antonio", "individual"),
    ("12", "Zhejiang Dahua Technology Co., Ltd.", "entity"),
]


@pytest.fixture(scope="module")
def matcher() -> NameMatcher:
    entries = [Entry(id=i, source="t", list="SDN", name=n, type=t) for i, n, t in NAMES]  # type: ignore[arg-type]
    return NameMatcher(Registry([Source(id="t", name="test", list="SDN")], entries), floor=S.review, use_cache=False)


# (perturbation class, query, expected entry id)
POSITIVES = [
    ("case_fold", "SHENZHEN KIWA ELECTRONICS LIMITED", "9"),
    ("diacritics_strip", "MULLER, Jurgen", "7"),
    ("diacritics_expand", "MUELLER, Juergen", "7"),
    ("double_collapse", "HUSEIN, Qasim Abdalah", "8"),
    ("homoglyph", "Ѕhеnzhеn Кіwа Еlесtrоnісѕ Lіmіtеd", "9"),
    ("initials", "D. A. KOZLOV", "10"),
    ("invisible_char", "Shenzhen Ki\u200bwa Electronics Limited", "9"),
    ("name_order", "Ayman Muhammad Rabi AL-ZAWAHIRI", "5"),
    ("ocr", "Shenzhen Kiwa Electronics Lirnited", "9"),
    ("particle", "ALZAWAHIRI, Ayman Muhammad Rabi", "5"),
    ("phonetic", "HUSSEIN, Kasim Abdallah", "8"),
    ("punctuation", "3 HC Semiconductors HK Co Ltd", "1"),
    ("title_affix", "Dr. Ayman Muhammad Rabi AL-ZAWAHIRI", "5"),
    ("token_drop", "Beijing Flowmeter Co., Ltd.", "2"),
    ("translit", "FERNANDEZ CASTRO, Fernando Alberto", "6"),
    ("translit", "HUSSEIN, Qassem Abdallah", "8"),
    ("transpose", "Zhejiang Dahau Technology Co., Ltd.", "12"),
    ("truncate", "Semiconductor Manufa", "4"),
    ("typo", "Zhejiang Dahua Technolohy Co., Ltd.", "12"),
    ("vowel_drop", "FRNNDZ CSTR, Frnndo Albrto", "6"),
]


@pytest.mark.parametrize(("cls", "query", "expected"), POSITIVES, ids=[f"{c}:{q}" for c, q, _e in POSITIVES])
def test_perturbed_name_is_found_first(matcher: NameMatcher, cls: str, query: str, expected: str) -> None:
    found = matcher.search(query, limit=5, min_score=S.review)
    assert found, query
    assert matcher.registry.entries[found[0].entry_index].id == expected, found[0].explanation["summary"]


# (negative class, query): built from listed names, naming no listed party
NEGATIVES = [
    ("cross_pair", "Ayman KOZLOV"),
    ("token_swap", "OLIVAS OJEDA Marco SAEED"),
    ("token_swap", "Shenzhen Kiwa Electronics Beijing"),
    ("edit_beyond", "Shenzhen Kiwa Eols Limited"),
]


@pytest.mark.parametrize(("cls", "query"), NEGATIVES, ids=[f"{c}:{q}" for c, q in NEGATIVES])
def test_negative_control_is_no_hit(matcher: NameMatcher, cls: str, query: str) -> None:
    found = matcher.search(query, limit=5, min_score=S.review)
    assert all(S.strength(c.score) != "hit" for c in found), [c.explanation["summary"] for c in found]


def test_every_benchmark_class_has_a_case() -> None:
    classes = {c for c, _q, _e in POSITIVES} | {c for c, _q in NEGATIVES}
    assert len(classes) == 19 + 3  # the benchmark's 19 perturbation classes and its 3 negative classes
