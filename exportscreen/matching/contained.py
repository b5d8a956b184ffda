"""A listed name of one distinctive word inside a query of a few words of its own (the ``contained``
rule): "Megvii Trading Co., Ltd." and "Trading Megvii" of the listed "Megvii", "Huawei Enterprise
Business" of the listed "华为" (read "huawei").

Scored as usual, such a name falls under review: the query's own words cost it the share of the
query it covers, and ``lone_word`` takes points more. ``Scorer.score`` floors it at
``score.extended`` (a review, never a hit) when:

* the name is an organisation's, no acronym, with one word that is no legal form, noise word, title
  or particle, and that word is specific: ``score.contained_min_chars`` characters or more, a
  vocabulary weight of ``score.contained_min_weight`` or more, no place or branch word and no common
  word of ``lists/names/generic_words.yaml`` ("Global", "Alpha": ``lone_word``);
* a query word (or two joined) pairs with it at ``score.contained_min_similarity`` or more;
* the query has one to ``score.contained_max_own_words`` distinctive words besides (legal forms do
  not count), and is no person's name;
* the party is in one of the entry's countries (``CompiledNames.entry_countries``), or has no
  country and names an organisation by a legal form ("Megvii Trading Co., Ltd." on an order without
  a party country; without the legal form, "Sergei Kuznetsov" would be a review of "ODK-Kuznetsov").

**Index.** The names the rule may floor are never pruned (``lone_names``, kept in the compiled
index as ``CompiledNames.lone_names`` and read by ``Pruner.never_pruned``): each is reached through
the query words near its one word at the least similarity or more (``Query.bounds``: the query's
``near``, which the index and the exhaustive scan give alike, and two query words joined), and
split-word names are forced already. A re-screen's word terms (``terms``, ``w:``) reach them the same
way: the listed word is near a word of the party, and it is all the weight the name has besides its
weak words.
"""

from __future__ import annotations

from exportscreen.matching.index import CompiledNames
from exportscreen.matching.query import Query
from exportscreen.matching.tuning import KINDS, tuning
from exportscreen.matching.words import WordLists

__all__ = ["contained", "lone_names", "lone_word", "may_contain"]

_T = tuning()
_SC = _T.score
_ACRONYM = KINDS.index("acronym")
#: entry types of organisations (an Entity List entry has none; vessels and aircraft are no party)
_ORGANISATION = frozenset({"entity", None})


def lone_word(c: CompiledNames, k: int, generic: frozenset[str]) -> int | None:
    """The position of name ``k``'s one distinctive word when the rule may apply to the name (see
    the module's first condition), else None."""
    if c.entity_type[k] not in _ORGANISATION or c.name_field[k] == _ACRONYM:
        return None
    toks = c.tokens[k]
    at: int | None = None
    for j, vid in enumerate(toks):
        if c.weak[vid]:
            continue
        if at is not None:
            return None
        at = j
    if at is None:
        return None
    vid = toks[at]
    word = c.vocab.words[vid]
    if (
        len(word) < _SC.contained_min_chars
        or c.weight[vid] < _SC.contained_min_weight
        or c.qualifier[vid]
        or word in generic
    ):
        return None
    return at


def lone_names(c: CompiledNames, generic: frozenset[str]) -> dict[int, tuple[int, ...]]:
    """Per listed word, the names ``lone_word`` admits whose one distinctive word it is."""
    out: dict[int, list[int]] = {}
    for k in range(len(c.tokens)):
        j = lone_word(c, k, generic)
        if j is not None:
            out.setdefault(c.tokens[k][j], []).append(k)
    return {vid: tuple(names) for vid, names in out.items()}


def may_contain(q: Query, weak: frozenset[str]) -> bool:
    """The query has few enough distinctive words for the rule (a superset: one listed word may pair
    with two query words joined)."""
    free = sum(1 for w in q.words if w not in weak)
    return (
        q.kind != "individual"
        and (q.country is not None or q.kind == "entity")
        and 2 <= free <= _SC.contained_max_own_words + 2
    )


def contained(
    c: CompiledNames,
    q: Query,
    k: int,
    c_sim: list[float],
    link: list[tuple[str, str, float, str]],
    lists: WordLists,
) -> bool:
    """The rule holds for name ``k`` and query ``q`` once aligned (``c_sim``, ``link``)."""
    if q.kind == "individual":
        return False
    if q.country is None:
        if q.kind != "entity":
            return False
    elif _T.country_key(q.country) not in c.entry_countries[c.entry[k]]:
        return False
    j = lone_word(c, k, lists.generic)
    if j is None or c_sim[j] < _SC.contained_min_similarity:
        return False
    listed = c.vocab.words[c.tokens[k][j]]
    held = [w for text, other, _sim, _how in link if other == listed for w in text.split()]
    if any(w in lists.generic for w in held):
        return False  # "Apex Technology" is no review of the listed "APEKS"
    own = sum(1 for w in q.words if w not in lists.weak) - len(held)
    return 1 <= own <= _SC.contained_max_own_words
