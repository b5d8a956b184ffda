"""``--ledger PATH`` on ``screen`` and ``check``: one run per invocation, exit codes unchanged, exit 2
for a ledger that cannot be used (and that file left as it was)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from exportscreen.cli import main
from exportscreen.ledger import Ledger, LedgerError

from .conftest import EXAMPLES

ORDERS = str(EXAMPLES / "orders")
TRANSACTIONS = str(EXAMPLES / "transactions")


@pytest.mark.parametrize(
    ("argv", "command", "count"),
    [
        (["check", ORDERS, "-q"], "check", 11),
        (["check", ORDERS, "-q", "--format", "json"], "check", 11),
        (["screen", TRANSACTIONS, "--format", "json"], "screen", 15),
    ],
)
def test_ledger_records_the_invocation_as_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], command: str, count: int
) -> None:
    without = main(argv)
    plain = capsys.readouterr().out
    path = tmp_path / "l.db"
    assert main([*argv, "--ledger", str(path)]) == without == 1
    assert capsys.readouterr().out == plain
    assert main([*argv, "--ledger", str(path), "--as-of", "2026-02-01"]) == without
    with Ledger(path, create=False) as ledger:
        runs = ledger.runs()
        assert [(r.command, r.decisions) for r in runs] == [(command, count)] * 2
        assert runs[1].as_of is not None and runs[1].as_of.isoformat() == "2026-02-01"
        assert len(list(ledger.decisions(runs[0].run_id))) == count
        assert len(list(ledger.latest_decisions())) == len({d.transaction_id for d in ledger.decisions(runs[1].run_id)})


def test_clean_orders_still_exit_0(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    assert main(["check", str(EXAMPLES / "orders" / "less-risky-mcu.json"), "-q", "--ledger", str(path)]) == 0
    with Ledger(path, create=False) as ledger:
        assert [r.decisions for r in ledger.runs()] == [1]


def test_garbage_ledger_is_exit_2_untouched(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "corrupt.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    before = path.read_bytes()
    assert main(["check", ORDERS, "-q", "--ledger", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "ledger" in err
    assert path.read_bytes() == before
    assert not Path(f"{path}-wal").exists()


def test_foreign_sqlite_ledger_is_exit_2_untouched(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "app.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE customers (name TEXT)")
    con.commit()
    con.close()
    before = path.read_bytes()
    assert main(["screen", TRANSACTIONS, "--ledger", str(path)]) == 2
    assert "not an exportscreen ledger" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_a_directory_as_ledger_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", ORDERS, "-q", "--ledger", str(tmp_path)]) == 2
    assert str(tmp_path) in capsys.readouterr().err


def test_tampered_ledger_keeps_its_rows(tmp_path: Path) -> None:
    """A ledger with an edited row still takes new runs (append-only) and the edit stays detectable."""
    path = tmp_path / "l.db"
    assert main(["check", ORDERS, "-q", "--ledger", str(path)]) == 1
    con = sqlite3.connect(path)
    con.execute("DROP TRIGGER decisions_no_update")
    con.execute("UPDATE decisions SET decision_json = 'garbage' WHERE seq = 0")
    con.commit()
    con.close()
    assert main(["check", ORDERS, "-q", "--ledger", str(path)]) == 1
    with Ledger(path, create=False) as ledger:
        runs = ledger.runs()
        assert len(runs) == 2 and len(list(ledger.decisions(runs[1].run_id))) == 11
        with pytest.raises(LedgerError, match=r"decision 0 does not validate"):
            list(ledger.decisions(runs[0].run_id))


def test_two_orders_with_one_id_in_a_run_are_exit_2_not_one_dropped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The ledger keeps the newest decision per order id: SO-1 to Zeta (week 10) and another SO-1 to Lyon
    (week 11) recorded in one run left only Lyon's, so when Zeta was listed on Friday rescreen said
    '0 worse', exit 0. Now the run is refused (exit 2) naming both places, and nothing is recorded."""
    orders = tmp_path / "orders"
    orders.mkdir()
    for name, party, country in (("a-week10", "Zeta Messtechnik GmbH", "DE"), ("b-week11", "Lyon Capteurs SARL", "FR")):
        (orders / f"{name}.yaml").write_text(
            f"id: SO-1\ndestination: {country}\n"
            f"parties: [{{role: ultimate_consignee, name: {party}, country: {country}}}]\n"
            "items: [{description: pressure sensor, eccn: EAR99}]\n",
            encoding="utf-8",
        )
    path = tmp_path / "l.db"
    assert main(["check", str(orders), "-q", "--ledger", str(path)]) == 2
    err = capsys.readouterr().err
    assert "SO-1" in err and "a-week10.yaml" in err and "b-week11.yaml" in err, err
    with Ledger(path, create=False) as ledger:
        assert ledger.runs() == []
    (orders / "b-week11.yaml").write_text((orders / "a-week10.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["check", str(orders), "-q", "--ledger", str(path)]) == 0  # the same order twice: one order


def test_party_files_without_ids_keep_their_rows_apart_in_the_ledger(tmp_path: Path) -> None:
    """A party's ref is its line when the file has no id column: customers.csv line 2 (Zeta) and
    vendors.csv line 2 (Lyon) were one ledger party, the later one, so a re-screen after Zeta was
    listed looked at vendors only (0 worse, exit 0). Each file's rows now stay its own."""
    blocked = tmp_path / "blocked.yaml"
    head = "format: exportscreen-registry/1\nsource: {id: b, name: Blocked, list: X-BLOCKED, as_of: %s}\nentries:\n"
    blocked.write_text(head % "2026-11-02" + "  - {id: B-1, name: Northwind Precision Trading Ltd, country: HK}\n")
    files = {"customers": "Zeta Messtechnik GmbH,DE", "vendors": "Lyon Capteurs SARL,FR"}
    path = tmp_path / "p.db"
    for name, row in files.items():
        (tmp_path / f"{name}.csv").write_text(f"name,country\n{row}\n", encoding="utf-8")
        argv = ["match", "--file", str(tmp_path / f"{name}.csv"), "--lists", str(blocked), "-q"]
        assert main([*argv, "--ledger", str(path), "--as-of", "2026-11-02"]) == 0
    with Ledger(path, create=False) as ledger:
        assert sorted(m.name for m in ledger.latest_matches()) == ["Lyon Capteurs SARL", "Zeta Messtechnik GmbH"]
    blocked.write_text(head % "2026-11-06" + "  - {id: B-3, name: Zeta Messtechnik GmbH, country: DE}\n")
    argv = ["rescreen", "--ledger", str(path), "--lists", str(blocked), "--as-of", "2026-11-06"]
    assert main(argv) == 1
