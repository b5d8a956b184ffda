"""``exportscreen match --file`` over a generated party file: ``python -m benchmarks.match_file_bench``.

Options: ``[--smoke] [--names N] [--data DIR] [--no-write]``. The party file (100,000 names by
default, 2,000 with ``--smoke``) is generated deterministically in a temporary directory and never
kept: about 30 % names of the screened lists with realistic noise (typos, zero-width characters,
shuffled words, added legal forms), 50 % clean person names with their nationality (yente's
negative set in ``../shared/data/pairs``), 20 % made-up company names, each with its country
where one is known. Screened against the full CSL plus the bundled lists when the shared data is
there (the bundled lists only with ``--smoke``). Measured in one run, side by side: the command
with ``--workers 2`` and with ``--workers 1`` (the baseline), wall time of the whole command
(start-up, reading and checking the file, loading the lists, matching, writing CSV), and the
start-up alone (the same command over a one-name file) so that the matching rate can be read
without it. The two outputs must be identical row for row. Writes its figures into
``benchmarks/README.md`` under "Party files" unless ``--smoke`` or ``--no-write``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARK = "## Party files"
TARGET = 10_000

_FORMS = ("Co., Ltd.", "GmbH", "LLC", "Inc.", "S.A.", "Ltd", "AG", "SARL", "Pte. Ltd.", "Corporation")
_WORDS = (
    "Acme", "Nordic", "Pacific", "Global", "Precision", "Advanced", "Sensor", "Micro", "Systems", "Solutions",
    "Trading", "Logistics", "Industrial", "Digital", "Optical", "Power", "Energy", "Marine", "Allied", "United",
    "Summit", "Crescent", "Horizon", "Delta", "Alpine", "Harbor", "Silver", "Golden", "Phoenix", "Atlas", "Vector",
    "Quantum", "Fusion", "Green", "River", "Stone", "Bridge", "Valley", "Eagle",
)
_COUNTRIES = ("US", "DE", "FR", "GB", "JP", "KR", "IN", "BR", "CN", "NL", "SE", "IT", "MX", "CA", "AE", "SG")


def _noisy(name: str, rng: random.Random) -> str:
    chars = list(name)
    op = rng.randrange(5)
    pos = rng.randrange(len(chars))
    if op == 0 and len(chars) > 4:
        chars[pos] = rng.choice("abcdefghijklmnopqrstuvwxyz")
    elif op == 1:
        chars.insert(pos, "\u200b")
    elif op == 2:
        words = name.split()
        rng.shuffle(words)
        return " ".join(words)
    elif op == 3:
        return f"{name} {rng.choice(_FORMS)}"
    return "".join(chars)


def _people(data: Path) -> list[tuple[str, str]]:
    """(full name, nationality code) of yente's negative set, nationality left out when unknown."""
    from exportscreen.geo import resolve_country

    path = data / "pairs" / "yente_cgb_negatives_global.csv"
    if not path.is_file():
        return []
    codes: dict[str, str] = {}
    out: list[tuple[str, str]] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            nat = row.get("nationality") or ""
            if nat not in codes:
                try:
                    codes[nat] = resolve_country(nat) if nat.strip() else ""
                except ValueError:
                    codes[nat] = ""
            if row["full_name"].strip():
                out.append((row["full_name"].strip(), codes[nat]))
    return out


def generate(
    n: int, lists: list[Path], data: Path, rng: random.Random, listed_share: float = 0.3
) -> list[tuple[str, str]]:
    """``n`` (name, country) pairs, the same for the same arguments: ``listed_share`` of them noisy
    list names, the rest 5:2 person names and made-up company names."""
    from exportscreen.registry import load_registry

    registry = load_registry(*lists) + load_registry() if lists else load_registry()
    listed = [(e.name, e.country or "") for e in registry.entries]
    people = _people(data)
    out: list[tuple[str, str]] = []
    for _ in range(n):
        roll = rng.random()
        people_end = listed_share + (1 - listed_share) * 5 / 7
        if roll < listed_share or (roll < people_end and not people):
            name, country = rng.choice(listed)
            out.append((_noisy(name, rng), country if rng.random() < 0.6 else ""))
        elif roll < people_end:
            out.append(rng.choice(people))
        else:
            words = " ".join(rng.sample(_WORDS, rng.randint(1, 3)))
            out.append((f"{words} {rng.choice(_FORMS)}", rng.choice(_COUNTRIES)))
    return out


def _write_parties(path: Path, parties: list[tuple[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name", "country"])
        for i, (name, country) in enumerate(parties):
            writer.writerow([f"P{i:07d}", name, country])


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, int]:
    t = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - t
    if proc.returncode not in (0, 1):
        raise SystemExit(f"exportscreen match --file failed (exit {proc.returncode}):\n{proc.stderr}")
    return elapsed, proc.returncode


def run(*, n: int, data: Path, smoke: bool, say: object = print) -> list[str]:
    """Run the benchmark; returns the lines of figures (also passed to ``say``)."""
    lines: list[str] = []

    def emit(text: str) -> None:
        lines.append(text)
        if callable(say):
            say(text)

    csl = data / "csl" / "consolidated_2022-05.csv"
    lists = [csl] if csl.is_file() and not smoke else []
    work = Path(tempfile.mkdtemp(prefix="exportscreen-match-file-"))
    try:
        env = {**os.environ, "EXPORTSCREEN_CACHE_DIR": os.environ.get("EXPORTSCREEN_CACHE_DIR", str(work / "cache"))}
        base = [sys.executable, "-m", "exportscreen", "match", "-q", "--format", "csv"]
        base += [arg for p in lists for arg in ("--lists", str(p))]
        what = "full CSL (2022-05) + bundled lists" if lists else "bundled lists"
        for share in (0.3,) if smoke else (0.3, 0.02):
            parties = generate(n, lists, data, random.Random(17), listed_share=share)
            big, one = work / "parties.csv", work / "one.csv"
            _write_parties(big, parties)
            _write_parties(one, parties[:1])
            _timed([*base, "--file", str(one), "--output", str(work / "warm.csv")], env)  # fills the list cache
            startup, _ = _timed([*base, "--file", str(one), "--output", str(work / "one-out.csv")], env)
            times: dict[int, float] = {}
            for workers in (2, 1):
                out = work / f"out-{workers}.csv"
                cmd = [*base, "--workers", str(workers), "--file", str(big), "--output", str(out)]
                times[workers], _ = _timed(cmd, env)
            same = (work / "out-1.csv").read_bytes() == (work / "out-2.csv").read_bytes()
            with (work / "out-2.csv").open(encoding="utf-8", newline="") as fh:
                rows = list(csv.DictReader(fh))
            matched = len({r["ref"] for r in rows if r["status"] == "match"})
            rate = {w: n / t for w, t in times.items()}
            net = {w: n / max(t - startup, 1e-9) for w, t in times.items()}
            emit(f"match --file of {n:,} generated names, {share:.0%} of them noisy list names ({what}; "
                 f"{matched:,} parties matched, {len(rows):,} CSV rows; 1 and 2 workers identical: {same})")
            emit(f"  2 workers: {times[2]:.2f} s -> {rate[2]:,.0f} names/s end to end (target {TARGET:,}); "
                 f"{net[2]:,.0f} names/s without the {startup:.2f} s start-up")
            emit(f"  1 worker:  {times[1]:.2f} s -> {rate[1]:,.0f} names/s end to end; {net[1]:,.0f} names/s "
                 f"without start-up -> 2 workers {times[1] / times[2]:.2f}x")
            if not same:
                raise SystemExit("the outputs of --workers 1 and --workers 2 differ")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return lines


def write_readme(lines: list[str]) -> None:
    """Replace the figures of the "Party files" section (hand-written ``###`` notes under it stay)."""
    readme = HERE / "README.md"
    old = readme.read_text(encoding="utf-8")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = f"{MARK}\n\nLast run: {stamp} (`python -m benchmarks.match_file_bench`).\n\n```\n" + "\n".join(lines)
    block += "\n```\n\n"
    if MARK not in old:
        readme.write_text(old.rstrip() + "\n\n" + block, encoding="utf-8")
        return
    start = old.index(MARK)
    ends = [k for k in (old.find("\n### ", start), old.find("\n## ", start + 1)) if k >= 0]
    end = min(ends) + 1 if ends else len(old)
    readme.write_text(old[:start] + block + old[end:], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    from exportscreen.commands.eval import shared_data_dir

    parser = argparse.ArgumentParser(prog="python -m benchmarks.match_file_bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="2,000 names against the bundled lists; a few seconds")
    parser.add_argument("--names", type=int, help="how many names (default 100,000; 2,000 with --smoke)")
    parser.add_argument("--data", type=Path, default=shared_data_dir())
    parser.add_argument("--no-write", action="store_true", help="do not write benchmarks/README.md")
    args = parser.parse_args(argv)
    n = args.names or (2_000 if args.smoke else 100_000)
    lines = run(n=n, data=args.data, smoke=args.smoke)
    if not (args.smoke or args.no_write):
        write_readme(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
