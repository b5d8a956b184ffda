"""Reading the free-text end use against ``lists/ear/end_use_words.yaml`` (how a word matches is
documented in that file)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Literal

from anyascii import anyascii
from pydantic import BaseModel, ConfigDict, Field, model_validator

from exportscreen._data import bundled_dir
from exportscreen._errors import PackError
from exportscreen._io import load_model
from exportscreen.matching.confusables import unmask
from exportscreen.models import ItemKind

__all__ = ["AddressWord", "EndUseWords", "Measure", "TextWord", "WordHit", "load_end_use_words"]

_FROZEN = ConfigDict(extra="forbid", frozen=True, defer_build=True)
#: Scripts written without spaces between words (Chinese, Japanese), and Hangul, whose particles join
#: the noun (평양에서 "in Pyongyang"): such a word matches anywhere in the text. Code point ranges,
#: tested in Python: a regular expression class over them costs ~3 ms to compile, per word pattern.
_UNSPACED_RANGES = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xAC00, 0xD7AF))
#: A word of an unspaced script that begins or ends with a Latin letter or digit is still bounded there:
#: 7纳米 is not found inside 27纳米.
_LATIN_EDGE = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _unspaced(ch: str) -> bool:
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _UNSPACED_RANGES)


def _in_word(ch: str) -> bool:
    """What may not stand next to a word of a spaced script: a word character (``\\w``: alphanumeric or
    "_") other than those of the unspaced scripts (in "用于3D NAND生产" the Latin word stands between
    Chinese characters)."""
    return (ch.isalnum() or ch == "_") and not _unspaced(ch)


def _latin_edge(ch: str) -> bool:
    return ch in _LATIN_EDGE


def _bounded_at(haystack: str, needle: str, start: int, left: bool, right: bool, edge: Callable[[str], bool]) -> bool:
    end = start + len(needle)
    if left and start > 0 and edge(haystack[start - 1]):
        return False
    return not (right and end < len(haystack) and edge(haystack[end]))


def whole_word_in(needle: str, haystack: str) -> bool:
    """``needle`` occurs in ``haystack`` as a whole word: a word of a spaced script with no word character
    of a spaced script next to it; one of an unspaced script anywhere, except next to a Latin letter or
    digit where it begins or ends with one."""
    if any(_unspaced(ch) for ch in needle):
        edge = _latin_edge
        left = needle[0].isascii() and needle[0].isalnum()
        right = needle[-1].isascii() and needle[-1].isalnum()
    else:
        edge, left, right = _in_word, True, True
    at = haystack.find(needle)
    while at >= 0:
        if _bounded_at(haystack, needle, at, left, right, edge):
            return True
        at = haystack.find(needle, at + 1)
    return False


#: The kana voicing marks, kept: が is not か.
_KANA_VOICING = frozenset("\u3099\u309a")
#: Unicode categories left out of a text read: combining marks (the accents of Latin, Greek and Cyrillic
#: letters, and every other mark: a Hebrew point or Cyrillic titlo inside "mis\u05b0sile" shows as
#: "missile") and format characters (zero-width ones, tag characters U+E0020 ..., which show as nothing).
_DROPPED = frozenset({"Mn", "Me", "Cf"})


def _unmarked(decomposed: str) -> str:
    """``decomposed`` (NFKD) without its combining marks and format characters, the kana voicing kept."""
    return "".join(ch for ch in decomposed if ch in _KANA_VOICING or unicodedata.category(ch) not in _DROPPED)


#: A hyphen or dash between two word characters, read as a space ("air-force" is "air force").
_HYPHEN = re.compile(r"(?<=\w)[-\u2010-\u2014](?=\w)")
_SPACES = re.compile(r"\s+")


def _plain(text: str) -> str:
    """NFKC-folded, with the combining marks and format characters removed ("milítary" -> "military",
    "ё" -> "е", "mis\u200bsile" -> "missile"), a hyphen between words read as a space and runs of white
    space as one: the same on the list's words and the text read."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", _unmarked(unicodedata.normalize("NFKD", text)))
    return _SPACES.sub(" ", _HYPHEN.sub(" ", text))


def _latin_words(text: str) -> str:
    """``text`` with look-alike letters read as the Latin letters they imitate (``unmask``), then every
    word that still mixes Latin and other letters transliterated ("мilitary": a Cyrillic м is no
    look-alike of m, but a military word all the same)."""
    if text.isascii():
        return text
    words = unmask(text).split(" ")
    return " ".join(
        anyascii(w) if not w.isascii() and any(c.isascii() and c.isalpha() for c in w) else w for w in words
    )


class Category(BaseModel):
    model_config = _FROZEN
    label: str
    citations: list[str] = Field(min_length=1)
    #: a category of items (an H100 named in a description): read only in item descriptions, and only
    #: for an item whose declared ECCN fully matches one of these patterns ("none": it declares none)
    items_declared: list[str] | None = Field(default=None, min_length=1)
    #: in the description of an item of these kinds, no finding: "7 nm logic die" states the item's own
    #: node (its tiers read it), not the production it is for
    not_for_kinds: list[ItemKind] = Field(default_factory=list)

    @model_validator(mode="after")
    def _patterns_compile(self) -> Category:
        for pattern in self.items_declared or ():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"items_declared pattern {pattern!r}: {exc}") from None
        return self

    def reads_item(self, declared: str | None, kind: ItemKind | None) -> bool:
        """Whether a hit of this category in the description of an item so declared and of this kind counts."""
        if kind is not None and kind in self.not_for_kinds:
            return False
        if self.items_declared is None:
            return True
        return any(re.fullmatch(p, declared or "none") for p in self.items_declared)


class Word(BaseModel):
    model_config = _FROZEN
    text: str = Field(min_length=1)
    category: str
    language: str = "en"
    case_sensitive: bool = False
    not_in: list[str] = Field(default_factory=list)
    #: the country the word names (ISO alpha-2): in a party address, a word of the party's own
    #: country is no finding
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")


_ASCII_DIGITS = frozenset("0123456789")


class Measure(BaseModel):
    """A size written as a number and a unit ("7 nm", "232-layer"), found when the number is within its
    bound (how it is read is documented in the word list)."""

    model_config = _FROZEN
    category: str
    at_most: float | None = Field(default=None, gt=0)
    at_least: float | None = Field(default=None, gt=0)
    #: each unit and the language it is of
    units: dict[str, str] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_bound(self) -> Measure:
        if (self.at_most is None) == (self.at_least is None):
            raise ValueError("a measure has exactly one of at_most and at_least")
        return self

    @cached_property
    def _languages(self) -> dict[str, str]:
        return {_plain(unit).casefold(): language for unit, language in self.units.items()}

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        units = sorted(map(re.escape, self._languages), key=len, reverse=True)
        # thousands grouped by commas ("1,000 nm"), or a number with a point or a comma before its decimals
        number = "[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+(?:[.,][0-9]+)?"
        return re.compile(f"({number}) ?({'|'.join(units)})", re.IGNORECASE)

    @staticmethod
    def _value(number: str) -> float:
        if re.fullmatch("[0-9]{1,3}(?:,[0-9]{3})+", number):
            return float(number.replace(",", ""))
        return float(number.replace(",", "."))

    def _within(self, value: float) -> bool:
        if self.at_most is not None:
            return 0 < value <= self.at_most
        return self.at_least is not None and value >= self.at_least

    def find(self, text: str) -> list[tuple[str, str]]:
        """``(size as written, language of its unit)`` for each size of ``text`` within the bound."""
        found: list[tuple[str, str]] = []
        for m in self._pattern.finditer(text):
            start, end = m.span()
            before = text[max(0, start - 2) : start]
            # the number read whole: not the end of a longer number ("27nm", "22.5nm")
            if before[-1:] in _ASCII_DIGITS or (before[-1:] in (".", ",") and before[:1] in _ASCII_DIGITS):
                continue
            unit = m.group(2)
            if not _unspaced(unit[-1]) and end < len(text) and _in_word(text[end]):
                continue
            if self._within(self._value(m.group(1))):
                found.append((m.group(0), self._languages[unit.casefold()]))
        return found


@dataclass(frozen=True)
class WordHit:
    word: str
    category: str
    label: str
    language: str
    citations: tuple[str, ...]
    country: str | None = None


@dataclass(frozen=True)
class AddressWord:
    """A word of the list found in a party address."""

    party: str
    role: str
    hit: WordHit


@dataclass(frozen=True)
class TextWord:
    """A word of the list found in another text of the order: ``where`` says which ("the name of the
    ultimate consignee", "the description of item 1"), ``text`` is that text."""

    where: str
    text: str
    hit: WordHit


class EndUseWords(BaseModel):
    model_config = _FROZEN
    format: Literal["exportscreen-end-use-words/1"]
    categories: dict[str, Category]
    measures: list[Measure] = Field(default_factory=list)
    words: list[Word] = Field(min_length=1)

    @model_validator(mode="after")
    def _known(self) -> EndUseWords:
        named = {w.category for w in self.words} | {m.category for m in self.measures}
        unknown = sorted(named - set(self.categories))
        if unknown:
            raise ValueError(f"words of unknown categories: {unknown}")
        return self

    @cached_property
    def _needles(self) -> list[str]:
        """Each word as the literal text ``read`` looks for (folded unless case-sensitive)."""
        return [_plain(w.text) if w.case_sensitive else _plain(w.text).casefold() for w in self.words]

    @cached_property
    def _by_case(self) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
        """``(case-sensitive, folded)``: the index and literal text of each word, split by how it is read."""
        cased = [(i, n) for i, (w, n) in enumerate(zip(self.words, self._needles, strict=True)) if w.case_sensitive]
        folded = [
            (i, n) for i, (w, n) in enumerate(zip(self.words, self._needles, strict=True)) if not w.case_sensitive
        ]
        return cased, folded

    def read(self, text: str) -> list[WordHit]:
        """The words of the list found in ``text``, in list order, each once, then the sizes its measures
        find, in the order of the measures and of the text."""
        plain = _plain(text)
        # and with the other letters of a Latin word read as Latin ones ("Мilitary", "мilitary")
        readings = [(r, r.casefold()) for r in dict.fromkeys((plain, _latin_words(plain)))]
        # the words whose literal text is in some reading at all (removing not_in phrases or asking for
        # whole words only ever finds fewer): the few the whole-word test then checks, in list order
        by_cased, by_folded = self._by_case
        present = sorted(
            {i for cased, _ in readings for i, n in by_cased if n in cased}
            | {i for _, folded in readings for i, n in by_folded if n in folded}
        )
        hits: list[WordHit] = []
        found: set[tuple[str, str]] = set()
        for i in present:
            word, needle = self.words[i], self._needles[i]
            # the same word once folded (Militär, militar) is reported once per category; a word of two
            # categories (EUV: an item by name, and advanced-node production) once in each
            if (needle, word.category) in found:
                continue
            if any(self._found(word, needle, cased if word.case_sensitive else folded) for cased, folded in readings):
                found.add((needle, word.category))
                cat = self.categories[word.category]
                hits.append(
                    WordHit(word.text, word.category, cat.label, word.language, tuple(cat.citations), word.country)
                )
        for measure in self.measures:
            cat = self.categories[measure.category]
            for reading, _ in readings:
                for size, language in measure.find(reading):
                    if (size.casefold(), measure.category) not in found:
                        found.add((size.casefold(), measure.category))
                        hits.append(WordHit(size, measure.category, cat.label, language, tuple(cat.citations)))
        return hits

    def _found(self, word: Word, needle: str, haystack: str) -> bool:
        for stop in word.not_in:
            haystack = haystack.replace(_plain(stop).casefold(), " ")
        return whole_word_in(needle, haystack)


@cache
def _load(path: Path) -> EndUseWords:
    return load_model(path, EndUseWords, error=PackError)


def load_end_use_words(path: str | Path | None = None) -> EndUseWords:
    """The end-use word list (the bundled ``lists/ear/end_use_words.yaml`` by default)."""
    return _load(Path(path) if path else bundled_dir() / "ear" / "end_use_words.yaml")
