"""The name and address matcher: one scorer, run over an index (default) or over every name.

**Words.** Query and listed names are folded (``normalize.fold``) and split into words. Two words
are similar (``token_sim``) when they are equal (1.0), spell the same skeleton (0.95: Aleksey /
Alexei, Mohammed / Mohamed), are a listed abbreviation pair (0.9: Intl / International), one begins
the other (0.85: Tech / Technology), or their skeletons are one edit apart (0.8-0.9 by length:
typos, OCR errors, 0/O swaps; from 4 letters: Merz / Mertz). Words with digits only match exactly.

**Alignment.** Each query word pairs with at most one listed word, best similarity first, heavier
listed words first on ties; split or merged words ("Quantum CTek" / "QuantumCTek") pair up as
joined neighbours (0.95).

**Score (0-100).** ``C`` is the weighted share of the listed name that the query covers (a listed
word is credited at most the weight of the query word it pairs with: the common "technology" does
not vouch for the rare "techno"), ``Q`` the weighted share of the query that the listed name covers
(or, for organisations, another of the entry's names at ``OTHER_NAME_SIM``), where extra query qualifiers (branch,
office, place names) weigh ``QUALIFIER_FACTOR`` of a word. Then::

    name score = BAND[kind] * C ** A_COVER * Q ** B_QUERY     (EXACT[kind] for an identical name)

so the listed name must be present (``C``) and the query must not be mostly something else
(``Q``: "emma daniels" is not "EMMA LLC"). Identical compact forms (all distinctive words joined)
count as ``C = Q = COMPACT_SIM``; an acronym that equals the initials of a listed name of 3+ words
(or the reverse) scores ``ACRONYM_SCORE``. Features then move the score: same country as the entry
``+COUNTRY_MATCH``, another country ``COUNTRY_CONFLICT``, a party type other than the entry's
``TYPE_CONFLICT`` (a query with a legal form is an organisation, so it does not strongly match a
person, vessel or aircraft); no information changes nothing. A listed name of one distinctive word
inside a query with other unexplained distinctive words costs ``LONE_WORD``. Qualifying query words (in
parentheses, after a dash, places) found in the entry's listed addresses ("UTair Aviation
(Khanty-Mansiysk)") count as covered in ``Q``; name words do not ("Huawei" in a listed "Huawei
Base" address does not make "Huawei Technologies" a "Shenzhen HiSilicon"). An entry's
score is its best name's score.

Calibration (no saturation): identical listed name with the right country 100; identical alias
95-97; the same distinctive words with other legal forms 92-96; fuzzy matches below.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from operator import mul
from typing import Literal

from pydantic import JsonValue
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from exportscreen._errors import InputError
from exportscreen.limits import LIMITS
from exportscreen.matching.base import Candidate
from exportscreen.matching.compiled import (
    FIELDS,
    QUALIFIER_FACTOR,
    WEAK_WEIGHT,
    CompiledNames,
    add_ids,
    load_or_compile,
)
from exportscreen.matching.neighbours import has_digit, listed_neighbours, neighbours, token_sim, verify
from exportscreen.matching.normalize import NormalisationTrace, consonant_key, fold, fold_address, fold_traced, skeleton
from exportscreen.matching.words import WordLists, word_lists
from exportscreen.registry.model import Registry

__all__ = [
    "ACRONYM_SCORE",
    "A_COVER",
    "BAND",
    "B_QUERY",
    "EXACT",
    "NameMatcher",
    "PartyKind",
    "coverage_floor",
    "parse_address",
    "token_sim",
]

PartyKind = Literal["entity", "individual"]

#: Exponent of the listed-name coverage ``C``.
A_COVER = 0.6
#: Exponent of the query coverage ``Q``.
B_QUERY = 0.6
#: Top score of a non-identical match by kind of listed name: name, alias, weak alias, acronym.
BAND = (94.0, 92.0, 88.0, 90.0)
#: Score of an identical (normalised) name by kind.
EXACT = (98.0, 95.0, 90.0, 93.0)
#: Score of an acronym matched to the initials of a listed name (or the reverse).
ACRONYM_SCORE = 80.0
#: ``C`` and ``Q`` when the compact forms are identical but the words are split differently.
COMPACT_SIM = 0.97
COUNTRY_MATCH = 2.0
COUNTRY_CONFLICT = -10.0
TYPE_CONFLICT = -15.0
#: Similarity of a query word the matched name lacks but another name of the same organisation has
#: ("SAPID Shipping Company" matched by the alias "SAPID" of "SAFIRAN PAYAM DARYA SHIPPING COMPANY").
#: Not for individuals: "Fatima Ali" is not "ABU FATIMA" a.k.a. "ALI, Ahmed Mohammed Hamed".
OTHER_NAME_SIM = 0.8
#: A listed person whose family name is not in the query, which has another word in its place
#: ("… HASAN AL-MOSULI" is not "… HASAN AL-TIKRITI").
FAMILY_NAME_DIFFERS = -10.0
#: A listed name of one distinctive word inside a query with other distinctive words ("APEX" in
#: "Apex Technology Co., Limited"): the query most likely names another party.
LONE_WORD = -8.0
#: A listed name matched without its place parenthetical ("Huawei Technologies (UK) Co., Ltd." as
#: "Huawei Technologies Co., Ltd.") when the query names no such place: it ranks below the
#: unqualified listed name, and with a conflicting country it is no hit.
PLACE_DROPPED = -3.0
#: Largest amount a feature can add (bounds the index's coverage floor).
MAX_BONUS = COUNTRY_MATCH
#: Scores are rounded to one decimal before ``min_score`` is applied: a raw score this much below it
#: still passes (69.95 is shown as 70.0), so every bound leaves this much room.
ROUNDING_SLACK = 0.05 + 1e-9
#: Similarity of a word split in one name and merged in the other.
MERGE_SIM = 0.95
#: Largest score of an address that shares a number and words but no street: a review, never a hit.
ADDRESS_CAP = 85.0
#: The same house number on the same street, in the same places: a hit under any name.
ADDRESS_HIT = 90.0
#: The same house number on the same street, places missing or different: a review.
ADDRESS_STREET = 80.0


#: Parts of a query that qualify the name: parentheses and a tail after a spaced dash.
_QUALIFYING_SPAN = re.compile(r"\(([^()]*)\)|\s[-–—]\s(.*)$")
#: Words written with a full stop after them ("Sci.", "Res.") but not initials ("S.M.I.C.").
_DOTTED = re.compile(r"(?<![\w.])([A-Za-z0-9]{3,})\.")


def _j(value: str) -> JsonValue:
    return value


def coverage_floor(min_score: float) -> float:
    """The listed-name coverage ``C`` below which no name can score ``min_score``."""
    top = max(BAND)
    ratio = (min_score - ROUNDING_SLACK - MAX_BONUS) / top
    if ratio <= 0:
        return 0.0
    return float(min(1.0, ratio ** (1.0 / A_COVER)))


#: What ``_score`` worked out that its explanation shows: method, aligned word pairs, query and
#: listed word similarities, credit caps, query words found in addresses and in other names,
#: coverages, base score and features.
_Detail = tuple[
    str,
    list[tuple[str, str, float, str]],
    list[float],
    list[float],
    list[float],
    list[str],
    list[str],
    float,
    float,
    float,
    dict[str, JsonValue],
]


@dataclass(slots=True)
class _Query:
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
    qtotal: float
    near: list[dict[int, tuple[float, str]]]
    #: ``near`` turned around: per listed word, the query words near it, ``(i, similarity, how)``
    near_listed: dict[int, list[tuple[int, float, str]]]
    #: per listed word near a query word or two joined (``joins``): the best similarity and the
    #: query words (a bit mask) it could cover, for the bounds of ``_select``
    bounds: dict[int, tuple[float, int]]
    #: the names holding two adjacent listed words that one query word joins ("alfaris";
    #: ``pair_postings``), which ``_merge`` may pair and ``_select`` never drops
    split_names: set[int]
    dotted: frozenset[str]
    compact: str
    core_count: int
    initials: tuple[str, ...]
    country: str | None
    kind: PartyKind | None
    steps: list[str]
    variant: str | None


class NameMatcher:
    """The matcher over one registry (see module docstring).

    ``exhaustive=True`` scores every listed name (the reference the index is tested against).
    ``floor`` is the lowest ``min_score`` the index serves; lower ones run exhaustively.
    """

    def __init__(
        self,
        registry: Registry,
        *,
        floor: float = 60.0,
        exhaustive: bool = False,
        use_cache: bool = True,
        words: WordLists | None = None,
    ) -> None:
        self.registry = registry
        self.words = words or word_lists()
        self.exhaustive = exhaustive
        self.floor = floor
        started = time.perf_counter()
        self.compiled: CompiledNames = load_or_compile(
            registry, self.words, floor=floor, theta=coverage_floor(floor), use_cache=use_cache
        )
        self.compile_seconds = time.perf_counter() - started
        self._near_cache: dict[tuple[str, bool], dict[int, tuple[float, str]]] = {}
        self._skeletons: list[str] | None = None
        self._address_cache: dict[str, _Address] = {}
        self._least_cache: dict[float, list[float]] = {}
        self._needs_cache: dict[float, tuple[list[float], list[float]]] = {}
        self._entry_words = self.compiled.entry_words
        #: pinyin pairs both ways, as padded words to find and replace, with the note they leave
        self._pinyin = [
            (f" {src} ", f" {dst} ", f"{src} → {dst}")
            for a, b in self.words.pinyin_pairs
            for src, dst in ((a, b), (b, a))
        ]
        #: finds whether any of them is in a padded query at all (most queries have none)
        self._pinyin_any = (
            re.compile("|".join(re.escape(src) for src, _dst, _note in self._pinyin)) if self._pinyin else None
        )

    # -- words ---------------------------------------------------------------------------------

    def _near(self, word: str, dotted: bool) -> dict[int, tuple[float, str]]:
        key = (word, dotted)
        hit = self._near_cache.get(key)
        if hit is not None:
            return hit
        if self.exhaustive:
            found = self._near_exhaustive(word, dotted)
        else:
            c = self.compiled
            vid = None if dotted else c.vocab_id.get(word)
            found = listed_neighbours(c, vid) if vid is not None else neighbours(c, self.words, word, dotted)
        if len(self._near_cache) > 100_000:
            self._near_cache.clear()
        self._near_cache[key] = found
        return found

    def _near_exhaustive(self, word: str, dotted: bool) -> dict[int, tuple[float, str]]:
        c = self.compiled
        if self._skeletons is None:
            self._skeletons = [skeleton(v) for v in c.vocab]
        sk = skeleton(word)
        cand = {
            i for _s, _d, i in process.extract(sk, self._skeletons, scorer=OSA.distance, score_cutoff=1, limit=None)
        }
        cand.update(i for i, v in enumerate(c.vocab) if v.startswith(word) or word.startswith(v))
        for other in self.words.abbreviations.get(word, ()):
            ov = c.vocab_id.get(other)
            if ov is not None:
                cand.add(ov)
        ck = consonant_key(word)
        if ck:
            cand.update(i for i, k in enumerate(c.vocab_consonants) if k == ck)
        return verify(c.vocab, self.words, word, dotted, cand)

    # -- queries -------------------------------------------------------------------------------

    def _prepare(self, name: str, country: str | None, kind: PartyKind | None) -> list[_Query]:
        if not isinstance(name, str):
            raise InputError(f"party name must be text, not {type(name).__name__}")
        if len(name) > LIMITS.max_name_chars:
            raise InputError(
                f"party name is {len(name)} characters, over the limit of {LIMITS.max_name_chars} "
                "(max_name_chars)"
            )
        trace = NormalisationTrace()
        folded = fold_traced(name, trace)
        if not folded:
            raise InputError(f"party name {name!r} has no letters or digits")
        weak = self.words.weak
        if all(w in weak for w in folded.split()):
            raise InputError(f"party name {name!r} is only legal forms or noise words; give the name itself")
        qualifying: set[str] = set()
        for m in _QUALIFYING_SPAN.finditer(name):
            qualifying.update(fold(m.group(1) or m.group(2) or "").split())
        dotted = frozenset(fold(w) for w in _DOTTED.findall(name))
        variants: list[tuple[str, str | None]] = [(folded, None)]
        padded = f" {folded} "
        if self._pinyin_any is not None and self._pinyin_any.search(padded):
            for src, dst, note in self._pinyin:
                if src in padded:
                    variants.append((padded.replace(src, dst).strip(), note))
        return [
            self._query(name, text, country, kind, trace.steps, note, frozenset(qualifying), dotted)
            for text, note in variants
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
    ) -> _Query:
        c = self.compiled
        weak = self.words.weak
        words = folded.split()
        near = [self._near(w, w in dotted) for w in words]
        qweights: list[float] = []
        qualifier: list[bool] = []
        rawweights: list[float] = []
        for w, nm in zip(words, near, strict=True):
            if w in weak:
                wt = WEAK_WEIGHT
            elif w in c.vocab_id or not nm:
                wt = c.token_weight(w)
            else:
                # an unseen word (a typo) weighs what the listed word it resembles most weighs
                wt = max(nm.items(), key=lambda item: (item[1][0], -c.weight[item[0]]))[0]
                wt = c.weight[wt]
            rawweights.append(wt)
            is_qual = w in qualifying or c.is_qualifier(w)
            qualifier.append(is_qual)
            if is_qual:
                wt *= QUALIFIER_FACTOR
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
        joins = tuple(
            (i, jid) for i in range(len(words) - 1) if (jid := c.vocab_id.get(words[i] + words[i + 1])) is not None
        )
        for i, joined in joins:
            bits = 3 << i
            had = bounds.get(joined)
            bounds[joined] = (MERGE_SIM, bits) if had is None else (max(had[0], MERGE_SIM), had[1] | bits)
        split_names: set[int] = set()
        for word in words:
            add_ids(split_names, c.pair_postings.get(word))
        if kind is None and any(w in self.words.legal_forms for w in words):
            kind = "entity"
        core = [w for w in words if w not in weak]
        inits = {
            "".join(w[0] for w in words if w not in self.words.noise),
            "".join(w[0] for w in core),
        }
        return _Query(
            text=name,
            folded=folded,
            words=words,
            qweights=qweights,
            rawweights=rawweights,
            joins=joins,
            qualifier=qualifier,
            qtotal=sum(qweights),
            near=near,
            near_listed=near_listed,
            bounds=bounds,
            split_names=split_names,
            dotted=dotted,
            compact="".join(core),
            core_count=len(core),
            initials=tuple(sorted(s for s in inits if len(s) >= 4)),
            country=country.upper() if country else None,
            kind=kind,
            steps=list(steps),
            variant=note,
        )

    # -- scoring -------------------------------------------------------------------------------

    def _score(self, q: _Query, k: int) -> tuple[float, _Detail | None]:
        """The score of name ``k`` for query ``q``, with what ``_explain`` needs (None for 0)."""
        c = self.compiled
        toks = c.tokens[k]
        fld = c.name_field[k]
        weight = c.weight
        nweights = c.nweights[k] or map(weight.__getitem__, toks)
        pairs: list[tuple[float, float, int, int, str]] = []
        near_listed = q.near_listed
        for j, vid in enumerate(toks):
            hits = near_listed.get(vid)
            if hits is not None:
                for i, sim, how in hits:
                    pairs.append((-sim, -weight[vid], i, j, how))
        q_sim = [0.0] * len(q.words)
        c_sim = [0.0] * len(toks)
        how_q: list[str] = [""] * len(q.words)
        cap = [1.0] * len(toks)
        link: list[tuple[str, str, float, str]] = []
        for i, vid in q.joins:
            # a listed word split by the query ("Camb-ricon") pairs first, before its halves pair alone
            if q_sim[i] or q_sim[i + 1] or vid not in toks:
                continue
            j = toks.index(vid)
            if not c_sim[j]:
                q_sim[i] = q_sim[i + 1] = c_sim[j] = MERGE_SIM
                link.append((f"{q.words[i]} {q.words[i + 1]}", c.vocab[vid], MERGE_SIM, "words_joined"))
        if pairs:
            pairs.sort()
            for neg_sim, _w, i, j, how in pairs:
                if q_sim[i] or c_sim[j]:
                    continue
                q_sim[i] = c_sim[j] = -neg_sim
                how_q[i] = how
                if q.rawweights[i] < weight[toks[j]]:
                    cap[j] = q.rawweights[i] / weight[toks[j]]
                link.append((q.words[i], c.vocab[toks[j]], -neg_sim, how))
        if (q.joins or q.split_names) and (len(q.words) > 1 or len(toks) > 1):
            self._merge(q, toks, q_sim, c_sim, link)
        total = c.total[k]
        in_address: list[str] = []
        addr_words = c.address_words[c.entry[k]]
        if addr_words:
            for i, w in enumerate(q.words):
                if not q_sim[i] and q.qualifier[i] and w in addr_words and w not in self.words.weak:
                    q_sim[i] = 1.0
                    in_address.append(w)
        in_other: list[str] = []
        others = self._entry_words[c.entry[k]] if c.entity_type[k] != "individual" else frozenset()
        for i, w in enumerate(q.words):
            if not q_sim[i] and w in others:
                q_sim[i] = OTHER_NAME_SIM
                in_other.append(w)
        # weight x similarity x credit, summed in C (``map``) rather than a generator per name
        cover = sum(map(mul, map(mul, nweights, c_sim), cap)) / total if total else 0.0
        qcover = sum(map(mul, q.qweights, q_sim)) / q.qtotal if q.qtotal else 0.0
        method = "fuzzy"
        if q.folded == c.folded[k]:
            base = EXACT[fld]
            method = "identical"
        else:
            if len(q.compact) >= 4 and q.compact == c.compact[k] and (cover < COMPACT_SIM or qcover < COMPACT_SIM):
                cover = qcover = COMPACT_SIM
                method = "compact_form"
            base = BAND[fld] * (cover**A_COVER) * (qcover**B_QUERY) if cover > 0 and qcover > 0 else 0.0
            if base < ACRONYM_SCORE and self._acronym(q, k):
                base = ACRONYM_SCORE
                method = "acronym"
        if base <= 0:
            return 0.0, None
        features: dict[str, JsonValue] = {}
        score = base
        ec = c.entry_country[k]
        if q.country and ec:
            adj = COUNTRY_MATCH if q.country == ec else COUNTRY_CONFLICT
            features["country"] = {"query": q.country, "entry": ec, "points": adj}
            score += adj
        if c.entity_type[k] == "individual" and q.kind != "entity" and self._family_name_differs(q, k, q_sim, c_sim):
            features["family_name_differs"] = {"points": FAMILY_NAME_DIFFERS}
            score += FAMILY_NAME_DIFFERS
        if method != "identical" and self._lone_word(q, toks, q_sim):
            features["one_word_name_in_longer_query"] = {"points": LONE_WORD}
            score += LONE_WORD
        if c.place_dropped[k] and not set(fold(c.dropped[k]).split()) & set(q.words):
            features["listed_place_not_in_query"] = {"place": c.dropped[k], "points": PLACE_DROPPED}
            score += PLACE_DROPPED
        et = c.entity_type[k]
        if q.kind and et is not None and et != q.kind:
            features["party_type"] = {"query": q.kind, "entry": et, "points": TYPE_CONFLICT}
            score += TYPE_CONFLICT
        score = round(max(0.0, min(100.0, score)), 1)
        return score, (method, link, q_sim, c_sim, cap, in_address, in_other, cover, qcover, base, features)

    def _explain(self, q: _Query, k: int, detail: _Detail) -> dict[str, JsonValue]:
        """The explanation of a score ``_score`` gave (from its ``detail``)."""
        c = self.compiled
        method, link, q_sim, c_sim, cap, in_address, in_other, cover, qcover, base, features = detail
        toks = c.tokens[k]
        fld = c.name_field[k]
        return {
            "method": method,
            "matched_name": c.text[k],
            "name_kind": FIELDS[fld],
            "query_normalised": q.folded,
            "candidate_normalised": c.folded[k],
            **({"parentheticals_left_out": c.dropped[k]} if c.dropped[k] else {}),
            "normalisations": [*q.steps, *([f"pinyin_pair: {q.variant}"] if q.variant else [])],
            "aligned": [{"query": a, "listed": b, "similarity": round(s, 3), "how": h} for a, b, s, h in link],
            "unmatched_query": [_j(w) for w, s in zip(q.words, q_sim, strict=True) if not s],
            "unmatched_listed": [_j(c.vocab[v]) for v, s in zip(toks, c_sim, strict=True) if not s],
            "query_words_in_listed_address": [_j(w) for w in in_address],
            "rarer_listed_words_credited_at": {
                c.vocab[v]: round(f, 3) for v, f, s in zip(toks, cap, c_sim, strict=True) if s and f < 1.0
            },
            "query_words_in_other_listed_names": [_j(w) for w in in_other],
            "listed_coverage": round(cover, 3),
            "query_coverage": round(qcover, 3),
            "base_score": round(base, 1),
            "features": features,
        }

    def _merge(
        self,
        q: _Query,
        toks: tuple[int, ...],
        q_sim: list[float],
        c_sim: list[float],
        link: list[tuple[str, str, float, str]] | None,
    ) -> None:
        vocab = self.compiled.vocab
        for i in range(len(q.words) - 1):
            if q_sim[i] or q_sim[i + 1]:
                continue
            joined = q.words[i] + q.words[i + 1]
            for j, vid in enumerate(toks):
                if not c_sim[j] and vocab[vid] == joined:
                    q_sim[i] = q_sim[i + 1] = c_sim[j] = MERGE_SIM
                    if link is not None:
                        link.append((f"{q.words[i]} {q.words[i + 1]}", joined, MERGE_SIM, "words_joined"))
                    break
        for j in range(len(toks) - 1):
            if c_sim[j] or c_sim[j + 1]:
                continue
            joined = vocab[toks[j]] + vocab[toks[j + 1]]
            for i, w in enumerate(q.words):
                if not q_sim[i] and w == joined:
                    q_sim[i] = c_sim[j] = c_sim[j + 1] = MERGE_SIM
                    if link is not None:
                        link.append((w, f"{vocab[toks[j]]} {vocab[toks[j + 1]]}", MERGE_SIM, "words_split"))
                    break

    def _family_name_differs(self, q: _Query, k: int, q_sim: list[float], c_sim: list[float]) -> bool:
        """A listed person's family name (before the comma of "SURNAME, Given", else the last word)
        is unmatched while the query has an unmatched word of its own in its place."""
        c = self.compiled
        n = c.surname_words[k]
        toks = c.tokens[k]
        positions = range(n) if 0 < n < len(toks) else range(len(toks) - 1, len(toks))
        family = [j for j in positions if len(c.vocab[toks[j]]) >= 3]
        if not family or len(toks) < 2 or any(c_sim[j] for j in family):
            return False
        weak = self.words.weak
        return any(not s and w not in weak for w, s in zip(q.words, q_sim, strict=True))

    def _lone_word(self, q: _Query, toks: tuple[int, ...], q_sim: list[float]) -> bool:
        """The listed name has one distinctive word and the query has a distinctive word besides it
        that nothing explains (not a legal form, qualifier, place or listed address word)."""
        weak = self.compiled.weak
        if sum(1 for v in toks if not weak[v]) != 1:
            return False
        weak_words = self.words.weak
        return any(not s and not q.qualifier[i] and q.words[i] not in weak_words for i, s in enumerate(q_sim))

    def _acronym(self, q: _Query, k: int) -> bool:
        c = self.compiled
        if q.core_count == 1 and len(q.compact) >= 4 and len(c.tokens[k]) >= 3 and q.compact in c.initials[k]:
            return True
        return bool(q.initials) and len(c.compact[k]) >= 4 and c.compact[k] in q.initials and (
            sum(1 for v in c.tokens[k] if not c.weak[v]) == 1
        )

    # -- pruning -------------------------------------------------------------------------------

    def _select(self, q: _Query, theta: float, min_score: float) -> list[int]:
        """The names that may score ``min_score``: drops only those whose ``_score(q, k)`` is certainly
        lower, by an upper bound of the score from each listed word's best similarity
        to any query word (``C``), the query words that could be covered at all (``Q``, similarity 1)
        and ``MAX_BONUS``. Identical, compact, acronym and split-word matches are never dropped. Any
        change to ``_score`` that can raise a score must be reflected here (the index-vs-exhaustive
        tests catch a bound that is too low).

        Most names fall to ``Q`` and are dropped first by a query-side prefix: the heaviest query
        words whose weight exceeds what ``Q`` may leave uncovered (``_required_words``). A name none
        of whose words resembles one of them, and whose entry has none of them among its other
        names' words or its address words, cannot reach the ``Q`` the score needs. The candidates
        are the names the word index reaches (``_reached``) that hold a required word or belong to
        an entry that does (``word_names``, ``word_entry_names``, ``address_names``), found with set
        operations; without required words, those ``_gather`` finds with ``theta``.
        """
        c = self.compiled
        best, split = q.bounds, q.split_names
        weak = self.words.weak
        qweights = q.qweights
        qtotal = q.qtotal
        need, least_cover = self._needs(min_score)
        required = self._required_words(q, min(need))
        # names that a required query word's near listed words (or a joined pair holding one) are part of
        required_vids = frozenset(vid for vid, (_sim, bits) in best.items() if bits & required)
        required_free = frozenset(w for i, w in enumerate(q.words) if required >> i & 1 and w not in weak)
        # the names holding a required near word, and the names of the entries one of whose names or
        # addresses holds a required query word itself (its other names may credit it: ``OTHER_NAME_SIM``)
        offsets, holders = c.word_offsets, c.word_names
        allowed_names: set[int] = set()
        for vid in required_vids:
            allowed_names.update(holders[offsets[vid] : offsets[vid + 1]])
        for word in required_free:
            wid = c.vocab_id.get(word)
            if wid is not None and not c.weak[wid]:
                allowed_names.update(c.word_entry_names[c.word_entry_offsets[wid] : c.word_entry_offsets[wid + 1]])
            aid = c.address_word_ids.get(word)
            if aid is not None:
                allowed_names.update(c.address_names[c.address_offsets[aid] : c.address_offsets[aid + 1]])
        forced = self._never_pruned(q, split)
        names: set[int]
        if required:
            # every name the index reaches that holds a required word (or whose entry does)
            names = self._reached(q)
            names &= allowed_names
            names |= forced
        else:
            names = self._gather(q, theta)
        # an identical name meets any bound up to 1 (C = Q = 1); above that it is kept by name
        check_identical = max(need) >= 1.0
        q_cover: dict[int, float] = {}
        entry_mask: dict[int, int] = {}
        tokens, nweights, total, fields, folded = c.tokens, c.nweights, c.total, c.name_field, c.folded
        weight = c.weight
        address_words, entry, entry_words = c.address_words, c.entry, self._entry_words
        free_bits: dict[str, int] = {}
        for i, word in enumerate(q.words):
            if word not in weak:
                free_bits[word] = free_bits.get(word, 0) | 1 << i
        free_words = frozenset(free_bits)
        out: list[int] = []
        for k in names:
            if k in forced or (check_identical and q.folded == folded[k]):
                out.append(k)
                continue
            # one pass over the name's words: the query words it could cover (Q) and its best
            # coverage (C); the query words decide first (C <= 1)
            toks = tokens[k]
            own = nweights[k]
            mask = 0
            covered = 0.0
            for j, vid in enumerate(toks):
                hit = best.get(vid)
                if hit is not None:
                    mask |= hit[1]
                    covered += (weight[vid] if own is None else own[j]) * hit[0]
            if not mask or not total[k] or not qtotal:
                continue
            fld = fields[k]
            if covered < total[k] * least_cover[fld]:
                continue  # C alone falls short (Q <= 1); most names end here, before the entry's words
            e = entry[k]
            credited = entry_mask.get(e)
            if credited is None:
                # query words the entry credits: in its listed addresses or its other names
                credited = 0
                addr_words = address_words[e]
                if addr_words:
                    for word in free_words.intersection(addr_words):
                        credited |= free_bits[word]
                for word in free_words.intersection(entry_words[e]):
                    credited |= free_bits[word]
                entry_mask[e] = credited
            mask |= credited
            qcover = q_cover.get(mask)
            if qcover is None:
                qcover = min(1.0, sum(qw for i, qw in enumerate(qweights) if mask >> i & 1) / qtotal)
                q_cover[mask] = qcover
            kind_need = need[fld]
            if qcover**B_QUERY >= kind_need and min(1.0, covered / total[k]) ** A_COVER * qcover**B_QUERY >= kind_need:
                out.append(k)
        return out

    def _needs(self, min_score: float) -> tuple[list[float], list[float]]:
        """Per kind of name, what ``_select``'s bound must reach for ``min_score``: ``need``, which
        ``C ** A_COVER * Q ** B_QUERY`` must reach, and the least coverage ``C`` alone (as ``Q <= 1``),
        a little under it against rounding. Worked out once per threshold."""
        hit = self._needs_cache.get(min_score)
        if hit is None:
            margin = min_score - ROUNDING_SLACK - MAX_BONUS
            need = [margin / band for band in BAND]
            least_cover = [n ** (1.0 / A_COVER) * (1.0 - 1e-9) if n > 0 else 0.0 for n in need]
            if len(self._needs_cache) > 256:  # thresholds are few; bounded all the same
                self._needs_cache.clear()
            hit = self._needs_cache[min_score] = (need, least_cover)
        return hit

    @staticmethod
    def _required_words(q: _Query, least_need: float) -> int:
        """A bit mask of query words of which every name scoring ``least_need`` or more (as
        ``C ** A_COVER * Q ** B_QUERY``) covers one: the heaviest words, until the rest weigh less
        than the least ``Q`` that need allows (0 when no such set exists: nothing is required)."""
        if least_need <= 0 or q.qtotal <= 0:
            return 0
        # Q <= 1 and C <= 1, so Q ** B_QUERY >= least_need; a little slack against rounding
        q_least = least_need ** (1.0 / B_QUERY) * (1.0 - 1e-6)
        order = sorted(range(len(q.words)), key=lambda i: -q.qweights[i])
        mask = 0
        rest = q.qtotal
        for i in order:
            if rest / q.qtotal < q_least:
                return mask
            mask |= 1 << i
            rest -= q.qweights[i]
        return mask if rest / q.qtotal < q_least else 0

    def _never_pruned(self, q: _Query, split: set[int]) -> set[int]:
        """Names scored whatever their bound: split words (``_merge``), the same compact form, and
        acronyms either way (a superset of what ``_acronym`` accepts)."""
        c = self.compiled
        forced = set(split)
        if len(q.compact) >= 4:
            add_ids(forced, c.compact_map.get(q.compact))
            if q.core_count == 1:
                add_ids(forced, c.initials_map.get(q.compact))
        for s in q.initials:
            add_ids(forced, c.compact_map.get(s))
        return forced

    # -- candidates ----------------------------------------------------------------------------

    def _gather(self, q: _Query, theta: float) -> set[int]:
        c = self.compiled
        acc: dict[int, float] = {}
        for nm in q.near:
            for vid, (sim, _how) in nm.items():
                plist = c.postings.get(vid)
                if plist is None:
                    continue
                w = c.weight[vid] * sim
                if isinstance(plist, int):
                    acc[plist] = acc.get(plist, 0.0) + w
                    continue
                for k in plist:
                    acc[k] = acc.get(k, 0.0) + w
        forced = self._never_pruned(q, q.split_names)
        for _i, joined in q.joins:
            add_ids(forced, c.postings.get(joined))
        least = self._least_gathered(theta)
        forced.update(k for k, a in acc.items() if a >= least[k])
        return forced

    def _least_gathered(self, theta: float) -> list[float]:
        """Per name, the least weight the query must match among its indexed words for its coverage
        to reach ``theta`` (the rest of its words matched in full); infinite for a name without weight."""
        least = self._least_cache.get(theta)
        if least is None:
            c = self.compiled
            least = [
                theta * total - rest - 1e-9 if total else math.inf
                for total, rest in zip(c.total, c.rest_weight, strict=True)
            ]
            self._least_cache[theta] = least
        return least

    def _reached(self, q: _Query) -> set[int]:
        """Every name indexed under a listed word near a query word (or two query words joined): a
        superset of ``_gather`` without its coverage threshold, for ``_select`` to narrow."""
        postings = self.compiled.postings
        reached: set[int] = set()
        for vid in q.bounds:
            add_ids(reached, postings.get(vid))
        return reached

    def _all_names(self, q: _Query) -> range:
        return range(len(self.compiled.entry))

    def search(
        self,
        name: str,
        *,
        country: str | None = None,
        limit: int | None = 5,
        min_score: float = 0.0,
        kind: PartyKind | None = None,
    ) -> list[Candidate]:
        """Best entries for a party name, best first (ties by entry order); at most ``limit``.

        Raises ``InputError`` for a name that is empty, over ``max_name_chars``, without letters or
        digits, or made only of legal forms and noise words.
        """
        best: dict[int, tuple[float, int, _Query, _Detail]] = {}
        exhaustive = self.exhaustive or min_score < self.floor
        theta = coverage_floor(max(min_score, self.floor))
        for q in self._prepare(name, country, kind):
            names: Iterable[int]
            if exhaustive:
                names = self._all_names(q)
            elif min_score > 0:
                names = self._select(q, theta, min_score)
            else:
                names = self._gather(q, theta)
            entry = self.compiled.entry
            for k in names:
                score, detail = self._score(q, k)
                if detail is None or score <= 0 or score < min_score:
                    continue
                e = entry[k]
                prev = best.get(e)
                if prev is None or score > prev[0] or (score == prev[0] and k < prev[1]):
                    best[e] = (score, k, q, detail)
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))
        if limit is not None:
            ranked = ranked[:limit]
        out: list[Candidate] = []
        for e, (score, k, q, detail) in ranked:
            expl = self._explain(q, k, detail)
            expl["score"] = score
            fld = self.compiled.name_field[k]
            out.append(Candidate(e, self.compiled.text[k], "name" if fld == 0 else "alias", score, expl))
        return out

    # -- addresses -----------------------------------------------------------------------------

    def _address(self, folded: str) -> _Address:
        hit = self._address_cache.get(folded)
        if hit is None:
            hit = parse_address(folded, self.words)
            if len(self._address_cache) > 100_000:
                self._address_cache.clear()
            self._address_cache[folded] = hit
        return hit

    def search_address(self, address: str, *, limit: int | None = 5, min_score: float = 0.0) -> list[Candidate]:
        """Entries with a listed address like ``address`` (see ``parse_address`` for the parts).

        * ``ADDRESS_HIT``: the same house number on the same street (street names compared with
          spaces removed: "Zhang Jiang Road" = "Zhangjiang Rd."), and every place word of the query
          (district, city: "Pudong", "Shanghai") found in the listed address;
        * ``ADDRESS_STREET``: the same house number on the same street, places missing or different;
        * up to ``ADDRESS_CAP`` (review): no street on one side, a shared house number (not a postal
          code) and at least two shared distinctive words, by token-set similarity.

        The same street with another house number, or the same number on another street, is no match.
        """
        if len(address) > LIMITS.max_name_chars * 4:
            raise InputError(f"address is {len(address)} characters, over the limit")
        c = self.compiled
        q = fold_address(address)
        qa = self._address(q)
        if not qa.numbers:
            return []
        if self.exhaustive:
            cands: set[int] = set(range(len(c.addr_entry)))
        else:
            cands = set()
            for n in qa.numbers:
                add_ids(cands, c.addr_numbers.get(n))
        best: dict[int, Candidate] = {}
        # in address order, so that of an entry's equally good addresses the same one is reported in any process
        for ak in sorted(cands):
            la = self._address(c.addr_folded[ak])
            shared_numbers = qa.numbers & la.numbers
            if not shared_numbers:
                continue
            detail: dict[str, JsonValue] = {}
            street = _same_street(qa, la)
            if street is not None:
                places = qa.places
                found = {w for w in places if w in la.words or w in la.compact}
                score = ADDRESS_HIT if places and found == places else ADDRESS_STREET
                detail = {
                    "how": "same_street_and_places" if score == ADDRESS_HIT else "same_street",
                    "street": street,
                    "places_found": [_j(x) for x in sorted(found)],
                    "places_not_found": [_j(x) for x in sorted(places - found)],
                }
            else:
                if _streets_conflict(qa, la):
                    continue
                shared = qa.distinctive & la.words
                if len(qa.distinctive) < 2 or len(shared) < 2:
                    continue
                score = round(min(ADDRESS_CAP, fuzz.token_set_ratio(q, c.addr_folded[ak]) * ADDRESS_CAP / 100), 1)
                detail = {"how": "shared_number_and_words", "shared_words": [_j(x) for x in sorted(shared)]}
            if score < min_score or score <= 0:
                continue
            e = c.addr_entry[ak]
            prev = best.get(e)
            shared_before = prev.explanation["shared_numbers"] if prev is not None else []
            more_shared = isinstance(shared_before, list) and len(shared_numbers) > len(shared_before)
            if prev is None or score > prev.score or (score == prev.score and more_shared):
                best[e] = Candidate(
                    e,
                    c.addr_text[ak],
                    "address",
                    score,
                    {
                        "method": "address",
                        "query_normalised": q,
                        "candidate_normalised": c.addr_folded[ak],
                        "shared_numbers": [_j(x) for x in sorted(shared_numbers)],
                        **detail,
                        "score": score,
                    },
                )
        ranked = sorted(best.values(), key=lambda x: (-x.score, x.entry_index))
        return ranked if limit is None else ranked[:limit]


@dataclass(frozen=True, slots=True)
class _Address:
    """The parts of a folded address that ``search_address`` compares."""

    words: frozenset[str]
    compact: str
    #: house numbers and other short numbers (building, floor); postal codes left out
    numbers: frozenset[str]
    #: (house number or "", street name with spaces removed)
    streets: tuple[tuple[str, str], ...]
    #: distinctive words that are neither numbers, street names nor generic address words
    places: frozenset[str]
    distinctive: frozenset[str]


#: A number with this many digits or more that is not a house number is a postal code.
POSTCODE_MIN_DIGITS = 5
#: Most words a street name spans.
MAX_STREET_WORDS = 4


def parse_address(folded: str, words: WordLists) -> _Address:
    """Split a ``fold_address`` form into house numbers, streets and place words.

    A street is the run of words (up to ``MAX_STREET_WORDS``, no numbers or generic address words)
    before a street-type word ("zhang jiang road"), or after it when none precede ("ulitsa lenina");
    its house number is the number next to that run or right after the street-type word.
    """
    toks = folded.split()
    generic = words.address_generic | words.street_types | words.noise
    streets: list[tuple[str, str]] = []
    street_words: set[str] = set()
    house: set[str] = set()
    for i, t in enumerate(toks):
        if t not in words.street_types:
            continue
        j = i
        while j > 0 and i - j < MAX_STREET_WORDS and not has_digit(toks[j - 1]) and toks[j - 1] not in generic:
            j -= 1
        if j < i:
            name_words = toks[j:i]
            before = toks[j - 1] if j > 0 and has_digit(toks[j - 1]) else ""
            after = toks[i + 1] if i + 1 < len(toks) and has_digit(toks[i + 1]) else ""
            number = before or after
        else:
            k = i + 1
            while k < len(toks) and k - i <= MAX_STREET_WORDS and not has_digit(toks[k]) and toks[k] not in generic:
                k += 1
            name_words = toks[i + 1 : k]
            number = toks[k] if k < len(toks) and has_digit(toks[k]) else ""
        if not name_words:
            continue
        streets.append((number, "".join(name_words)))
        street_words.update(name_words)
        if number:
            house.add(number)
    numbers = {t for t in toks if has_digit(t) and (t in house or sum(ch.isdigit() for ch in t) < POSTCODE_MIN_DIGITS)}
    distinctive = {t for t in toks if not has_digit(t) and len(t) >= 3 and t not in generic}
    return _Address(
        words=frozenset(toks),
        compact="".join(toks),
        numbers=frozenset(numbers),
        streets=tuple(streets),
        places=frozenset(distinctive - street_words),
        distinctive=frozenset(distinctive),
    )


def _street_alike(a: str, b: str) -> bool:
    if a == b or skeleton(a) == skeleton(b):
        return True
    return min(len(a), len(b)) >= 6 and OSA.distance(a, b, score_cutoff=1) <= 1


def _same_street(q: _Address, listed: _Address) -> str | None:
    """The street (name) both addresses give with the same house number, if any."""
    for qn, qs in q.streets:
        if not qn:
            continue
        for ln, ls in listed.streets:
            if qn == ln and _street_alike(qs, ls):
                return qs
    return None


def _streets_conflict(q: _Address, listed: _Address) -> bool:
    """The same street with other house numbers, or a shared house number on different streets."""
    for qn, qs in q.streets:
        for ln, ls in listed.streets:
            if not qn or not ln:
                continue
            if _street_alike(qs, ls) != (qn == ln):
                return True
    return False
