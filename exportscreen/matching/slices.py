"""Measuring the matcher on perturbation slices (``sanctions-screening-benchmark`` JSON files).

A slice holds candidate entities (a primary name and aliases each) and cases: a query made from a
listed name by one perturbation class (typo, truncation, homoglyphs …) with its expected entity, or
a negative control (``expected_entity_id`` null) that must not match. Scored as the slices' README
says: the candidates become a registry of their own (``type`` individual for ``sdn-*`` ids), each
query is searched with ``limit=5``;

* a positive is found when the first candidate at review strength or above is the expected entity;
* a negative is a false hit when any candidate reaches hit strength, a false review when any
  reaches review.

Two baselines are measured in the same run over the same candidate strings, best string wins:
``wratio`` (``fuzz.WRatio`` with ``utils.default_process``) and ``ssb_jw`` (the benchmark's own
reference: its normalisation, stop words and greedy token-set Jaro-Winkler, with rapidfuzz's
Jaro-Winkler, which computes the same similarity), each at the review and hit thresholds of
``BASELINE_THRESHOLDS``.
"""

from __future__ import annotations

import bisect
import json
import re
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import JaroWinkler

from exportscreen._errors import InputError
from exportscreen.matching.base import Matcher, MatchSettings
from exportscreen.registry.model import Entry, Registry, Source

__all__ = [
    "BASELINE_THRESHOLDS",
    "Slice",
    "SliceCase",
    "SliceResult",
    "evaluate_slice",
    "evaluate_slice_baseline",
    "format_slices",
    "load_slice",
    "slice_registry",
]

#: (review, hit) of each baseline on a 0-100 scale: WRatio as compared in issue 16, the benchmark's
#: own Jaro-Winkler at its default threshold (0.85) for review.
BASELINE_THRESHOLDS: dict[str, tuple[float, float]] = {"wratio": (85.0, 95.0), "ssb_jw": (85.0, 95.0)}


@dataclass(frozen=True, slots=True)
class SliceCase:
    query: str
    expected: str | None
    perturbation: str
    #: a positive whose query is the start of listed names of two entities or more ("China Aerospace
    #: Scie" begins 20 entities' names): it names none of them, so which one it was cut from is chance
    ambiguous: bool = False


@dataclass(frozen=True, slots=True)
class Slice:
    name: str
    candidates: dict[str, list[str]]
    cases: list[SliceCase]


def load_slice(path: Path) -> Slice:
    """A benchmark JSON file (``manifest``, ``candidates``, ``cases``)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        candidates = {str(k): [str(n) for n in v] for k, v in data["candidates"].items()}
        cases = [SliceCase(str(c["query"]), c["expected_entity_id"], str(c["perturbation"])) for c in data["cases"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"not a perturbation slice: {exc}", path=path) from exc
    return Slice(path.stem, candidates, _mark_ambiguous(candidates, cases))


def _plain(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _mark_ambiguous(candidates: dict[str, list[str]], cases: list[SliceCase]) -> list[SliceCase]:
    """``cases`` with ``ambiguous`` set on each positive whose query begins names of 2+ entities
    and is no listed name in full."""
    names = sorted({(_plain(n), eid) for eid, ns in candidates.items() for n in ns})
    keys = [n for n, _ in names]
    out = []
    for case in cases:
        q = _plain(case.query)
        owners: set[str] = set()
        i = bisect.bisect_left(keys, q)
        if case.expected is not None and q and not (i < len(keys) and keys[i] == q):
            while i < len(keys) and keys[i].startswith(q) and len(owners) < 2:
                owners.add(names[i][1])
                i += 1
        out.append(replace(case, ambiguous=True) if len(owners) > 1 else case)
    return out


def slice_registry(s: Slice) -> Registry:
    """The slice's candidates as a registry: one entry per entity, its first name as the name."""
    entries = [
        Entry.trusted(
            {
                "id": eid,
                "source": "slice",
                "list": "SLICE",
                "name": names[0].strip(),
                "type": "individual" if eid.startswith("sdn-") else "entity",
                "aliases": tuple(n.strip() for n in names[1:] if n.strip()),
            }
        )
        for eid, names in s.candidates.items()
        if names and names[0].strip()
    ]
    return Registry([Source(id="slice", name=s.name, list="SLICE")], entries)


@dataclass(slots=True)
class _Class:
    n: int = 0
    found: int = 0
    false_hit: int = 0
    false_review: int = 0
    ambiguous: int = 0
    ambiguous_found: int = 0


@dataclass(slots=True)
class SliceResult:
    """One matcher on one slice: per perturbation class (negatives by negative class)."""

    matcher: str
    slice: str
    classes: dict[str, _Class] = field(default_factory=dict)
    negative_classes: frozenset[str] = frozenset()
    seconds: float = 0.0

    def _sum(self, negative: bool) -> _Class:
        out = _Class()
        for name, c in self.classes.items():
            if (name in self.negative_classes) == negative:
                out.n += c.n
                out.found += c.found
                out.false_hit += c.false_hit
                out.false_review += c.false_review
                out.ambiguous += c.ambiguous
                out.ambiguous_found += c.ambiguous_found
        return out

    @property
    def recall(self) -> float:
        c = self._sum(False)
        return c.found / c.n if c.n else 0.0

    @property
    def false_hit_rate(self) -> float:
        c = self._sum(True)
        return c.false_hit / c.n if c.n else 0.0

    @property
    def false_review_rate(self) -> float:
        c = self._sum(True)
        return c.false_review / c.n if c.n else 0.0

    @property
    def identifiable_recall(self) -> float:
        """Recall over the positives whose query is not ambiguous (see ``SliceCase.ambiguous``)."""
        c = self._sum(False)
        n = c.n - c.ambiguous
        return (c.found - c.ambiguous_found) / n if n else 0.0

    def class_identifiable_rate(self, name: str) -> float:
        c = self.classes[name]
        n = c.n - c.ambiguous
        return (c.found - c.ambiguous_found) / n if n else 0.0

    def class_rate(self, name: str) -> float:
        c = self.classes[name]
        if name in self.negative_classes:
            return c.false_review / c.n if c.n else 0.0
        return c.found / c.n if c.n else 0.0


def _tally(
    result: SliceResult, case: SliceCase, ranked: Sequence[tuple[str, float]], review: float, hit: float
) -> None:
    """``ranked``: (entity id, score) best first, at review or above only."""
    c = result.classes.setdefault(case.perturbation, _Class())
    c.n += 1
    if case.expected is None:
        c.false_review += bool(ranked) and ranked[0][1] >= review
        c.false_hit += any(s >= hit for _e, s in ranked)
    else:
        found = bool(ranked) and ranked[0][0] == case.expected and ranked[0][1] >= review
        c.found += found
        c.ambiguous += case.ambiguous
        c.ambiguous_found += found and case.ambiguous


def evaluate_slice(matcher: Matcher, registry: Registry, s: Slice, settings: MatchSettings) -> SliceResult:
    """exportscreen (``matcher`` over ``slice_registry(s)``) on every case of the slice."""
    ids = [e.id for e in registry.entries]
    result = SliceResult("exportscreen", s.name, negative_classes=_negative_classes(s))
    started = time.perf_counter()
    for case in s.cases:
        try:
            found = matcher.search(case.query, limit=5, min_score=settings.review)
        except InputError:
            found = []
        _tally(result, case, [(ids[c.entry_index], c.score) for c in found], settings.review, settings.hit)
    result.seconds = time.perf_counter() - started
    return result


def _negative_classes(s: Slice) -> frozenset[str]:
    return frozenset(c.perturbation for c in s.cases if c.expected is None)


# -- the benchmark's own baseline, with rapidfuzz's Jaro-Winkler -------------------------------

_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_STOPWORDS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "eng",
        "col",
        "gen",
        "sheikh",
        "shaykh",
        "hajji",
        "sayyid",
        "jr",
        "sr",
        "ii",
        "iii",
        "the",
        "and",
    }
)


def _ssb_tokens(text: str) -> list[str]:
    nfd = unicodedata.normalize("NFD", text)
    text = unicodedata.normalize("NFC", "".join(ch for ch in nfd if unicodedata.category(ch) != "Mn"))
    return [t for t in _PUNCT.sub(" ", text.casefold()).split() if t not in _STOPWORDS]


def _ssb_similarity(qt: list[str], ct: list[str], sim: Callable[[str, str], float]) -> float:
    """The benchmark's ``token_set_similarity``: tokens of the shorter side greedily paired with
    their best remaining partner, summed, over the longer side's length."""
    if not qt or not ct:
        return 0.0
    short, long_ = (qt, ct) if len(qt) <= len(ct) else (ct, qt)
    remaining = list(long_)
    total = 0.0
    for t in short:
        if not remaining:
            break
        best_i, best_s = 0, -1.0
        for i, cand in enumerate(remaining):
            s_ = sim(t, cand)
            if s_ > best_s:
                best_i, best_s = i, s_
        total += best_s
        remaining.pop(best_i)
    return total / len(long_)


def _ssb_best(query: str, choices: list[list[str]], memo: dict[tuple[str, str], float]) -> tuple[int, float]:
    """The best choice for ``query`` and its score (0-100); ``memo`` keeps token similarities across
    queries. A choice whose length ratio (its score's upper bound) cannot beat the best is skipped."""
    qt = _ssb_tokens(query)

    def sim(a: str, b: str) -> float:
        key = (a, b)
        got = memo.get(key)
        if got is None:
            got = memo[key] = JaroWinkler.similarity(a, b)
        return got

    best_i, best_s = -1, 0.0
    nq = len(qt)
    for i, ct in enumerate(choices):
        nc = len(ct)
        if not nc or not nq or min(nq, nc) / max(nq, nc) <= best_s:
            continue
        s_ = _ssb_similarity(qt, ct, sim)
        if s_ > best_s:
            best_i, best_s = i, s_
    return best_i, 100.0 * best_s


def evaluate_slice_baseline(name: str, s: Slice) -> SliceResult:
    """A baseline over every candidate string of the slice (best string wins)."""
    owners = [eid for eid, names in s.candidates.items() for _n in names]
    strings = [n for names in s.candidates.values() for n in names]
    review, hit = BASELINE_THRESHOLDS[name]
    result = SliceResult(name, s.name, negative_classes=_negative_classes(s))
    started = time.perf_counter()
    if name == "wratio":
        processed = [utils.default_process(x) for x in strings]
        for case in s.cases:
            found = process.extractOne(utils.default_process(case.query), processed, scorer=fuzz.WRatio, processor=None)
            ranked = [(owners[found[2]], float(found[1]))] if found and found[1] >= review else []
            _tally(result, case, ranked, review, hit)
    elif name == "ssb_jw":
        tokens = [_ssb_tokens(x) for x in strings]
        memo: dict[tuple[str, str], float] = {}
        for case in s.cases:
            i, score = _ssb_best(case.query, tokens, memo)
            _tally(result, case, [(owners[i], score)] if i >= 0 and score >= review else [], review, hit)
    else:
        raise ValueError(f"unknown baseline {name!r}")
    result.seconds = time.perf_counter() - started
    return result


def _pct(x: float) -> str:
    return f"{x:.3f}"


def format_slices(results: Sequence[SliceResult]) -> str:
    """Per slice: overall recall / false hits / false reviews, then recall per class, per matcher."""
    lines: list[str] = []
    by_slice: dict[str, list[SliceResult]] = {}
    for r in results:
        by_slice.setdefault(r.slice, []).append(r)
    for name, rs in by_slice.items():
        first = rs[0]
        n_pos = first._sum(False).n
        n_neg = first._sum(True).n
        lines.append(f"Perturbation slice {name} ({n_pos} positives, {n_neg} negatives)")
        lines.append("")
        lines.append(f"{'matcher':<14} {'recall':>7} {'false hit':>9} {'false rev':>9} {'ms/query':>9}")
        for r in rs:
            n = n_pos + n_neg
            lines.append(
                f"{r.matcher:<14} {_pct(r.recall):>7} {_pct(r.false_hit_rate):>9} "
                f"{_pct(r.false_review_rate):>9} {1000 * r.seconds / max(n, 1):>9.2f}"
            )
        lines.append("")
        lines.append("recall per class; negatives: false reviews (" + " | ".join(r.matcher for r in rs) + ")")
        classes = sorted(first.classes, key=lambda k: (k in first.negative_classes, k))
        for cls in classes:
            cells = " | ".join(_pct(r.class_rate(cls)) if cls in r.classes else "  -  " for r in rs)
            lines.append(f"  {cls:<18} n={first.classes[cls].n:<4} {cells}")
        ambiguous = first._sum(False).ambiguous
        if ambiguous:
            lines.append("")
            lines.append(
                f"{ambiguous} positive(s) begin the names of two entities or more (a prefix several share: "
                "which one was cut is chance); recall without them:"
            )
            lines.append(
                f"  {'all classes':<18} n={n_pos - ambiguous:<4} " + " | ".join(_pct(r.identifiable_recall) for r in rs)
            )
            for cls in classes:
                c = first.classes[cls]
                if c.ambiguous and cls not in first.negative_classes:
                    cells = " | ".join(_pct(r.class_identifiable_rate(cls)) for r in rs)
                    lines.append(f"  {cls:<18} n={c.n - c.ambiguous:<4} {cells}")
        lines.append("")
    return "\n".join(lines).rstrip()
