"""The look-alike table (``lists/names/confusables.yaml``) covers every Latin look-alike in Cyrillic and
Greek that Unicode's confusables.txt lists, capitals included, and is what the generator writes."""

from __future__ import annotations

import unicodedata

import pytest

from exportscreen.matching.confusables import build_table, confusable_table
from exportscreen.matching.normalize import fold

confusables = pytest.importorskip("confusable_homoglyphs.utils", reason="dev dependency confusable-homoglyphs")

LATIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _script_letters(prefixes: tuple[str, ...]) -> set[str]:
    out = set()
    for cp in range(0x0370, 0x0530):
        ch = chr(cp)
        if unicodedata.name(ch, "").startswith(prefixes) and unicodedata.category(ch).startswith("L"):
            out.add(ch)
    return out


def test_every_cyrillic_and_greek_latin_lookalike_is_in_the_table() -> None:
    data = confusables.load("confusables.json")
    table = confusable_table()
    letters = _script_letters(("CYRILLIC", "GREEK"))
    expected = {g["c"] for key, glyphs in data.items() if key in LATIN for g in glyphs if g["c"] in letters}
    assert len(expected) > 50
    missing = sorted(ch for ch in expected if ch not in table)
    assert missing == [], [unicodedata.name(ch) for ch in missing]
    capitals = {ch for ch in expected if unicodedata.category(ch) == "Lu"}
    assert len(capitals) > 20
    # each maps to a letter confusables.txt gives it ("l", the prototype of capital I, read as "I")
    keys = {ch: {k for k, glyphs in data.items() if k in LATIN for g in glyphs if g["c"] == ch} for ch in expected}
    for ch in expected:
        allowed = keys[ch] | ({"I"} if "l" in keys[ch] or "I" in keys[ch] else set())
        assert table[ch] in allowed, (unicodedata.name(ch), table[ch], keys[ch])


def test_the_table_is_what_the_generator_writes() -> None:
    assert confusable_table() == build_table()


@pytest.mark.parametrize(
    ("ch", "latin"),
    [
        ("Ѕ", "S"),
        ("І", "I"),
        ("Ј", "J"),
        ("А", "A"),
        ("Е", "E"),
        ("Һ" if "Һ" in confusable_table() else "һ", "h"),
        ("Ԝ", "W"),
        ("Ι", "I"),
        ("Ο", "O"),
        ("Ρ", "P"),
        ("а", "a"),
        ("о", "o"),
        ("ѕ", "s"),
        ("ο", "o"),
    ],
)
def test_known_lookalikes(ch: str, latin: str) -> None:
    assert confusable_table()[ch].lower() == latin.lower()


def test_applied_per_name() -> None:
    assert fold("Ѕemiconductor Мanufacturing Іnternational Corporation") == (
        "semiconductor manufacturing international corporation"
    )
