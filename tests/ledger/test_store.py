"""The ledger store: round trip, newest per transaction, registry snapshots, refusing foreign files."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from exportscreen.ledger import LEDGER_SCHEMA_VERSION, Ledger, LedgerError
from exportscreen.ledger.schema import APPLICATION_ID
from exportscreen.models import Decision, PartyMatch, Transaction
from exportscreen.screener import Screener

Pairs = list[tuple[Transaction, Decision]]


def test_round_trip_is_byte_identical(tmp_path: Path, screener: Screener, pairs: Pairs) -> None:
    with Ledger(tmp_path / "l.db") as ledger:
        run = ledger.record(
            pairs,
            command="check",
            registry=screener.registry,
            as_of=dt.date(2026, 3, 1),
            packs=screener.pack_refs,
            user="alice",
            meta={"note": "x"},
        )
        stored = list(ledger.decisions(run.run_id))
    assert run.seq == 1 and run.decisions == len(pairs) and run.user == "alice"
    assert run.registry_version == screener.registry.version
    assert run.source_versions == screener.registry.source_versions
    assert run.as_of == dt.date(2026, 3, 1) and run.meta == {"note": "x"} and run.packs == screener.pack_refs
    assert run.started_at.tzinfo is not None and run.started_at <= run.finished_at
    assert [s.seq for s in stored] == list(range(len(pairs)))
    for s, (tx, decision) in zip(stored, pairs, strict=True):
        assert s.run_id == run.run_id and s.transaction_id == tx.id
        assert s.transaction == tx and s.decision == decision
        assert s.decision.to_json() == decision.to_json()
        assert s.transaction.model_dump_json() == tx.model_dump_json()


def test_reopened_ledger_reads_the_same(tmp_path: Path, screener: Screener, pairs: Pairs) -> None:
    path = tmp_path / "l.db"
    with Ledger(path) as ledger:
        run = ledger.record(pairs[:2], command="library", registry=screener.registry, as_of=None)
    with Ledger(path, create=False) as ledger:
        assert ledger.runs() == [run]
        assert ledger.run(run.run_id) == run
        with pytest.raises(LedgerError, match="no run"):
            ledger.run("nope")


def test_latest_decisions_pick_the_newest(tmp_path: Path, screener: Screener, pairs: Pairs) -> None:
    with Ledger(tmp_path / "l.db") as ledger:
        first = ledger.record(pairs, command="check", registry=screener.registry, as_of=None)
        second = ledger.record(pairs[:3], command="check", registry=screener.registry, as_of=None)
        latest = list(ledger.latest_decisions())
        parties = list(ledger.latest_parties())
    assert [d.transaction_id for d in latest] == sorted(tx.id for tx, _ in pairs)
    newest = {tx.id for tx, _ in pairs[:3]}
    for d in latest:
        assert d.run_id == (second.run_id if d.transaction_id in newest else first.run_id)
    by_key = {(p.key, p.run_seq) for p in parties}
    assert {k for k, _ in by_key} == {tx.id for tx, _ in pairs}
    assert all(seq == (second.seq if key in newest else first.seq) for key, seq in by_key)
    tx0 = pairs[0][0]
    rows = [p for p in parties if p.key == tx0.id]
    assert rows[0].names == (tx0.parties[0].name, *tx0.parties[0].aliases) and rows[0].kind == "order"
    assert rows[0].role == str(tx0.parties[0].role) and rows[0].country == tx0.parties[0].country


def test_matches_round_trip_and_latest(tmp_path: Path, screener: Screener) -> None:
    found = screener.match_name("Huawei Technologies Co., Ltd.", country="CN")
    assert found and all(isinstance(m, PartyMatch) for m in found)
    with Ledger(tmp_path / "l.db") as ledger:
        one = ledger.record_matches(
            [("c1", "Huawei Technologies Co., Ltd.", "CN", found), ("c2", "Acme", None, [])],
            registry=screener.registry,
            as_of=None,
        )
        two = ledger.record_matches([("c2", "Acme Two", "DE", [])], registry=screener.registry, as_of=None)
        rows = list(ledger.matches(one.run_id))
        latest = list(ledger.latest_matches())
        parties = list(ledger.latest_parties())
    assert one.command == "match" and one.packs == [] and rows[0].matches == found
    assert [(m.ref, m.run_id, m.name) for m in latest] == [
        ("c1", one.run_id, "Huawei Technologies Co., Ltd."),
        ("c2", two.run_id, "Acme Two"),
    ]
    assert [(p.kind, p.key, p.names, p.country, p.role) for p in parties] == [
        ("party", "c1", ("Huawei Technologies Co., Ltd.",), "CN", "query"),
        ("party", "c2", ("Acme Two",), "DE", "query"),
    ]


def test_registry_snapshot_rebuilds_once_per_version(tmp_path: Path, screener: Screener, pairs: Pairs) -> None:
    reg = screener.registry
    with Ledger(tmp_path / "l.db") as ledger:
        ledger.record(pairs[:1], command="check", registry=reg, as_of=None)
        ledger.record(pairs[1:2], command="check", registry=reg, as_of=None)
        assert ledger.registry_versions() == [reg.version]
        assert ledger.has_registry(reg.version) and not ledger.has_registry("0" * 64)
        rebuilt = ledger.registry(reg.version[:8])
        with pytest.raises(LedgerError, match="prefix needs"):
            ledger.registry(reg.version[:7])
        with pytest.raises(LedgerError, match="no registry version"):
            ledger.registry("0" * 12)
    assert rebuilt.version == reg.version and rebuilt.source_versions == reg.source_versions
    assert sorted(e.key for e in rebuilt.entries) == sorted(e.key for e in reg.entries)
    assert [s.id for s in rebuilt.sources] == [s.id for s in reg.sources]
    con = sqlite3.connect(tmp_path / "l.db")
    assert con.execute("SELECT count(*) FROM entries").fetchone()[0] == len(reg)
    con.close()


def test_append_only_triggers(tmp_path: Path, screener: Screener, pairs: Pairs) -> None:
    with Ledger(tmp_path / "l.db") as ledger:
        ledger.record(pairs[:1], command="check", registry=screener.registry, as_of=None)
    con = sqlite3.connect(tmp_path / "l.db")
    for sql in ("UPDATE decisions SET decision_json = '{}'", "DELETE FROM runs", "DELETE FROM entries"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute(sql)
    con.close()


def _tamper(path: Path, sql: str, trigger: str) -> None:
    con = sqlite3.connect(path)
    con.execute(f"DROP TRIGGER {trigger}")
    con.execute(sql)
    con.commit()
    con.close()


def test_tampered_decision_is_refused_naming_the_row(tmp_path: Path, screener: Screener, pairs: Pairs) -> None:
    path = tmp_path / "l.db"
    with Ledger(path) as ledger:
        run = ledger.record(pairs[:3], command="check", registry=screener.registry, as_of=None)
    _tamper(
        path, 'UPDATE decisions SET decision_json = \'{"category": "less_risky"}\' WHERE seq = 1', "decisions_no_update"
    )
    with Ledger(path) as ledger:
        with pytest.raises(LedgerError, match=rf"run '{run.run_id}' \(seq 1\), decision 1 does not validate"):
            list(ledger.decisions(run.run_id))
        with pytest.raises(LedgerError, match="decision 1"):
            list(ledger.latest_decisions())


def test_edited_transaction_fails_its_input_hash(tmp_path: Path, screener: Screener, pairs: Pairs) -> None:
    path = tmp_path / "l.db"
    with Ledger(path) as ledger:
        run = ledger.record(pairs[:1], command="check", registry=screener.registry, as_of=None)
    _tamper(
        path,
        "UPDATE decisions SET transaction_json = replace(transaction_json, '\"CN\"', '\"DE\"')",
        "decisions_no_update",
    )
    with Ledger(path) as ledger, pytest.raises(LedgerError, match="input hash"):
        list(ledger.decisions(run.run_id))


def test_edited_registry_entry_is_refused(tmp_path: Path, screener: Screener, pairs: Pairs) -> None:
    path = tmp_path / "l.db"
    with Ledger(path) as ledger:
        ledger.record(pairs[:1], command="check", registry=screener.registry, as_of=None)
    _tamper(path, "UPDATE entries SET entry_json = replace(entry_json, 'Huawei', 'Hua wei')", "entries_no_update")
    with Ledger(path) as ledger, pytest.raises(LedgerError, match="content hash"):
        ledger.registry(screener.registry.version)
    # nor taken for the known entry of its hash (the text is hashed, not trusted)
    with Ledger(path) as ledger, pytest.raises(LedgerError, match="content hash"):
        ledger.registry(screener.registry.version, known=screener.registry)


def test_registry_rebuilds_the_same_with_known_entries(tmp_path: Path, screener: Screener, pairs: Pairs) -> None:
    """``registry(version, known=...)`` takes a stored entry whose text hashes to a known entry's content
    hash as that entry: the same registry as parsing every entry."""
    reg = screener.registry
    half = type(reg)(reg.sources, reg.entries[::2])
    with Ledger(tmp_path / "l.db") as ledger:
        ledger.record(pairs[:1], command="check", registry=reg, as_of=None)
        parsed = ledger.registry(reg.version)
        known = ledger.registry(reg.version, known=half)
    assert known.version == parsed.version == reg.version
    assert [e.model_dump() for e in known.entries] == [e.model_dump() for e in parsed.entries]
    assert known.entries[0] is half.entries[0] and known.entries[1] is not reg.entries[1]


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    Ledger(path).close()
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {LEDGER_SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(LedgerError, match="newer than this exportscreen"):
        Ledger(path)


def test_fresh_ledger_is_marked(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    Ledger(path).close()
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert con.execute("PRAGMA user_version").fetchone()[0] == LEDGER_SCHEMA_VERSION
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


@pytest.mark.parametrize("app_id", [0, 0x12345678])
def test_foreign_sqlite_file_is_refused_untouched(tmp_path: Path, app_id: int) -> None:
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA application_id = {app_id}")
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(LedgerError, match="another program") as err:
        Ledger(path)
    assert str(path) in str(err.value)
    assert path.read_bytes() == before


def test_garbage_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not a database at all\n" * 200)
    with pytest.raises(LedgerError, match="not a readable exportscreen ledger") as err:
        Ledger(path)
    assert err.value.path == str(path)
    assert path.read_bytes() == b"this is not a database at all\n" * 200


def test_missing_file_without_create(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="no such ledger"):
        Ledger(tmp_path / "none.db", create=False)
    assert not (tmp_path / "none.db").exists()


def test_screener_hooks(tmp_path: Path, screener: Screener, transactions: list[Transaction]) -> None:
    with Ledger(tmp_path / "l.db") as ledger:
        one = screener.screen(transactions[0], ledger=ledger)
        bad = {"id": "BAD"}
        results = list(screener.screen_many([*transactions[:4], bad], ledger=ledger, return_errors=True))
        runs = ledger.runs()
        batch = list(ledger.decisions(runs[1].run_id))
    assert [r.command for r in runs] == ["library", "library"] and [r.decisions for r in runs] == [1, 4]
    assert [d.decision for d in batch] == results[:4] and batch[0].decision == one
    assert not isinstance(results[4], Decision)
