"""Party rows found through their recorded search terms give the same re-screen as rows read one by
one (a run with terms of another scheme), and a schema-1 ledger is migrated to hold terms, a schema-2
one to hold new runs' terms as packed postings."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from exportscreen.ledger import Ledger, LedgerError
from exportscreen.ledger import plan as plan_module
from exportscreen.ledger import rescreen as rescreen_module
from exportscreen.ledger._rows import unpack_seqs
from exportscreen.ledger.delta import DeltaIndex, fresh_entries
from exportscreen.ledger.rescreen import rescreen
from exportscreen.ledger.schema import APPLICATION_ID, LEDGER_SCHEMA_VERSION, MIGRATIONS, TABLES_V1
from exportscreen.matching.terms import PartyTerms
from exportscreen.screener import Screener
from tests.rescreen.conftest import LATER, ON


def _dump(report: rescreen_module.RescreenReport) -> list[dict[str, object]]:
    return [t.model_dump(mode="json") for t in report.transitions]


class _OtherScheme(PartyTerms):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__()
        self.scheme = "another scheme"


def test_probed_rows_equal_rows_read_one_by_one(
    ledger_v1: Ledger, screener_v2: Screener, monkeypatch: pytest.MonkeyPatch
) -> None:
    probed = rescreen(screener_v2, ledger_v1, as_of=LATER, record=False)
    assert ledger_v1.term_schemes(), "the party run was recorded with its terms"
    monkeypatch.setattr(plan_module, "PartyTerms", _OtherScheme)
    one_by_one = rescreen(screener_v2, ledger_v1, as_of=LATER, record=False)
    assert _dump(probed) == _dump(one_by_one)
    assert probed.stats.parties_rescreened == one_by_one.stats.parties_rescreened
    assert any(t.kind == "party" and t.worse for t in probed.transitions)


def test_the_probe_reads_only_the_rows_it_admits(ledger_v1: Ledger, screener_v2: Screener) -> None:
    """Every party run has terms: no row is read one by one (``latest_matches`` is never called)."""

    class Counting(Ledger):
        calls = 0

        def latest_matches(self):  # type: ignore[no-untyped-def]
            Counting.calls += 1
            return super().latest_matches()

    path = ledger_v1.path
    with Counting(path) as again:
        report = rescreen(screener_v2, again, as_of=LATER, record=False)
    assert Counting.calls == 0
    assert report.stats.parties_rescreened < report.stats.parties_stored


def test_schema_1_ledger_is_migrated_to_hold_terms(tmp_path: Path, screener_v1: Screener) -> None:
    path = tmp_path / "v1.db"
    con = sqlite3.connect(path, isolation_level=None)
    for statement in MIGRATIONS[1]:
        con.execute(statement)
    con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    con.execute("PRAGMA user_version = 1")
    con.close()
    with Ledger(path) as ledger:
        assert ledger.term_schemes() == {}
        ledger.record_matches([("C-1", "Acme Widgets GmbH", "DE", [])], registry=screener_v1.registry)
        assert list(ledger.term_schemes().values()) == [PartyTerms().scheme]
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == LEDGER_SCHEMA_VERSION
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("DELETE FROM term_postings")
    con.close()


def _as_schema_2(source: Path, path: Path) -> None:
    """A copy of ``source`` as a schema-2 ledger holds it: the terms one row per (term, row) in
    ``party_terms``, no ``term_postings``."""
    con = sqlite3.connect(path, isolation_level=None)
    for version in (1, 2):
        for statement in MIGRATIONS[version]:
            con.execute(statement)
    con.execute(f"ATTACH DATABASE '{source}' AS src")
    for table in (*TABLES_V1, "term_runs", "term_vocab"):
        con.execute(f"INSERT INTO main.{table} SELECT * FROM src.{table}")
    rows = [
        (term, run_seq, seq)
        for term, run_seq, blob in con.execute("SELECT term, run_seq, seqs FROM src.term_postings").fetchall()
        for seq in unpack_seqs(blob, term, source)
    ]
    con.executemany("INSERT INTO party_terms (term, run_seq, seq) VALUES (?, ?, ?)", rows)
    con.execute("DETACH DATABASE src")
    con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    con.execute("PRAGMA user_version = 2")
    con.close()


def test_schema_2_ledger_reads_its_terms_rows_and_new_runs_postings(
    ledger_v1: Ledger, screener_v1: Screener, screener_v2: Screener, tmp_path: Path
) -> None:
    """A schema-2 ledger (terms in ``party_terms``) is migrated; its rows are found as before, a run
    recorded after the migration through ``term_postings``, and the delta re-screen equals the full one."""
    old = tmp_path / "v2.db"
    _as_schema_2(ledger_v1.path, old)
    fresh = fresh_entries(screener_v1.registry, screener_v2.registry, on=LATER, old_dates=[ON])
    index = DeltaIndex(screener_v2.matcher, screener_v2.registry, fresh, min_score=screener_v2.settings.review)
    probe = index.probe(list(ledger_v1.term_vocabulary()))
    assert probe is not None
    with Ledger(old) as migrated:
        assert migrated.rows_admitted(probe) == ledger_v1.rows_admitted(probe)
        assert _dump(rescreen(screener_v2, migrated, as_of=LATER, record=False)) == _dump(
            rescreen(screener_v2, ledger_v1, as_of=LATER, record=False)
        )
        rows = [("N-1", "Marlow Vacuum Systems Limited", "GB"), ("N-2", "Acme Widgets GmbH", "DE")]
        migrated.record_matches(
            ((ref, name, country, []) for ref, name, country in rows), registry=screener_v1.registry, as_of=ON
        )
        delta = rescreen(screener_v2, migrated, as_of=LATER, record=False)
        full = rescreen(screener_v2, migrated, as_of=LATER, full=True, record=False)
        assert _dump(delta) == _dump(full)
        assert any(t.key == "N-1" for t in delta.transitions)
        assert not any(t.key == "N-2" for t in delta.transitions)
    con = sqlite3.connect(old)
    assert con.execute("PRAGMA user_version").fetchone()[0] == LEDGER_SCHEMA_VERSION
    assert con.execute("SELECT count(*) FROM party_terms").fetchone()[0] > 0
    assert con.execute("SELECT count(DISTINCT run_seq) FROM term_postings").fetchone()[0] == 1
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("DELETE FROM term_postings")
    con.close()


def test_runs_hold_their_names_readings_and_an_edited_one_is_refused(
    ledger_v1: Ledger, screener_v2: Screener, tmp_path: Path
) -> None:
    """Schema 4: each party-file row's reading is stored with its terms (a delta re-screen bounds its
    query from it); one that is not a stored reading fails the re-screen naming its row."""
    con = sqlite3.connect(ledger_v1.path)
    stored = con.execute("SELECT count(*) FROM term_readings").fetchone()[0]
    rows = con.execute("SELECT count(*) FROM matches").fetchone()[0]
    con.close()
    assert stored == rows
    edited = tmp_path / "edited.db"
    con = sqlite3.connect(ledger_v1.path)
    con.execute(f"VACUUM INTO '{edited}'")
    con.close()
    con = sqlite3.connect(edited)
    con.execute("DROP TRIGGER term_readings_no_update")
    con.execute("UPDATE term_readings SET reading = replace(reading, ' ', '  ')")
    con.commit()
    con.close()
    refused = r"stored reading of match row .* does not validate"
    with Ledger(edited) as ledger, pytest.raises(LedgerError, match=refused):
        rescreen(screener_v2, ledger, as_of=LATER, record=False)


def test_two_workers_find_what_one_finds(ledger_v1: Ledger, screener_v2: Screener) -> None:
    """With worker processes (the weights warmed in one while the parent reads, the rows tested in two)
    the delta re-screen is the one-process one, and the full one."""
    one = rescreen(screener_v2, ledger_v1, as_of=LATER, record=False)
    two = rescreen(screener_v2, ledger_v1, as_of=LATER, record=False, workers=2)
    full = rescreen(screener_v2, ledger_v1, as_of=LATER, full=True, record=False)
    assert _dump(two) == _dump(one) == _dump(full)
    assert two.stats.parties_rescreened == one.stats.parties_rescreened
