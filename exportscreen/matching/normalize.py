"""Text normalisation for matching: pure, cached functions of one string.

``fold`` turns any text into lower-case ASCII words separated by single spaces:

1. NFKC (full-width ``Ｉ`` → ``I``, ligatures, compatibility forms);
2. invisible characters dropped: format characters (zero-width space/joiners, soft hyphen, bidi
   controls), control characters and combining marks (so ``é`` → ``e`` once decomposed); a line
   break, tab or other whitespace control (``\n``, ``\t``, U+2028) separates words like a space;
3. Chinese, Japanese and Korean characters transliterated one run at a time into one word
   (``中芯国际`` → ``zhongxinguoji``); Chinese company forms (``有限公司``) split off first so they
   stay separate, weighable words;
4. letters of other scripts that look like Latin letters (Unicode confusables, ``confusables``)
   read as those letters, per name: in a name that holds a Latin letter, in every word that holds
   one or is made only of look-alikes (``Ѕemiconductor Мanufacturing`` → ``Semiconductor
   Manufacturing``); every other script transliterated by ``anyascii``, then case-folded;
5. apostrophes removed inside words (``Xi'an`` → ``xian``), ``@`` and ``$`` between letters read
   as the letters they stand in for (``Hu@wei`` → ``huawei``), a single letter set off by hyphens
   inside a word joined to it (``Hu-a-wei`` → ``huawei``), ``&`` read as ``and``, every other
   non-alphanumeric character turned into a space;
6. runs of single letters joined (``S.M.I.C.`` → ``smic``), unless ``join_initials=False``.

Digits stay digits ("3HC" is a name): the ``ocr`` similarity rule reads look-alike digits
(``MICR0``, ``HUAWE1``). ``skeleton`` folds spelling variants of one word (transliteration,
doubled letters) to one key.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from anyascii import anyascii

from exportscreen.matching.confusables import unmask

__all__ = ["NormalisationTrace", "consonant_key", "fold", "fold_traced", "skeleton", "tokens"]

_DROP_CATEGORIES = frozenset({"Cf", "Cc", "Mn", "Me", "Co", "Cs", "Zl", "Zp"})
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_WHITESPACE_CONTROLS = re.compile(r"[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]")
_APOSTROPHES = re.compile(r"(?<=[0-9A-Za-z])['’‘`´](?=[0-9A-Za-z])")
_CJK_RUN = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+"
#: Chinese company forms, longest first, split off a CJK run before it is transliterated.
_CJK_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司")
_CJK_FORM_SPLIT = re.compile("(" + "|".join(_CJK_FORMS) + ")")
_HAS_DIGIT = re.compile(r"\d")
#: symbols written for a letter inside a word
_SYMBOL_LETTERS = re.compile(r"(?<=[A-Za-z])[@$](?=[A-Za-z])")
_SYMBOL_AS = {"@": "a", "$": "s"}
#: a single letter set off by hyphens inside a word ("Hu-a-wei")
_HYPHENED_LETTER = re.compile(r"(?<=[A-Za-z])-([A-Za-z])-(?=[A-Za-z])")


class NormalisationTrace:
    """Which normalisation steps changed a text (for explanations)."""

    __slots__ = ("steps",)

    def __init__(self) -> None:
        self.steps: list[str] = []

    def add(self, step: str) -> None:
        if step not in self.steps:
            self.steps.append(step)


@cache
def _cjk_runs() -> re.Pattern[str]:
    """Runs of Chinese, Japanese and Korean characters; compiled on first use (its character class takes
    ~3 ms to compile, and only a text that is not ASCII needs it)."""
    return re.compile(_CJK_RUN)


def _cjk_run(match: re.Match[str]) -> str:
    parts = [p for p in _CJK_FORM_SPLIT.split(match.group(0)) if p]
    return " " + " ".join("".join(anyascii(ch) for ch in part) for part in parts) + " "


def _join_initials(words: list[str]) -> list[str]:
    out: list[str] = []
    run: list[str] = []
    for w in words:
        if len(w) == 1 and w.isalpha():
            run.append(w)
            continue
        if run:
            out.append("".join(run)) if len(run) > 1 else out.extend(run)
            run = []
        out.append(w)
    if run:
        out.append("".join(run)) if len(run) > 1 else out.extend(run)
    return out


def fold_traced(text: str, trace: NormalisationTrace | None = None, *, join_initials: bool = True) -> str:
    """``fold`` that records the steps that changed something into ``trace``."""
    t = NormalisationTrace() if trace is None else trace
    if text.isascii() and text.isprintable():
        # printable ASCII: every Unicode step below leaves it as it is (most names; the common path)
        return _fold_latin(text, t, join_initials)
    nfkc = unicodedata.normalize("NFKC", text)
    if nfkc != text:
        t.add("unicode_compatibility_forms")
    decomposed = unicodedata.normalize("NFD", nfkc)
    # whitespace controls (a name wrapped over two lines) are word breaks, not invisible joiners
    spaced = _WHITESPACE_CONTROLS.sub(" ", decomposed)
    kept_chars = [ch for ch in spaced if unicodedata.category(ch) not in _DROP_CATEGORIES]
    if len(kept_chars) != len(decomposed):
        dropped = {unicodedata.category(ch) for ch in decomposed} & _DROP_CATEGORIES
        if dropped & {"Mn", "Me"}:
            t.add("diacritics_removed")
        if dropped - {"Mn", "Me"}:
            t.add("invisible_or_control_characters_removed")
    cleaned = unicodedata.normalize("NFC", "".join(kept_chars))
    cjk = _cjk_runs()
    if cjk.search(cleaned):
        t.add("cjk_transliterated")
        cleaned = cjk.sub(_cjk_run, cleaned)
    if not cleaned.isascii():
        unmasked = unmask(cleaned)
        if unmasked != cleaned:
            t.add("look_alike_letters_folded")
            cleaned = unmasked
        if not cleaned.isascii():
            t.add("transliterated_to_latin")
            cleaned = anyascii(cleaned)
    return _fold_latin(cleaned, t, join_initials)


def _fold_latin(cleaned: str, t: NormalisationTrace, join_initials: bool) -> str:
    """The steps of ``fold_traced`` after the text is Latin: apostrophes, symbols for letters,
    hyphened letters, "&", case, word split, initials joined."""
    cleaned = _APOSTROPHES.sub("", cleaned)
    if "@" in cleaned or "$" in cleaned:
        read = _SYMBOL_LETTERS.sub(lambda m: _SYMBOL_AS[m.group(0)], cleaned)
        if read != cleaned:
            t.add("symbols_read_as_letters")
            cleaned = read
    if "-" in cleaned:
        glued = _HYPHENED_LETTER.sub(r"\1", cleaned)
        if glued != cleaned:
            t.add("hyphenated_letters_joined")
            cleaned = glued
    cleaned = cleaned.replace("&", " and ")
    words = _NON_ALNUM.sub(" ", cleaned.casefold()).split()
    if not join_initials:
        return " ".join(words)
    joined = _join_initials(words)
    if len(joined) != len(words):
        t.add("initials_joined")
    return " ".join(joined)


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Normalise ``text`` to lower-case ASCII words separated by single spaces (see module doc)."""
    return fold_traced(text)


def tokens(text: str) -> tuple[str, ...]:
    return tuple(fold(text).split())


_SKELETON_RULES: tuple[tuple[str, str], ...] = (
    ("ks", "x"),
    ("ph", "f"),
    ("kh", "h"),
    ("gh", "q"),
    ("ck", "k"),
    ("q", "k"),
    ("c", "k"),
    ("w", "v"),
    ("y", "i"),
    ("ou", "u"),
    ("ee", "i"),
)


@lru_cache(maxsize=262144)
def skeleton(word: str) -> str:
    """A spelling-variant key of one folded word: Aleksey/Alexei, Yevgeny/Evgeniy, Ghasem/Qasem.

    Digraphs and letters that transliterations swap are folded to one letter, then doubled letters
    are collapsed (Mohammed/Mohamed). Words with digits are returned unchanged.
    """
    if _HAS_DIGIT.search(word):
        return word
    out = word
    for old, new in _SKELETON_RULES:
        out = out.replace(old, new)
    collapsed: list[str] = []
    for ch in out:
        if not collapsed or collapsed[-1] != ch:
            collapsed.append(ch)
    return "".join(collapsed)


_VOWELS = frozenset("aeiou")


@lru_cache(maxsize=262144)
def consonant_key(word: str) -> str:
    """The skeleton without vowels after the first letter (Mohamed / Muhammad → ``mhmd``), or "" for
    words under 5 letters or keys under 4 letters (too short to tell names apart)."""
    if len(word) < 5:
        return ""
    sk = skeleton(word)
    key = sk[0] + "".join(ch for ch in sk[1:] if ch not in _VOWELS and ch != "i")
    collapsed: list[str] = []
    for ch in key:
        if not collapsed or collapsed[-1] != ch:
            collapsed.append(ch)
    out = "".join(collapsed)
    return out if len(out) >= 4 else ""
