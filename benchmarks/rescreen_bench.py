"""Delta re-screen against a full re-screen of the same ledger, measured in one run.

``python -m benchmarks.rescreen_bench [--parties N] [--added K] [--workers W] [--smoke] [--ledger PATH]
[--only delta|full]``

A ledger holds N party rows (``match --file ... --ledger``: a customer master) screened against the
bundled lists. A list update then adds K entries (a customer block list; a few of them are names of
stored parties, exact or misspelt, so there are transitions to find). Timed: the delta re-screen
(``rescreen``), and the full re-screen of every stored party (``rescreen(full=True)``), each with W
worker processes; both must report the same transitions. Filling the ledger is timed too (it is a
full screening against the old lists). Names are generated deterministically; nothing is written
outside a temporary directory, unless ``--ledger PATH`` is given: the ledger is then kept there, and a
ledger already there holding the N parties is reused (the fill is not timed again). ``--only`` times
one of the two (for profiling).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import tempfile
import time
from pathlib import Path

from exportscreen.ledger import Ledger
from exportscreen.ledger.rescreen import rescreen
from exportscreen.registry import load_registry
from exportscreen.screener import Screener

ON = dt.date(2026, 11, 2)
LATER = dt.date(2026, 11, 6)
_SYLLABLES = (
    "ka",
    "lo",
    "mi",
    "ren",
    "tor",
    "vel",
    "das",
    "quin",
    "bor",
    "sel",
    "mar",
    "fen",
    "grav",
    "hul",
    "ost",
    "pra",
    "zel",
    "niv",
    "cor",
    "tam",
    "lis",
    "dor",
    "bel",
    "an",
)
_WORDS = (
    "Trading",
    "Industrial",
    "Electronics",
    "Precision",
    "Logistics",
    "Systems",
    "Components",
    "Instruments",
)
_FORMS = ["Co., Ltd.", "GmbH", "Ltd", "Inc.", "S.A.", "LLC", "AB", "B.V.", "Pte Ltd", ""]
_COUNTRIES = [None, "CN", "DE", "US", "JP", "GB", "FR", "HK"]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def party_names(n: int, seed: int = 2026) -> list[tuple[str, str | None]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        name = f"{_word(rng)} {rng.choice(_WORDS)} {rng.choice(_FORMS)}".strip()
        if rng.random() < 0.3:
            name = f"{_word(rng)} {name}"
        out.append((name, rng.choice(_COUNTRIES)))
    return out


def block_list(path: Path, parties: list[tuple[str, str | None]], added: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    rows = []
    for i in range(added):
        if i % 5 == 0:  # a stored customer is listed (by the exact name, or misspelt)
            name, country = rng.choice(parties)
            if i % 10 == 5:
                name = name.replace("a", "e", 1)
        else:
            name, country = f"{_word(rng)} {_word(rng)} {rng.choice(_WORDS)} Ltd", rng.choice(_COUNTRIES)
        c = f", country: {country}" if country else ""
        rows.append(f"  - {{id: BB-{i}, name: {name!r}{c}}}")
    path.write_text(
        "format: exportscreen-registry/1\n"
        f"source: {{id: bench-block, name: Bench block list, list: X-BENCH, as_of: {LATER.isoformat()}}}\n"
        "entries:\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--parties", type=int, default=1_000_000)
    ap.add_argument("--added", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--smoke", action="store_true", help="2,000 parties, 5 entries: checks it runs")
    ap.add_argument("--ledger", type=Path, help="keep the ledger here; reuse one already there with N parties")
    ap.add_argument("--only", choices=("delta", "full"), help="time only the delta or only the full re-screen")
    args = ap.parse_args(argv)
    n, added = (2000, 5) if args.smoke else (args.parties, args.added)
    parties = party_names(n)
    with tempfile.TemporaryDirectory() as tmp:
        old = Screener(load_registry())
        new = Screener(old.registry + load_registry(block_list(Path(tmp) / "block.yaml", parties, added)))
        path = args.ledger or Path(tmp) / "ledger.db"
        with Ledger(path) as ledger:
            fill: float | None = None
            if ledger.party_count() != n:
                if ledger.party_count():
                    raise SystemExit(f"{path} holds {ledger.party_count():,} parties, not {n:,}")
                started = time.perf_counter()
                found = old.match_many(parties, as_of=ON, workers=args.workers)
                rows = [(f"C-{i:07d}", nm, c, m) for i, ((nm, c), m) in enumerate(zip(parties, found, strict=True))]
                ledger.record_matches(rows, registry=old.registry, as_of=ON)
                fill = time.perf_counter() - started
            size = os.path.getsize(ledger.path)

            delta_s = full_s = 0.0
            delta = full = None
            if args.only != "full":
                started = time.perf_counter()
                delta = rescreen(new, ledger, as_of=LATER, record=False, workers=args.workers)
                delta_s = time.perf_counter() - started
            if args.only != "delta":
                started = time.perf_counter()
                full = rescreen(new, ledger, as_of=LATER, full=True, record=False, workers=args.workers)
                full_s = time.perf_counter() - started
    cpu = platform.processor() or platform.machine()
    print(f"machine: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"parties stored: {n:,}; entries added: {added}; workers: {args.workers}; ledger {size / n:.0f} bytes/party")
    if fill is not None:
        print(f"fill (screen + record, old lists): {fill:.1f} s ({n / fill:,.0f} parties/s)")
    else:
        print(f"fill: reused the ledger at {path}")
    if delta is not None:
        print(
            f"delta re-screen: {delta_s:.2f} s, {delta.stats.parties_rescreened:,} re-screened, "
            f"{delta.stats.transitions} transitions"
        )
    if full is not None:
        print(f"full re-screen:  {full_s:.2f} s, {full.stats.parties_rescreened:,} re-screened")
    if delta is None or full is None:
        return 0
    same = [t.model_dump() for t in delta.transitions] == [t.model_dump() for t in full.transitions]
    print(f"ratio full / delta: {full_s / delta_s:.1f}x; same transitions: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
