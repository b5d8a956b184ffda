"""Which listed names a query must be scored against (``Pruner``): the index's candidates, narrowed
by an upper bound of the score, so that the index returns exactly what the exhaustive mode does.

The bound is derived from the scoring formula and ``lists/matching.yaml``, never kept by hand:
``base <= top band * C ** cover_exponent * Q ** query_exponent`` and the features add at most
``Tuning.max_bonus``. ``coverage_floor`` is the ``C`` below which no name reaches a threshold (the
compiled postings are cut there); ``Pruner.select`` bounds ``C`` by each listed word's best
similarity to any query word and ``Q`` by the query words the name could cover at all. Identical,
compact, acronym, split-word, cut-off (``truncated``), extended (``extended``, ``extended_core``)
and contained (``contained``) matches are never dropped. A stub credits
an unmatched listed word only once another word matched, so a query with stubs reaches every name
holding a word near one of its other words, and its bounds count the stubs as covering. A person's
listed initial credits query words it begins: the names holding one count as near those words.
"""

from __future__ import annotations

import bisect
import math

from exportscreen.matching.contained import may_contain
from exportscreen.matching.index import CompiledNames
from exportscreen.matching.query import Query
from exportscreen.matching.tuning import tuning
from exportscreen.matching.vocab import add_ids
from exportscreen.matching.words import WordLists

__all__ = ["ROUNDING_SLACK", "Pruner", "coverage_floor"]

_T = tuning()
BAND = _T.score.band.by_code()
A_COVER = _T.score.cover_exponent
B_QUERY = _T.score.query_exponent
MAX_BONUS = _T.max_bonus
STUB_SIM = _T.similarity.stub
INITIAL_SIM = _T.similarity.initial
#: Scores are rounded to one decimal before ``min_score`` is applied: a raw score this much below it
#: still passes (69.95 is shown as 70.0), so every bound leaves this much room.
ROUNDING_SLACK = 0.05 + 1e-9


def coverage_floor(min_score: float) -> float:
    """The listed-name coverage ``C`` below which no name can score ``min_score``."""
    ratio = (min_score - ROUNDING_SLACK - MAX_BONUS) / _T.top_band
    if ratio <= 0:
        return 0.0
    return float(min(1.0, ratio ** (1.0 / A_COVER)))


class Pruner:
    """Candidate names of one compiled registry for a query and threshold."""

    def __init__(self, compiled: CompiledNames, words: WordLists) -> None:
        self.c = compiled
        self.words = words
        self._least_cache: dict[float, list[float]] = {}
        self._needs_cache: dict[float, tuple[list[float], list[float]]] = {}
        #: per listed word, the names of that one specific word (``contained.lone_names``)
        self._lone = compiled.lone_names

    def needs(self, min_score: float) -> tuple[list[float], list[float]]:
        """Per kind of name: ``need``, what ``C ** A * Q ** B`` must reach for ``min_score``, and the
        least coverage ``C`` alone (as ``Q <= 1``), a little under it against rounding."""
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
    def required_words(q: Query, least_need: float) -> int:
        """A bit mask of query words of which every name scoring ``least_need`` or more (as
        ``C ** A * Q ** B``) covers one: the heaviest words that are no stubs, until the rest weigh
        less than the least ``Q`` that need allows (0 when no such set exists)."""
        if least_need <= 0 or q.qtotal <= 0:
            return 0
        # Q <= 1 and C <= 1, so Q ** B_QUERY >= least_need; a little slack against rounding
        q_least = least_need ** (1.0 / B_QUERY) * (1.0 - 1e-6)
        order = sorted((i for i in range(len(q.words)) if not q.stub[i]), key=lambda i: -q.qweights[i])
        mask = 0
        rest = q.qtotal
        for i in order:
            if rest / q.qtotal < q_least:
                return mask
            mask |= 1 << i
            rest -= q.qweights[i]
        return mask if rest / q.qtotal < q_least else 0

    def never_pruned(self, q: Query) -> set[int]:
        """Names scored whatever their bound: split words, the same compact form, acronyms either
        way (a superset of what scoring accepts) and names the query is the beginning of."""
        c = self.c
        forced = set(q.split_names)
        if len(q.compact) >= 4:
            add_ids(forced, c.compact_map.get(q.compact))
            if q.core_count == 1:
                add_ids(forced, c.initials_map.get(q.compact))
        for s in q.initials:
            add_ids(forced, c.compact_map.get(s))
        if len(q.text) >= _T.score.truncation_min_chars and len(q.words) >= 2:
            lo = bisect.bisect_left(c.sorted_folded, q.folded)
            hi = bisect.bisect_left(c.sorted_folded, q.folded + "\x7f")
            forced.update(c.sorted_names[lo:hi])
        folded = q.folded
        at = folded.find(" ", _T.score.extension_min_chars)
        while at > 0:
            # the names the query extends (``floors.extended``): each beginning of it at a word boundary
            head = folded[:at]
            lo = bisect.bisect_left(c.sorted_folded, head)
            hi = bisect.bisect_right(c.sorted_folded, head, lo)
            forced.update(c.sorted_names[lo:hi])
            at = folded.find(" ", at + 1)
        self._extended_cores(q, forced)
        if self._lone and may_contain(q, self.words.weak):
            # the names of one specific word a query word (or two joined) is near enough (``contained``)
            least = _T.score.contained_min_similarity
            for vid, (sim, _bits) in q.bounds.items():
                if sim >= least:
                    add_ids(forced, self._lone.get(vid))
        return forced

    def _extended_cores(self, q: Query, forced: set[int]) -> None:
        """Add the names whose distinctive words the query extends (``floors.extended_core``): each
        run of the query's distinctive words from its first, up to ``extension_skipped_words`` of
        them left out, looked up as a compact form (a superset: word boundaries are not compared)."""
        left_out = self.words.weak - self.words.particles
        core = [w for w in q.words if w not in left_out]
        if len(core) < 3:
            return
        compact_map = self.c.compact_map
        least = _T.score.extension_min_chars - len(core) + 1  # the shortest compact form that may do
        budget = _T.score.extension_skipped_words
        stack = [(0, core[0], 1, 0)]
        while stack:
            last, joined, count, skipped = stack.pop()
            if count >= 2 and len(joined) >= least:
                add_ids(forced, compact_map.get(joined))
            if count + 1 >= len(core):
                continue  # one more listed word would leave the query no word of its own
            for nxt in range(last + 1, min(len(core), last + 2 + budget - skipped)):
                stack.append((nxt, joined + core[nxt], count + 1, skipped + nxt - last - 1))

    def reached(self, q: Query) -> set[int]:
        """Every name posted under a listed word near a query word (or two joined); with stubs, every
        name holding such a word."""
        c = self.c
        out: set[int] = set()
        if q.has_stubs:
            offsets, holders = c.word_offsets, c.word_names
            for vid in q.bounds:
                out.update(holders[offsets[vid] : offsets[vid + 1]])
            return out
        postings = c.postings
        for vid in q.bounds:
            add_ids(out, postings.get(vid))
        return out

    def gather(self, q: Query, theta: float) -> set[int]:
        """The names whose posted words the query matches for ``theta`` of their weight (or every
        reached name, with stubs), and those never pruned."""
        forced = self.never_pruned(q)
        if q.has_stubs:
            return forced | self.reached(q)
        c = self.c
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
        for _i, joined in q.joins:
            add_ids(forced, c.postings.get(joined))
        least = self.least_gathered(theta)
        forced.update(k for k, a in acc.items() if a >= least[k])
        return forced

    def least_gathered(self, theta: float) -> list[float]:
        """Per name, the least weight the query must match among its posted words for its coverage
        to reach ``theta`` (the rest of its words matched in full); infinite without weight."""
        least = self._least_cache.get(theta)
        if least is None:
            c = self.c
            least = [
                theta * total - rest - 1e-9 if total else math.inf
                for total, rest in zip(c.total, c.rest_weight, strict=True)
            ]
            self._least_cache[theta] = least
        return least

    def select(self, q: Query, theta: float, min_score: float) -> list[int]:
        """The names that may score ``min_score``: drops only those whose score is certainly lower.

        Most names fall to ``Q`` and are dropped first through the *required words*: a name none of
        whose words is near one of them, and whose entry has none of them among its other names' or
        address words, cannot reach the ``Q`` the score needs.
        """
        c = self.c
        best = q.bounds
        weak = self.words.weak
        qweights, qtotal = q.qweights, q.qtotal
        need, least_cover = self.needs(min_score)
        required = self.required_words(q, min(need))
        required_vids = frozenset(vid for vid, (_sim, bits) in best.items() if bits & required)
        required_free = frozenset(w for i, w in enumerate(q.words) if required >> i & 1 and w not in weak)
        offsets, holders = c.word_offsets, c.word_names
        allowed: set[int] = set()
        for vid in required_vids:
            allowed.update(holders[offsets[vid] : offsets[vid + 1]])
        ids = c.vocab.ids
        for word in required_free:
            wid = ids.get(word)
            if wid is not None and not c.weak[wid]:
                allowed.update(c.word_entry_names[c.word_entry_offsets[wid] : c.word_entry_offsets[wid + 1]])
            aid = c.address_word_ids.get(word)
            if aid is not None:
                allowed.update(c.address_names[c.address_offsets[aid] : c.address_offsets[aid + 1]])
        for i, word in enumerate(q.words):
            if required >> i & 1 and len(word) > 1:
                add_ids(allowed, c.initial_names.get(word[0]))  # a listed initial it begins
        forced = self.never_pruned(q)
        names: set[int]
        if required and q.has_stubs:
            # every allowed name holding a word near a query word (not only those posted under one)
            tokens_of = c.tokens
            names = {k for k in allowed if any(v in best for v in tokens_of[k])}
            names |= forced
        elif required:
            names = self.reached(q)
            names &= allowed
            names |= forced
        else:
            names = self.gather(q, theta)
        stubs = [(q.words[i], 1 << i) for i, is_stub in enumerate(q.stub) if is_stub]
        vocab_words = c.vocab.words
        # an identical name meets any bound up to 1 (C = Q = 1); above that it is kept by name
        check_identical = max(need) >= 1.0
        q_cover: dict[int, float] = {}
        entry_mask: dict[int, int] = {}
        tokens, nweights, total, fields, folded = c.tokens, c.nweights, c.total, c.name_field, c.folded
        weight = c.weight
        address_words, entry, entry_words = c.address_words, c.entry, c.entry_words
        free_bits: dict[str, int] = {}
        for i, word in enumerate(q.words):
            if word not in weak:
                free_bits[word] = free_bits.get(word, 0) | 1 << i
        free_words = frozenset(free_bits)
        # per listed word near the query: its vocabulary weight times its best similarity (the
        # product the loop would form) and the query words it could cover
        weighted = {vid: (weight[vid] * sim, bits) for vid, (sim, bits) in best.items()}.get
        initial_at = c.initial_at
        initial_bits: dict[str, int] | None = None
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
            if own is None:
                for wb in map(weighted, toks):
                    if wb is not None:
                        mask |= wb[1]
                        covered += wb[0]
            else:
                for j, vid in enumerate(toks):
                    hit = best.get(vid)
                    if hit is not None:
                        mask |= hit[1]
                        covered += own[j] * hit[0]
            if not mask or not total[k] or not qtotal:
                continue
            if stubs:
                # a stub credits an unmatched listed word it begins (once): such a word counts as
                # covered at the stub's similarity where the query's best for it is lower, and each
                # stub that begins a word of the name may be covered
                for j, vid in enumerate(toks):
                    listed = vocab_words[vid]
                    begun = 0
                    for stub, bit in stubs:
                        if len(listed) > len(stub) and listed.startswith(stub):
                            begun |= bit
                    if begun:
                        mask |= begun
                        hit = best.get(vid)
                        gain = STUB_SIM - (hit[0] if hit is not None else 0.0)
                        if gain > 0:
                            covered += gain * (weight[vid] if own is None else own[j])
            spans = initial_at[k]
            if spans:
                # a listed initial credits unmatched query words it begins (``scoring.initialled``)
                if initial_bits is None:
                    initial_bits = {}
                    for i, word in enumerate(q.words):
                        if len(word) > 1 and not q.stub[i]:
                            initial_bits[word[0]] = initial_bits.get(word[0], 0) | 1 << i
                for j, letters in spans:
                    if all(ch in initial_bits for ch in letters):
                        for ch in letters:
                            mask |= initial_bits[ch]
                        hit = best.get(toks[j])
                        gain = INITIAL_SIM - (hit[0] if hit is not None else 0.0)
                        if gain > 0:
                            covered += gain * (weight[toks[j]] if own is None else own[j])
            fld = fields[k]
            if covered < total[k] * least_cover[fld]:
                continue  # C alone falls short (Q <= 1); most names end here
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
