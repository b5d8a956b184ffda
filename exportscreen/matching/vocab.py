"""The listed words and the finders of the similarity rules over them (``Vocabulary``).

``Vocabulary.near(word)`` returns every listed word some rule of ``similarity.RULES`` scores above
zero against ``word``, with the best score and the rule's name, found through each rule's finder
(key maps, the sorted words for prefixes, the abbreviation pairs, rapidfuzz scans for two edits).
The words near each *listed* word are worked out once when the vocabulary is built and stored in
flat arrays: a query word that is a listed word (most are) is looked up, not searched.
``scan_near`` is the exhaustive reference: every rule's score over every listed word.
"""

from __future__ import annotations

import bisect
from array import array
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import OSA

from exportscreen.matching.keymap import KeyMap
from exportscreen.matching.normalize import skeleton
from exportscreen.matching.similarity import (
    RULES,
    KeyFinder,
    ListFinder,
    PrefixFinder,
    Rule,
    ScanFinder,
    has_digit,
)
from exportscreen.matching.words import WordLists

__all__ = ["Ids", "Near", "Vocabulary", "add_ids", "packed"]

#: Listed word id -> (similarity, rule name) for the words near one query word.
Near = dict[int, tuple[float, str]]

#: A value of the key maps: one id, or several in a tuple (most keys lead to one word or name, and a
#: bare int takes a fraction of the memory of a list).
Ids = int | tuple[int, ...]


def packed(index: dict[str, list[int]]) -> dict[str, Ids]:
    return {k: v[0] if len(v) == 1 else tuple(v) for k, v in index.items()}


def add_ids(target: set[int], ids: Ids | None) -> None:
    """Add an index value (``Ids``, or None for a missing key) to ``target``."""
    if ids is None:
        return
    if isinstance(ids, int):
        target.add(ids)
    else:
        target.update(ids)


@dataclass(slots=True)
class Vocabulary:
    """The distinct words of the listed names, their rule keys and their stored neighbours."""

    words: list[str] = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)
    ordered: list[str] = field(default_factory=list)
    #: per ``KeyFinder.map``: key -> ids of the listed words with that key (``keymap``: compact, by CRC)
    key_maps: dict[str, KeyMap] = field(default_factory=dict)
    #: first letter -> (skeletons, ids) of the words ``ScanFinder`` scans
    by_length: dict[str, tuple[list[str], list[int]]] = field(default_factory=dict)
    #: word ``v``'s neighbours: ``near_ids[near_offsets[v]:near_offsets[v + 1]]``, each with
    #: ``near_kinds[near_codes[i]]``
    near_offsets: array[int] = field(default_factory=lambda: array("I"))
    near_ids: array[int] = field(default_factory=lambda: array("I"))
    near_codes: array[int] = field(default_factory=lambda: array("H"))
    near_kinds: list[tuple[float, str]] = field(default_factory=list)
    #: exhaustive mode only: every word's keys per key map, and the words' skeletons
    _listed_keys: dict[str, list[frozenset[str]]] = field(default_factory=dict)
    _skeletons: list[str] | None = None

    @classmethod
    def build(cls, words: list[str], lists: WordLists) -> Vocabulary:
        """The vocabulary of ``words`` (distinct, in id order), with every rule's finder state and
        the stored neighbours of every word."""
        v = cls(words=list(words), ids={w: i for i, w in enumerate(words)}, ordered=sorted(words))
        maps: dict[str, dict[str, list[int]]] = {}
        for rule in RULES:
            finder = rule.finder
            if isinstance(finder, KeyFinder) and finder.map not in maps:
                index: dict[str, list[int]] = {}
                for vid, word in enumerate(v.words):
                    for key in finder.listed(word):
                        index.setdefault(key, []).append(vid)
                maps[finder.map] = index
            elif isinstance(finder, ScanFinder) and not v.by_length:
                for vid, word in enumerate(v.words):
                    sk = skeleton(word)
                    if len(sk) >= finder.min_len and not has_digit(sk):
                        bucket = v.by_length.setdefault(sk[0], ([], []))
                        bucket[0].append(sk)
                        bucket[1].append(vid)
        v.key_maps = {name: KeyMap.build(index) for name, index in maps.items()}
        v._store_neighbours(lists)
        return v

    def prefixed_by(self, word: str) -> list[int]:
        """Ids of the words that begin with ``word``."""
        lo = bisect.bisect_left(self.ordered, word)
        hi = bisect.bisect_left(self.ordered, word + "\x7f")
        return [self.ids[w] for w in self.ordered[lo:hi]]

    def candidates(self, rule: Rule, word: str, dotted: bool, lists: WordLists) -> set[int]:
        """The listed words ``rule``'s finder returns for ``word`` (a superset of those it scores)."""
        finder = rule.finder
        out: set[int] = set()
        if isinstance(finder, KeyFinder):
            index = self.key_maps[finder.map]
            for key in finder.query(word):
                index.add_to(out, key)
        elif isinstance(finder, PrefixFinder):
            if len(word) >= finder.min_len:
                out.update(self.prefixed_by(word))
            for k in range(finder.min_len, len(word)):
                vid = self.ids.get(word[:k])
                if vid is not None:
                    out.add(vid)
        elif isinstance(finder, ListFinder):
            for other in finder.of(word, lists):
                vid = self.ids.get(other)
                if vid is not None:
                    out.add(vid)
        elif isinstance(finder, ScanFinder):
            sk = skeleton(word)
            bucket = self.by_length.get(sk[:1])
            if bucket is not None and len(sk) >= finder.min_len and not has_digit(sk):
                cutoff = finder.max_distance
                found = process.extract(sk, bucket[0], scorer=OSA.distance, score_cutoff=cutoff, limit=None)
                out.update(bucket[1][i] for _s, _d, i in found)
        return out

    def near(self, word: str, dotted: bool, lists: WordLists) -> Near:
        """The listed words near ``word`` through the finders, with the best rule for each."""
        out: Near = {}
        shared: dict[str, set[int]] = {}  # rules that share a key map share its candidates
        for rule in RULES:
            finder = rule.finder
            if isinstance(finder, KeyFinder):
                found = shared.get(finder.map)
                if found is None:
                    found = shared[finder.map] = self.candidates(rule, word, dotted, lists)
            else:
                found = self.candidates(rule, word, dotted, lists)
            for vid in found:
                sim = rule.score(word, self.words[vid], dotted, lists)
                if sim > 0 and sim > out.get(vid, (0.0, ""))[0]:
                    out[vid] = (sim, rule.name)
        return out

    def scan_candidates(self, rule: Rule, word: str, dotted: bool, lists: WordLists) -> set[int]:
        """``candidates`` by a linear pass over every listed word instead of the finder's index
        (the exhaustive reference the index is tested against)."""
        finder = rule.finder
        if isinstance(finder, KeyFinder):
            keys = self._listed_keys.get(finder.map)
            if keys is None:
                keys = self._listed_keys[finder.map] = [frozenset(finder.listed(w)) for w in self.words]
            wanted = frozenset(finder.query(word))
            return {vid for vid, own in enumerate(keys) if not own.isdisjoint(wanted)}
        if isinstance(finder, PrefixFinder):
            return {vid for vid, w in enumerate(self.words) if w.startswith(word) or word.startswith(w)}
        if isinstance(finder, ScanFinder):
            if self._skeletons is None:
                self._skeletons = [skeleton(w) for w in self.words]
            sk = skeleton(word)
            found = process.extract(
                sk, self._skeletons, scorer=OSA.distance, score_cutoff=finder.max_distance, limit=None
            )
            return {i for _s, _d, i in found}
        return self.candidates(rule, word, dotted, lists)

    def scan_near(self, word: str, dotted: bool, lists: WordLists) -> Near:
        """``near`` through ``scan_candidates``: the exhaustive reference."""
        out: Near = {}
        for rule in RULES:
            for vid in self.scan_candidates(rule, word, dotted, lists):
                sim = rule.score(word, self.words[vid], dotted, lists)
                if sim > 0 and sim > out.get(vid, (0.0, ""))[0]:
                    out[vid] = (sim, rule.name)
        return out

    def listed_near(self, vid: int) -> Near:
        """``near`` of the listed word ``vid`` (not dotted), as stored when the vocabulary was built."""
        lo, hi = self.near_offsets[vid], self.near_offsets[vid + 1]
        kinds, ids, codes = self.near_kinds, self.near_ids, self.near_codes
        return {ids[i]: kinds[codes[i]] for i in range(lo, hi)}

    def _store_neighbours(self, lists: WordLists) -> None:
        kinds: dict[tuple[float, str], int] = {}
        offsets = [0]
        ids: list[int] = []
        codes: list[int] = []
        for word in self.words:
            for vid, kind in sorted(self.near(word, False, lists).items()):
                ids.append(vid)
                codes.append(kinds.setdefault(kind, len(kinds)))
            offsets.append(len(ids))
        self.near_kinds = list(kinds)
        self.near_offsets = array("I", offsets)
        self.near_ids = array("I", ids)
        self.near_codes = array("H", codes)
