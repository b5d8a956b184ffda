"""Run the benchmarks: ``python -m benchmarks [--smoke] [--data DIR] [--no-write]``.

Figures, each next to a baseline measured in the same run:

* match_name latency (p50/p99, one core) over the development queries plus names sampled from
  the lists with realistic noise; baseline: brute-force rapidfuzz WRatio over every name string;
* index recall against the engine's exhaustive mode (every entry exhaustive scores >= review);
* CSL load time; cold and cached matcher build (compiled-index cache);
* peak memory (RSS) with the CSL and bundled lists loaded and compiled;
* the dev-set evaluation (``exportscreen eval``) with both baselines.

Writes ``benchmarks/README.md`` with the date and machine unless ``--no-write`` or ``--smoke``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rapidfuzz import fuzz, process, utils

HERE = Path(__file__).resolve().parent


def _machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def _noisy(name: str, rng: random.Random) -> str:
    chars = list(name)
    op = rng.randrange(4)
    pos = rng.randrange(len(chars))
    if op == 0 and len(chars) > 4:
        chars[pos] = rng.choice("abcdefghijklmnopqrstuvwxyz")
    elif op == 1:
        chars.insert(pos, "\u200b")
    elif op == 2:
        words = name.split()
        rng.shuffle(words)
        return " ".join(words)
    else:
        return name.lower() + " Co., Ltd."
    return "".join(chars)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a few-second run; timings not meaningful")
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("EXPORTSCREEN_SHARED_DATA", "../shared/data")))
    parser.add_argument("--no-write", action="store_true", help="do not rewrite benchmarks/README.md")
    args = parser.parse_args(argv)

    from exportscreen.matching import MatchSettings
    from exportscreen.matching.engine import NameMatcher
    from exportscreen.matching.evaluation import evaluate_dev, format_dev, load_dev_cases
    from exportscreen.registry import load_registry

    settings = MatchSettings()
    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    csl = args.data / "csl" / "consolidated_2022-05.csv"
    cases_path = args.data.parent / "eval" / "names-dev.yaml"
    t0 = time.perf_counter()
    if csl.is_file() and not args.smoke:
        registry = load_registry(csl) + load_registry()
        what = "full CSL (2022-05) + bundled lists"
    else:
        registry = load_registry()
        what = "bundled lists only"
    load_s = time.perf_counter() - t0
    say(f"registry: {what}: {len(registry)} entries, loaded in {load_s:.2f} s")

    with tempfile.TemporaryDirectory() as cache:
        os.environ["EXPORTSCREEN_CACHE_DIR"] = cache
        t0 = time.perf_counter()
        matcher = NameMatcher(registry, floor=settings.review)
        cold_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        NameMatcher(registry, floor=settings.review)
        warm_s = time.perf_counter() - t0
    say(f"matcher build: cold (compile + write cache) {cold_s:.2f} s; from cache {warm_s:.2f} s "
        f"({cold_s / max(warm_s, 1e-9):.1f}x faster)")
    exhaustive = NameMatcher(registry, floor=settings.review, exhaustive=True, use_cache=False)

    rng = random.Random(20221)
    queries: list[str] = []
    countries: list[str | None] = []
    if cases_path.is_file():
        _, cases = load_dev_cases(cases_path)
        queries += [c.query for c in cases]
        countries += [c.country for c in cases]
    n_sample = 50 if args.smoke else 2000
    for i in rng.sample(range(len(registry.entries)), min(n_sample, len(registry.entries))):
        queries.append(_noisy(registry.entries[i].name, rng))
        countries.append(None)
    if args.smoke:
        queries, countries = queries[:100], countries[:100]

    times: list[float] = []
    for q, c in zip(queries, countries, strict=True):
        t = time.perf_counter()
        matcher.search(q, country=c, limit=5, min_score=settings.review)
        times.append(time.perf_counter() - t)
    strings = sorted({s for e in registry.entries for s in (e.name, *e.aliases)})
    processed = [utils.default_process(s) for s in strings]
    base_n = 20 if args.smoke else 200
    base_times: list[float] = []
    for q in queries[:base_n]:
        t = time.perf_counter()
        process.extractOne(utils.default_process(q), processed, scorer=fuzz.WRatio, processor=None)
        base_times.append(time.perf_counter() - t)
    p50, p99 = 1000 * statistics.median(times), 1000 * _pct(times, 0.99)
    b50 = 1000 * statistics.median(base_times)
    say(f"match_name over {len(queries)} queries (one core): p50 {p50:.3f} ms, p99 {p99:.3f} ms; "
        f"brute-force WRatio p50 {b50:.1f} ms over {len(base_times)} queries -> {b50 / p50:.0f}x faster at p50")

    ex_n = 30 if args.smoke else len(queries)
    found = expected = 0
    ex_times: list[float] = []
    for q, c in list(zip(queries, countries, strict=True))[:ex_n]:
        t = time.perf_counter()
        full = {x.entry_index for x in exhaustive.search(q, country=c, limit=None, min_score=settings.review)}
        ex_times.append(time.perf_counter() - t)
        fast = {x.entry_index for x in matcher.search(q, country=c, limit=None, min_score=settings.review)}
        expected += len(full)
        found += len(full & fast)
    say(f"index recall vs exhaustive over {ex_n} queries: {found}/{expected} = "
        f"{found / max(expected, 1):.3f}; exhaustive p50 {1000 * statistics.median(ex_times):.1f} ms "
        f"({statistics.median(ex_times) / (p50 / 1000):.0f}x the index)")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    say(f"peak RSS: {peak_mb:.0f} MB (registry, indexed and exhaustive matchers, baseline strings)")

    if cases_path.is_file() and not args.smoke:
        _, cases = load_dev_cases(cases_path)
        say()
        say(format_dev(evaluate_dev(matcher, cases, settings)))

    if not (args.smoke or args.no_write):
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        body = "\n".join(lines)
        (HERE / "README.md").write_text(
            "# Benchmarks\n\nRun `python -m benchmarks` from the repository root (needs `../shared/data`, or set "
            "`EXPORTSCREEN_SHARED_DATA`); `python -m benchmarks --smoke` is the few-second run `.ci/run` uses "
            "(timings not meaningful there). Every figure is printed next to a baseline measured in the same "
            "run. Figures for screen() and `exportscreen check` are not measured here yet.\n\n"
            f"Last run: {stamp} on {_machine()}.\n\n```\n{body}\n```\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
