"""What the speed benchmarks run on: noisy list names, generated transactions, timed subprocesses,
peak memory and a cProfile summary."""

from __future__ import annotations

import cProfile
import io
import json
import pstats
import random
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

FLOOR_CMD = "import pydantic, rapidfuzz, yaml"


def noisy(name: str, rng: random.Random) -> str:
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


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ms(seconds: float) -> str:
    return f"{1000 * seconds:.3f} ms"


def timed_run(cmd: list[str], env: dict[str, str], runs: int, cwd: Path | None = None) -> float:
    """Median wall time of ``runs`` runs of ``cmd`` (its exit code is not checked: check exits 1 on findings)."""
    times: list[float] = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


PEAK = """
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

RSS_SCRIPT = PEAK + """
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

FLOOR_RSS_SCRIPT = FLOOR_CMD + "\n" + PEAK + "\nprint(peak_kb())"

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


def transactions(names: list[str], n: int, rng: random.Random) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(n):
        parties = [
            {"role": _ROLES[j % len(_ROLES)], "name": rng.choice(names)} for j in range(rng.randint(2, 4))
        ]
        items = [dict(rng.choice(_ITEMS)) for _ in range(rng.randint(1, 5))]
        out.append({"id": f"BENCH-{i}", "date": "2026-03-02", "destination": rng.choice(_DESTINATIONS),
                    "parties": parties, "items": items})
    return out


def order_json(tx: dict[str, Any]) -> str:
    return json.dumps(tx, indent=1)


def profile(run: Callable[[], None], top: int) -> list[str]:
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
