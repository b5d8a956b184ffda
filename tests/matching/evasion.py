"""Evasion transformations of a listed name (shared by the evasion table and property tests)."""

from __future__ import annotations

import re
from collections.abc import Callable

ZWSP = "\u200b"
#: right-to-left isolate and its pop (an override, U+202E, is refused: tests/matching/test_red_team_names.py)
RLI = "\u2067"
PDI = "\u2069"
#: Latin letter -> Cyrillic or Greek look-alike
HOMOGLYPHS = {
    "a": "а",
    "e": "е",
    "o": "о",
    "c": "с",
    "p": "р",
    "x": "х",
    "A": "А",
    "E": "Е",
    "O": "О",
    "T": "Т",
    "H": "Н",
    "K": "К",
    "M": "М",
    "B": "В",
    "P": "Р",
    "C": "С",
    "X": "Χ",
    "N": "Ν",
}
LEET = {"o": "0", "O": "0", "i": "1", "I": "1", "e": "3", "E": "3", "s": "5", "S": "5"}
LEGAL = re.compile(
    r"\b(Co\.,? Ltd\.?|Company Limited|Corporation|Corp\.?|Limited|Ltd\.?|Inc\.?|LLC|JSC|OOO)$", re.IGNORECASE
)


def _words(name: str, fn: Callable[[str], str]) -> str:
    return " ".join(fn(w) for w in name.split(" "))


def _inside(word: str, ch: str) -> str:
    return word[: len(word) // 2] + ch + word[len(word) // 2 :] if len(word) >= 4 else word


def zero_width(name: str) -> str:
    return _words(name, lambda w: _inside(w, ZWSP))


def bidi(name: str) -> str:
    return RLI + PDI + _words(name, lambda w: _inside(w, "\u200f"))


def homoglyphs(name: str) -> str:
    return "".join(HOMOGLYPHS.get(ch, ch) if i % 2 == 0 else ch for i, ch in enumerate(name))


def full_width(name: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in name)


def combining(name: str) -> str:
    return "".join(ch + "\u0301" if ch.isalpha() and i % 3 == 0 else ch for i, ch in enumerate(name))


def punctuation(name: str) -> str:
    return _words(name, lambda w: _inside(w, "-") if w.isalpha() else w).replace(" ", " . ")


def leet(name: str) -> str:
    """Digits for letters in words long enough that letters still outnumber digits."""

    def one(w: str) -> str:
        if len(w) < 4 or not w.isalpha():
            return w
        for i, ch in enumerate(w):
            if ch in LEET:
                return w[:i] + LEET[ch] + w[i + 1 :]
        return w

    return _words(name, one)


def reorder(name: str) -> str:
    words = name.split()
    return " ".join(words[1:] + words[:1]) if len(words) > 1 else name


def legal_form(name: str) -> str:
    if LEGAL.search(name):
        return LEGAL.sub("Company Limited" if "Corp" in name else "Corporation", name)
    return name + " Ltd."


TRANSFORMS: dict[str, Callable[[str], str]] = {
    "zero_width": zero_width,
    "bidi_controls": bidi,
    "homoglyphs": homoglyphs,
    "full_width": full_width,
    "combining_marks": combining,
    "inserted_punctuation": punctuation,
    "leetspeak": leet,
    "reordered": reorder,
    "legal_form_swapped": legal_form,
}
