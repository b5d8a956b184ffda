"""The hostile-input corpus (tests/hostile/): every malformed order, list and pack fails closed.

Each case in ``tests/hostile/cases.yaml`` runs through the real command line: orders with
``screen FILE``, list files with ``screen GOOD_ORDER --lists FILE``, rule packs with
``screen GOOD_ORDER --pack FILE``. An error case must exit 2, name the file, the location and the
problem, and print no less_risky verdict; an accepted case must give its verdict. Cases that set
environment variables (the named limits are read once, at import) run in a subprocess.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from exportscreen.cli import main

TESTS = Path(__file__).resolve().parent
HOSTILE = TESTS / "hostile"
GOOD_ORDER = TESTS / "data" / "good" / "less_risky.json"


def _load_make_index() -> ModuleType:
    spec = importlib.util.spec_from_file_location("hostile_make_index", HOSTILE / "make_index.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


make_index = _load_make_index()
CASES = make_index.load_cases()


def _argv(kind: str, path: Path) -> list[str]:
    if kind == "orders":
        return ["screen", str(path)]
    if kind == "lists":
        return ["screen", str(GOOD_ORDER), "--lists", str(path)]
    return ["screen", str(GOOD_ORDER), "--pack", str(path)]


def _padded(path: Path, size: int, tmp_path: Path) -> Path:
    """A copy of ``path`` (and any mapping beside it) grown past ``size`` bytes with a YAML comment."""
    copy = tmp_path / path.name
    data = path.read_bytes()
    copy.write_bytes(data + b"# " + b"x" * max(0, size - len(data)) + b"\n")
    return copy


def run_case(case: make_index.Case, tmp_path: Path) -> tuple[int, str, str]:
    path = HOSTILE / case.file
    if case.pad_to:
        path = _padded(path, case.pad_to, tmp_path)
    argv = _argv(case.kind, path)
    if case.env:
        env = {**os.environ, **case.env}
        proc = subprocess.run(
            [sys.executable, "-m", "exportscreen", *argv], capture_output=True, text=True, env=env, check=False
        )
        return proc.returncode, proc.stdout, proc.stderr
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_hostile_case(case: make_index.Case, tmp_path: Path) -> None:
    code, out, err = run_case(case, tmp_path)
    assert "Traceback" not in err, err
    if case.expect == "accepted":
        assert code == (0 if case.verdict == "less_risky" else 1), err
        assert f": {case.verdict.upper()} " in out, out
        assert "error" not in err, err
        return
    assert code == 2, f"exit {code}\nstdout: {out}\nstderr: {err}"
    # no verdict of less risky (the bundled DPL's stale-lists warning, a less_risky reason, is not one)
    verdicts = "\n".join(line for line in out.splitlines() if "stale-lists" not in line)
    assert "LESS_RISKY" not in verdicts and "less_risky" not in verdicts, out
    assert (case.reported_file or Path(case.file).name) in err, err
    if case.location != make_index.WHOLE_FILE:
        assert case.location in err, f"location {case.location!r} not in: {err}"
    assert case.message in err, f"message {case.message!r} not in: {err}"


def test_every_corpus_file_is_a_case_or_a_mapping_beside_one() -> None:
    listed = {c.file for c in CASES}
    on_disk = {str(p.relative_to(HOSTILE)) for kind in make_index.KINDS for p in (HOSTILE / kind).iterdir()}
    support = {f for f in on_disk if f.endswith(".mapping.yaml") and f not in listed}
    for mapping in support:
        stem = mapping.removesuffix(".mapping.yaml")
        assert any(f.startswith(stem + ".") for f in listed), f"{mapping} is beside no case"
    assert on_disk - support == listed, (sorted(on_disk - support - listed), sorted(listed - on_disk))


def test_corpus_covers_orders_lists_and_packs() -> None:
    errors = [c for c in CASES if c.expect == "error"]
    assert len(errors) >= 60
    for kind in make_index.KINDS:
        assert sum(c.kind == kind for c in errors) >= 20, kind


def test_index_is_up_to_date() -> None:
    expected = make_index.render(CASES)
    actual = make_index.INDEX.read_text(encoding="utf-8")
    assert actual == expected, "tests/hostile/INDEX.md is stale: run python tests/hostile/make_index.py"


def test_a_lowered_file_limit_never_refuses_the_bundled_lists(tmp_path: Path) -> None:
    """With a cold cache the bundled lists are read from their files: a user's lowered
    EXPORTSCREEN_MAX_FILE_BYTES refused the 220 kB bundled DPL then, and only then (a cache-state
    dependence that made the over-size cases above fail on a fresh cache)."""
    env = {**os.environ, "EXPORTSCREEN_MAX_FILE_BYTES": "131072", "EXPORTSCREEN_CACHE_DIR": str(tmp_path / "cold")}
    proc = subprocess.run(
        [sys.executable, "-m", "exportscreen", "lists", "info"], capture_output=True, text=True, env=env, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "3,409" in proc.stdout or "3409" in proc.stdout
