"""Party rows found through their recorded search terms give the same re-screen as rows read one by
one (a run with terms of another scheme), and a schema-1 ledger is migrated to hold terms."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from exportscreen.ledger import Ledger
from exportscreen.ledger import rescreen as rescreen_module
from exportscreen.ledger.rescreen import rescreen
from exportscreen.ledger.schema import APPLICATION_ID, MIGRATIONS
from exportscreen.matching.terms import PartyTerms
from exportscreen.screener import Screener
from tests.rescreen.conftest import LATER


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
    monkeypatch.setattr(rescreen_module, "PartyTerms", _OtherScheme)
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
    assert con.execute("PRAGMA user_version").fetchone()[0] == 2
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("DELETE FROM party_terms")
    con.close()
