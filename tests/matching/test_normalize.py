"""Normalisation: idempotent, total, and evasion variants fold to the plain form."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from exportscreen.matching.normalize import NormalisationTrace, consonant_key, fold, fold_traced, skeleton


@given(st.text(max_size=200))
def test_fold_never_raises_and_is_idempotent(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert once == once.strip()
    assert "  " not in once
    assert once.isascii()


@given(st.text(alphabet=st.characters(categories=("Ll", "Lu", "Nd")), max_size=30))
def test_skeleton_is_total(word: str) -> None:
    folded = fold(word)
    for w in folded.split():
        assert isinstance(skeleton(w), str)
        assert isinstance(consonant_key(w), str)


def test_fold_cases() -> None:
    assert fold("Semiconductor Manufacturing International Corp.") == "semiconductor manufacturing international corp"
    assert fold("S.M.I.C.") == "smic"
    assert fold("Ｉnstruments") == "instruments"  # full-width
    assert fold("Micro\u200bbiology") == "microbiology"  # zero-width space
    assert fold("soft\u00adhyphen") == "softhyphen"
    assert fold("\u202eabc\u202c") == "abc"  # bidi controls
    assert fold("Nile Dеlta") == "nile delta"  # Cyrillic е
    assert fold("Compañía González A.Ş.") == "compania gonzalez as"
    assert fold("Xi'an Xiangyu") == "xian xiangyu"
    assert fold("MICR0 SYSTEMS") == "micr0 systems"  # digits stay: the ocr similarity rule reads them
    assert fold("5G Tech") == "5g tech"
    assert fold("A & B") == "a and b"
    assert fold("Hu@wei Technologies") == "huawei technologies"  # a symbol for a letter (red team F8)
    assert fold("Ro$tec") == "rostec"
    assert fold("Hu-a-wei Tech") == "huawei tech"  # a letter set off by hyphens
    assert fold("AL-ZAWAHIRI") == "al zawahiri"  # hyphens between longer parts still split
    assert fold("A-B-C") == "abc"
    assert fold("中芯国际集成电路制造有限公司") == "zhongxinguojijichengdianluzhizao youxiangongsi"
    assert fold("\x00\x07") == ""


def test_a_line_break_or_tab_between_words_separates_them() -> None:
    """A name wrapped over two lines in an ERP cell ("Huawei Technologies\\nCo., Ltd.") folded to
    "huawei technologiesco ltd": the Entity List hit became a potential match (review, not sensitive)."""
    for gap in ("\n", "\r\n", "\t", "\v", "\f", "\x85", "\u2028", "\u2029"):
        assert fold(f"Huawei Technologies{gap}Co., Ltd.") == "huawei technologies co ltd", repr(gap)


def test_spelling_keys() -> None:
    assert skeleton("aleksey") == skeleton("alexei")
    assert skeleton("mohammed") == skeleton("mohamed")
    assert consonant_key("mohamed") == consonant_key("muhammad")
    assert consonant_key("bush") == ""


def test_digits_stay_digits() -> None:
    """A digit in a name is kept ("3HC" is a name, not "EHC"); look-alike digits are the ``ocr``
    similarity rule's business."""
    assert fold("3HC Semiconductors") == "3hc semiconductors"
    assert fold("C0., Ltd. H0ng K0ng") == "c0 ltd h0ng k0ng"
    assert fold("5th Floor 1st 22nd 11th 5G 3D") == "5th floor 1st 22nd 11th 5g 3d"


def test_confusables_per_name() -> None:
    assert fold("Ѕemiconductor Мanufacturing Іnternational Corporation") == (
        "semiconductor manufacturing international corporation"
    )
    assert fold("3-К Еlесtrоnісѕ Lіmіtеd") == "3 k electronics limited"  # words made only of look-alikes too
    assert fold("ВОСТОК") == "vostok"  # no Latin letter in the name: transliterated
    assert fold("ООО Ромашка Ltd") == "ooo romashka ltd"  # a word with letters no Latin letter resembles


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60))
def test_printable_ascii_fast_path_equals_the_unicode_path(text: str) -> None:
    """Printable ASCII skips the Unicode steps; with a zero-width space added (dropped by those
    steps) the same text goes through them, and must fold the same."""
    fast, slow = NormalisationTrace(), NormalisationTrace()
    assert fold_traced(text, fast) == fold_traced(text + "\u200b", slow)
    assert set(fast.steps) == set(slow.steps) - {"invisible_or_control_characters_removed"}
