"""The real ``pre-commit try-repo`` against this checkout, in a temporary git repository of orders.

pre-commit installs this checkout into its own virtual environment (from the package index), reads
``.pre-commit-hooks.yaml`` and runs the ``exportscreen-check`` hook on the order files given. Under
CI (``CI=true``) a missing pre-commit or git is a failure, never a skip.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from exportscreen.orders import ORDER_SUFFIXES, UNREADABLE_ORDER_SUFFIXES

from .conftest import DATA, REPO


def _require_tools() -> None:
    missing = [
        name
        for name, ok in (("pre-commit", importlib.util.find_spec("pre_commit")), ("git", shutil.which("git")))
        if not ok
    ]
    if missing:
        reason = f"{' and '.join(missing)} not installed (pip install -e '.[dev]')"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    _require_tools()
    home = tmp_path_factory.mktemp("pre-commit-home")
    identity = {k: "exportscreen tests" for k in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME")}
    emails = {k: "tests@example.invalid" for k in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL")}
    return {**os.environ, "PRE_COMMIT_HOME": str(home), **identity, **emails}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def _try_repo(repo: Path, env: dict[str, str], *files: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "exportscreen-check", "--color", "never",
         "--files", *files],
        cwd=repo, env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip


def test_hooks_file_declares_exportscreen_check() -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "exportscreen-check"
    assert hook["entry"] == "exportscreen check"
    assert hook["language"] == "python"
    example = yaml.safe_load((REPO / "examples" / "pre-commit" / ".pre-commit-config.yaml").read_text())
    assert example["repos"][0]["hooks"][0]["id"] == "exportscreen-check"
    readme = (REPO / "README.md").read_text()
    assert "id: exportscreen-check" in readme


@pytest.mark.parametrize(
    ("path", "screened"),
    [
        ("orders/po-1.yaml", True),
        ("orders/PO-1.YAML", True),
        ("exports/orders/ERP_EXPORT.CSV", True),
        ("Orders/po.Json", True),
        ("orders/po.yml", True),
        ("orders/week-10.XLSX", True),
        ("orders/edi/po.xml", True),
        ("notes.json", False),
        ("orders/readme.md", False),
    ],
)
def test_hook_files_pattern_takes_the_extensions_check_reads_in_any_case(path: str, screened: bool) -> None:
    """pre-commit runs the hook on the files its ``files`` pattern finds (``re.search``); ``check``
    reads .YAML and .CSV in a directory, so an upper-case extension must not skip the gate (red team 44, F3)."""
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert (re.search(hook["files"], path) is not None) is screened


def test_hook_files_pattern_names_every_suffix_check_reads_or_refuses() -> None:
    """A spreadsheet committed under orders/ must reach ``check`` (which refuses it, exit 2), not skip the gate."""
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    for suffix in ORDER_SUFFIXES + UNREADABLE_ORDER_SUFFIXES:
        assert re.search(hook["files"], f"orders/po{suffix.upper()}"), suffix


@pytest.mark.slow
def test_try_repo_fails_on_sensitive_and_passes_on_less_risky(tmp_path: Path, env: dict[str, str]) -> None:
    repo = tmp_path / "exports"
    (repo / "orders").mkdir(parents=True)
    _git(repo, "init", "-q")
    shutil.copy(DATA / "sensitive_huawei.json", repo / "orders" / "po-1.json")
    shutil.copy(DATA / "ok_less_risky.yaml", repo / "orders" / "po-2.yaml")
    shutil.copy(DATA / "sensitive_huawei.json", repo / "notes.json")
    _git(repo, "add", ".")

    failed = _try_repo(repo, env, "orders/po-1.json")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "exportscreen check" in failed.stdout and "Failed" in failed.stdout
    assert "orders/po-1.json:2: SENS-1 sensitive entity-list-hit" in failed.stdout

    passed = _try_repo(repo, env, "orders/po-2.yaml")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout

    skipped = _try_repo(repo, env, "notes.json")
    assert skipped.returncode == 0, skipped.stdout + skipped.stderr
    assert "Skipped" in skipped.stdout
