"""A calibrated name score, measured: ``python -m benchmarks.calibrate [SLICE_DIR] [--data DIR]``.

Issue 16 asked whether a logistic model over the features the scorer already computes beats the
hand-set score (``lists/matching.yaml``) on data it was not trained on. This fits one and
measures both side by side; the result is in benchmarks/README.md ("Calibrated score"). Needs the
optional extra ``bench`` (the slices are built with ``sanctions-screening-benchmark``).

* **Training**: ``TRAINING`` slices, built like ``benchmarks.slices`` from entities of the same
  lists that neither the held-out nor the development slices use (each pool sorted by id, later
  entities), other seeds (the other-lists pool, 218 entities, is all held out); and the nomenklatura
  pairs whose ``name2`` hashes even (``_in_training``), so a pair's target is in one half only.
* **Held-out**: the five ``benchmarks.slices.HELD_OUT`` slices and the other half of the pairs.
  **Development** (looked at while the hand-set score was tuned): the two seed-0 slices and the
  labelled set, reported apart.
* **Rows**: every listed name the index hands the scorer at ``FLOOR`` (below review, so a
  calibrated score may lift a name the hand-set one leaves under it; with the clamp below no other
  name can reach it), each reading of the query; a row is positive when its entry is the expected
  one. The hand-set figures computed from the rows are those of ``exportscreen eval``.
* **Model**: logistic regression (Newton's method, L2 ``RIDGE``, stdlib only) over ``FEATURES``:
  the method, ``ln C``, ``ln Q``, the kind of name, each feature that fired, the alignment's weakest
  word similarity and rules, one set of weights for listed people and one for the other names; a
  second model adds the hand-set score itself as a feature.
* **Score**: the logit is mapped linearly onto 0-100 with the review and hit thresholds fitted on
  the training data only, at the hand-set score's training false-review and false-hit rates (the
  same operating points); a fuzzy name's score is then clamped to the bound the index prunes on
  (``band * C ** a * Q ** b + max_bonus``), so the index stays lossless.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from benchmarks.logistic import Samples, fit
from exportscreen._errors import InputError
from exportscreen.matching.base import MatchSettings
from exportscreen.matching.engine import NameMatcher
from exportscreen.matching.evaluation import _kind, _same_name, load_dev_cases, load_pair_cases
from exportscreen.matching.prune import MAX_BONUS, coverage_floor
from exportscreen.matching.query import PartyKind, Query
from exportscreen.matching.scoring import A_COVER, B_QUERY, BAND, Detail
from exportscreen.matching.slices import load_slice, slice_registry
from exportscreen.registry import load_registry

#: training slices: name -> (seed, entities of the pool skipped, pool, individuals only); the
#: held-out slices take entities 0-250 (Russia, SDN entities) and 250-500 (China, SDN individuals)
TRAINING: dict[str, tuple[int, int, str, bool]] = {
    "train-el-china-from500-seed11": (11, 500, "el_china", False),
    "train-el-russia-from250-seed12": (12, 250, "el_russia", False),
    "train-sdn-individuals-from500-seed13": (13, 500, "sdn_individuals", True),
    "train-sdn-entities-from250-seed14": (14, 250, "sdn_entities", False),
}
#: the lowest score rows are gathered for (below review: a calibrated score may lift a name)
FLOOR = 60.0
RIDGE = 1.0
#: the two models: name -> whether the hand-set score is one of its features
LOGISTIC = {"logistic": False, "logistic + hand-set": True}
_METHODS = ("identical", "compact_form", "acronym", "truncated", "extended", "contained")
_FIRED = (
    "family_name_differs",
    "name_word_replaced",
    "one_word_name_in_longer_query",
    "listed_place_not_in_query",
    "rarest_listed_word_missing",
    "party_type",
    "query_words_unexplained",
    "floor_kept",
)
_RULES = ("initial", "stub", "words_joined", "words_split")
FEATURES = (
    *("bias", *(f"method_{m}" for m in _METHODS), "ln_cover", "ln_qcover", "alias", "weak_alias", "acronym_name"),
    *("individual", "country_match", "country_conflict", *_FIRED, "inexact_words", "weakest_similarity"),
    *(f"rule_{r}" for r in _RULES),
)


_PERSON = FEATURES.index("individual")


@dataclass(frozen=True, slots=True)
class Row:
    entry: int
    target: bool
    hand: float
    x: tuple[float, ...]
    #: the most the index lets this name score (inf: a name it never prunes)
    bound: float


def features(matcher: NameMatcher, q: Query, k: int, d: Detail) -> tuple[float, ...]:
    """The feature vector of one scored name: all of it read from ``Detail`` and the compiled names."""
    c = matcher.compiled
    fld = c.name_field[k]
    country = d.features.get("country")
    points = country.get("points", 0.0) if isinstance(country, dict) else 0.0
    sims = [sim for _q, _l, sim, _rule in d.link]
    rules = {rule for _q, _l, _s, rule in d.link}
    pts = points if isinstance(points, float) else 0.0
    return (
        *(1.0, *(float(d.method == m) for m in _METHODS)),
        *(math.log(max(d.cover, 0.01)), math.log(max(d.qcover, 0.01))),
        *(float(fld == 1), float(fld == 2), float(fld == 3), float(c.entity_type[k] == "individual")),
        *(float(pts > 0), float(pts < 0), *(float(f in d.features) for f in _FIRED)),
        *(float(min(3, sum(1 for s in sims if s < 1.0))), min(sims, default=0.0)),
        *(float(r in rules) for r in _RULES),
    )


def rows_for(
    matcher: NameMatcher,
    name: str,
    country: str | None,
    kind: PartyKind | None,
    keys: Sequence[object],
    want: object,
    only_target: bool = False,
) -> list[Row]:
    """The rows of one query: every name the index selects at ``FLOOR`` (of the target entry only
    with ``only_target``), each reading; the target is the entry ``e`` with ``keys[e] == want``."""
    try:
        readings = matcher.queries.prepare(name, country, kind)
    except InputError:
        return []
    c = matcher.compiled
    theta = coverage_floor(FLOOR)
    out: list[Row] = []
    for q in readings:
        for k in matcher.pruner.select(q, theta, FLOOR):
            e = c.entry[k]
            if only_target and keys[e] != want:
                continue
            s, d = matcher.scorer.score(q, k)
            if d is None:
                continue
            bound = math.inf
            if d.method == "fuzzy":
                bound = BAND[c.name_field[k]] * d.cover**A_COVER * d.qcover**B_QUERY + MAX_BONUS
            out.append(Row(e, keys[e] == want, s, features(matcher, q, k, d), bound))
    return out


@dataclass(slots=True)
class Case:
    rows: list[Row]
    positive: bool


@dataclass(slots=True)
class Dataset:
    name: str
    #: slice: top-1 decides; dev / pairs: the expected entry's best score decides
    kind: str
    cases: list[Case]


def slice_data(path: Path) -> Dataset:
    s = load_slice(path)
    registry = slice_registry(s)
    matcher = NameMatcher(registry, floor=FLOOR, use_cache=False)
    ids = [e.id for e in registry.entries]
    cases = []
    for case in s.cases:
        want = case.expected
        rows = rows_for(matcher, case.query, None, None, ids, want)
        cases.append(Case(rows, want is not None))
    return Dataset(s.name, "slice", cases)


def _in_training(name2: str) -> bool:
    return hashlib.sha256(name2.encode()).digest()[0] % 2 == 0


def pair_data(path: Path) -> tuple[Dataset, Dataset]:
    """nomenklatura's pairs as (training, held-out), split by ``name2`` (a target is in one half)."""
    from exportscreen.registry.model import Entry, Registry, Source

    pairs = load_pair_cases(path)
    targets = sorted({(p.name2, p.schema) for p in pairs})
    index = {t: i for i, t in enumerate(targets)}
    entries = [
        Entry(id=str(i), source="pairs", list="PAIRS", name=n, type=_kind(s)) for i, (n, s) in enumerate(targets)
    ]
    matcher = NameMatcher(Registry([Source(id="pairs", name="pairs", list="PAIRS")], entries), use_cache=False)
    halves: tuple[list[Case], list[Case]] = ([], [])
    for p in pairs:
        want = index[(p.name2, p.schema)]
        rows = rows_for(matcher, p.name1, None, _kind(p.schema), range(len(entries)), want, True)
        halves[0 if _in_training(p.name2) else 1].append(Case(rows, p.is_match))
    return Dataset("pairs-train", "pairs", halves[0]), Dataset("pairs-held-out", "pairs", halves[1])


def dev_data(cases_path: Path, data: Path) -> Dataset:
    registry_rel, cases = load_dev_cases(cases_path)
    registry = load_registry(data / registry_rel) + load_registry()
    matcher = NameMatcher(registry, floor=FLOOR)
    names = [_same_name(e.name) for e in registry.entries]
    out = []
    for case in cases:
        want = _same_name(case.expect) if case.expect is not None else None
        rows = rows_for(matcher, case.query, case.country, None, names, want)
        out.append(Case(rows, want is not None))
    return Dataset("development set", "dev", out)


# -- the model ------------------------------------------------------------------------------------


def _samples(sets: Sequence[Dataset], extra: Callable[[Row], tuple[float, ...]], person: bool) -> Samples:
    """The distinct training rows of listed people (or of the other names) with their counts."""
    out: Samples = {}
    for ds in sets:
        for case in ds.cases:
            for r in case.rows:
                if bool(r.x[_PERSON]) != person:
                    continue
                key = (tuple(round(v, 4) for v in r.x + extra(r)), r.target and case.positive)
                out[key] = out.get(key, 0) + 1
    return out


# -- measuring ------------------------------------------------------------------------------------

Scorer = Callable[[Row], float]


def _top(rows: list[Row], score: Scorer) -> tuple[float, Row | None]:
    """The best row as the search ranks entries: highest score, then the entry listed first."""
    best: tuple[float, int] = (-1.0, 0)
    top: Row | None = None
    for r in rows:
        key = (score(r), -r.entry)
        if key > best:
            best, top = key, r
    return best[0], top


def _flagged(case: Case, score: Scorer) -> float:
    """The score a negative case is flagged by (top entry; for pairs, the target's)."""
    return _top(case.rows, score)[0] if case.rows else 0.0


def measure(ds: Dataset, score: Scorer, review: float, hit: float) -> dict[str, float]:
    """The figures of one data set under ``score``, as ``exportscreen eval`` computes them."""
    pos = [c for c in ds.cases if c.positive]
    neg = [c for c in ds.cases if not c.positive]
    if ds.kind == "pairs":
        pred = [_flagged(c, score) >= review for c in ds.cases]
        tp = sum(p and c.positive for p, c in zip(pred, ds.cases, strict=True))
        precision = tp / max(1, sum(pred))
        recall = tp / max(1, len(pos))
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": precision, "recall": recall, "F1": f1}
    neg_top = [_flagged(c, score) for c in neg]
    out = {"false hit": sum(s >= hit for s in neg_top) / max(1, len(neg))}
    out["false rev"] = sum(s >= review for s in neg_top) / max(1, len(neg))
    if ds.kind == "slice":
        found = 0
        for c in pos:
            s, top = _top(c.rows, score)
            found += top is not None and top.target and s >= review
        out["recall"] = found / max(1, len(pos))
    else:
        best = [max((score(r) for r in c.rows if r.target), default=0.0) for c in pos]
        out["recall"] = sum(s >= review for s in best) / max(1, len(pos))
        out["recall@hit"] = sum(s >= hit for s in best) / max(1, len(pos))
    return out


@dataclass(frozen=True, slots=True)
class Calibrated:
    """A fitted model and the logits its review and hit thresholds fall at."""

    #: the weights for names of organisations (and vessels …) and for listed people
    weights: tuple[tuple[float, ...], tuple[float, ...]]
    with_hand: bool
    z_review: float
    z_hit: float

    def logit(self, r: Row) -> float:
        x = r.x + ((r.hand / 100.0,) if self.with_hand else ())
        return sum(w * v for w, v in zip(self.weights[int(x[_PERSON])], x, strict=True))

    def score(self, r: Row, review: float, hit: float) -> float:
        s = review + (hit - review) * (self.logit(r) - self.z_review) / (self.z_hit - self.z_review)
        return round(max(0.0, min(100.0, s, r.bound)), 1)


def _threshold(flags: list[float], allowed: int) -> float:
    """The least threshold at which at most ``allowed`` of the ``flags`` reach it (``-inf``: no row)."""
    tops = sorted(flags, reverse=True)
    if allowed >= len(tops):
        return tops[-1]
    above = tops[allowed - 1] if allowed else math.inf
    below = tops[allowed]
    if below == -math.inf:
        return above
    return below + 1e-6 if above == math.inf else (above + below) / 2


def calibrate(train: Sequence[Dataset], with_hand: bool, settings: MatchSettings) -> Calibrated:
    """Fit the model on ``train`` and its thresholds at the hand-set score's training operating
    points (as many negatives flagged at review, and at hit, as the hand-set score flags)."""
    extra: Callable[[Row], tuple[float, ...]] = (lambda r: (r.hand / 100.0,)) if with_hand else (lambda r: ())
    weights = (tuple(fit(_samples(train, extra, False), RIDGE)), tuple(fit(_samples(train, extra, True), RIDGE)))
    model = Calibrated(weights, with_hand, 0.0, 1.0)
    negatives = [c for ds in train for c in ds.cases if not c.positive]
    hand = [max((r.hand for r in c.rows), default=0.0) for c in negatives]

    def flagged_at(level: float) -> list[float]:
        # a name's clamped score reaches ``level`` when its logit does and its bound allows it
        return [max((model.logit(r) for r in c.rows if r.bound >= level - 0.05), default=-math.inf) for c in negatives]

    z_rev = _threshold(flagged_at(settings.review), sum(s >= settings.review for s in hand))
    z_hit = _threshold(flagged_at(settings.hit), sum(s >= settings.hit for s in hand))
    return Calibrated(weights, with_hand, z_rev, z_hit)


# -- the command ----------------------------------------------------------------------------------

_KEYS = {
    "slice": ("recall", "false hit", "false rev"),
    "pairs": ("precision", "recall", "F1"),
    "dev": ("recall", "recall@hit", "false rev", "false hit"),
}
_HEADS = {"slice": "recall/false hit/false rev", "pairs": "precision/recall/F1", "dev": "recall/@hit/false rev/hit"}


def recall_at(ds: Dataset, score: Scorer, flagged: int) -> float:
    """Recall at the review threshold at which ``score`` flags ``flagged`` negatives of ``ds``
    (picked on ``ds`` itself: what the best threshold for this slice could give)."""
    tops = sorted((_flagged(c, score) for c in ds.cases if not c.positive), reverse=True)
    t = tops[flagged] + 0.05 if flagged < len(tops) else 0.0
    pos = [_top(c.rows, score) for c in ds.cases if c.positive]
    return sum(top is not None and top.target and s >= t for s, top in pos) / max(1, len(pos))


def report(groups: dict[str, list[Dataset]], models: dict[str, Calibrated], settings: MatchSettings) -> str:
    """Each data set under the hand-set score and each model, side by side; then, per slice, each
    model's recall at the hand-set score's own false-review rate there."""
    rev, hit = settings.review, settings.hit
    scorers: dict[str, Scorer] = {"hand-set": lambda r: r.hand}
    for name, m in models.items():
        scorers[name] = partial(m.score, review=rev, hit=hit)
    lines = []
    for group, sets in groups.items():
        lines.append(f"{group}:")
        for kind in ("slice", "pairs", "dev"):
            chosen = [ds for ds in sets if ds.kind == kind]
            if not chosen:
                continue
            lines.append(f"  {'':<52} " + " ".join(f"{n:<25}" for n in scorers).rstrip() + f"  ({_HEADS[kind]})")
            for ds in chosen:
                n_pos = sum(c.positive for c in ds.cases)
                cells = []
                for score in scorers.values():
                    got = measure(ds, score, rev, hit)
                    cells.append(f"{'/'.join(f'{got[k]:.3f}' for k in _KEYS[kind]):<25}")
                label = f"{ds.name} ({n_pos}+/{len(ds.cases) - n_pos}-)"
                lines.append(f"  {label:<52} " + " ".join(cells).rstrip())
        lines.append("")
    lines.append("Recall at the hand-set score's false-review rate of each slice (threshold picked on the slice):")
    for group, sets in groups.items():
        for ds in sets:
            if ds.kind != "slice" or group == "training":
                continue
            flagged = sum(_flagged(c, scorers["hand-set"]) >= rev for c in ds.cases if not c.positive)
            cells = [f"{n} {recall_at(ds, s, flagged):.3f}" for n, s in scorers.items()]
            lines.append(f"  {ds.name:<52} " + "  ".join(cells))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from benchmarks.slices import HELD_OUT, build_slices
    from exportscreen.commands.eval import PAIRS_FILE, shared_data_dir

    parser = argparse.ArgumentParser(prog="python -m benchmarks.calibrate", description=(__doc__ or "").splitlines()[0])
    default = Path(tempfile.gettempdir()) / "exportscreen-calibration"
    parser.add_argument("slices", type=Path, nargs="?", default=default, help="where the slices are built")
    parser.add_argument("--data", type=Path, default=shared_data_dir())
    args = parser.parse_args(argv)
    settings = MatchSettings()
    pairs_train, pairs_held = pair_data(args.data / PAIRS_FILE)
    groups = {
        "training": [*(slice_data(p) for p in build_slices(args.slices, args.data, TRAINING)), pairs_train],
        "held-out": [*(slice_data(p) for p in build_slices(args.slices, args.data, HELD_OUT)), pairs_held],
        "development (looked at while the hand-set score was tuned)": [
            *(slice_data(p) for p in sorted((args.data.parent / "eval" / "ssb").glob("*.json"))),
            dev_data(args.data.parent / "eval" / "names-dev.yaml", args.data),
        ],
    }
    models = {name: calibrate(groups["training"], hand, settings) for name, hand in LOGISTIC.items()}
    for name, m in models.items():
        names = FEATURES + (("hand_score",) if m.with_hand else ())
        print(f"{name}: logit at review {m.z_review:.3f}, at hit {m.z_hit:.3f}")
        for who, ws in zip(("organisations", "people"), m.weights, strict=True):
            print(f"  {who}: " + ", ".join(f"{n} {w:+.3f}" for n, w in zip(names, ws, strict=True)))
    print()
    print(report(groups, models, settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
