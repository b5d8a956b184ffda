"""exportscreen lists diff: exit 0 same, 1 differences, 2 cannot load; JSON; a real CSL edit; ledger versions."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from exportscreen.cli import main
from exportscreen.registry import load_registry
from tests.registry.test_diff import HEAD, NEW, OLD


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text(HEAD % "s" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_exit_codes_and_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = _write(tmp_path / "old.yaml", OLD), _write(tmp_path / "new.yaml", NEW)
    assert main(["lists", "diff", str(old), str(old)]) == 0
    assert "no entry added, removed or changed" in capsys.readouterr().out
    assert main(["lists", "diff", str(old), str(new), "--limit", "0"]) == 1
    out = capsys.readouterr().out
    assert "X-MINE" in out and "added (1):" in out and "... and 1 more" in out
    assert main(["lists", "diff", str(old), str(new), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert [e["id"] for e in doc["added"]] == ["d"] and doc["changed"][0]["fields"] == ["addresses"]


def test_missing_side_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = _write(tmp_path / "old.yaml", OLD)
    assert main(["lists", "diff", str(old), str(tmp_path / "nope.yaml")]) == 2
    assert "needs --ledger" in capsys.readouterr().err
    assert main(["lists", "diff", str(old), "deadbeefdeadbeef", "--ledger", str(tmp_path / "none.db")]) == 2
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.shared_data
def test_real_csl_address_edit_is_a_change(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = shared_data / "csl" / "consolidated_2022-05.csv"
    text = src.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    target = next(r for r in rows if r["source"].startswith("Entity List") and r["addresses"])
    target["addresses"] = target["addresses"] + "; 1 New Road, Shenzhen, CN"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0].keys()))
    writer.writeheader()
    writer.writerows(rows)
    edited = tmp_path / "consolidated.csv"
    edited.write_text(out.getvalue(), encoding="utf-8")
    assert main(["lists", "diff", str(src), str(edited), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["added"] == [] and doc["removed"] == []
    assert [c["id"] for c in doc["changed"]] == [target["_id"]] and "addresses" in doc["changed"][0]["fields"]


def test_versions_held_in_a_ledger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from exportscreen.ledger import Ledger

    old = load_registry(_write(tmp_path / "old.yaml", OLD))
    new = load_registry(_write(tmp_path / "new.yaml", NEW))
    db = tmp_path / "ledger.db"
    with Ledger(db) as ledger:
        for reg in (old, new):
            ledger.record_matches([], registry=reg, as_of=None)
    assert main(["lists", "diff", old.version[:10], new.version, "--ledger", str(db), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["old_version"] == old.version and [e["id"] for e in doc["removed"]] == ["c"]
