"""The hand-maintained word lists of ``lists/names/`` (commented YAML data, loaded once).

* ``legal_forms.yaml``: company forms (Co, Ltd, JSC, GmbH, 有限公司 …), weighed down, never deleted;
* ``noise_words.yaml``: connectors and list boilerplate ("the", "of", "and any subsidiary");
* ``qualifiers.yaml``: branch and office words a query may add to a listed name;
* ``generic_words.yaml``: common words that name no party by themselves (global, alpha, star), which a
  listed one-word name must not be to be found inside a longer query (``contained``);
* ``abbreviations.yaml``: abbreviations that are not a prefix of their word (Intl, Engrg, Mfg);
* ``nicknames.yaml``: given names and their short forms and pet names (Larry / Lawrence);
* ``placeholders.yaml``: party names that name nobody ("TBD", "N/A"), read by the screener's backstops;
* ``pinyin_syllables.yaml``: the syllables of pinyin, to read a name written syllable by syllable;
* ``loanwords.yaml``: English words of company names as Russian writes them (Текнолоджиз / Technologies);
* ``address_words.yaml``: generic address words (road, district …) that do not make addresses alike;
* ``street_words.yaml``: street-type words (road, lu, ulitsa …) whose neighbours name the street;
* ``particles.yaml``: name particles (al, bin, van, de), weighed down and never a legal form;
* ``titles.yaml``: titles, honorifics and generational suffixes (Dr, Sheikh, Jr), weighed down;
* ``pinyin_pairs.yaml``: English or brand names and the pinyin of the Chinese name (Sugon ↔ Zhongke
  Shuguang);
* ``address_abbreviations.yaml``: address abbreviations expanded (Rd → road) or markers dropped (No.);
* ``cjk_address_parts.yaml``: the parts a Chinese address is split after (市, 区, 路, 号 …), in English.

Every word is stored normalised (``normalize.fold``), whatever the file says, except the Chinese
address parts, which are matched as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from exportscreen._data import bundled_dir
from exportscreen._errors import ConfigError
from exportscreen._io import load_model
from exportscreen.matching.normalize import fold

__all__ = ["WordLists", "names_nobody", "nobody_named", "placeholder_names", "word_lists"]


class _Words(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    format: Literal["exportscreen-words/1"]
    words: list[str]


class _Pairs(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    format: Literal["exportscreen-pairs/1"]
    pairs: list[tuple[str, str]]


_M = TypeVar("_M", bound=BaseModel)


def _load(path: Path, model: type[_M]) -> _M:
    """A word-list file validated into ``model`` (a bundled one from the user cache once validated:
    building the two models' validators was ~20 ms of every start)."""
    return load_model(path, model, error=ConfigError)


def _word_set(path: Path) -> frozenset[str]:
    out: set[str] = set()
    for word in _load(path, _Words).words:
        out.update(fold(word).split())
    return frozenset(out)


def _pairs(path: Path) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for left, right in _load(path, _Pairs).pairs:
        a, b = fold(left), fold(right)
        if not a or not b or a == b:
            raise ConfigError(f"pair [{left!r}, {right!r}] is empty or identical once normalised", path=path)
        out.append((a, b))
    return tuple(out)


def _raw_pairs(path: Path) -> tuple[tuple[str, str], ...]:
    """Pairs as written (stripped), a second word "-" read as nothing."""
    out: list[tuple[str, str]] = []
    for left, right in _load(path, _Pairs).pairs:
        a, b = left.strip(), right.strip()
        if not a:
            raise ConfigError(f"pair [{left!r}, {right!r}] has an empty first word", path=path)
        out.append((a, "" if b == "-" else b))
    return tuple(out)


def _both_ways(pairs: tuple[tuple[str, str], ...]) -> dict[str, frozenset[str]]:
    """Each word of the pairs and the words it is paired with, either way round."""
    out: dict[str, set[str]] = {}
    for a, b in pairs:
        out.setdefault(a, set()).add(b)
        out.setdefault(b, set()).add(a)
    return {k: frozenset(v) for k, v in out.items()}


@dataclass(frozen=True, slots=True)
class WordLists:
    legal_forms: frozenset[str]
    noise: frozenset[str]
    qualifiers: frozenset[str]
    address_generic: frozenset[str]
    street_types: frozenset[str]
    abbreviations: dict[str, frozenset[str]]
    #: folded nickname -> the given names it stands for, and each given name -> its nicknames
    nicknames: dict[str, frozenset[str]]
    #: folded Cyrillic form of an English word -> the word, and each word -> its forms
    loanwords: dict[str, frozenset[str]]
    pinyin_pairs: tuple[tuple[str, str], ...]
    titles: frozenset[str] = frozenset()
    particles: frozenset[str] = frozenset()
    #: folded address word -> its expansion ("" drops it)
    address_abbreviations: dict[str, str] | None = None
    #: Chinese address parts (as written, longest first) and their English words
    cjk_address_parts: tuple[tuple[str, str], ...] = ()
    #: Chinese places a company name may begin with (as written), longest first
    cjk_name_places: tuple[str, ...] = ()
    #: the syllables of pinyin ("hua", "wei"), folded
    pinyin_syllables: frozenset[str] = frozenset()
    weak: frozenset[str] = frozenset()
    #: common words that name no party by themselves (``generic_words.yaml``)
    generic: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        # words weighed down in every name: legal forms, noise words, titles and particles
        object.__setattr__(self, "weak", self.legal_forms | self.noise | self.titles | self.particles)

    def names_an_organisation(self, word: str) -> bool:
        """A legal form that is no particle or noise word: a query holding one is an organisation."""
        return word in self.legal_forms and word not in self.particles and word not in self.noise

    def digest_source(self) -> str:
        """A stable text of every list, hashed into the compiled-index cache key."""
        parts = [
            "legal:" + ",".join(sorted(self.legal_forms)),
            "noise:" + ",".join(sorted(self.noise)),
            "qual:" + ",".join(sorted(self.qualifiers)),
            "addr:" + ",".join(sorted(self.address_generic)),
            "street:" + ",".join(sorted(self.street_types)),
            "abbr:" + ",".join(f"{k}={'|'.join(sorted(v))}" for k, v in sorted(self.abbreviations.items())),
            "pinyin:" + ",".join(f"{a}={b}" for a, b in self.pinyin_pairs),
            "titles:" + ",".join(sorted(self.titles)),
            "particles:" + ",".join(sorted(self.particles)),
            "addrabbr:" + ",".join(f"{a}={b}" for a, b in sorted((self.address_abbreviations or {}).items())),
            "cjkaddr:" + ",".join(f"{a}={b}" for a, b in self.cjk_address_parts),
            "cjkplaces:" + ",".join(self.cjk_name_places),
            "syllables:" + ",".join(sorted(self.pinyin_syllables)),
            "generic:" + ",".join(sorted(self.generic)),
            "nick:" + ",".join(f"{k}={'|'.join(sorted(v))}" for k, v in sorted(self.nicknames.items())),
            "loan:" + ",".join(f"{k}={'|'.join(sorted(v))}" for k, v in sorted(self.loanwords.items())),
        ]
        return "\n".join(parts)


@cache
def word_lists(directory: Path | None = None) -> WordLists:
    """Load the word lists (the bundled ``lists/names/`` unless ``directory`` is given)."""
    base = directory or bundled_dir() / "names"
    return WordLists(
        legal_forms=_word_set(base / "legal_forms.yaml"),
        noise=_word_set(base / "noise_words.yaml"),
        qualifiers=_word_set(base / "qualifiers.yaml"),
        address_generic=_word_set(base / "address_words.yaml"),
        street_types=_word_set(base / "street_words.yaml"),
        abbreviations=_both_ways(_pairs(base / "abbreviations.yaml")),
        pinyin_pairs=_pairs(base / "pinyin_pairs.yaml"),
        titles=_word_set(base / "titles.yaml"),
        particles=_word_set(base / "particles.yaml"),
        address_abbreviations={fold(a): fold(b) for a, b in _raw_pairs(base / "address_abbreviations.yaml")},
        cjk_address_parts=tuple(sorted(_raw_pairs(base / "cjk_address_parts.yaml"), key=lambda p: -len(p[0]))),
        cjk_name_places=tuple(sorted(_load(base / "cjk_name_places.yaml", _Words).words, key=lambda w: (-len(w), w))),
        nicknames=_both_ways(_pairs(base / "nicknames.yaml")),
        loanwords=_both_ways(_pairs(base / "loanwords.yaml")),
        pinyin_syllables=_word_set(base / "pinyin_syllables.yaml"),
        generic=_word_set(base / "generic_words.yaml"),
    )


@cache
def placeholder_names(directory: Path | None = None) -> frozenset[str]:
    """Whole party names, normalised, that name nobody (``placeholders.yaml``)."""
    base = directory or bundled_dir() / "names"
    return frozenset(fold(w) for w in _load(base / "placeholders.yaml", _Words).words)


#: numbers at the end of a folded name ("customer 1", "tbd 02"): a numbered placeholder names nobody either
_TRAILING_NUMBERS = re.compile(r"( [0-9]+)+$")


def names_nobody(name: str) -> bool:
    """Whether a party name names nobody: a placeholder of ``placeholders.yaml``, one followed by numbers,
    or a name without a letter (a customer number in the name field: "100234")."""
    folded = fold(name)
    if not any(ch.isalpha() for ch in folded):
        return True
    placeholders = placeholder_names()
    return folded in placeholders or _TRAILING_NUMBERS.sub("", folded) in placeholders


def nobody_named(name: str) -> str | None:
    """Why ``name`` cannot be screened as a party's name (``names_nobody``), or None: the one message of
    ``match NAME``, ``match --file`` and ``exportscreen.dask.match_parties``, each an error, never "no match"."""
    if not names_nobody(name):
        return None
    return (
        f"the name {name!r} names nobody (a placeholder of lists/names/placeholders.yaml, or "
        "no letter: a customer number?): give the party's name"
    )
