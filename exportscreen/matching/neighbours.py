"""Word similarity (``token_sim``) and the listed words near a word (``neighbours``).

``neighbours`` finds, through the compiled index's keys (exact, spelling skeleton, one-deletion,
prefix, abbreviation and consonant keys), exactly the listed words ``token_sim`` scores above zero.
The compiled index stores the result for every listed word (``CompiledNames.near_*``): a query
word that is a listed word (most are) is looked up instead of searched (``listed_neighbours``).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable

from rapidfuzz.distance import OSA

from exportscreen.matching.compiled import (
    MIN_DOTTED_PREFIX_LEN,
    MIN_FUZZY_LEN,
    MIN_PREFIX_LEN,
    CompiledNames,
    add_ids,
    deletions,
)
from exportscreen.matching.normalize import consonant_key, skeleton
from exportscreen.matching.words import WordLists

__all__ = ["Near", "all_listed_neighbours", "has_digit", "listed_neighbours", "neighbours", "token_sim", "verify"]

#: Listed word id -> (similarity, how) for the words near one query word.
Near = dict[int, tuple[float, str]]


def has_digit(word: str) -> bool:
    return any(ch.isdigit() for ch in word)


def token_sim(q: str, v: str, words: WordLists, dotted: bool = False) -> tuple[float, str]:
    """Similarity of a query word ``q`` and a listed word ``v`` and how it arose ("" when 0).

    ``dotted``: the query wrote ``q`` with a full stop ("Sci."), so it may abbreviate from 3 letters.
    """
    if q == v:
        return 1.0, "exact"
    if not (q.isalpha() and v.isalpha()) and (has_digit(q) or has_digit(v)):
        return 0.0, ""
    sq, sv = skeleton(q), skeleton(v)
    if sq == sv:
        return 0.95, "spelling_variant"
    if v in words.abbreviations.get(q, ()):
        return 0.9, "abbreviation"
    if len(v) - len(q) >= 2 and len(q) >= (MIN_DOTTED_PREFIX_LEN if dotted else MIN_PREFIX_LEN) and v.startswith(q):
        return 0.85, "abbreviation"
    if len(q) - len(v) >= 2 and len(v) >= MIN_PREFIX_LEN and q.startswith(v):
        return 0.85, "abbreviation"
    if (
        len(sq) >= MIN_FUZZY_LEN - 1
        and len(sv) >= MIN_FUZZY_LEN - 1
        and (min(len(sq), len(sv)) >= MIN_FUZZY_LEN - 1 or sorted(sq) == sorted(sv))
        and OSA.distance(sq, sv, score_cutoff=1) <= 1
    ):
        shortest = min(len(sq), len(sv))
        return min(0.9, 1.0 - 1.0 / shortest), "typo"
    ck = consonant_key(q)
    if ck and ck == consonant_key(v):
        return 0.85, "transliteration"
    return 0.0, ""


def verify(vocab: list[str], words: WordLists, word: str, dotted: bool, candidates: Iterable[int]) -> Near:
    """The candidate listed words that ``token_sim`` scores above zero against ``word``."""
    out: Near = {}
    for vid in candidates:
        sim, how = token_sim(word, vocab[vid], words, dotted)
        if sim > 0:
            out[vid] = (sim, how)
    return out


def neighbours(c: CompiledNames, words: WordLists, word: str, dotted: bool) -> Near:
    """The listed words near ``word``, found through the index keys and checked by ``token_sim``."""
    cand: set[int] = set()
    sk = skeleton(word)
    fuzzy = len(sk) >= MIN_FUZZY_LEN - 1 and not any(ch.isdigit() for ch in sk)
    for key in deletions(sk) if fuzzy else (sk,):
        add_ids(cand, c.deletion_keys.get(key))
    vid = c.vocab_id.get(word)
    if vid is not None:
        cand.add(vid)
    if len(word) >= (MIN_DOTTED_PREFIX_LEN if dotted else MIN_PREFIX_LEN):
        cand.update(c.prefixed_by(word))
    if len(word) >= MIN_PREFIX_LEN + 2:
        for k in range(MIN_PREFIX_LEN, len(word) - 1):
            pv = c.vocab_id.get(word[:k])
            if pv is not None:
                cand.add(pv)
    for other in words.abbreviations.get(word, ()):
        ov = c.vocab_id.get(other)
        if ov is not None:
            cand.add(ov)
    ck = consonant_key(word)
    if ck:
        add_ids(cand, c.consonant_keys.get(ck))
    return verify(c.vocab, words, word, dotted, cand)


def listed_neighbours(c: CompiledNames, vid: int) -> Near:
    """``neighbours`` of the listed word ``vid`` (not dotted), as stored by the compiler."""
    lo, hi = c.near_offsets[vid], c.near_offsets[vid + 1]
    kinds, ids, codes = c.near_kinds, c.near_ids, c.near_codes
    return {ids[i]: kinds[codes[i]] for i in range(lo, hi)}


def all_listed_neighbours(c: CompiledNames, words: WordLists) -> None:
    """Store ``neighbours`` of every listed word in ``c`` (flat arrays: offsets by word id, then
    neighbour ids and codes into ``near_kinds``)."""
    kinds: dict[tuple[float, str], int] = {}
    offsets = [0]
    ids: list[int] = []
    codes: list[int] = []
    for word in c.vocab:
        for vid, kind in sorted(neighbours(c, words, word, False).items()):
            ids.append(vid)
            codes.append(kinds.setdefault(kind, len(kinds)))
        offsets.append(len(ids))
    c.near_kinds = list(kinds)
    c.near_offsets = array("I", offsets)
    c.near_ids = array("I", ids)
    c.near_codes = array("H", codes)
