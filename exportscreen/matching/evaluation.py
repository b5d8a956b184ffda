"""Measuring the matcher: the labelled development set and nomenklatura's name pairs, with baselines.

**Development set** (``names-dev.yaml``): each case is a query, an optional country and the CSL
``name`` of the expected entry (``null`` for negatives). For a threshold ``t``:

* recall: positives whose expected entry (any entry with that exact name) is returned at ``t`` or above;
* top-1: positives whose best candidate is the expected entry (no threshold);
* false alarms: negatives whose best candidate scores ``t`` or above.

exportscreen is measured at its ``review`` and ``hit`` thresholds. The two baselines are plain
rapidfuzz over every listed name and alias string of the same registry, best string wins
(``process.extractOne`` with ``utils.default_process``), each at the threshold (whole numbers
50-100) that maximises recall minus false alarms:

* ``wratio``: ``fuzz.WRatio``;
* ``token_set_jw``: Jaro-Winkler similarity of the sorted, de-duplicated words of both strings.

**Name pairs** (nomenklatura ``cases.csv``): every ``name2`` becomes one entry of a pair registry;
a pair is predicted a match when exportscreen returns that entry for ``name1`` at ``review`` (the
schema gives the party type), and for a baseline when its pair score reaches its best threshold.
F1 is reported for each.
"""

from __future__ import annotations

import csv
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import JaroWinkler

from exportscreen._errors import InputError
from exportscreen._io import load_data_file
from exportscreen.matching.base import MatchSettings
from exportscreen.matching.engine import NameMatcher, PartyKind
from exportscreen.registry.model import Entry, Registry, Source

__all__ = [
    "DevCase",
    "EvalResult",
    "PairCase",
    "PairResult",
    "evaluate_dev",
    "evaluate_pairs",
    "format_dev",
    "format_pairs",
    "load_dev_cases",
    "load_pair_cases",
]


@dataclass(frozen=True, slots=True)
class DevCase:
    query: str
    country: str | None
    expect: str | None
    kind: str


@dataclass(frozen=True, slots=True)
class PairCase:
    name1: str
    name2: str
    is_match: bool
    schema: str


def load_dev_cases(path: Path) -> tuple[str, list[DevCase]]:
    """The cases of ``names-dev.yaml`` and the registry path it declares (relative to the data dir)."""
    data = load_data_file(path)
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise InputError("expected a mapping with a 'cases' list", path=path)
    cases: list[DevCase] = []
    for i, raw in enumerate(data["cases"]):
        if not isinstance(raw, dict) or not isinstance(raw.get("query"), str) or not isinstance(raw.get("kind"), str):
            raise InputError("a case needs 'query' and 'kind' strings", path=path, location=f"cases.{i}")
        expect = raw.get("expect")
        country = raw.get("country")
        cases.append(
            DevCase(
                raw["query"],
                str(country) if country is not None else None,
                str(expect) if expect is not None else None,
                raw["kind"],
            )
        )
    return str(data.get("registry", "")), cases


def load_pair_cases(path: Path) -> list[PairCase]:
    """nomenklatura's ``cases.csv`` (name1, name2, is_match, schema)."""
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise InputError(f"cannot read pair cases: {exc.strerror or exc}", path=path) from exc
    out: list[PairCase] = []
    for i, row in enumerate(rows):
        try:
            out.append(PairCase(row["name1"], row["name2"], row["is_match"].strip().lower() == "true", row["schema"]))
        except (KeyError, AttributeError) as exc:
            raise InputError("row lacks name1/name2/is_match/schema", path=path, location=f"row {i + 2}") from exc
    return out


@dataclass(slots=True)
class _Counts:
    positives: int = 0
    negatives: int = 0
    recall_review: int = 0
    recall_hit: int = 0
    top1: int = 0
    fa_review: int = 0
    fa_hit: int = 0


@dataclass(slots=True)
class EvalResult:
    """Metrics of one matcher on the development set, overall and per case kind."""

    name: str
    review: float
    hit: float
    overall: _Counts = field(default_factory=_Counts)
    kinds: dict[str, _Counts] = field(default_factory=lambda: defaultdict(_Counts))
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)

    def rate(self, attr: str, kind: str | None = None) -> float:
        c = self.overall if kind is None else self.kinds[kind]
        denom = c.negatives if attr.startswith("fa_") else c.positives
        return getattr(c, attr) / denom if denom else 0.0


def _same_name(a: str) -> str:
    """Entry names as loaders clean them (stray whitespace and trailing commas dropped)."""
    return " ".join(a.split()).strip(" ,;")


def _tally(result: EvalResult, case: DevCase, ranked: Sequence[tuple[str, float]]) -> None:
    """``ranked``: (entry name, score) best first."""
    if case.expect is not None:
        case = DevCase(case.query, case.country, _same_name(case.expect), case.kind)
    ranked = [(_same_name(n), s) for n, s in ranked]
    for c in (result.overall, result.kinds[case.kind]):
        if case.expect is None:
            c.negatives += 1
            top = ranked[0][1] if ranked else 0.0
            c.fa_review += top >= result.review
            c.fa_hit += top >= result.hit
        else:
            c.positives += 1
            best = max((s for n, s in ranked if n == case.expect), default=0.0)
            c.recall_review += best >= result.review
            c.recall_hit += best >= result.hit
            c.top1 += bool(ranked) and ranked[0][0] == case.expect
    if case.expect is None and ranked and ranked[0][1] >= result.review:
        result.misses.append(f"false alarm [{case.kind}] {case.query!r} -> {ranked[0][0]!r} {ranked[0][1]}")
    elif case.expect is not None:
        got = max((s for n, s in ranked if n == case.expect), default=0.0)
        if got < result.review or not ranked or ranked[0][0] != case.expect:
            shown = f"{ranked[0][0]!r} {ranked[0][1]}" if ranked else "nothing"
            result.misses.append(f"miss [{case.kind}] {case.query!r}: expected {got}, top {shown}")


def _evaluate_exportscreen(matcher: NameMatcher, cases: Sequence[DevCase], settings: MatchSettings) -> EvalResult:
    result = EvalResult("exportscreen", settings.review, settings.hit)
    entries = matcher.registry.entries
    started = time.perf_counter()
    for case in cases:
        cands = matcher.search(case.query, country=case.country, limit=None, min_score=settings.review)
        ranked = [(entries[c.entry_index].name, c.score) for c in cands]
        _tally(result, case, ranked)
    result.seconds = time.perf_counter() - started
    return result


def _choices(registry: Registry) -> tuple[list[str], list[list[str]]]:
    """Every distinct name and alias string (stripped) and the entry names it belongs to."""
    owners: dict[str, list[str]] = {}
    for e in registry.entries:
        for s in (e.name, *e.aliases):
            s = s.strip()
            if s:
                owners.setdefault(s, []).append(e.name)
    strings = list(owners)
    return strings, [owners[s] for s in strings]


def _jw_processor(text: str) -> str:
    return " ".join(sorted(set(utils.default_process(text).split())))


def _jw_scorer(a: str, b: str, **kwargs: Any) -> float:
    return float(JaroWinkler.normalized_similarity(a, b)) * 100.0


BASELINES: dict[str, tuple[Callable[..., float], Callable[[str], str]]] = {
    "wratio": (fuzz.WRatio, utils.default_process),
    "token_set_jw": (_jw_scorer, _jw_processor),
}


def _best_threshold(cases: Sequence[DevCase], tops: Sequence[tuple[list[str], float]]) -> float:
    best_t, best_val = 100.0, -2.0
    for t in range(50, 101):
        rec = sum(
            1
            for c, (owners, s) in zip(cases, tops, strict=True)
            if c.expect and _same_name(c.expect) in {_same_name(o) for o in owners} and s >= t
        )
        fa = sum(1 for c, (_o, s) in zip(cases, tops, strict=True) if c.expect is None and s >= t)
        pos = sum(1 for c in cases if c.expect) or 1
        neg = sum(1 for c in cases if c.expect is None) or 1
        val = rec / pos - fa / neg
        if val > best_val:
            best_t, best_val = float(t), val
    return best_t


def _evaluate_baseline(name: str, registry: Registry, cases: Sequence[DevCase]) -> EvalResult:
    scorer, processor = BASELINES[name]
    strings, owners = _choices(registry)
    processed = [processor(s) for s in strings]
    started = time.perf_counter()
    tops: list[tuple[list[str], float]] = []
    for case in cases:
        found = process.extractOne(processor(case.query), processed, scorer=scorer, processor=None)
        tops.append((owners[found[2]], float(found[1])) if found else ([], 0.0))
    seconds = time.perf_counter() - started
    t = _best_threshold(cases, tops)
    result = EvalResult(name, t, t, seconds=seconds)
    for case, (own, score) in zip(cases, tops, strict=True):
        wanted = _same_name(case.expect) if case.expect is not None else None
        owned = {_same_name(o) for o in own}
        first = case.expect if wanted is not None and wanted in owned else (own[0] if own else "")
        _tally(result, case, [(first or "", score)] if own else [])
    return result


def evaluate_dev(
    matcher: NameMatcher, cases: Sequence[DevCase], settings: MatchSettings, *, baselines: bool = True
) -> list[EvalResult]:
    """exportscreen and (unless ``baselines=False``) both baselines on the development cases."""
    out = [_evaluate_exportscreen(matcher, cases, settings)]
    if baselines:
        out += [_evaluate_baseline(name, matcher.registry, cases) for name in BASELINES]
    return out


def _pct(x: float) -> str:
    return f"{100 * x:5.1f}%"


def format_dev(results: Sequence[EvalResult], *, show_misses: bool = False) -> str:
    lines = ["Development set: recall (expected entry at review / hit), top-1, false alarms (review / hit)", ""]
    head = f"{'matcher':<14} {'review':>6} {'hit':>5} {'recall@rev':>10} {'recall@hit':>10} {'top-1':>7} "
    head += f"{'FA@rev':>7} {'FA@hit':>7} {'ms/query':>9}"
    lines.append(head)
    for r in results:
        n = r.overall.positives + r.overall.negatives
        lines.append(
            f"{r.name:<14} {r.review:>6.1f} {r.hit:>5.1f} {_pct(r.rate('recall_review')):>10} "
            f"{_pct(r.rate('recall_hit')):>10} {_pct(r.rate('top1')):>7} {_pct(r.rate('fa_review')):>7} "
            f"{_pct(r.rate('fa_hit')):>7} {1000 * r.seconds / max(n, 1):>9.2f}"
        )
    lines += ["", "Per case kind (exportscreen | " + " | ".join(r.name for r in results[1:]) + "):"]
    kinds = sorted(results[0].kinds, key=lambda k: (results[0].kinds[k].positives == 0, k))
    for kind in kinds:
        parts = []
        for r in results:
            c = r.kinds[kind]
            if c.positives:
                parts.append(f"recall {_pct(r.rate('recall_review', kind))} top-1 {_pct(r.rate('top1', kind))}")
            else:
                parts.append(f"FA@rev {_pct(r.rate('fa_review', kind))} FA@hit {_pct(r.rate('fa_hit', kind))}")
        count = results[0].kinds[kind].positives or results[0].kinds[kind].negatives
        lines.append(f"  {kind:<24} n={count:<3} " + " | ".join(parts))
    if show_misses:
        lines += ["", "exportscreen misses and false alarms:"] + [f"  {m}" for m in results[0].misses]
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class PairResult:
    name: str
    threshold: float
    precision: float
    recall: float
    f1: float


def _f1(pred: Sequence[bool], truth: Sequence[bool]) -> tuple[float, float, float]:
    tp = sum(1 for p, t in zip(pred, truth, strict=True) if p and t)
    fp = sum(1 for p, t in zip(pred, truth, strict=True) if p and not t)
    fn = sum(1 for p, t in zip(pred, truth, strict=True) if not p and t)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _kind(schema: str) -> PartyKind | None:
    if schema == "Person":
        return "individual"
    if schema in ("Company", "Organization", "LegalEntity"):
        return "entity"
    return None


def evaluate_pairs(cases: Sequence[PairCase], settings: MatchSettings, *, use_cache: bool = False) -> list[PairResult]:
    """F1 of exportscreen (at ``review``) and of both baselines (at their best thresholds) on name pairs."""
    targets = sorted({(c.name2, c.schema) for c in cases})
    index = {t: i for i, t in enumerate(targets)}
    entries = [
        Entry(id=str(i), source="pairs", list="PAIRS", name=n, type=_kind(s)) for i, (n, s) in enumerate(targets)
    ]
    registry = Registry([Source(id="pairs", name="name pairs", list="PAIRS")], entries)
    matcher = NameMatcher(registry, floor=settings.review, use_cache=use_cache)
    truth = [c.is_match for c in cases]
    pred: list[bool] = []
    for c in cases:
        want = index[(c.name2, c.schema)]
        try:
            found = matcher.search(c.name1, limit=None, min_score=settings.review, kind=_kind(c.schema))
        except InputError:
            found = []
        pred.append(any(x.entry_index == want for x in found))
    out = [PairResult("exportscreen", settings.review, *_f1(pred, truth))]
    for name, (scorer, processor) in BASELINES.items():
        scores = [float(scorer(processor(c.name1), processor(c.name2))) for c in cases]
        best = max(
            (PairResult(name, float(t), *_f1([s >= t for s in scores], truth)) for t in range(50, 101)),
            key=lambda r: r.f1,
        )
        out.append(best)
    return out


def format_pairs(results: Sequence[PairResult], n: int) -> str:
    lines = [f"nomenklatura name pairs ({n}): F1 at each matcher's threshold", ""]
    lines.append(f"{'matcher':<14} {'threshold':>9} {'precision':>9} {'recall':>7} {'F1':>6}")
    for r in results:
        lines.append(f"{r.name:<14} {r.threshold:>9.1f} {r.precision:>9.3f} {r.recall:>7.3f} {r.f1:>6.3f}")
    return "\n".join(lines)
