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
import cProfile
import datetime as dt
import io
import json
import os
import platform
import pstats
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
QUALITY_MARK = "## Match quality"
FLOOR_CMD = "import pydantic, rapidfuzz, yaml"


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


def _pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _ms(seconds: float) -> str:
    return f"{1000 * seconds:.3f} ms"


def _timed_run(cmd: list[str], env: dict[str, str], runs: int, cwd: Path | None = None) -> float:
    """Median wall time of ``runs`` runs of ``cmd`` (its exit code is not checked: check exits 1 on findings)."""
    times: list[float] = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


_PEAK = """
def peak_kb():
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork and exec from the (large) benchmark process
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""

_RSS_SCRIPT = _PEAK + """
import json, sys
from exportscreen.registry import load_registry
from exportscreen.screener import Screener
paths = sys.argv[1:]
registry = (load_registry(*paths) + load_registry()) if paths else load_registry()
after_load = peak_kb()
screener = Screener(registry=registry)
for name in ("Huawei Technologies", "Semiconductor Manufacturing International", "Rosoboronexport", "Ali Khamenei"):
    screener.match_name(name)
print(json.dumps({"entries": len(registry), "after_load_kb": after_load, "peak_kb": peak_kb()}))
"""

_FLOOR_RSS_SCRIPT = FLOOR_CMD + "\n" + _PEAK + "\nprint(peak_kb())"

_ITEMS: list[dict[str, Any]] = [
    {"description": "Camera mounting brackets", "eccn": "EAR99"},
    {"description": "Data-center GPU accelerator, 80 GB", "kind": "ic", "tpp": 15832, "die_area_mm2": 814,
     "datacenter": True},
    {"description": "Gaming graphics card", "kind": "ic", "tpp": 2400, "die_area_mm2": 380, "datacenter": False},
    {"description": "Microcontroller, 32-bit", "eccn": "5A992.c"},
    {"description": "Ethernet cable, 2 m", "eccn": "EAR99"},
    {"description": "Rack server with 8 accelerators", "eccn": "4A090.a"},
]
_ROLES = ("purchaser", "intermediate_consignee", "ultimate_consignee", "end_user")
_DESTINATIONS = ("CN", "DE", "JP", "RU", "IR", "AE", "US", "MO", "SG")


def _transactions(names: list[str], n: int, rng: random.Random) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(n):
        parties = [
            {"role": _ROLES[j % len(_ROLES)], "name": rng.choice(names)} for j in range(rng.randint(2, 4))
        ]
        items = [dict(rng.choice(_ITEMS)) for _ in range(rng.randint(1, 5))]
        out.append({"id": f"BENCH-{i}", "date": "2026-03-02", "destination": rng.choice(_DESTINATIONS),
                    "parties": parties, "items": items})
    return out


def _order_json(tx: dict[str, Any]) -> str:
    return json.dumps(tx, indent=1)


def _profile(run: Callable[[], None], top: int) -> list[str]:
    prof = cProfile.Profile()
    prof.enable()
    run()
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:top]  # type: ignore[attr-defined]
    lines = []
    for (path, line, func), (_cc, ncalls, tottime, cumtime, _callers) in rows:
        where = f"{Path(path).name}:{line}({func})" if path != "~" else func
        share = f"{100 * tottime / total:5.1f}% self  {100 * cumtime / total:5.1f}% cum"
        lines.append(f"  {share}  {ncalls:>8} calls  {where}")
    return lines


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
    smoke: bool = args.smoke
    if args.quality_only:
        return _quality_only(args.data, args.no_write)

    from rapidfuzz import fuzz, process, utils

    from exportscreen.matching import MatchSettings, match_many
    from exportscreen.matching.engine import NameMatcher
    from exportscreen.matching.evaluation import load_dev_cases
    from exportscreen.registry import load_registry
    from exportscreen.screener import Screener

    settings = MatchSettings()
    lines: list[str] = []
    quality: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    csl = args.data / "csl" / "consolidated_2022-05.csv"
    sdn = args.data / "ofac" / "sdn_2024-07-02"
    cases_path = args.data.parent / "eval" / "names-dev.yaml"
    full = csl.is_file() and not smoke
    work = Path(tempfile.mkdtemp(prefix="exportscreen-bench-"))
    cache = work / "cache"
    cache.mkdir(mode=0o700)
    os.environ["EXPORTSCREEN_CACHE_DIR"] = str(cache)
    env = dict(os.environ)

    # -- registry and matcher build -------------------------------------------------------------
    t0 = time.perf_counter()
    if full:
        registry = load_registry(csl) + load_registry()
        what = "full CSL (2022-05) + bundled lists"
    else:
        registry = load_registry()
        what = "bundled lists only"
    load_s = time.perf_counter() - t0
    say(f"registry: {what}: {len(registry)} entries, loaded in {load_s:.2f} s")
    t0 = time.perf_counter()
    matcher = NameMatcher(registry, floor=settings.review)
    cold_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    NameMatcher(registry, floor=settings.review)
    warm_s = time.perf_counter() - t0
    say(f"matcher build: cold (compile + write cache) {cold_s:.2f} s; from cache {warm_s:.2f} s "
        f"({cold_s / max(warm_s, 1e-9):.1f}x faster)")

    # -- queries ---------------------------------------------------------------------------------
    rng = random.Random(20221)
    queries: list[str] = []
    countries: list[str | None] = []
    dev_cases = load_dev_cases(cases_path)[1] if cases_path.is_file() else []
    queries += [c.query for c in dev_cases]
    countries += [c.country for c in dev_cases]
    n_sample = 50 if smoke else 2000
    order = list(range(len(registry.entries)))
    rng.shuffle(order)
    for i in order[:n_sample]:
        queries.append(_noisy(registry.entries[i].name, rng))
        countries.append(None)
    warmup = [_noisy(registry.entries[i].name, rng) for i in order[n_sample : n_sample + (20 if smoke else 1000)]]
    if smoke:
        queries, countries = queries[:100], countries[:100]

    # -- match_name latency ----------------------------------------------------------------------
    for q in warmup:
        matcher.search(q, limit=5, min_score=settings.review)
    times: list[float] = []
    for q, c in zip(queries, countries, strict=True):
        t = time.perf_counter()
        matcher.search(q, country=c, limit=5, min_score=settings.review)
        times.append(time.perf_counter() - t)
    strings = sorted({s for e in registry.entries for s in (e.name, *e.aliases)})
    processed = [utils.default_process(s) for s in strings]
    base_n = 20 if smoke else 200
    base_times: list[float] = []
    for q in queries[:base_n]:
        t = time.perf_counter()
        process.extractOne(utils.default_process(q), processed, scorer=fuzz.WRatio, processor=None)
        base_times.append(time.perf_counter() - t)
    p50, p99 = statistics.median(times), _pct(times, 0.99)
    b50 = statistics.median(base_times)
    say(f"match_name over {len(queries)} queries (one core, after {len(warmup)} other names): p50 {_ms(p50)} "
        f"(target 0.25), p99 {_ms(p99)} (target 2); brute-force WRatio p50 {b50 * 1000:.1f} ms over "
        f"{len(base_times)} queries -> {b50 / p50:.0f}x faster at p50")

    full_lists = _full_lists(args.data) if full else []
    if full_lists:
        bigger = registry + load_registry(*full_lists)
        big = NameMatcher(bigger, floor=settings.review)
        for q in warmup:
            big.search(q, limit=5, min_score=settings.review)
        big_times: list[float] = []
        for q, c in zip(queries, countries, strict=True):
            t = time.perf_counter()
            big.search(q, country=c, limit=5, min_score=settings.review)
            big_times.append(time.perf_counter() - t)
        say(f"match_name with the full nsfreg lists added ({len(bigger)} entries): p50 "
            f"{_ms(statistics.median(big_times))}, p99 {_ms(_pct(big_times, 0.99))} (same queries)")
        del big

    # -- recall of the index against the exhaustive mode ------------------------------------------
    exhaustive = NameMatcher(registry, floor=settings.review, exhaustive=True, use_cache=False)
    ex_n = 30 if smoke else len(queries)
    by_country: dict[str | None, list[str]] = {}
    for q, c in list(zip(queries, countries, strict=True))[:ex_n]:
        by_country.setdefault(c, []).append(q)
    found = expected = 0
    misses: list[str] = []
    t = time.perf_counter()
    for c, group in by_country.items():
        results = match_many(exhaustive, group, country=c, limit=None, min_score=settings.review, workers=2)
        for q, want_cands in zip(group, results, strict=True):
            if isinstance(want_cands, Exception):
                continue
            want = {x.entry_index for x in want_cands}
            got = {x.entry_index for x in matcher.search(q, country=c, limit=None, min_score=settings.review)}
            expected += len(want)
            found += len(want & got)
            if want - got:
                misses.append(q)
    ex_per_query = 2 * (time.perf_counter() - t) / ex_n
    say(f"index recall vs exhaustive over {ex_n} queries: {found}/{expected} = {found / max(expected, 1):.3f} "
        f"(target 1.000); exhaustive about {ex_per_query * 1000:.1f} ms per query and core "
        f"({ex_per_query / p50:.0f}x the index p50)")
    for q in misses[:5]:
        say(f"  missed for: {q!r}")
    del exhaustive

    # -- profile ---------------------------------------------------------------------------------
    prof_n = 50 if smoke else 1000
    fresh = NameMatcher(registry, floor=settings.review)

    def _match_loop() -> None:
        for q, c in zip(queries[:prof_n], countries[:prof_n], strict=True):
            fresh.search(q, country=c, limit=5, min_score=settings.review)

    say(f"profile (cProfile, {prof_n} queries on a fresh matcher, top functions by own time):")
    for line in _profile(_match_loop, 8):
        say(line)

    # -- screen() --------------------------------------------------------------------------------
    screener = Screener(registry=registry)
    names = queries + warmup
    txs = _transactions(names, 40 if smoke else 1000, random.Random(7))
    for tx in txs[:10]:
        screener.screen(tx)
    s_times: list[float] = []
    for tx in txs:
        t = time.perf_counter()
        screener.screen(tx)
        s_times.append(time.perf_counter() - t)
    s50, s99 = statistics.median(s_times), _pct(s_times, 0.99)
    mean_parties = statistics.mean(len(tx["parties"]) for tx in txs)
    say(f"screen() over {len(txs)} transactions (2-4 parties, 1-5 items, one core): p50 {_ms(s50)} (target 1), "
        f"p99 {_ms(s99)}; brute-force WRatio for {mean_parties:.1f} names {b50 * mean_parties * 1000:.1f} ms "
        f"-> {b50 * mean_parties / s50:.0f}x faster")

    # -- batch -----------------------------------------------------------------------------------
    batch_names = [_noisy(registry.entries[i].name, rng) for i in order[: (500 if smoke else 20000)]]
    rates: dict[int, float] = {}
    for workers in (1, 2):
        t = time.perf_counter()
        n_out = sum(1 for _ in screener.match_many(batch_names, workers=workers, return_errors=True))
        rates[workers] = n_out / (time.perf_counter() - t)
    say(f"match_many over {len(batch_names)} names: 2 workers {rates[2]:,.0f} names/s (target 10,000); "
        f"1 worker {rates[1]:,.0f} names/s ({rates[2] / rates[1]:.2f}x)")
    batch_txs = _transactions(batch_names, 100 if smoke else 3000, random.Random(11))
    n_names = sum(len(tx["parties"]) for tx in batch_txs)
    tx_rates: dict[int, float] = {}
    for workers in (1, 2):
        t = time.perf_counter()
        for _ in screener.screen_many(batch_txs, workers=workers, return_errors=True):
            pass
        tx_rates[workers] = n_names / (time.perf_counter() - t)
    say(f"screen_many over {len(batch_txs)} transactions ({n_names} names): 2 workers {tx_rates[2]:,.0f} names/s "
        f"(target 10,000); 1 worker {tx_rates[1]:,.0f} names/s ({tx_rates[2] / tx_rates[1]:.2f}x)")
    del screener

    # -- a party file through the command line ------------------------------------------------------
    from benchmarks import match_file_bench

    match_file_bench.run(n=2_000 if smoke else 100_000, data=args.data, smoke=smoke, say=say)

    # -- cold start of exportscreen check ----------------------------------------------------------
    py = sys.executable
    runs = 1 if smoke else 7
    one = work / "one.json"
    one.write_text(_order_json(_transactions(names, 1, random.Random(3))[0]), encoding="utf-8")
    check = [py, "-m", "exportscreen", "check", "-q", str(one)]
    # byte-compiled first, as an installed package is (pip compiles on install; with
    # PYTHONDONTWRITEBYTECODE set, a source checkout would be compiled again on every run)
    subprocess.run([py, "-m", "compileall", "-q", str(HERE.parent / "exportscreen")], env=env, check=False)
    subprocess.run(check, env=env, capture_output=True, check=False)  # primes the cache of the bundled lists
    floor_s = _timed_run([py, "-c", FLOOR_CMD], env, runs)
    bundled_s = _timed_run(check, env, runs)
    say(f"cold start, check of one order file, bundled lists: {bundled_s:.3f} s; "
        f"python -c \"{FLOOR_CMD}\" {floor_s:.3f} s -> {bundled_s / floor_s:.2f}x the floor (target 3.0x)")
    first_runs: list[float] = []
    for i in range(1 if smoke else 3):  # an empty cache each time: load the bundled lists, compile the index
        first_env = {**env, "EXPORTSCREEN_CACHE_DIR": str(work / f"first-run-cache-{i}")}
        t = time.perf_counter()
        subprocess.run(check, env=first_env, capture_output=True, check=False)
        first_runs.append(time.perf_counter() - t)
    first_s = statistics.median(first_runs)
    say(f"first run, same check with an empty cache (loads and compiles the bundled lists): {first_s:.2f} s "
        f"(target 3 s) -> {first_s / floor_s:.1f}x the floor")
    if full:
        with_csl = [py, "-m", "exportscreen", "check", "-q", "--lists", str(csl), "--with-bundled", str(one)]
        t = time.perf_counter()
        subprocess.run(with_csl, env=env, capture_output=True, check=False)
        csl_cold = time.perf_counter() - t
        csl_s = _timed_run(with_csl, env, max(3, runs // 2))
        say(f"cold start, same check with --lists CSL --with-bundled: {csl_s:.3f} s with the cache "
            f"(+{csl_s - bundled_s:.3f} s over bundled, target +0.5 s); {csl_cold:.2f} s building the cache")

    # -- many order files --------------------------------------------------------------------------
    n_files = 20 if smoke else 1000
    orders = work / "orders"
    orders.mkdir()
    for i, tx in enumerate(_transactions(names, n_files, random.Random(5))):
        (orders / f"order-{i:04d}.json").write_text(_order_json(tx), encoding="utf-8")
    many_s = _timed_run([py, "-m", "exportscreen", "check", "-q", str(orders)], env, 1)
    say(f"check of {n_files} order files, bundled lists: {many_s:.2f} s (target < 10 s); one file {bundled_s:.3f} s "
        f"-> {(many_s - bundled_s) / max(n_files - 1, 1) * 1000:.2f} ms per extra file")

    # -- memory ------------------------------------------------------------------------------------
    rss_lists = [str(csl), str(sdn)] if full and sdn.exists() else []
    cold_cache = work / "rss-cache"
    cold_env = {**env, "EXPORTSCREEN_CACHE_DIR": str(cold_cache)}
    out = subprocess.run([py, "-c", _RSS_SCRIPT, *rss_lists], env=cold_env, capture_output=True, text=True, check=True)
    cold_rss = json.loads(out.stdout)  # the first run builds and caches the compiled index
    out = subprocess.run([py, "-c", _RSS_SCRIPT, *rss_lists], env=cold_env, capture_output=True, text=True, check=True)
    rss = json.loads(out.stdout)
    floor_rss = int(subprocess.run([py, "-c", _FLOOR_RSS_SCRIPT], capture_output=True, text=True, check=True).stdout)
    lists_desc = "CSL + SDN + bundled lists" if rss_lists else "bundled lists"
    say(f"peak RSS, {lists_desc} ({rss['entries']} entries) loaded in a Screener: {rss['peak_kb'] / 1024:.0f} MB "
        f"(target 250) with the compiled index from the cache; {rss['after_load_kb'] / 1024:.0f} MB after loading "
        f"the lists; bare-import floor {floor_rss / 1024:.0f} MB -> {rss['peak_kb'] / floor_rss:.1f}x the floor; "
        f"{cold_rss['peak_kb'] / 1024:.0f} MB on the first run, which builds the index")

    if dev_cases and args.quality and not smoke:
        quality.append(_quality(args.data, matcher, dev_cases, settings, work))
        print(quality[-1])

    if not (smoke or args.no_write):
        _write_readme(lines, quality)
    shutil.rmtree(work, ignore_errors=True)
    return 0


def _full_lists(data: Path) -> list[Path]:
    """The nsfreg July 2026 lists (full Entity List, MEU, DPL, 1260H, NS-CMIC) as custom lists."""
    nsfreg = data / "nsfreg_2026-07"
    if not nsfreg.is_dir():
        return []
    return sorted((HERE.parent / "examples" / "lists" / "nsfreg").glob("*.mapping.yaml"))


def _quality(data: Path, matcher: Any, dev_cases: Any, settings: Any, work: Path) -> str:
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
    full = _full_lists(data)
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


def _quality_only(data: Path, no_write: bool) -> int:
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
    table = _quality(data, matcher, cases, settings, work)
    print(table)
    if not no_write:
        readme = HERE / "README.md"
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        block = _quality_block(table, stamp)
        readme.write_text(_with_section(readme.read_text(encoding="utf-8"), QUALITY_MARK, block), encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)
    return 0


_INTRO = (
    "# Benchmarks\n\n"
    "Run `python -m benchmarks` from the repository root (needs `../shared/data`, or set "
    "`EXPORTSCREEN_SHARED_DATA`; about ten minutes, most of it the exhaustive reference). "
    "`python -m benchmarks --smoke` is the few-second run `.ci/run` uses (timings not meaningful there); "
    "`python -m benchmarks --quality` also reruns the quality tables below (install the `bench` extra for the "
    "held-out slices). Every figure is printed next to its target and a baseline measured in the same run.\n\n"
)


def _quality_block(table: str, stamp: str) -> str:
    """The quality section: when and where its tables were measured, then the tables."""
    return f"{QUALITY_MARK}\n\nRun: {stamp} on {_machine()}.\n\n```\n{table}\n```"


def _with_section(text: str, heading: str, block: str, *, first: bool = False) -> str:
    """``text`` (a README) with its ``heading`` section replaced by ``block`` in place, else added
    (before the other sections with ``first``, else at the end); every other section is kept as it is."""
    starts = [i + 1 for i in range(len(text)) if text.startswith("\n## ", i)]
    preamble = text[: starts[0]] if starts else text
    sections = [text[a:b].rstrip() + "\n\n" for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    block = block.rstrip() + "\n\n"
    found = [i for i, sec in enumerate(sections) if sec.split("\n", 1)[0] == heading]
    if found:
        sections[found[0]] = block
    elif first:
        sections.insert(0, block)
    else:
        sections.append(block)
    return (preamble.rstrip() + "\n\n" + "".join(sections)).rstrip() + "\n"


def _write_readme(lines: list[str], quality: list[str]) -> None:
    """Rewrite the speed section (and the quality section when ``quality``); every other section
    (profile notes, party files, the ledger and Dask figures of the other benchmarks) is kept."""
    readme = HERE / "README.md"
    old = readme.read_text(encoding="utf-8") if readme.exists() else ""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = "\n".join(lines)
    text = _INTRO + old[old.index("\n## ") + 1 :] if "\n## " in old else _INTRO
    text = _with_section(
        text,
        "## Speed and memory",
        f"## Speed and memory\n\nLast run: {stamp} on {_machine()}.\n\n```\n{body}\n```",
        first=True,
    )
    if quality:
        text = _with_section(text, QUALITY_MARK, _quality_block(quality[0], stamp))
    readme.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
