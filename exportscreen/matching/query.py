"""A party name prepared for search (``Query``): folded words, their weights, qualifiers, stubs and
the listed words near each, worked out once per query and read by scoring and pruning.

``QueryBuilder.prepare`` gives one query per reading of the name: as folded, with a pinyin pair
replaced (Sugon ↔ Zhongke Shuguang), with joined initials split again ("M.A. Khan" as "m a
khan" besides "ma khan") and with pinyin written syllable by syllable joined in twos ("Hua Wei Ji Shu"
as "huawei jishu"); the search keeps each entry's best.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass
from functools import cached_property

from exportscreen._errors import InputError
from exportscreen._text import bidi_override
from exportscreen.limits import LIMITS
from exportscreen.matching.index import CompiledNames
from exportscreen.matching.normalize import NormalisationTrace, fold, fold_traced
from exportscreen.matching.tuning import tuning
from exportscreen.matching.vocab import Near, add_ids
from exportscreen.matching.words import WordLists

__all__ = ["PartyKind", "Query", "QueryBuilder", "Reading", "Readings", "name_keys", "stubs_of", "syllables_joined"]

from typing import Literal

PartyKind = Literal["entity", "individual"]

#: Parts of a query that qualify the name: parentheses and a tail after a spaced dash.
_QUALIFYING_SPAN = re.compile(r"\(([^()]*)\)|\s[-–—]\s(.*)$")
#: Words written with a full stop after them ("Sci.", "Res.", "J.") but not initials ("S.M.I.C.").
_DOTTED = re.compile(r"(?<![\w.])([A-Za-z0-9]{1,})\.")
#: Longest stub: a lone letter anywhere, or up to this many letters when dotted or last.
STUB_MAX_LEN = 3


@dataclass(slots=True)
class Query:
    text: str
    folded: str
    words: list[str]
    qweights: list[float]
    #: weights before the qualifier factor
    rawweights: list[float]
    #: (i, vocabulary id) where words i and i + 1 joined are a listed word
    joins: tuple[tuple[int, int], ...]
    #: the word qualifies the name (in parentheses, after a dash, a place or branch word)
    qualifier: list[bool]
    #: the word is a stub: a lone letter (a digit only when dotted: "3."), or a short dotted or last
    #: word no listed word equals
    stub: list[bool]
    qtotal: float
    near: list[Near]
    #: ``near`` turned around: per listed word, the query words near it, ``(i, similarity, how)``
    near_listed: dict[int, list[tuple[int, float, str]]]
    #: per listed word near a query word or two joined: the best similarity and the query words
    #: (a bit mask) it could cover, for the bounds of pruning
    bounds: dict[int, tuple[float, int]]
    #: names holding two adjacent listed words that one query word joins ("alfaris")
    split_names: set[int]
    dotted: frozenset[str]
    compact: str
    core_count: int
    initials: tuple[str, ...]
    country: str | None
    kind: PartyKind | None
    steps: list[str]
    variant: str | None
    #: any word is a stub
    has_stubs: bool = False


@dataclass(frozen=True, slots=True)
class Reading:
    """The readings of one party name (``variants``: folded text and the note it leaves), its
    normalisation steps, the words that qualify it and the words written with a full stop."""

    variants: list[tuple[str, str | None]]
    steps: list[str]
    qualifying: frozenset[str]
    dotted: frozenset[str]


class Readings:
    """Turns a party name into its readings (``Reading``); refuses a name the matcher cannot search."""

    def __init__(self, words: WordLists) -> None:
        self.words = words
        #: pinyin pairs both ways, as padded words to find and replace, with the note they leave
        self._pinyin = [
            (f" {src} ", f" {dst} ", f"{src} → {dst}") for a, b in words.pinyin_pairs for src, dst in ((a, b), (b, a))
        ]
        #: finds whether any of them is in a padded query at all (most queries have none)
        self._pinyin_any = (
            re.compile("|".join(re.escape(src) for src, _dst, _note in self._pinyin)) if self._pinyin else None
        )

    @cached_property
    def _cjk_place(self) -> re.Pattern[str] | None:
        """A Chinese place a company name begins with (and its 市/省/自治区), before two more characters;
        compiled on first use (only names written in Chinese need it)."""
        places = self.words.cjk_name_places
        if not places:
            return None
        return re.compile("^(" + "|".join(map(re.escape, places)) + ")(?:市|省|自治区)?(?=[\u4e00-\u9fff]{2})")

    def of(self, name: str) -> Reading:
        if not isinstance(name, str):
            raise InputError(f"party name must be text, not {type(name).__name__}")
        if len(name) > LIMITS.max_name_chars:
            raise InputError(
                f"party name is {len(name)} characters, over the limit of {LIMITS.max_name_chars} (max_name_chars)"
            )
        override = bidi_override(name)
        if override:
            raise InputError(f"party name {name!r} {override}")
        trace = NormalisationTrace()
        folded = fold_traced(name, trace)
        if not folded:
            raise InputError(f"party name {name!r} has no letters or digits")
        # titles and particles are weighed down but are words of a name ("MRS GmbH" is listed): only a name of
        # nothing but legal forms and noise words is refused
        empty = self.words.legal_forms | self.words.noise
        if all(w in empty for w in folded.split()):
            raise InputError(f"party name {name!r} is only legal forms or noise words; give the name itself")
        qualifying: set[str] = set()
        for m in _QUALIFYING_SPAN.finditer(name):
            qualifying.update(fold(m.group(1) or m.group(2) or "").split())
        dotted = frozenset(fold(w) for w in _DOTTED.findall(name))
        variants: list[tuple[str, str | None]] = [(folded, None)]
        if "initials_joined" in trace.steps:
            split = fold_traced(name, NormalisationTrace(), join_initials=False)
            runs = set(folded.split()) - set(split.split())
            if any(run not in self.words.legal_forms for run in runs):  # "S.A.", "C.V." are legal forms
                variants.append((split, "initials read one by one"))
        cjk_place = self._cjk_place if "cjk_transliterated" in trace.steps else None
        if cjk_place is not None:
            place = cjk_place.match(name.strip())
            if place is not None:
                split = fold(place.group(1) + " " + name.strip()[place.end() :])
                if split != folded:
                    variants.append((split, f"place split off: {place.group(0)}"))
        joined = syllables_joined(folded, self.words.pinyin_syllables)
        variants += [(v, "pinyin syllables joined in twos") for v in joined]
        padded = f" {folded} "
        if self._pinyin_any is not None and self._pinyin_any.search(padded):
            for src, dst, note in self._pinyin:
                if src in padded:
                    variants.append((padded.replace(src, dst).strip(), f"pinyin_pair: {note}"))
        return Reading(variants, list(trace.steps), frozenset(qualifying), dotted)


#: Fewest words of pinyin in a row read joined in twos (two are one listed word already: ``Query.joins``).
_SYLLABLE_RUN = 3


def syllables_joined(folded: str, syllables: frozenset[str]) -> list[str]:
    """A name written syllable by syllable ("hua wei ji shu") read with each run of three or more pinyin
    syllables joined in twos ("huawei jishu"), the way Chinese words are written; a run of odd length
    also read with its first syllable alone. Nothing for a name without such a run."""
    words = folded.split()
    runs: list[tuple[int, int]] = []
    start = 0
    for i in range(len(words) + 1):
        if i < len(words) and words[i] in syllables:
            continue
        if i - start >= _SYLLABLE_RUN:
            runs.append((start, i))
        start = i + 1
    if not runs:
        return []
    out: list[str] = []
    for offset in (0, 1):
        joined: list[str] = []
        at = 0
        for lo, hi in runs:
            joined += words[at:lo]
            head = lo + offset if (hi - lo) % 2 else lo
            joined += words[lo:head]
            joined += [words[j] + words[j + 1] if j + 1 < hi else words[j] for j in range(head, hi, 2)]
            at = hi
        joined += words[at:]
        text = " ".join(joined)
        if text not in out:
            out.append(text)
    return out


def name_keys(words: list[str], lists: WordLists) -> tuple[str, int, tuple[str, ...]]:
    """A query's compact form (its distinctive words and particles joined), how many words that
    is, and its acronyms of four letters or more."""
    core = [x for x in words if x not in lists.weak or x in lists.particles]
    inits = {"".join(x[0] for x in words if x not in lists.noise), "".join(x[0] for x in core)}
    return "".join(core), len(core), tuple(sorted(s for s in inits if len(s) >= 4))


def stubs_of(words: list[str], dotted: frozenset[str], listed: Container[str]) -> list[bool]:
    """Which query words are stubs (``Query.stub``): a lone letter, or a short dotted or last word
    no listed word equals; none when every word would be."""
    last = len(words) - 1
    stub = [
        (len(x) == 1 and (x.isalpha() or x in dotted))
        or (len(x) <= STUB_MAX_LEN and (x in dotted or i == last) and x not in listed)
        for i, x in enumerate(words)
    ]
    return [False] * len(words) if all(stub) else stub


class QueryBuilder:
    """Prepares queries against one compiled registry; remembers the listed words near each word."""

    def __init__(self, compiled: CompiledNames, words: WordLists, *, exhaustive: bool) -> None:
        self.c = compiled
        self.words = words
        self.exhaustive = exhaustive
        self._near_cache: dict[tuple[str, bool], Near] = {}
        self.readings = Readings(words)

    def near(self, word: str, dotted: bool) -> Near:
        key = (word, dotted)
        hit = self._near_cache.get(key)
        if hit is not None:
            return hit
        v = self.c.vocab
        if self.exhaustive:
            found = v.scan_near(word, dotted, self.words)
        else:
            vid = None if dotted else v.ids.get(word)
            found = v.listed_near(vid) if vid is not None else v.near(word, dotted, self.words)
        if len(self._near_cache) > 100_000:
            self._near_cache.clear()
        self._near_cache[key] = found
        return found

    def raw_weight(self, word: str, near: Near, is_stub: bool) -> float:
        """The weight of a query word before the qualifier factor (``near``: the listed words near it)."""
        c = self.c
        w = tuning().weights
        if word in self.words.weak:
            return w.weak
        if is_stub:
            return w.stub
        if word in c.vocab.ids or not near:
            return c.token_weight(word)
        # an unseen word (a typo) weighs what the listed word it resembles most weighs
        return c.weight[max(near.items(), key=lambda item: (item[1][0], -c.weight[item[0]]))[0]]

    def prepare(self, name: str, country: str | None, kind: PartyKind | None) -> list[Query]:
        r = self.readings.of(name)
        return [
            self._query(name, text, country, kind, r.steps, note, r.qualifying, r.dotted) for text, note in r.variants
        ]

    def _query(
        self,
        name: str,
        folded: str,
        country: str | None,
        kind: PartyKind | None,
        steps: list[str],
        note: str | None,
        qualifying: frozenset[str],
        dotted: frozenset[str],
    ) -> Query:
        c = self.c
        w = tuning().weights
        words = folded.split()
        near = [self.near(x, x in dotted) for x in words]
        stub = stubs_of(words, dotted, c.vocab.ids)
        qweights: list[float] = []
        qualifier: list[bool] = []
        rawweights: list[float] = []
        for x, nm, is_stub in zip(words, near, stub, strict=True):
            wt = self.raw_weight(x, nm, is_stub)
            rawweights.append(wt)
            is_qual = x in qualifying or c.is_qualifier(x)
            qualifier.append(is_qual)
            if is_qual:
                wt *= w.qualifier_factor
            qweights.append(wt)
        near_listed: dict[int, list[tuple[int, float, str]]] = {}
        bounds: dict[int, tuple[float, int]] = {}
        for i, nm in enumerate(near):
            bit = 1 << i
            for vid, (sim, how) in nm.items():
                hits = near_listed.get(vid)
                if hits is None:
                    near_listed[vid] = [(i, sim, how)]
                    bounds[vid] = (sim, bit)
                else:
                    hits.append((i, sim, how))
                    prev = bounds[vid]
                    bounds[vid] = (max(prev[0], sim), prev[1] | bit)
        ids = c.vocab.ids
        joins = tuple((i, jid) for i in range(len(words) - 1) if (jid := ids.get(words[i] + words[i + 1])) is not None)
        merge = tuning().similarity.merge
        for i, joined in joins:
            bits = 3 << i
            had = bounds.get(joined)
            bounds[joined] = (merge, bits) if had is None else (max(had[0], merge), had[1] | bits)
        split_names: set[int] = set()
        for x in words:
            add_ids(split_names, c.pair_postings.get(x))
        if kind is None and any(self.words.names_an_organisation(x) for x in words):
            kind = "entity"
        compact, core_count, inits = name_keys(words, self.words)
        return Query(
            text=name,
            folded=folded,
            words=words,
            qweights=qweights,
            rawweights=rawweights,
            joins=joins,
            qualifier=qualifier,
            stub=stub,
            qtotal=sum(qweights),
            near=near,
            near_listed=near_listed,
            bounds=bounds,
            split_names=split_names,
            dotted=dotted,
            compact=compact,
            core_count=core_count,
            initials=inits,
            country=country.upper() if country else None,
            kind=kind,
            steps=list(steps),
            variant=note,
            has_stubs=any(stub),
        )
