"""Graded word similarity: one table of rules (``RULES``), each with the index key that finds its
candidates.

A rule scores a query word against a listed word (0 when it does not apply) and names a *finder*:
how the compiled vocabulary finds every listed word the rule may score above zero. The contract
``score(q, v) > 0  =>  v in finder(q)`` makes the index lossless by construction: a new rule cannot
be added without its finder, and ``tests/matching/test_similarity.py`` checks the contract of every
rule against an exhaustive scan. The similarity of two words is the best score of any rule (the
earlier rule on ties); its name is the ``how`` that explanations show.

Finders (built by ``vocab.Vocabulary``):

* ``KeyFinder``: a key function applied to both words; equal keys are candidates (a dict lookup);
* ``PrefixFinder``: listed words the query word begins, and listed words that begin it;
* ``ListFinder``: a word list's pairs (abbreviations, nicknames, loanwords);
* ``ScanFinder``: rapidfuzz's C scorer over the listed words of nearby length (two edits).

The ``stub`` rule has no finder: a lone letter or short last word ("J. Smith", "Semiconductor M")
never makes a name a candidate; it only credits an unmatched listed word of a name the other query
words found (``scoring``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from rapidfuzz.distance import OSA

from exportscreen.matching.normalize import consonant_key, skeleton
from exportscreen.matching.tuning import tuning
from exportscreen.matching.words import WordLists

__all__ = [
    "RULES",
    "STUB",
    "KeyFinder",
    "ListFinder",
    "PrefixFinder",
    "Rule",
    "ScanFinder",
    "deletions",
    "devowel",
    "has_digit",
    "ocr_key",
    "word_similarity",
]

_S = tuning().similarity


def has_digit(word: str) -> bool:
    """A folded word (lower-case ASCII letters and digits) holds a digit."""
    return not word.isalpha()


def deletions(word: str) -> set[str]:
    """``word`` and every string made by deleting one of its characters."""
    out = {word}
    out.update(word[:i] + word[i + 1 :] for i in range(len(word)))
    return out


_OCR_PAIRS = (("rn", "m"), ("vv", "w"), ("cl", "d"))
_OCR_CHARS = str.maketrans({"0": "o", "1": "l", "i": "l", "5": "s", "8": "b", "2": "z", "3": "e", "4": "a", "7": "t"})


@lru_cache(maxsize=262144)
def ocr_key(word: str) -> str:
    """``word`` with the glyphs OCR and look-alike typing confuse folded to one: rn/m, vv/w, cl/d,
    0/o, 1/l/i, 5/s, 8/b, 2/z, 3/e, 4/a, 7/t ("Lirnited" and "L1mited" -> "llmlted")."""
    for old, new in _OCR_PAIRS:
        word = word.replace(old, new)
    return word.translate(_OCR_CHARS)


_INNER_VOWELS = str.maketrans("", "", "aeiou")


@lru_cache(maxsize=262144)
def devowel(word: str) -> str:
    """The word without the vowels between its first and last letters ("electronics" -> "elctrncs")."""
    if len(word) < 3:
        return word
    return word[0] + word[1:-1].translate(_INNER_VOWELS) + word[-1]


@lru_cache(maxsize=262144)
def devowel_all(word: str) -> str:
    """The word without any vowel after its first letter ("castro" -> "cstr")."""
    return word[:1] + word[1:].translate(_INNER_VOWELS)


_ORDINAL = re.compile(r"([0-9]+)(?:st|nd|rd|th)")


def _number(word: str) -> str:
    """The number a folded word writes, in digits or as an ordinal ("14", "14th" -> "14"); else ""."""
    if word.isdigit():
        return word
    ordinal = _ORDINAL.fullmatch(word)
    return ordinal.group(1) if ordinal else ""


def _vowelless(word: str) -> bool:
    """Written without vowels after its first letter (the last letter aside)."""
    return devowel(word) == word or devowel_all(word) == word


# -- the rules' scores ----------------------------------------------------------------------------


def _exact(q: str, v: str, dotted: bool, words: WordLists) -> float:
    return 1.0 if q == v else 0.0


def _letters(q: str, v: str) -> bool:
    return not (has_digit(q) or has_digit(v))


def _spelling(q: str, v: str, dotted: bool, words: WordLists) -> float:
    return _S.spelling_variant if q != v and _letters(q, v) and skeleton(q) == skeleton(v) else 0.0


def _prefix(q: str, v: str, dotted: bool, words: WordLists) -> float:
    if not _letters(q, v):
        return 0.0
    shortest = _S.dotted_prefix_min_len if dotted else _S.prefix_min_len
    if len(v) - len(q) >= 2 and len(q) >= shortest and v.startswith(q):
        return _S.prefix
    if len(q) - len(v) >= 2 and len(v) >= _S.prefix_min_len and q.startswith(v):
        return _S.prefix
    return 0.0


def _typo(q: str, v: str, dotted: bool, words: WordLists) -> float:
    if q == v or not _letters(q, v):
        return 0.0
    sq, sv = skeleton(q), skeleton(v)
    shortest = min(len(sq), len(sv))
    if shortest < _S.typo_min_len or OSA.distance(sq, sv, score_cutoff=1) > 1:
        return 0.0
    return min(_S.typo_max, 1.0 - 1.0 / shortest)


def _two_edits(q: str, v: str, dotted: bool, words: WordLists) -> float:
    if q == v or not _letters(q, v):
        return 0.0
    sq, sv = skeleton(q), skeleton(v)
    shortest = min(len(sq), len(sv))
    if shortest < _S.two_edits_min_len or sq[0] != sv[0] or OSA.distance(sq, sv, score_cutoff=2) > 2:
        return 0.0
    return min(_S.two_edits_max, 1.0 - 2.0 / shortest)


def _transliteration(q: str, v: str, dotted: bool, words: WordLists) -> float:
    if q == v or not _letters(q, v) or min(len(q), len(v)) < _S.transliteration_min_len:
        return 0.0
    ck = consonant_key(q)
    return _S.transliteration if ck and ck == consonant_key(v) else 0.0


def _ocr(q: str, v: str, dotted: bool, words: WordLists) -> float:
    if q == v or min(len(q), len(v)) < _S.ocr_min_len:
        return 0.0
    return _S.ocr if ocr_key(q) == ocr_key(v) else 0.0


def _ordinal(q: str, v: str, dotted: bool, words: WordLists) -> float:
    if q == v:
        return 0.0
    number = _number(q)
    return _S.ordinal if number and number == _number(v) else 0.0


def _vowels_dropped(q: str, v: str, dotted: bool, words: WordLists) -> float:
    if q == v or not _letters(q, v) or min(len(q), len(v)) < _S.vowels_dropped_min_len:
        return 0.0
    # the query is the word without its vowels: a listed all-consonant word is an acronym ("NTS"),
    # which "NetEase" is not
    if len(q) >= len(v) or not _vowelless(q):
        return 0.0
    return _S.vowels_dropped if q in (devowel(v), devowel_all(v)) else 0.0


def _abbreviation(q: str, v: str, dotted: bool, words: WordLists) -> float:
    return _S.abbreviation if _letters(q, v) and v in words.abbreviations.get(q, ()) else 0.0


def _nickname(q: str, v: str, dotted: bool, words: WordLists) -> float:
    return _S.nickname if v in words.nicknames.get(q, ()) else 0.0


def _loanword(q: str, v: str, dotted: bool, words: WordLists) -> float:
    return _S.loanword if v in words.loanwords.get(q, ()) else 0.0


def _stub(q: str, v: str, dotted: bool, words: WordLists) -> float:
    return _S.stub if len(v) > len(q) and v.startswith(q) else 0.0


# -- finders --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeyFinder:
    """Candidates share a key: ``map`` names the compiled key map (rules may share one), built from
    ``listed`` keys of every listed word and looked up with ``query`` keys of the query word."""

    map: str
    listed: Callable[[str], Iterable[str]]
    query: Callable[[str], Iterable[str]]


@dataclass(frozen=True, slots=True)
class PrefixFinder:
    """Listed words that begin with the query word (of ``min_len`` letters or more), and listed
    words the query word begins."""

    min_len: int


@dataclass(frozen=True, slots=True)
class ListFinder:
    """The words paired with the query word in ``pairs``, a ``WordLists`` mapping."""

    pairs: Literal["abbreviations", "nicknames", "loanwords"]

    def of(self, word: str, words: WordLists) -> frozenset[str]:
        table: dict[str, frozenset[str]] = getattr(words, self.pairs)
        return table.get(word, frozenset())


@dataclass(frozen=True, slots=True)
class ScanFinder:
    """rapidfuzz's OSA distance (C, with a cutoff that drops other lengths at once) over the
    skeletons of ``min_len`` letters or more of the listed words that begin with the same letter."""

    max_distance: int
    min_len: int


Finder = KeyFinder | PrefixFinder | ListFinder | ScanFinder


def _skeleton_keys(word: str) -> set[str]:
    sk = skeleton(word)
    return deletions(sk) if len(sk) >= _S.typo_min_len and not has_digit(sk) else {sk}


def _one(fn: Callable[[str], str]) -> Callable[[str], tuple[str, ...]]:
    def keys(word: str) -> tuple[str, ...]:
        k = fn(word)
        return (k,) if k else ()

    return keys


def _listed_consonants(word: str) -> tuple[str, ...]:
    return (consonant_key(word),) if len(word) >= _S.transliteration_min_len and consonant_key(word) else ()


def _ocr_keys(word: str) -> tuple[str, ...]:
    return (ocr_key(word),) if len(word) >= _S.ocr_min_len else ()


def _vowel_keys(word: str) -> tuple[str, ...]:
    """A listed word's vowel-less forms."""
    if has_digit(word):
        return ()
    return tuple(k for k in {devowel(word), devowel_all(word)} if len(k) >= _S.vowels_dropped_min_len)


def _vowelless_query(word: str) -> tuple[str, ...]:
    """A query word written without vowels is its own key."""
    return (word,) if not has_digit(word) and _vowelless(word) else ()


@dataclass(frozen=True, slots=True)
class Rule:
    """One way two words are alike: its name (the ``how`` of explanations), what it means, its
    score, and the finder of its candidates (None: the rule never makes a name a candidate)."""

    name: str
    doc: str
    score: Callable[[str, str, bool, WordLists], float]
    finder: Finder | None


_SKELETON = KeyFinder("skeleton_deletions", _skeleton_keys, _skeleton_keys)


def _spelling_key(word: str) -> tuple[str, ...]:
    return () if has_digit(word) else (skeleton(word),)


RULES: tuple[Rule, ...] = (
    Rule("exact", "the same word", _exact, KeyFinder("word", _one(str), _one(str))),
    Rule(
        "spelling_variant",
        "the same spelling skeleton (Aleksey / Alexei)",
        _spelling,
        KeyFinder("skeleton", _spelling_key, _spelling_key),
    ),
    Rule(
        "abbreviation",
        "a listed abbreviation pair (Intl / International)",
        _abbreviation,
        ListFinder("abbreviations"),
    ),
    Rule(
        "nickname",
        "a given name and a listed short form of it (Larry / Lawrence)",
        _nickname,
        ListFinder("nicknames"),
    ),
    Rule(
        "loanword",
        "an English word as Russian writes it in Cyrillic (Текнолоджиз / Technologies)",
        _loanword,
        ListFinder("loanwords"),
    ),
    Rule(
        "prefix",
        "one word begins the other (Tech / Technology)",
        _prefix,
        PrefixFinder(min(_S.prefix_min_len, _S.dotted_prefix_min_len)),
    ),
    Rule("typo", "skeletons one edit apart (Huawey / Huawei)", _typo, _SKELETON),
    Rule(
        "ocr",
        "equal once OCR confusions are folded (Lirnited / Limited)",
        _ocr,
        KeyFinder("ocr", _ocr_keys, _ocr_keys),
    ),
    Rule(
        "transliteration",
        "the same consonant skeleton (Mohamed / Muhammad)",
        _transliteration,
        KeyFinder("consonants", _listed_consonants, _listed_consonants),
    ),
    Rule(
        "ordinal",
        "the same number, once written as an ordinal (14th / 14)",
        _ordinal,
        KeyFinder("number", _one(_number), _one(_number)),
    ),
    Rule(
        "vowels_dropped",
        "the query word written without its vowels after the first letter (Elctrncs / Electronics)",
        _vowels_dropped,
        KeyFinder("vowelless", _vowel_keys, _vowelless_query),
    ),
    Rule(
        "two_edits",
        "long skeletons two edits apart, first letter kept (Semicondutcor / Semiconductor)",
        _two_edits,
        ScanFinder(2, _S.two_edits_min_len),
    ),
)

#: A lone letter or short last word of the query and a listed word it begins ("J." / "John").
STUB = Rule("stub", "a lone letter or cut-off last word begins the listed word (J. / John)", _stub, None)


def word_similarity(q: str, v: str, words: WordLists, dotted: bool = False) -> tuple[float, str]:
    """The best rule's score for query word ``q`` and listed word ``v``, and its name ("" for 0)."""
    best, how = 0.0, ""
    for rule in RULES:
        sim = rule.score(q, v, dotted, words)
        if sim > best:
            best, how = sim, rule.name
    return best, how
