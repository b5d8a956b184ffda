"""Helpers for the ``exportscreen check`` tests: data paths and a runner over ``cli.main``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from exportscreen.cli import main

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Run:
    """``run_cli("check", path, ...)`` -> (exit code, stdout, stderr)."""

    def _run(*argv: str | Path) -> tuple[int, str, str]:
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return _run
