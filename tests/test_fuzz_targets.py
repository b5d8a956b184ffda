"""The fuzz targets (fuzz/) on their seed corpus: each seed loads or fails with an ExportscreenError.

This keeps the targets runnable and replays the hostile corpus through them on every test run; the
coverage-guided search itself is ``python -m fuzz TARGET --seconds N`` (see fuzz/__init__.py).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent


def _targets() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_targets", REPO / "fuzz" / "targets.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


targets = _targets()


@pytest.mark.parametrize("name", sorted(targets.TARGETS))
def test_fuzz_target_runs_every_seed(name: str) -> None:
    seeds = targets.seed_files(name)
    assert len(seeds) >= 20
    for seed in seeds:
        targets.TARGETS[name](seed.read_bytes())


@pytest.mark.parametrize("name", sorted(targets.TARGETS))
@pytest.mark.parametrize("data", [b"", b"\x00\xff", b"{", b"- [", "\ufeff".encode(), b"a: " + b"[" * 5000])
def test_fuzz_target_survives_junk(name: str, data: bytes) -> None:
    targets.TARGETS[name](data)


def test_ci_keeps_only_the_summary_of_a_passing_target() -> None:
    spec = importlib.util.spec_from_file_location("fuzz_main", REPO / "fuzz" / "__main__.py")
    assert spec is not None and spec.loader is not None
    fuzz_main = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fuzz_main)
    output = "\n".join(
        [
            "fuzz orders: engine atheris, 20s, failing inputs go to /tmp/x",
            "INFO: Seed: 1234",
            *(f"#{n}\tNEW    cov: 1500 ft: 3000 corp: 90/77Kb exec/s: 200 rss: 69Mb L: 68/20033" for n in range(470)),
            "#644\tDONE   cov: 1504 ft: 3198 corp: 92/77Kb lim: 20033 exec/s: 161 rss: 69Mb",
            "###### Recommended dictionary. ######",
            "Done 644 runs in 21 second(s)",
            "stat::number_of_executed_units: 644",
            "stat::average_exec_per_sec:     161",
            "stat::peak_rss_mb:              69",
        ]
    )
    lines = fuzz_main.summary_lines(output)
    assert lines[0].startswith("fuzz orders:") and len(lines) == 5
    assert "Done 644 runs in 21 second(s)" in lines and not any("NEW" in line for line in lines)
