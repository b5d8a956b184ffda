"""The features of a name score: small functions that each add (or take) points, or say nothing.

Each reads the compiled registry, the word lists, the query, the name and the word similarities the
alignment gave, and returns its evidence with ``points`` (``lists/matching.yaml``, ``features``),
or None. ``FEATURES`` lists them in the order explanations show them. ``unexplained`` and
``unconfirmed`` tell which query words nothing accounts for.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import JsonValue

from exportscreen.matching.index import CompiledNames
from exportscreen.matching.normalize import fold
from exportscreen.matching.query import Query
from exportscreen.matching.tuning import tuning
from exportscreen.matching.words import WordLists

__all__ = ["FEATURES", "unconfirmed", "unexplained"]

_T = tuning()
_F = _T.features


def unexplained(q: Query, q_sim: list[float], weak: frozenset[str]) -> list[str]:
    """Distinctive query words nothing explains: not matched, not a legal form, title, noise word,
    qualifier or stub."""
    return [w for i, w in enumerate(q.words) if not q_sim[i] and not q.qualifier[i] and not q.stub[i] and w not in weak]


def unconfirmed(candidates: list[str] | None, q: Query, q_sim: list[float], lists: WordLists) -> list[str]:
    """Distinctive query words (of ``candidates``, or all) the listed entry does not confirm: not
    matched to the name, not in its address or other names, not a legal form, title, noise word or
    branch word. A place or country the query adds ("… Co. Beijing") is one: it may name another
    branch of the company."""
    weak, branch = lists.weak, lists.qualifiers
    allowed = None if candidates is None else set(candidates)
    return [
        w
        for i, w in enumerate(q.words)
        if not q_sim[i] and w not in weak and w not in branch and (allowed is None or w in allowed)
    ]


# -- features: each adds points to a name's score, or None when it does not apply ------------------

_Feature = Callable[
    [CompiledNames, WordLists, Query, int, list[float], list[float], str], "dict[str, JsonValue] | None"
]


def country(
    c: CompiledNames, lists: WordLists, q: Query, k: int, q_sim: list[float], c_sim: list[float], method: str
) -> dict[str, JsonValue] | None:
    """The query's country and the entry's (``CompiledNames.entry_countries``: its list section and
    the countries its addresses end with, read through ``features.same_country_as``): one of them adds
    ``country_match``, another takes ``country_conflict``; none on either side changes nothing."""
    held = c.entry_countries[c.entry[k]]
    if not (q.country and held):
        return None
    ec = c.entry_country[k]
    same = _T.country_key(q.country) in held
    out: dict[str, JsonValue] = {"query": q.country, "entry": ec or held[0]}
    if ec is None or held != (_T.country_key(ec),):
        out["entry_countries"] = list(held)
    out["points"] = _F.country_match if same else _F.country_conflict
    return out


def family_name_differs(
    c: CompiledNames, lists: WordLists, q: Query, k: int, q_sim: list[float], c_sim: list[float], method: str
) -> dict[str, JsonValue] | None:
    """A listed person's family name (before the comma of "SURNAME, Given", else the last word) is
    unmatched while the query has an unmatched distinctive word of its own in its place."""
    if c.entity_type[k] != "individual" or q.kind == "entity":
        return None
    n = c.surname_words[k]
    toks = c.tokens[k]
    positions = range(n) if 0 < n < len(toks) else range(len(toks) - 1, len(toks))
    family = [j for j in positions if len(c.vocab.words[toks[j]]) >= 3]
    if not family or len(toks) < 2 or any(c_sim[j] for j in family):
        return None
    weak = lists.weak
    if any(not sim and w not in weak and not q.stub[i] for i, (w, sim) in enumerate(zip(q.words, q_sim, strict=True))):
        return {"points": _F.family_name_differs}
    return None


def name_word_replaced(
    c: CompiledNames, lists: WordLists, q: Query, k: int, q_sim: list[float], c_sim: list[float], method: str
) -> dict[str, JsonValue] | None:
    """A listed person's name word (not the family name, which ``family_name_differs`` weighs)
    unmatched while the query has an unmatched distinctive word of its own: another given name,
    most likely another person ("OLIVAS OJEDA Marco SAEED" is not "OLIVAS OJEDA, Marco Antonio")."""
    if c.entity_type[k] != "individual" or q.kind == "entity":
        return None
    if family_name_differs(c, lists, q, k, q_sim, c_sim, method):
        return None
    toks, weak = c.tokens[k], c.weak
    if not any(not sim and not weak[v] for v, sim in zip(toks, c_sim, strict=True)):
        return None
    if unconfirmed([w for i, w in enumerate(q.words) if not q.stub[i]], q, q_sim, lists):
        return {"points": _F.name_word_replaced}
    return None


def lone_word(
    c: CompiledNames, lists: WordLists, q: Query, k: int, q_sim: list[float], c_sim: list[float], method: str
) -> dict[str, JsonValue] | None:
    """The listed name has one distinctive word and the query has a distinctive word besides it
    that the entry does not confirm (a place counts, unless in its address): the query most likely
    names another party ("APEX" in "Apex Technology", "ELARA" in "Elara Capital")."""
    if method == "identical":
        return None
    weak = c.weak
    if sum(1 for v in c.tokens[k] if not weak[v]) != 1:
        return None
    if unconfirmed(None, q, q_sim, lists):
        return {"points": _F.lone_word}
    return None


def place_dropped(
    c: CompiledNames, lists: WordLists, q: Query, k: int, q_sim: list[float], c_sim: list[float], method: str
) -> dict[str, JsonValue] | None:
    """A listed name matched without its place parenthetical ("Huawei Technologies (UK) Co., Ltd."
    as "Huawei Technologies Co., Ltd.") when the query names no such place."""
    if not c.place_dropped[k] or set(fold(c.dropped[k]).split()) & set(q.words):
        return None
    return {"place": c.dropped[k], "points": _F.place_dropped}


def rarest_word_missing(
    c: CompiledNames, lists: WordLists, q: Query, k: int, q_sim: list[float], c_sim: list[float], method: str
) -> dict[str, JsonValue] | None:
    """The listed name's rarest word is missing and every word the query did match is much more
    common ("General Trading FZE" is not "SYNERGY GENERAL TRADING FZE"): a dropped word is forgiven
    only when what remains is as distinctive as what is missing."""
    toks, weight = c.tokens[k], c.weight
    if method != "fuzzy" or all(c_sim):
        return None
    heaviest = max(range(len(toks)), key=lambda j: weight[toks[j]])
    if c_sim[heaviest] or len(toks) < 2:
        return None
    matched = [weight[v] for v, sim in zip(toks, c_sim, strict=True) if sim]
    missing = weight[toks[heaviest]]
    if matched and max(matched) >= _F.rarest_missing_ratio * missing:
        return None
    return {"word": c.vocab.words[toks[heaviest]], "points": _F.rarest_missing}


def party_type(
    c: CompiledNames, lists: WordLists, q: Query, k: int, q_sim: list[float], c_sim: list[float], method: str
) -> dict[str, JsonValue] | None:
    """The query is another kind of party than the entry (a query with a legal form is an
    organisation: it does not strongly match a person, vessel or aircraft)."""
    et = c.entity_type[k]
    if q.kind and et is not None and et != q.kind:
        return {"query": q.kind, "entry": et, "points": _F.type_conflict}
    return None


#: Every feature, in the order the explanation lists them, and whether it concerns listed people only.
FEATURES: tuple[tuple[str, _Feature, bool], ...] = (
    ("country", country, False),
    ("family_name_differs", family_name_differs, True),
    ("name_word_replaced", name_word_replaced, True),
    ("one_word_name_in_longer_query", lone_word, False),
    ("listed_place_not_in_query", place_dropped, False),
    ("rarest_listed_word_missing", rarest_word_missing, False),
    ("party_type", party_type, False),
)
