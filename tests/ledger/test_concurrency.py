"""Real processes against one ledger file: concurrent writers both land; a killed writer tears nothing."""

from __future__ import annotations

import os
import pickle
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from exportscreen.ledger import Ledger
from exportscreen.models import Decision, Transaction
from exportscreen.screener import Screener

from .conftest import EXAMPLES, REPO

Pairs = list[tuple[Transaction, Decision]]


def _many(pairs: Pairs, n: int) -> Pairs:
    """``n`` (transaction, decision) pairs made from ``pairs`` under distinct ids."""
    out: Pairs = []
    for i in range(n):
        tx, decision = pairs[i % len(pairs)]
        new_id = f"{tx.id}-{i}"
        out.append((tx.model_copy(update={"id": new_id}), decision.model_copy(update={"transaction_id": new_id})))
    return out


def _blob(tmp_path: Path, screener: Screener, pairs: Pairs) -> Path:
    path = tmp_path / "pairs.pickle"
    path.write_bytes(pickle.dumps((screener.registry, pairs)))
    return path


def _writer(ledger: Path, blob: Path, runs: int, *extra: str, **kw: object) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "tests.ledger._writer", str(ledger), str(blob), str(runs), *extra]
    return subprocess.Popen(argv, cwd=REPO, **kw)  # type: ignore[call-overload, no-any-return]


def test_concurrent_writers_all_land(tmp_path: Path, screener: Screener, pairs: Pairs) -> None:
    ledger_path = tmp_path / "shared.db"  # created by the racing writers themselves
    blob = _blob(tmp_path, screener, _many(pairs, 200))
    procs = [_writer(ledger_path, blob, 8) for _ in range(3)]
    assert [p.wait(timeout=300) for p in procs] == [0, 0, 0]
    with Ledger(ledger_path, create=False) as ledger:
        runs = ledger.runs()
        assert [r.seq for r in runs] == list(range(1, 25))
        assert all(r.decisions == 200 for r in runs)
        assert all(len(list(ledger.decisions(r.run_id))) == 200 for r in runs[::5])
        assert ledger.registry_versions() == [screener.registry.version]
    con = sqlite3.connect(ledger_path)
    assert con.execute("SELECT count(*) FROM decisions").fetchone()[0] == 24 * 200
    con.close()


def test_two_check_commands_at_once(tmp_path: Path) -> None:
    ledger_path = tmp_path / "same.db"
    argv = [sys.executable, "-m", "exportscreen", "check", str(EXAMPLES / "orders"), "-q", "--ledger", str(ledger_path)]
    procs = [
        subprocess.Popen(argv, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    errors = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [1, 1], errors
    with Ledger(ledger_path, create=False) as ledger:
        runs = ledger.runs()
        assert sorted(r.seq for r in runs) == [1, 2] and len({r.run_id for r in runs}) == 2
        assert [r.command for r in runs] == ["check", "check"]
        for r in runs:
            assert r.decisions == 11 and len(list(ledger.decisions(r.run_id))) == 11


def test_killed_writer_leaves_no_partial_run(tmp_path: Path, screener: Screener, pairs: Pairs) -> None:
    ledger_path = tmp_path / "killed.db"
    with Ledger(ledger_path) as ledger:
        first = ledger.record(pairs, command="check", registry=screener.registry, as_of=None)
    blob = _blob(tmp_path, screener, _many(pairs, 5000))
    read_fd, write_fd = os.pipe()
    proc = _writer(ledger_path, blob, 1, str(write_fd), pass_fds=(write_fd,), stdin=subprocess.PIPE)
    os.close(write_fd)
    try:
        assert os.read(read_fd, 1) == b"w"  # 1,000 decision rows are in its open transaction
        probe = sqlite3.connect(ledger_path, timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            probe.execute("BEGIN IMMEDIATE")  # it holds the write lock
        probe.close()
        proc.kill()
        assert proc.wait(timeout=60) == -9
    finally:
        os.close(read_fd)
        if proc.stdin is not None:
            proc.stdin.close()
    with Ledger(ledger_path, create=False) as ledger:
        assert ledger.runs() == [first]
        assert [d.transaction_id for d in ledger.decisions(first.run_id)] == [tx.id for tx, _ in pairs]
        again = ledger.record(pairs[:2], command="check", registry=screener.registry, as_of=None)
        assert again.seq == 2
    con = sqlite3.connect(ledger_path)
    assert con.execute("SELECT count(*) FROM decisions").fetchone()[0] == len(pairs) + 2
    assert con.execute("SELECT count(*) FROM parties WHERE run_seq > 2").fetchone()[0] == 0
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
