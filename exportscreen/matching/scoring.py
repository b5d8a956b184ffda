"""The score of one listed name for one query (``Scorer.score``), 0-100, with what explains it.

**Alignment.** Each query word pairs with at most one listed word, best similarity first, heavier
listed words first on ties (``similarity``); a listed word split by the query ("Camb ricon") pairs
first, and split or merged words pair as joined neighbours (``merge``). A stub of the query (a lone
letter, a cut-off last word) then pairs with an unmatched listed word it begins (``stub``), and
a person's listed initial with unmatched query words it begins (``initial``: "H." / "Hossein"),
once some other word matched; a query word only an initial confirms keeps the name below a hit.

**Score.** ``C`` is the weighted share of the listed name the query covers (a listed word is
credited at most the weight of the query word it pairs with: a common word does not vouch for a
rare one), ``Q`` the weighted share of the query the name covers (qualifiers found in the entry's
addresses, and for organisations words of its other names, count as covered)::

    base = band[kind] * C ** cover_exponent * Q ** query_exponent     (exact[kind] if identical)

The same distinctive words, split alike or not and with other legal forms or titles (identical
compact forms: "Quantum CTek" / "QuantumCTek"; name particles count as distinctive here) count as
``C = Q = compact_similarity``; an acronym of the listed name (or
the reverse) scores at least ``acronym``; a query that is the first ``truncation_min_chars`` or
more characters of the listed name scores at least ``truncated``, more the more of it it keeps
(a name field cut short); a query that is an organisation's listed name followed by words of its
own (``extended``: a department, a fab), whose distinctive words begin with all of the listed
name's (``extended_core``: "Cambricon Technologies Polska"), or that holds an organisation's listed
name of one specific word among one or two of its own (``contained``: "Megvii Trading Co., Ltd."),
scores at least ``extended``, a review; no floor gives way to the features (a party in another
country than the entry's). The features (``features``: small functions) then add or take points,
and a name that leaves a distinctive query word unexplained is capped at ``unexplained_cap``: below
a hit, whatever else matched. Constants: ``lists/matching.yaml``.
"""

from __future__ import annotations

from operator import mul
from typing import NamedTuple

from pydantic import JsonValue

from exportscreen.matching.contained import contained
from exportscreen.matching.features import FEATURES, unconfirmed
from exportscreen.matching.floors import extended, extended_core, extended_score, truncated, truncated_score
from exportscreen.matching.index import CompiledNames
from exportscreen.matching.query import Query
from exportscreen.matching.tuning import tuning
from exportscreen.matching.words import WordLists

__all__ = ["Detail", "Scorer"]

_T = tuning()
_SIM = _T.similarity
_SC = _T.score
#: the least a cut-off (``truncated``) or extended (``extended``) listed name scores after the features
_FLOORS = {"truncated": _SC.truncated, "extended": _SC.extended, "contained": _SC.extended}
BAND = _SC.band.by_code()
EXACT = _SC.exact.by_code()
A_COVER = _SC.cover_exponent
B_QUERY = _SC.query_exponent


class Detail(NamedTuple):
    """What a score was made of (the explanation shows it)."""

    method: str
    #: (query text, listed text, similarity, rule) of every aligned pair
    link: list[tuple[str, str, float, str]]
    q_sim: list[float]
    c_sim: list[float]
    cap: list[float]
    in_address: list[str]
    in_other: list[str]
    cover: float
    qcover: float
    base: float
    features: dict[str, JsonValue]


class Scorer:
    """Scores listed names of one compiled registry."""

    def __init__(self, compiled: CompiledNames, words: WordLists) -> None:
        self.c = compiled
        self.words = words
        #: words that continue a name rather than add to it ("Tianjin University of Finance")
        self.connectors = words.noise | words.particles
        #: words a compact form leaves out (legal forms, noise words, titles; particles stay)
        self.left_out = words.weak - words.particles

    def _extended_core(self, q: Query, k: int) -> str | None:
        """The listed name's distinctive words when the query extends them (``extended_core``)."""
        listed = self.c.compact[k]
        if q.core_count <= 2 or not listed or not q.compact.startswith(listed[0]):
            return None
        return extended_core(q, self.c.folded[k], self.left_out, self.connectors)

    def score(self, q: Query, k: int) -> tuple[float, Detail | None]:
        """The score of name ``k`` for query ``q`` with its detail (None for 0)."""
        c = self.c
        toks = c.tokens[k]
        words = c.vocab.words
        weight = c.weight
        q_sim = [0.0] * len(q.words)
        c_sim = [0.0] * len(toks)
        cap = [1.0] * len(toks)
        link: list[tuple[str, str, float, str]] = []
        self._align(q, toks, q_sim, c_sim, cap, link)
        if (q.joins or q.split_names) and (len(q.words) > 1 or len(toks) > 1):
            merge(q, toks, words, q_sim, c_sim, link)
        if q.has_stubs and any(c_sim):
            stubs(q, toks, words, q_sim, c_sim, link)
        spans = c.initial_at[k]
        by_initial = initialled(q, spans, toks, c, q_sim, c_sim, cap, link) if spans else ()
        in_address = self._in_address(q, k, q_sim)
        in_other = self._in_other(q, k, q_sim)
        total = c.total[k]
        nweights = c.nweights[k] or map(weight.__getitem__, toks)
        cover = sum(map(mul, map(mul, nweights, c_sim), cap)) / total if total else 0.0
        qcover = sum(map(mul, q.qweights, q_sim)) / q.qtotal if q.qtotal else 0.0
        fld = c.name_field[k]
        method = "fuzzy"
        if q.folded == c.folded[k]:
            base = EXACT[fld]
            method = "identical"
        else:
            sim = _SC.compact_similarity
            if len(q.compact) >= 4 and q.compact == c.compact[k] and (cover < sim or qcover < sim):
                cover = qcover = sim
                method = "compact_form"
            base = BAND[fld] * (cover**A_COVER) * (qcover**B_QUERY) if cover > 0 and qcover > 0 else 0.0
            if base < _SC.acronym and self._acronym(q, k):
                base = _SC.acronym
                method = "acronym"
            if truncated(q, c.folded[k]):
                cut = truncated_score(q, c.folded[k])
                if base < cut:
                    base = cut
                    method = "truncated"
            elif c.entity_type[k] != "individual":
                whole = extended(q, c.folded[k], self.connectors)
                core = None if whole else self._extended_core(q, k)
                if whole or core is not None:
                    longer = extended_score(q, c.folded[k] if core is None else core)
                    if base < longer:
                        base = longer
                        method = "extended"
                elif method == "fuzzy" and contained(c, q, k, c_sim, link, self.words):
                    base = max(base, _SC.extended)
                    method = "contained"
        if base <= 0:
            return 0.0, None
        features: dict[str, JsonValue] = {}
        score = base
        person = c.entity_type[k] == "individual"
        for name, feature, people_only in FEATURES:
            if people_only and not person:
                continue
            got = feature(c, self.words, q, k, q_sim, c_sim, method)
            if got is not None:
                features[name] = got
                points = got["points"]
                score += points if isinstance(points, float) else 0.0
        floor = _FLOORS.get(method)
        if floor is not None and score < floor:
            # a cut-off or extended listed name is a review at least, whatever the features take
            features["floor_kept"] = {"method": method, "at": floor}
            score = floor
        if method != "identical" and score > _SC.unexplained_cap:
            missing = unconfirmed(None, q, q_sim, self.words) + [q.words[i] for i in by_initial]
            if missing:
                features["query_words_unexplained"] = {"words": list(missing), "capped_at": _SC.unexplained_cap}
                score = _SC.unexplained_cap
        score = round(max(0.0, min(100.0, score)), 1)
        detail = Detail(method, link, q_sim, c_sim, cap, in_address, in_other, cover, qcover, base, features)
        return score, detail

    def _align(
        self,
        q: Query,
        toks: tuple[int, ...],
        q_sim: list[float],
        c_sim: list[float],
        cap: list[float],
        link: list[tuple[str, str, float, str]],
    ) -> None:
        """Pair query and listed words, best similarity first (``similarity`` rules)."""
        words, weight = self.c.vocab.words, self.c.weight
        for i, vid in q.joins:
            # a listed word split by the query ("Camb-ricon") pairs before its halves pair alone
            if q_sim[i] or q_sim[i + 1] or vid not in toks:
                continue
            j = toks.index(vid)
            if not c_sim[j]:
                q_sim[i] = q_sim[i + 1] = c_sim[j] = _SIM.merge
                link.append((f"{q.words[i]} {q.words[i + 1]}", words[vid], _SIM.merge, "words_joined"))
        pairs: list[tuple[float, float, int, int, str]] = []
        near_listed = q.near_listed
        for j, vid in enumerate(toks):
            hits = near_listed.get(vid)
            if hits is not None:
                for i, sim, how in hits:
                    pairs.append((-sim, -weight[vid], i, j, how))
        if not pairs:
            return
        pairs.sort()
        for neg_sim, _w, i, j, how in pairs:
            if q_sim[i] or c_sim[j]:
                continue
            q_sim[i] = c_sim[j] = -neg_sim
            if q.rawweights[i] < weight[toks[j]] and not q.stub[i]:
                cap[j] = q.rawweights[i] / weight[toks[j]]
            link.append((q.words[i], words[toks[j]], -neg_sim, how))

    def _in_address(self, q: Query, k: int, q_sim: list[float]) -> list[str]:
        """Qualifying query words found in the entry's listed addresses count as covered."""
        out: list[str] = []
        addr_words = self.c.address_words[self.c.entry[k]]
        if addr_words:
            weak = self.words.weak
            for i, w in enumerate(q.words):
                if not q_sim[i] and q.qualifier[i] and w in addr_words and w not in weak:
                    q_sim[i] = 1.0
                    out.append(w)
        return out

    def _in_other(self, q: Query, k: int, q_sim: list[float]) -> list[str]:
        """Query words another name of the same organisation has count as covered (not for people:
        "Fatima Ali" is not "ABU FATIMA" a.k.a. "ALI, Ahmed")."""
        c = self.c
        if c.entity_type[k] == "individual":
            return []
        others = c.entry_words[c.entry[k]]
        out: list[str] = []
        own: set[str] | None = None
        for i, w in enumerate(q.words):
            if q_sim[i] or w not in others:
                continue
            if own is None:
                own = {c.vocab.words[v] for v in c.tokens[k]}
            if w not in own:  # a word of this name the query repeats is no word of another name
                q_sim[i] = _SC.other_name_similarity
                out.append(w)
        return out

    def _acronym(self, q: Query, k: int) -> bool:
        c = self.c
        if q.core_count == 1 and len(q.compact) >= 4 and len(c.tokens[k]) >= 3 and q.compact in c.initials[k]:
            return True
        return (
            bool(q.initials)
            and len(c.compact[k]) >= 4
            and c.compact[k] in q.initials
            and (sum(1 for v in c.tokens[k] if not c.weak[v]) == 1)
        )


def merge(
    q: Query,
    toks: tuple[int, ...],
    words: list[str],
    q_sim: list[float],
    c_sim: list[float],
    link: list[tuple[str, str, float, str]],
) -> None:
    """Two adjacent unmatched words on one side that are one unmatched word on the other."""
    sim = _SIM.merge
    for i in range(len(q.words) - 1):
        if q_sim[i] or q_sim[i + 1]:
            continue
        joined = q.words[i] + q.words[i + 1]
        for j, vid in enumerate(toks):
            if not c_sim[j] and words[vid] == joined:
                q_sim[i] = q_sim[i + 1] = c_sim[j] = sim
                link.append((f"{q.words[i]} {q.words[i + 1]}", joined, sim, "words_joined"))
                break
    for j in range(len(toks) - 1):
        if c_sim[j] or c_sim[j + 1]:
            continue
        joined = words[toks[j]] + words[toks[j + 1]]
        for i, w in enumerate(q.words):
            if not q_sim[i] and w == joined:
                q_sim[i] = c_sim[j] = c_sim[j + 1] = sim
                link.append((w, f"{words[toks[j]]} {words[toks[j + 1]]}", sim, "words_split"))
                break


def stubs(
    q: Query,
    toks: tuple[int, ...],
    words: list[str],
    q_sim: list[float],
    c_sim: list[float],
    link: list[tuple[str, str, float, str]],
) -> None:
    """Each unmatched stub pairs with the first unmatched listed word it begins (the ``stub`` rule)."""
    sim = _SIM.stub
    for i, is_stub in enumerate(q.stub):
        if not is_stub or q_sim[i]:
            continue
        w = q.words[i]
        for j, vid in enumerate(toks):
            listed = words[vid]
            if not c_sim[j] and len(listed) > len(w) and listed.startswith(w):
                q_sim[i] = c_sim[j] = sim
                link.append((w, listed, sim, "stub"))
                break


def initialled(
    q: Query,
    spans: tuple[tuple[int, str], ...],
    toks: tuple[int, ...],
    c: CompiledNames,
    q_sim: list[float],
    c_sim: list[float],
    cap: list[float],
    link: list[tuple[str, str, float, str]],
) -> list[int]:
    """Each unmatched listed initial pairs with unmatched query words it begins, one per letter in
    order ("H." / "Hossein", "S.M." / "Seyed Mohammad"; the ``initial`` rule), once a distinctive
    word of the name other than an initial matched; the query words so paired, which only the
    listed name's initials confirm (never a hit)."""
    out: list[int] = []
    at = {j for j, _letters in spans}
    weak, weight = c.weak, c.weight
    if not any(c_sim[j] and not weak[vid] for j, vid in enumerate(toks) if j not in at):
        return out
    sim = _SIM.initial
    words = q.words
    for j, letters in spans:
        if c_sim[j]:
            continue
        picked: list[int] = []
        start = 0
        for letter in letters:
            i = next(
                (
                    i
                    for i in range(start, len(words))
                    if not q_sim[i] and not q.stub[i] and len(words[i]) > 1 and words[i][0] == letter
                ),
                None,
            )
            if i is None:
                break
            picked.append(i)
            start = i + 1
        if len(picked) < len(letters):
            continue
        for i in picked:
            q_sim[i] = sim
        c_sim[j] = sim
        vouching = sum(q.rawweights[i] for i in picked)
        if vouching < weight[toks[j]]:
            cap[j] = vouching / weight[toks[j]]
        link.append((" ".join(words[i] for i in picked), letters, sim, "initial"))
        out.extend(picked)
    return out
