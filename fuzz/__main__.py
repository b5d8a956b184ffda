"""``python -m fuzz TARGET --seconds N`` (TARGET: orders, lists, packs, or ci for each in turn)."""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

TARGET_NAMES = ("orders", "lists", "packs")


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m fuzz", description=(__doc__ or "").strip())
    parser.add_argument("target", choices=(*TARGET_NAMES, "ci"))
    parser.add_argument("--seconds", type=int, default=60, help="how long to fuzz (each target, for ci)")
    parser.add_argument("--timeout", type=int, default=10, help="seconds one input may take")
    parser.add_argument("--artifacts", type=Path, help="where failing inputs are written (default: a temp dir)")
    parser.add_argument("--engine", choices=("auto", "atheris", "mutate"), default="auto")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the mutate engine")
    return parser.parse_args(argv)


#: The lines of a target's output that ``ci`` prints when it passes: our own lines, libFuzzer's last
#: status line, its run count and final stats (not its hundreds of progress lines).
_SUMMARY = re.compile(
    r"^(fuzz |#\d+\s+DONE |Done \d+ runs|stat::(number_of_executed_units|new_units_added|peak_rss_mb))"
)


def summary_lines(output: str) -> list[str]:
    """The summary of one target's output (see ``_SUMMARY``)."""
    return [line.rstrip() for line in output.splitlines() if _SUMMARY.match(line)]


def _run_ci(args: argparse.Namespace) -> int:
    """Each target in turn; a passing one prints its summary only, a failing one all its output."""
    failed = []
    for name in TARGET_NAMES:
        cmd = [sys.executable, "-m", "fuzz", name, "--seconds", str(args.seconds), "--timeout", str(args.timeout)]
        cmd += ["--engine", args.engine]
        if args.artifacts:
            cmd += ["--artifacts", str(args.artifacts)]
        print(f"== fuzz {name} for {args.seconds}s", flush=True)
        proc = subprocess.run(cmd, check=False, capture_output=True, text=True, errors="replace")
        if proc.returncode != 0:
            failed.append(name)
            sys.stderr.write(proc.stdout + proc.stderr)
            continue
        for line in summary_lines(proc.stdout + "\n" + proc.stderr):
            print(f"  {line}", flush=True)
    if failed:
        print(f"fuzz: failures in {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _corpus(name: str, seeds: list[Path]) -> Path:
    """A scratch corpus directory holding the seeds (libFuzzer adds what it finds there)."""
    work = Path(tempfile.mkdtemp(prefix=f"exportscreen-fuzz-{name}-corpus-"))
    for i, seed in enumerate(seeds):
        shutil.copyfile(seed, work / f"{i:04d}-{seed.name}")
    return work


def _atheris(args: argparse.Namespace, artifacts: Path) -> int:
    import atheris

    with atheris.instrument_imports(include=["exportscreen"]):
        from fuzz import targets
    target = targets.TARGETS[args.target]
    corpus = _corpus(args.target, targets.seed_files(args.target))

    def one_input(data: bytes) -> None:
        target(data)

    libfuzzer_args = [
        sys.argv[0],
        str(corpus),
        f"-max_total_time={args.seconds}",
        f"-timeout={args.timeout}",
        "-rss_limit_mb=2048",
        "-max_len=262144",
        f"-artifact_prefix={artifacts}{os.sep}",
        "-print_final_stats=1",
    ]
    atheris.Setup(libfuzzer_args, one_input)
    atheris.Fuzz()
    return 0


def _mutate(data: bytes, rnd: random.Random, pool: list[bytes]) -> bytes:
    buf = bytearray(data)
    for _ in range(rnd.randint(1, 8)):
        op = rnd.randrange(5)
        pos = rnd.randrange(len(buf) + 1)
        if op == 0 and buf:
            buf[min(pos, len(buf) - 1)] = rnd.randrange(256)
        elif op == 1:
            buf[pos:pos] = bytes([rnd.choice(b"{}[]:,-'\"&*!#\n \t0123456789.eE")])
        elif op == 2 and buf:
            del buf[pos : pos + rnd.randint(1, 16)]
        elif op == 3 and pool:
            other = rnd.choice(pool)
            start = rnd.randrange(len(other) + 1)
            buf[pos:pos] = other[start : start + rnd.randint(1, 64)]
        elif buf:
            start = rnd.randrange(len(buf))
            buf[pos:pos] = buf[start : start + rnd.randint(1, 32)]
    return bytes(buf)


def _mutate_engine(args: argparse.Namespace, artifacts: Path) -> int:
    """A seeded random byte mutator over the seed corpus: the fallback where atheris does not install."""
    from exportscreen._errors import ExportscreenError  # noqa: F401  (imported before timing starts)
    from fuzz import targets

    target = targets.TARGETS[args.target]
    pool = [p.read_bytes() for p in targets.seed_files(args.target)] or [b""]
    rnd = random.Random(args.seed)
    deadline = time.monotonic() + args.seconds
    runs = 0
    while time.monotonic() < deadline:
        data = _mutate(rnd.choice(pool), rnd, pool)
        started = time.monotonic()
        try:
            target(data)
        except Exception:
            out = artifacts / f"crash-{args.target}-{runs}"
            out.write_bytes(data)
            traceback.print_exc()
            print(f"fuzz {args.target}: crash after {runs} runs; input written to {out}", file=sys.stderr)
            return 1
        if time.monotonic() - started > args.timeout:
            out = artifacts / f"slow-{args.target}-{runs}"
            out.write_bytes(data)
            print(f"fuzz {args.target}: input took over {args.timeout}s; written to {out}", file=sys.stderr)
            return 1
        runs += 1
    print(f"fuzz {args.target}: {runs} runs in {args.seconds}s, no failure (mutate engine)")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    if args.target == "ci":
        return _run_ci(args)
    artifacts = args.artifacts or Path(tempfile.mkdtemp(prefix=f"exportscreen-fuzz-{args.target}-artifacts-"))
    artifacts.mkdir(parents=True, exist_ok=True)
    engine = args.engine
    if engine == "auto":
        try:
            import atheris  # noqa: F401
        except ImportError:
            engine = "mutate"
        else:
            engine = "atheris"
    print(f"fuzz {args.target}: engine {engine}, {args.seconds}s, failing inputs go to {artifacts}", flush=True)
    return _atheris(args, artifacts) if engine == "atheris" else _mutate_engine(args, artifacts)


if __name__ == "__main__":
    sys.exit(main())
