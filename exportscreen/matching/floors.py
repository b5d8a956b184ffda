"""Score floors of a listed name the query cuts short or goes beyond (``Scorer.score`` applies them).

``truncated``: the query is the listed name cut off (a name field cut short); ``extended``: the query is
an organisation's listed name followed by words of its own (a department, a fab); ``extended_core``: the
query's distinctive words begin with all of the listed name's. Each is a review at least; the constants
are ``score`` in ``lists/matching.yaml``.
"""

from __future__ import annotations

from exportscreen.matching.query import Query
from exportscreen.matching.tuning import tuning

__all__ = ["extended", "extended_core", "extended_score", "truncated", "truncated_score"]

_T = tuning()
_SC = _T.score


def extended(q: Query, listed: str, connectors: frozenset[str]) -> bool:
    """The query is the listed name followed by words of its own: the listed name (two words or more,
    ``extension_min_chars`` characters or more) begins the query's folded text at a word boundary,
    and the next word is no connector ("Tianjin University of Finance and Economics" is another
    name, not a part of Tianjin University)."""
    if len(listed) < _SC.extension_min_chars or " " not in listed or not q.folded.startswith(listed + " "):
        return False
    rest = q.folded[len(listed) + 1 :].split(" ", 1)[0]
    return bool(rest) and rest not in connectors


def extended_core(q: Query, listed: str, left_out: frozenset[str], connectors: frozenset[str]) -> str | None:
    """The listed name's distinctive words (its compact form's words, two or more of
    ``extension_min_chars`` characters or more) when the query's distinctive words begin with them
    in order, at most ``extension_skipped_words`` of its own among them, and go on with words of its
    own: "Cambricon Technologies Polska" of "Cambricon Technologies Corporation Limited", "Huawei
    Digital Power Technologies Co Ltd" of "Huawei Technologies Co., Ltd.". The first word of the
    query's own is no connector, as for ``extended``. None otherwise."""
    core = [w for w in listed.split() if w not in left_out]
    text = " ".join(core)
    if len(core) < 2 or len(text) < _SC.extension_min_chars:
        return None
    words = q.words
    at = [i for i, w in enumerate(words) if w not in left_out]
    if len(at) <= len(core) or words[at[0]] != core[0]:
        return None
    # the earliest occurrence of each listed word after the previous one: the fewest skipped
    used = {at[0]}
    n = 1
    skipped = 0
    for i in at[1:]:
        if n == len(core):
            break
        if words[i] == core[n]:
            used.add(i)
            n += 1
        else:
            skipped += 1
    if n < len(core) or skipped > _SC.extension_skipped_words:
        return None
    own = (w for i, w in enumerate(words) if i > at[0] and i not in used and (w in connectors or w not in left_out))
    first_own = next(own, None)
    if first_own is None or first_own in connectors:
        return None
    return text


def extended_score(q: Query, listed: str) -> float:
    """From ``extended`` up to ``extended_full`` by the share of the query the listed name is."""
    share = len(listed) / len(q.folded)
    return _SC.extended + (_SC.extended_full - _SC.extended) * share


def truncated(q: Query, listed: str) -> bool:
    """The query is the listed name cut short: its folded text begins the listed one and it was at
    least ``truncation_min_chars`` characters long."""
    return len(q.text) >= _SC.truncation_min_chars and len(q.words) >= 2 and listed.startswith(q.folded)


def truncated_score(q: Query, listed: str) -> float:
    """From ``truncated`` up to ``truncated_full`` by the share of the listed name the query keeps."""
    share = len(q.folded) / len(listed)
    return _SC.truncated + (_SC.truncated_full - _SC.truncated) * share
