"""The README walk-through, end to end through the command line: screen orders and a party file
into a ledger, update the list, re-screen, see the transitions, clear one, re-screen again."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from exportscreen.cli import main

REPO = Path(__file__).resolve().parents[2]
NIGHTLY = REPO / "examples" / "nightly"
LATER = "2026-11-06"


@pytest.fixture
def walk(tmp_path: Path) -> Path:
    """A ledger holding Monday's orders and customers, and the block list updated to Friday's."""
    blocked = tmp_path / "blocked.yaml"
    shutil.copy(NIGHTLY / "blocked-v1.yaml", blocked)
    db = str(tmp_path / "ledger.db")
    lists = ["--lists", str(blocked)]
    assert main(["check", str(NIGHTLY / "orders.yaml"), "--ledger", db, *lists, "--as-of", "2026-11-02", "-q"]) == 1
    customers = ["match", "--file", str(NIGHTLY / "customers.csv"), "--ledger", db, "--as-of", "2026-11-02", "-q"]
    assert main([*customers, *lists, "--format", "json"]) == 1
    shutil.copy(NIGHTLY / "blocked-v2.yaml", blocked)
    return tmp_path


def _rescreen(walk: Path, *extra: str) -> int:
    ledger, lists = str(walk / "ledger.db"), str(walk / "blocked.yaml")
    return main(["rescreen", "--ledger", ledger, "--lists", lists, "--as-of", LATER, *extra])


def test_transitions_both_ways_then_none(walk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert _rescreen(walk, "--format", "json") == 1
    doc = json.loads(capsys.readouterr().out)
    moves = {(t["kind"], t["key"]): (t["before"], t["after"], t["worse"]) for t in doc["transitions"]}
    assert moves == {
        ("order", "SO-1001"): ("review", "less_risky", False),  # B-2 delisted
        ("order", "SO-1002"): ("less_risky", "review", True),  # B-3 listed
        ("party", "CU-2"): ("none", "hit", True),
        ("party", "CU-3"): ("hit", "none", False),
    }
    assert (doc["stats"]["orders_rescreened"], doc["stats"]["orders_stored"]) == (2, 3)  # SO-1003 untouched
    assert _rescreen(walk) == 0  # recorded: the next re-screen starts from Friday's lists
    assert "0 transitions" in capsys.readouterr().out


def test_dry_run_records_nothing(walk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _rescreen(walk, "--dry-run") == 1
    assert _rescreen(walk, "--dry-run") == 1


def test_a_clearance_stops_the_transition(walk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    baseline = str(walk / "baseline.yaml")
    review = ["review", str(NIGHTLY / "orders.yaml"), "--lists", str(walk / "blocked.yaml"), "--as-of", LATER]
    who = ["--order", "SO-1002", "--reviewer", "J. Doe", "--reason", "another company", "--allow-hit"]
    assert main([*review, *who, "--baseline", baseline]) == 0
    capsys.readouterr()
    assert _rescreen(walk, "--baseline", baseline, "--format", "json", "--dry-run") == 1  # the party CU-2 still
    doc = json.loads(capsys.readouterr().out)
    assert {t["key"] for t in doc["transitions"] if t["worse"]} == {"CU-2"}


def test_sarif_junit_and_html(walk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _rescreen(walk, "--format", "sarif", "--dry-run", "-o", str(walk / "r.sarif")) == 1
    sarif = json.loads((walk / "r.sarif").read_text(encoding="utf-8"))
    levels = sorted(r["level"] for r in sarif["runs"][0]["results"])
    assert levels == ["error", "note", "note", "warning"]
    assert _rescreen(walk, "--format", "junit", "--dry-run", "-o", str(walk / "r.xml")) == 1
    suite = ET.parse(walk / "r.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "2"
    assert _rescreen(walk, "--format", "html", "--dry-run", "-o", str(walk / "r.html")) == 1
    html = (walk / "r.html").read_text(encoding="utf-8")
    assert "Changes since" in html and "SO-1002" in html and "party CU-2" in html


def test_report_of_a_ledger_period(walk: Path) -> None:
    out = walk / "period.html"
    ledger = str(walk / "ledger.db")
    assert main(["report", "--ledger", ledger, "--from", "2000-01-01", "--to", "2100-01-01", "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert all(f"SO-100{i}" in html for i in (1, 2, 3)) and "Period" in html
    assert main(["report", "--ledger", str(walk / "ledger.db"), "--from", "2026-02-01", "--to", "2026-01-01"]) == 2


def test_a_corrupted_or_missing_ledger_is_exit_2(walk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = walk / "ledger.db"
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    data = bytearray(db.read_bytes())
    data[:16] = b"not a ledger 123"
    db.write_bytes(bytes(data))
    before = db.read_bytes()
    assert _rescreen(walk) == 2
    assert str(db) in capsys.readouterr().err
    assert db.read_bytes() == before
    assert main(["rescreen", "--ledger", str(walk / "none.db")]) == 2


def test_a_planned_shipment_is_rescreened_on_its_own_date(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An order dated after today is screened on its date (a planned shipment): a licence that expires
    before it does not cover it (sensitive). rescreen without --as-of screened it as of today, when
    the licence was still valid: 'better order SO-77: sensitive -> less_risky', exit 0, recorded."""
    import datetime as dt

    today = dt.date.today()
    licences = tmp_path / "licences.yaml"
    licences.write_text(
        "format: exportscreen-licences/1\nlicences:\n  - {number: D1111111, type: license, eccns: [3B001.c],"
        " destinations: [KR], parties: [{name: 'Gyeonggi Memory Fab Co., Ltd.', country: KR}],"
        f" valid_from: {today - dt.timedelta(days=30)}, valid_to: {today + dt.timedelta(days=30)}}}\n",
        encoding="utf-8",
    )
    order = tmp_path / "so-77.yaml"
    order.write_text(
        f"id: SO-77\ndate: {today + dt.timedelta(days=90)}\ndestination: KR\n"
        "parties: [{role: ultimate_consignee, name: 'Gyeonggi Memory Fab Co., Ltd.', country: KR}]\n"
        "items: [{description: etch tool, eccn: 3B001.c, quantity: 1, value_usd: 1000000}]\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "ledger.db")
    assert main(["check", str(order), "--licences", str(licences), "--ledger", db, "-q"]) == 1
    capsys.readouterr()
    assert main(["rescreen", "--ledger", db, "--licences", str(licences)]) == 0
    out = capsys.readouterr().out
    assert "less_risky" not in out, out
