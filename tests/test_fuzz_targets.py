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
