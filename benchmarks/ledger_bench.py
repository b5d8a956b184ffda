"""Decision ledger benchmark: ``python -m benchmarks.ledger_bench [--smoke] [-n N] [--write]``.

Appends N (default 100,000) decisions as one run to a fresh ledger (the example transactions,
screened once, under distinct ids), twice: the first run also stores the registry snapshot, the
second only appends. Reports decisions/s of ``Ledger.record()`` (serialising, hashing and writing
included; screening is not), the bytes per decision the second run added to the checkpointed file,
and the time ``latest_parties()`` takes over the result. Target: >= 5,000 decisions/s.
``--write`` puts the figures under "## Ledger" in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

import yaml

from benchmarks.readme import machine

HERE = Path(__file__).resolve().parent
MARK = "## Ledger"
TARGET = 5000


def _pairs(n: int) -> tuple[object, list[tuple[object, object]]]:
    from exportscreen.screener import Screener, validate_transaction

    screener = Screener()
    base = []
    for path in sorted((HERE.parent / "examples" / "transactions").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for raw in data if isinstance(data, list) else [data]:
            tx = validate_transaction(raw)
            base.append((tx, screener.screen(tx)))
    out = []
    for i in range(n):
        tx, decision = base[i % len(base)]
        new_id = f"{tx.id}-{i:07d}"
        out.append((tx.model_copy(update={"id": new_id}), decision.model_copy(update={"transaction_id": new_id})))
    return screener.registry, out


def _size(path: Path) -> int:
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return path.stat().st_size


def run(n: int) -> list[str]:
    """The benchmark's report lines."""
    from exportscreen.ledger import Ledger

    registry, pairs = _pairs(n)
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="exportscreen-ledger-bench-") as tmp:
        path = Path(tmp) / "bench.db"
        with Ledger(path) as ledger:
            t = time.perf_counter()
            ledger.record(pairs, command="check", registry=registry, as_of=None)  # type: ignore[arg-type]
            first = time.perf_counter() - t
            before = _size(path)
            t = time.perf_counter()
            ledger.record(pairs, command="check", registry=registry, as_of=None)  # type: ignore[arg-type]
            second = time.perf_counter() - t
            after = _size(path)
            t = time.perf_counter()
            parties = sum(1 for _ in ledger.latest_parties())
            read = time.perf_counter() - t
    rate = n / second
    lines.append(
        f"ledger append of {n:,} decisions (one run): {rate:,.0f} decisions/s (target {TARGET:,}); "
        f"first run, storing the registry snapshot of {len(registry):,} entries too: {n / first:,.0f} decisions/s"  # type: ignore[arg-type]
    )
    lines.append(
        f"ledger size: {(after - before) / n:,.0f} bytes per decision (Decision + transaction JSON, parties, "
        f"indexes); file {after / 1e6:,.0f} MB after {2 * n:,} decisions"
    )
    lines.append(f"latest_parties() over {2 * n:,} decisions: {parties:,} parties in {read:.2f} s")
    return lines


def write_readme(lines: list[str]) -> None:
    import datetime as dt

    readme = HERE / "README.md"
    old = readme.read_text(encoding="utf-8")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = (
        f"{MARK}\n\n`python -m benchmarks.ledger_bench`. "
        f"Last run: {stamp} on {machine()}.\n\n```\n" + "\n".join(lines) + "\n```\n"
    )
    if MARK in old:
        start = old.index(MARK)
        nxt = old.find("\n## ", start + len(MARK))
        new = old[:start] + block + ("\n" + old[nxt + 1 :] if nxt != -1 else "")
    else:
        new = old.rstrip() + "\n\n" + block
    readme.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ledger_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a quick run of 1,000 decisions; figures not meaningful")
    parser.add_argument("-n", type=int, default=100_000, help="decisions per run (default 100,000)")
    parser.add_argument("--write", action="store_true", help="write the figures to benchmarks/README.md")
    args = parser.parse_args(argv)
    lines = run(1000 if args.smoke else args.n)
    print("\n".join(lines))
    if args.write and not args.smoke:
        write_readme(lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
