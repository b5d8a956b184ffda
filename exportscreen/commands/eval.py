"""``exportscreen eval``: measure name matching on the labelled development set, against baselines.

Prints recall, top-1 and false alarms (at review and at hit), overall and per case kind, for
exportscreen and, in the same run, for two plain rapidfuzz baselines at their best thresholds
(see ``exportscreen.matching.evaluation``), then F1 on nomenklatura's name pairs.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from exportscreen.matching import MatchSettings, build_matcher
from exportscreen.matching.evaluation import (
    evaluate_dev,
    evaluate_pairs,
    format_dev,
    format_pairs,
    load_dev_cases,
    load_pair_cases,
)
from exportscreen.matching.slices import (
    BASELINE_THRESHOLDS,
    SliceResult,
    evaluate_slice,
    evaluate_slice_baseline,
    format_slices,
    load_slice,
    slice_registry,
)
from exportscreen.registry import load_registry

__all__ = ["PAIRS_FILE", "register", "run", "run_slices", "shared_data_dir"]

EXIT_OK = 0
EXIT_ERROR = 2
_DEFAULTS = MatchSettings()
PAIRS_FILE = "pairs/nomenklatura_name_bench_cases.csv"


def shared_data_dir() -> Path:
    """The shared data directory: ``$EXPORTSCREEN_SHARED_DATA``, else ``../shared/data``."""
    env = os.environ.get("EXPORTSCREEN_SHARED_DATA")
    return Path(env) if env else Path("../shared/data")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "eval",
        help="measure name matching on labelled cases, next to two rapidfuzz baselines",
        description="Exit 0: measured; 2: the cases or lists could not be read.",
    )
    p.add_argument(
        "--data",
        type=Path,
        default=None,
        help="shared data directory (default: $EXPORTSCREEN_SHARED_DATA, else ../shared/data)",
    )
    p.add_argument("--cases", type=Path, help="development cases (default: DATA/../eval/names-dev.yaml)")
    p.add_argument("--lists", nargs="+", metavar="PATH", help="lists to match against (default: the cases' registry)")
    p.add_argument("--no-bundled", action="store_true", help="do not add the bundled lists")
    p.add_argument("--pairs", type=Path, help=f"labelled name pairs (default: DATA/{PAIRS_FILE}); 'none' to skip")
    p.add_argument(
        "--slices",
        nargs="+",
        metavar="FILE",
        help="perturbation slices (default: DATA/../eval/ssb/*.json); 'none' to skip",
    )
    p.add_argument("--no-dev", action="store_true", help="skip the development set")
    p.add_argument("--hit", type=float, default=_DEFAULTS.hit, help="hit threshold (default %(default)s)")
    p.add_argument("--review", type=float, default=_DEFAULTS.review, help="review threshold (default %(default)s)")
    p.add_argument("--no-baselines", action="store_true", help="measure exportscreen only")
    p.add_argument("--misses", action="store_true", help="list exportscreen's misses and false alarms")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    data = args.data or shared_data_dir()
    cases_path = args.cases or data.parent / "eval" / "names-dev.yaml"
    try:
        settings = MatchSettings(hit=args.hit, review=args.review)
    except ValueError as exc:
        print(f"exportscreen eval: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if not args.no_dev:
        registry_rel, cases = load_dev_cases(cases_path)
        lists = [Path(p) for p in args.lists] if args.lists else [data / registry_rel]
        registry = load_registry(*lists)
        if not args.no_bundled:
            registry = registry + load_registry()
        matcher = build_matcher(registry, settings=settings)
        results = evaluate_dev(matcher, cases, settings, baselines=not args.no_baselines)
        print(f"lists: {', '.join(str(p) for p in lists)}{'' if args.no_bundled else ' + bundled'}")
        print(f"cases: {cases_path} ({len(cases)})\n")
        print(format_dev(results, show_misses=args.misses))
    slices = args.slices or sorted((data.parent / "eval" / "ssb").glob("*.json"))
    if [str(x) for x in slices] != ["none"]:
        print()
        print(format_slices(run_slices([Path(x) for x in slices], settings, baselines=not args.no_baselines)))
    pairs_path = args.pairs or data / PAIRS_FILE
    if str(pairs_path) != "none":
        pairs = load_pair_cases(pairs_path)
        print()
        print(format_pairs(evaluate_pairs(pairs, settings), len(pairs)))
    return EXIT_OK


def run_slices(paths: list[Path], settings: MatchSettings, *, baselines: bool = True) -> list[SliceResult]:
    """exportscreen and (unless ``baselines=False``) every baseline on each slice file."""
    out: list[SliceResult] = []
    for path in paths:
        s = load_slice(path)
        registry = slice_registry(s)
        matcher = build_matcher(registry, settings=settings, use_cache=False)
        out.append(evaluate_slice(matcher, registry, s, settings))
        if baselines:
            out += [evaluate_slice_baseline(name, s) for name in BASELINE_THRESHOLDS]
    return out
