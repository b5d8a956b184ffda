"""The pinyin syllables (``lists/names/pinyin_syllables.yaml``) and the reading of a name written
syllable by syllable."""

from __future__ import annotations

import re

import pytest
from anyascii import anyascii

from exportscreen.matching.query import syllables_joined
from exportscreen.matching.words import word_lists

#: a pinyin syllable without tone: an initial, one to three vowels, a final n, ng or r
_PINYIN_FORM = re.compile(r"^(zh|ch|sh|[bpmfdtnlgkhjqxzcsryw])?[aeiouv]{1,3}(ng|n|r)?$")


def test_the_syllables_are_the_pinyin_readings_of_the_cjk_ideographs() -> None:
    """The list is data, derived once: it must stay what the transliteration reads, nothing more or less."""
    read = {anyascii(chr(cp)).lower() for cp in range(0x4E00, 0xA000)}
    expected = {t for t in read if t.isalpha() and _PINYIN_FORM.match(t)}
    assert word_lists().pinyin_syllables == expected


@pytest.mark.parametrize(
    ("folded", "readings"),
    [
        ("hua wei ji shu you xian gong si", ["huawei jishu youxian gongsi"]),
        ("hai kang wei", ["haikang wei", "hai kangwei"]),
        ("beijing zhong ke shu guang co", ["beijing zhongke shuguang co"]),
        # two syllables are one listed word already (Query.joins); English words break a run
        ("hua wei technologies", []),
        ("huawei technologies co ltd", []),
        ("a b c trading", []),
    ],
)
def test_a_run_of_syllables_is_read_joined_in_twos(folded: str, readings: list[str]) -> None:
    assert syllables_joined(folded, word_lists().pinyin_syllables) == readings
