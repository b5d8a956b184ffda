"""Run the benchmarks: ``python -m benchmarks [--smoke] [--data DIR] [--no-write] [--quality]``.

Every figure is printed next to a baseline measured in the same run, as a ratio:

* match_name latency (p50/p99, one core) over the development queries plus names sampled from the
  lists with realistic noise, after warming up on other sampled names; baseline: brute-force
  rapidfuzz WRatio over every name string;
* index recall against the engine's exhaustive mode over all those queries (every entry exhaustive
  scores >= review must be returned); baseline: the exhaustive mode's latency;
* a cProfile of the match loop (its headline goes into the README);
* ``Screener.screen()`` of typical transactions (2-4 parties, 1-5 items); baseline: brute-force
  WRatio for the same number of names;
* batch: ``Screener.match_many`` and ``screen_many`` with 2 workers; baseline: 1 worker;
* ``exportscreen match --file`` of 100,000 generated names (``match_file_bench``) with 2 workers;
  baseline: 1 worker;
* cold start of ``exportscreen check`` of one order file, with the bundled lists and with the full
  CSL as ``--lists`` (compiled-index cache warm), and its first run with an empty cache; baseline:
  ``python -c "import pydantic, rapidfuzz, yaml"``;
* ``exportscreen check`` of 1,000 order files; baseline: the one-file check;
* peak RSS with CSL + SDN + bundled lists loaded and compiled; baseline: the bare-import floor;
* CSL load time; cold and cached matcher build.

Writes ``benchmarks/README.md`` with the date and machine unless ``--no-write`` or ``--smoke``. The
quality tables (development set, also with the full nsfreg lists; the development perturbation
slices; held-out slices built in the run, which needs the ``bench`` extra; nomenklatura's pairs;
each next to its baselines) are only rerun with ``--quality``; otherwise the README keeps them.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.quality import full_lists, quality_only, quality_tables
from benchmarks.readme import write_readme
from benchmarks.workload import (
    FLOOR_CMD,
    FLOOR_RSS_SCRIPT,
    RSS_SCRIPT,
    ms,
    noisy,
    order_json,
    pct,
    profile,
    timed_run,
    transactions,
)

HERE = Path(__file__).resolve().parent


@dataclass
class Run:
    """What the parts of one run share: where to write, the lists and queries, and the figures later
    parts compare against."""

    data: Path
    smoke: bool
    full: bool
    work: Path
    env: dict[str, str]
    say: Callable[[str], None]
    registry: Any = None
    matcher: Any = None
    settings: Any = None
    queries: list[str] = field(default_factory=list)
    countries: list[str | None] = field(default_factory=list)
    warmup: list[str] = field(default_factory=list)
    order: list[int] = field(default_factory=list)
    rng: random.Random = field(default_factory=lambda: random.Random(20221))
    p50: float = 0.0
    wratio_p50: float = 0.0
    one_file_s: float = 0.0

    @property
    def csl(self) -> Path:
        return self.data / "csl" / "consolidated_2022-05.csv"

    @property
    def names(self) -> list[str]:
        return self.queries + self.warmup


def main(argv: list[str] | None = None) -> int:
    from exportscreen.commands.eval import shared_data_dir

    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a few-second run; timings not meaningful")
    parser.add_argument("--data", type=Path, default=shared_data_dir())
    parser.add_argument("--no-write", action="store_true", help="do not rewrite benchmarks/README.md")
    parser.add_argument("--quality", action="store_true", help="also rerun the quality tables")
    parser.add_argument(
        "--quality-only", action="store_true", help="rerun only the quality tables (the speed section is kept)"
    )
    args = parser.parse_args(argv)
    if args.quality_only:
        return quality_only(args.data, args.no_write)

    from exportscreen.matching import MatchSettings
    from exportscreen.matching.evaluation import load_dev_cases

    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    work = Path(tempfile.mkdtemp(prefix="exportscreen-bench-"))
    cache = work / "cache"
    cache.mkdir(mode=0o700)
    os.environ["EXPORTSCREEN_CACHE_DIR"] = str(cache)
    smoke: bool = args.smoke
    csl = args.data / "csl" / "consolidated_2022-05.csv"
    run = Run(args.data, smoke, csl.is_file() and not smoke, work, dict(os.environ), say, settings=MatchSettings())
    cases_path = args.data.parent / "eval" / "names-dev.yaml"
    dev_cases = load_dev_cases(cases_path)[1] if cases_path.is_file() else []

    _build(run)
    _pick_queries(run, dev_cases)
    _latency(run)
    _index_recall(run)
    _profile_search(run)
    _screening(run)
    from benchmarks import match_file_bench

    match_file_bench.run(n=2_000 if smoke else 100_000, data=args.data, smoke=smoke, say=say)
    _cold_start(run)
    _many_files(run)
    _memory(run)

    quality: list[str] = []
    if dev_cases and args.quality and not smoke:
        quality.append(quality_tables(args.data, run.matcher, dev_cases, run.settings, work))
        print(quality[-1])
    if not (smoke or args.no_write):
        write_readme(lines, quality)
    shutil.rmtree(work, ignore_errors=True)
    return 0


def _build(run: Run) -> None:
    """Load the lists and build the matcher, cold (compiled and cached) and again from the cache."""
    from exportscreen.matching.engine import NameMatcher
    from exportscreen.registry import load_registry

    t0 = time.perf_counter()
    if run.full:
        run.registry = load_registry(run.csl) + load_registry()
        what = "full CSL (2022-05) + bundled lists"
    else:
        run.registry = load_registry()
        what = "bundled lists only"
    load_s = time.perf_counter() - t0
    run.say(f"registry: {what}: {len(run.registry)} entries, loaded in {load_s:.2f} s")
    t0 = time.perf_counter()
    run.matcher = NameMatcher(run.registry, floor=run.settings.review)
    cold_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    NameMatcher(run.registry, floor=run.settings.review)
    warm_s = time.perf_counter() - t0
    run.say(f"matcher build: cold (compile + write cache) {cold_s:.2f} s; from cache {warm_s:.2f} s "
            f"({cold_s / max(warm_s, 1e-9):.1f}x faster)")


def _pick_queries(run: Run, dev_cases: list[Any]) -> None:
    """The development queries, then list names with noise; other noisy names to warm up on."""
    run.queries += [c.query for c in dev_cases]
    run.countries += [c.country for c in dev_cases]
    n_sample = 50 if run.smoke else 2000
    run.order = list(range(len(run.registry.entries)))
    run.rng.shuffle(run.order)
    for i in run.order[:n_sample]:
        run.queries.append(noisy(run.registry.entries[i].name, run.rng))
        run.countries.append(None)
    n_warm = 20 if run.smoke else 1000
    run.warmup = [noisy(run.registry.entries[i].name, run.rng) for i in run.order[n_sample : n_sample + n_warm]]
    if run.smoke:
        run.queries, run.countries = run.queries[:100], run.countries[:100]


def _search_times(matcher: Any, run: Run) -> list[float]:
    for q in run.warmup:
        matcher.search(q, limit=5, min_score=run.settings.review)
    times: list[float] = []
    for q, c in zip(run.queries, run.countries, strict=True):
        t = time.perf_counter()
        matcher.search(q, country=c, limit=5, min_score=run.settings.review)
        times.append(time.perf_counter() - t)
    return times


def _latency(run: Run) -> None:
    """match_name p50/p99 against brute-force WRatio; then with the full nsfreg lists added."""
    from rapidfuzz import fuzz, process, utils

    from exportscreen.matching.engine import NameMatcher
    from exportscreen.registry import load_registry

    times = _search_times(run.matcher, run)
    strings = sorted({s for e in run.registry.entries for s in (e.name, *e.aliases)})
    processed = [utils.default_process(s) for s in strings]
    base_times: list[float] = []
    for q in run.queries[: 20 if run.smoke else 200]:
        t = time.perf_counter()
        process.extractOne(utils.default_process(q), processed, scorer=fuzz.WRatio, processor=None)
        base_times.append(time.perf_counter() - t)
    run.p50, p99 = statistics.median(times), pct(times, 0.99)
    run.wratio_p50 = b50 = statistics.median(base_times)
    run.say(f"match_name over {len(run.queries)} queries (one core, after {len(run.warmup)} other names): p50 "
            f"{ms(run.p50)} (target 0.25), p99 {ms(p99)} (target 2); brute-force WRatio p50 {b50 * 1000:.1f} ms "
            f"over {len(base_times)} queries -> {b50 / run.p50:.0f}x faster at p50")
    more = full_lists(run.data) if run.full else []
    if more:
        bigger = run.registry + load_registry(*more)
        big_times = _search_times(NameMatcher(bigger, floor=run.settings.review), run)
        run.say(f"match_name with the full nsfreg lists added ({len(bigger)} entries): p50 "
                f"{ms(statistics.median(big_times))}, p99 {ms(pct(big_times, 0.99))} (same queries)")


def _index_recall(run: Run) -> None:
    """Every entry the exhaustive mode scores at review or above must come out of the index."""
    from exportscreen.matching import match_many
    from exportscreen.matching.engine import NameMatcher

    review = run.settings.review
    exhaustive = NameMatcher(run.registry, floor=review, exhaustive=True, use_cache=False)
    ex_n = 30 if run.smoke else len(run.queries)
    by_country: dict[str | None, list[str]] = {}
    for q, c in list(zip(run.queries, run.countries, strict=True))[:ex_n]:
        by_country.setdefault(c, []).append(q)
    found = expected = 0
    misses: list[str] = []
    t = time.perf_counter()
    for c, group in by_country.items():
        results = match_many(exhaustive, group, country=c, limit=None, min_score=review, workers=2)
        for q, want_cands in zip(group, results, strict=True):
            if isinstance(want_cands, Exception):
                continue
            want = {x.entry_index for x in want_cands}
            got = {x.entry_index for x in run.matcher.search(q, country=c, limit=None, min_score=review)}
            expected += len(want)
            found += len(want & got)
            if want - got:
                misses.append(q)
    ex_per_query = 2 * (time.perf_counter() - t) / ex_n
    run.say(f"index recall vs exhaustive over {ex_n} queries: {found}/{expected} = {found / max(expected, 1):.3f} "
            f"(target 1.000); exhaustive about {ex_per_query * 1000:.1f} ms per query and core "
            f"({ex_per_query / run.p50:.0f}x the index p50)")
    for q in misses[:5]:
        run.say(f"  missed for: {q!r}")


def _profile_search(run: Run) -> None:
    from exportscreen.matching.engine import NameMatcher

    prof_n = 50 if run.smoke else 1000
    fresh = NameMatcher(run.registry, floor=run.settings.review)

    def _match_loop() -> None:
        for q, c in zip(run.queries[:prof_n], run.countries[:prof_n], strict=True):
            fresh.search(q, country=c, limit=5, min_score=run.settings.review)

    run.say(f"profile (cProfile, {prof_n} queries on a fresh matcher, top functions by own time):")
    for line in profile(_match_loop, 8):
        run.say(line)


def _screening(run: Run) -> None:
    """screen() latency against brute-force WRatio; match_many and screen_many, 2 workers against 1."""
    from exportscreen.screener import Screener

    screener = Screener(registry=run.registry)
    txs = transactions(run.names, 40 if run.smoke else 1000, random.Random(7))
    for tx in txs[:10]:
        screener.screen(tx)
    s_times: list[float] = []
    for tx in txs:
        t = time.perf_counter()
        screener.screen(tx)
        s_times.append(time.perf_counter() - t)
    s50, s99, b50 = statistics.median(s_times), pct(s_times, 0.99), run.wratio_p50
    mean_parties = statistics.mean(len(tx["parties"]) for tx in txs)
    run.say(f"screen() over {len(txs)} transactions (2-4 parties, 1-5 items, one core): p50 {ms(s50)} (target 1), "
            f"p99 {ms(s99)}; brute-force WRatio for {mean_parties:.1f} names {b50 * mean_parties * 1000:.1f} ms "
            f"-> {b50 * mean_parties / s50:.0f}x faster")
    batch_names = [noisy(run.registry.entries[i].name, run.rng) for i in run.order[: (500 if run.smoke else 20000)]]
    rates: dict[int, float] = {}
    for workers in (1, 2):
        t = time.perf_counter()
        n_out = sum(1 for _ in screener.match_many(batch_names, workers=workers, return_errors=True))
        rates[workers] = n_out / (time.perf_counter() - t)
    run.say(f"match_many over {len(batch_names)} names: 2 workers {rates[2]:,.0f} names/s (target 10,000); "
            f"1 worker {rates[1]:,.0f} names/s ({rates[2] / rates[1]:.2f}x)")
    batch_txs = transactions(batch_names, 100 if run.smoke else 3000, random.Random(11))
    n_names = sum(len(tx["parties"]) for tx in batch_txs)
    tx_rates: dict[int, float] = {}
    for workers in (1, 2):
        t = time.perf_counter()
        for _ in screener.screen_many(batch_txs, workers=workers, return_errors=True):
            pass
        tx_rates[workers] = n_names / (time.perf_counter() - t)
    run.say(f"screen_many over {len(batch_txs)} transactions ({n_names} names): 2 workers {tx_rates[2]:,.0f} "
            f"names/s (target 10,000); 1 worker {tx_rates[1]:,.0f} names/s ({tx_rates[2] / tx_rates[1]:.2f}x)")


def _cold_start(run: Run) -> None:
    """``exportscreen check`` of one order file as a new process, against the bare-import floor."""
    py, env, work = sys.executable, run.env, run.work
    runs = 1 if run.smoke else 7
    one = work / "one.json"
    one.write_text(order_json(transactions(run.names, 1, random.Random(3))[0]), encoding="utf-8")
    check = [py, "-m", "exportscreen", "check", "-q", str(one)]
    # byte-compiled first, as an installed package is (pip compiles on install; with
    # PYTHONDONTWRITEBYTECODE set, a source checkout would be compiled again on every run)
    subprocess.run([py, "-m", "compileall", "-q", str(HERE.parent / "exportscreen")], env=env, check=False)
    subprocess.run(check, env=env, capture_output=True, check=False)  # primes the cache of the bundled lists
    floor_s = timed_run([py, "-c", FLOOR_CMD], env, runs)
    run.one_file_s = bundled_s = timed_run(check, env, runs)
    run.say(f"cold start, check of one order file, bundled lists: {bundled_s:.3f} s; "
            f"python -c \"{FLOOR_CMD}\" {floor_s:.3f} s -> {bundled_s / floor_s:.2f}x the floor (target 3.0x)")
    first_runs: list[float] = []
    for i in range(1 if run.smoke else 3):  # an empty cache each time: load the bundled lists, compile the index
        first_env = {**env, "EXPORTSCREEN_CACHE_DIR": str(work / f"first-run-cache-{i}")}
        t = time.perf_counter()
        subprocess.run(check, env=first_env, capture_output=True, check=False)
        first_runs.append(time.perf_counter() - t)
    first_s = statistics.median(first_runs)
    run.say(f"first run, same check with an empty cache (loads and compiles the bundled lists): {first_s:.2f} s "
            f"(target 3 s) -> {first_s / floor_s:.1f}x the floor")
    if run.full:
        with_csl = [py, "-m", "exportscreen", "check", "-q", "--lists", str(run.csl), "--with-bundled", str(one)]
        t = time.perf_counter()
        subprocess.run(with_csl, env=env, capture_output=True, check=False)
        csl_cold = time.perf_counter() - t
        csl_s = timed_run(with_csl, env, max(3, runs // 2))
        run.say(f"cold start, same check with --lists CSL --with-bundled: {csl_s:.3f} s with the cache "
                f"(+{csl_s - bundled_s:.3f} s over bundled, target +0.5 s); {csl_cold:.2f} s building the cache")


def _many_files(run: Run) -> None:
    n_files = 20 if run.smoke else 1000
    orders = run.work / "orders"
    orders.mkdir()
    for i, tx in enumerate(transactions(run.names, n_files, random.Random(5))):
        (orders / f"order-{i:04d}.json").write_text(order_json(tx), encoding="utf-8")
    many_s = timed_run([sys.executable, "-m", "exportscreen", "check", "-q", str(orders)], run.env, 1)
    run.say(f"check of {n_files} order files, bundled lists: {many_s:.2f} s (target < 10 s); one file "
            f"{run.one_file_s:.3f} s -> {(many_s - run.one_file_s) / max(n_files - 1, 1) * 1000:.2f} ms per extra file")


def _memory(run: Run) -> None:
    """Peak RSS with CSL + SDN + bundled lists in a Screener, against the bare-import floor."""
    import json

    py = sys.executable
    sdn = run.data / "ofac" / "sdn_2024-07-02"
    rss_lists = [str(run.csl), str(sdn)] if run.full and sdn.exists() else []
    cold_env = {**run.env, "EXPORTSCREEN_CACHE_DIR": str(run.work / "rss-cache")}
    out = subprocess.run([py, "-c", RSS_SCRIPT, *rss_lists], env=cold_env, capture_output=True, text=True, check=True)
    cold_rss = json.loads(out.stdout)  # the first run builds and caches the compiled index
    out = subprocess.run([py, "-c", RSS_SCRIPT, *rss_lists], env=cold_env, capture_output=True, text=True, check=True)
    rss = json.loads(out.stdout)
    floor_rss = int(subprocess.run([py, "-c", FLOOR_RSS_SCRIPT], capture_output=True, text=True, check=True).stdout)
    lists_desc = "CSL + SDN + bundled lists" if rss_lists else "bundled lists"
    run.say(f"peak RSS, {lists_desc} ({rss['entries']} entries) loaded in a Screener: {rss['peak_kb'] / 1024:.0f} "
            f"MB (target 250) with the compiled index from the cache; {rss['after_load_kb'] / 1024:.0f} MB after "
            f"loading the lists; bare-import floor {floor_rss / 1024:.0f} MB -> {rss['peak_kb'] / floor_rss:.1f}x "
            f"the floor; {cold_rss['peak_kb'] / 1024:.0f} MB on the first run, which builds the index")


if __name__ == "__main__":
    sys.exit(main())
