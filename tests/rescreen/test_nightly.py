"""examples/nightly/nightly.sh end to end: a loopback server stands in for the list publisher; Monday's
list is downloaded and orders checked into the ledger, Friday's list is published, the nightly job
exits 1 (something got worse) with its JUnit and HTML reports; a failed download is exit 2."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NIGHTLY = REPO / "examples" / "nightly"
EXPORTSCREEN = str(Path(sys.executable).with_name("exportscreen"))


@pytest.fixture
def publisher(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    www = tmp_path / "www"
    www.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(www))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield www, server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _env(tmp_path: Path, port: int) -> dict[str, str]:
    (tmp_path / "lists.yaml").write_text(
        "sources:\n  - name: blocked\n"
        f"    url: http://127.0.0.1:{port}/blocked.yaml\n    dest: blocked.yaml\n    format: exportscreen\n",
        encoding="utf-8",
    )
    config = "format: exportscreen-config/1\nlists:\n  - path: blocked.yaml\n"
    (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    return {
        **os.environ,
        "EXPORTSCREEN_CONFIG": str(tmp_path / "config.yaml"),
        "EXPORTSCREEN_DATA_DIR": str(tmp_path / "data"),
        "LEDGER": str(tmp_path / "ledger.db"),
        "LISTS_CONFIG": str(tmp_path / "lists.yaml"),
        "REPORTS": str(tmp_path / "reports"),
        "BASELINE": str(tmp_path / "no-baseline.yaml"),
        "EXPORTSCREEN": EXPORTSCREEN,
        "REQUIRE_LISTS": "EL,MEU,X-BLOCKED",
    }


def _run(args: list[str], env: dict[str, str]) -> int:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=600, check=False).returncode


@pytest.mark.slow
def test_nightly_job_exit_codes(tmp_path: Path, publisher: tuple[Path, int]) -> None:
    www, port = publisher
    env = _env(tmp_path, port)
    shutil.copy(NIGHTLY / "blocked-v1.yaml", www / "blocked.yaml")
    assert _run([EXPORTSCREEN, "lists", "update", "--config", env["LISTS_CONFIG"]], env) == 0
    assert _run([EXPORTSCREEN, "check", str(NIGHTLY / "orders.yaml"), "--ledger", env["LEDGER"], "-q"], env) == 1
    shutil.copy(NIGHTLY / "blocked-v2.yaml", www / "blocked.yaml")
    assert _run(["bash", str(NIGHTLY / "nightly.sh")], env) == 1
    reports = tmp_path / "reports"
    assert 'name="SO-1002"' in (reports / "rescreen.xml").read_text(encoding="utf-8")
    assert "SO-1002" in (reports / "rescreen.html").read_text(encoding="utf-8")
    assert _run(["bash", str(NIGHTLY / "nightly.sh")], env) == 0  # recorded: nothing worse since
    (www / "blocked.yaml").write_text("<html>outage</html>", encoding="utf-8")
    assert _run(["bash", str(NIGHTLY / "nightly.sh")], env) == 2
