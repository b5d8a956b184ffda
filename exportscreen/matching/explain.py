"""Explanations of name scores: the matched text on both sides and the rule that linked each pair,
as stable JSON and as one line of text (``summary``), which the text report prints.

For "SMIC Beijing" against SMIC's alias "Zhongxin Guoji" the summary reads::

    "SMIC Beijing" ~ alias "Zhongxin Guoji": pinyin pair smic → zhongxin guoji; zhongxin = zhongxin
    (exact), guoji = guoji (exact); beijing unmatched (qualifier)
"""

from __future__ import annotations

from pydantic import JsonValue

from exportscreen.matching.index import CompiledNames
from exportscreen.matching.query import Query
from exportscreen.matching.scoring import Detail
from exportscreen.matching.tuning import KINDS

__all__ = ["name_explanation", "summary"]

#: What each scoring method means, for the summary.
_METHODS = {
    "identical": "identical once normalised",
    "compact_form": "the same words written together",
    "acronym": "an acronym of the other",
    "truncated": "the listed name cut short",
    "extended": "the listed name followed by words of the query's own",
    "contained": "the listed name's one word among words of the query's own",
}


def _words(values: list[str]) -> list[JsonValue]:
    return list(values)


def name_explanation(c: CompiledNames, q: Query, k: int, d: Detail, score: float) -> dict[str, JsonValue]:
    """The JSON explanation of ``score`` (name ``k`` for query ``q``)."""
    toks = c.tokens[k]
    words = c.vocab.words
    unmatched_query = [w for w, s in zip(q.words, d.q_sim, strict=True) if not s]
    out: dict[str, JsonValue] = {
        "method": d.method,
        "query_text": q.text,
        "listed_text": c.text[k],
        "matched_name": c.text[k],
        "name_kind": KINDS[c.name_field[k]],
        "query_normalised": q.folded,
        "candidate_normalised": c.folded[k],
        **({"parentheticals_left_out": c.dropped[k]} if c.dropped[k] else {}),
        "normalisations": [*q.steps, *([q.variant] if q.variant else [])],
        "aligned": [{"query": a, "listed": b, "similarity": round(s, 3), "how": h} for a, b, s, h in d.link],
        "unmatched_query": _words(unmatched_query),
        "unmatched_listed": [words[v] for v, s in zip(toks, d.c_sim, strict=True) if not s],
        "query_words_in_listed_address": _words(d.in_address),
        "rarer_listed_words_credited_at": {
            words[v]: round(f, 3) for v, f, s in zip(toks, d.cap, d.c_sim, strict=True) if s and f < 1.0
        },
        "query_words_in_other_listed_names": _words(d.in_other),
        "listed_coverage": round(d.cover, 3),
        "query_coverage": round(d.qcover, 3),
        "base_score": round(d.base, 1),
        "features": d.features,
    }
    out["summary"] = summary(q, c.text[k], KINDS[c.name_field[k]], d)
    out["score"] = score
    return out


def summary(q: Query, listed: str, kind: str, d: Detail) -> str:
    """One line: both texts, then each aligned pair with its rule, what stayed unmatched and why."""
    head = f"{q.text!r} ~ {kind.replace('_', ' ')} {listed!r}"
    parts: list[str] = []
    if d.method in _METHODS:
        parts.append(_METHODS[d.method])
    if q.variant:
        parts.append(q.variant.replace("pinyin_pair: ", "pinyin pair "))
    pairs = [f"{a} {'=' if s == 1.0 else '~'} {b} ({h})" for a, b, s, h in d.link]
    if pairs:
        parts.append(", ".join(pairs))
    if d.in_address:
        parts.append("in the listed address: " + ", ".join(d.in_address))
    if d.in_other:
        parts.append("in another listed name: " + ", ".join(d.in_other))
    missing = [w for w, s in zip(q.words, d.q_sim, strict=True) if not s]
    if missing:
        parts.append("not in the listed name: " + ", ".join(missing))
    for name, value in d.features.items():
        if isinstance(value, dict) and "points" in value:
            parts.append(f"{name.replace('_', ' ')} {value['points']:+g}")
        elif isinstance(value, dict) and "capped_at" in value:
            parts.append(f"capped at {value['capped_at']:g}: {', '.join(str(w) for w in value['words'])} unexplained")  # type: ignore[union-attr]
    return head + (": " + "; ".join(parts) if parts else "")
