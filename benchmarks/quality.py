"""The quality tables of ``python -m benchmarks --quality`` (and ``--quality-only``)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.readme import QUALITY_MARK, README, quality_block, with_section

REPO = Path(__file__).resolve().parent.parent


def full_lists(data: Path) -> list[Path]:
    """The nsfreg July 2026 lists (full Entity List, MEU, DPL, 1260H, NS-CMIC) as custom lists."""
    nsfreg = data / "nsfreg_2026-07"
    if not nsfreg.is_dir():
        return []
    return sorted((REPO / "examples" / "lists" / "nsfreg").glob("*.mapping.yaml"))


def quality_tables(data: Path, matcher: Any, dev_cases: Any, settings: Any, work: Path) -> str:
    """The quality tables: development set (CSL + bundled, then with the full nsfreg lists added),
    the development perturbation slices, held-out slices built here (other entities, lists and
    seeds; never tuned on) and nomenklatura's pairs, each next to the baselines of the same run."""
    from exportscreen.commands.eval import PAIRS_FILE, run_slices
    from exportscreen.matching.engine import NameMatcher
    from exportscreen.matching.evaluation import (
        evaluate_dev,
        evaluate_pairs,
        format_dev,
        format_pairs,
        load_pair_cases,
    )
    from exportscreen.matching.slices import format_slices
    from exportscreen.registry import load_registry

    parts = [format_dev(evaluate_dev(matcher, dev_cases, settings))]
    full = full_lists(data)
    if full:
        bigger = matcher.registry + load_registry(*full)
        big = NameMatcher(bigger, floor=settings.review)
        (result,) = evaluate_dev(big, dev_cases, settings, baselines=False)
        parts.append(
            f"With the full nsfreg lists added ({len(bigger)} entries): "
            + format_dev([result]).split("\n", 2)[2].split("\n\n")[0]
        )
    dev_slices = sorted((data.parent / "eval" / "ssb").glob("*.json"))
    if dev_slices:
        tables = format_slices(run_slices(dev_slices, settings))
        parts.append("Development slices (looked at while tuning):\n\n" + tables)
    try:
        from benchmarks.slices import build_held_out

        held = build_held_out(work / "held-out", data)
    except ImportError:
        parts.append("Held-out slices: not built (pip install -e '.[bench]' for sanctions-screening-benchmark)")
    else:
        parts.append(
            "Held-out slices (built by `python -m benchmarks.slices`, never tuned on):\n\n"
            + format_slices(run_slices(held, settings))
        )
    pairs_path = data / PAIRS_FILE
    if pairs_path.is_file():
        pairs = load_pair_cases(pairs_path)
        parts.append(format_pairs(evaluate_pairs(pairs, settings), len(pairs)))
    return "\n\n".join(parts)


def quality_only(data: Path, no_write: bool) -> int:
    """``--quality-only``: the quality tables alone, written into the README's quality section."""
    from exportscreen.matching import MatchSettings
    from exportscreen.matching.engine import NameMatcher
    from exportscreen.matching.evaluation import load_dev_cases
    from exportscreen.registry import load_registry

    settings = MatchSettings()
    work = Path(tempfile.mkdtemp(prefix="exportscreen-quality-"))
    cache = work / "cache"
    cache.mkdir(mode=0o700)
    os.environ["EXPORTSCREEN_CACHE_DIR"] = str(cache)
    registry = load_registry(data / "csl" / "consolidated_2022-05.csv") + load_registry()
    matcher = NameMatcher(registry, floor=settings.review)
    cases = load_dev_cases(data.parent / "eval" / "names-dev.yaml")[1]
    table = quality_tables(data, matcher, cases, settings, work)
    print(table)
    if not no_write:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        block = quality_block(table, stamp)
        README.write_text(with_section(README.read_text(encoding="utf-8"), QUALITY_MARK, block), encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)
    return 0
