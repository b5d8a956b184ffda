"""Delta re-screening equals a full re-screen, finds transitions both ways, re-evaluates clearances,
and does less work than a full re-screen."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from exportscreen.baseline import Baseline, Clearance, clearance_refs
from exportscreen.ledger import Ledger
from exportscreen.ledger.rescreen import rescreen
from exportscreen.models import Transaction
from exportscreen.registry import Registry
from exportscreen.screener import Screener, validate_transaction
from tests.rescreen.conftest import LATER, ON, fill, generated_orders


def _nordwind_order(order_id: str, date: dt.date) -> Transaction:
    """Seat covers for Nordwind Cargo Airlines (DE), the purchaser the tests list with dates of their own."""
    return validate_transaction(
        {"id": order_id, "date": date.isoformat(), "destination": "DE",
         "parties": [{"role": "purchaser", "name": "Nordwind Cargo Airlines", "country": "DE"}],
         "items": [{"description": "seat covers", "eccn": "EAR99"}]}
    )  # fmt: skip


def _dump(report_transitions: list) -> list[dict[str, object]]:  # type: ignore[type-arg]
    return [t.model_dump(mode="json") for t in report_transitions]


def test_delta_equals_full_rescreen(ledger_v1: Ledger, screener_v2: Screener) -> None:
    delta = rescreen(screener_v2, ledger_v1, as_of=LATER, record=False)
    full = rescreen(screener_v2, ledger_v1, as_of=LATER, full=True, record=False)
    assert _dump(delta.transitions) == _dump(full.transitions)
    assert full.stats.orders_rescreened == full.stats.orders_stored == 80
    assert delta.stats.orders_rescreened < full.stats.orders_rescreened
    assert delta.stats.parties_rescreened < full.stats.parties_rescreened
    # both ways: newly listed parties got worse, the removed entry's orders got better
    worse = {t.key for t in delta.transitions if t.worse}
    better = {t.key for t in delta.transitions if not t.worse}
    assert worse and better
    assert any(m.id == "B-3" for t in delta.transitions if not t.worse for m in t.matches_before)
    newly = {m.id for t in delta.transitions if t.worse for m in t.matches_after}
    assert {"B-4", "B-5"} <= newly


def test_every_touched_decision_equals_a_fresh_screening(ledger_v1: Ledger, screener_v2: Screener) -> None:
    delta = rescreen(screener_v2, ledger_v1, as_of=LATER, record=False)
    stored = {s.transaction_id: s for s in ledger_v1.latest_decisions()}
    for tx_id, decision in delta.decisions.items():
        again = screener_v2.screen(stored[tx_id].transaction, as_of=LATER)
        assert decision.to_json() == again.to_json()
    # untouched orders: a full screening gives the stored category and no match
    for tx_id, s in stored.items():
        if tx_id not in delta.decisions:
            again = screener_v2.screen(s.transaction, as_of=LATER)
            assert again.category == s.decision.category
            assert again.matches == s.decision.matches == []


def test_address_of_a_fresh_entry_is_found(ledger_v1: Ledger, screener_v2: Screener) -> None:
    delta = rescreen(screener_v2, ledger_v1, as_of=LATER, record=False)
    by_address = [t for t in delta.transitions if any(m.id == "B-6" for m in t.matches_after)]
    assert by_address, "orders at the newly listed address must be re-screened"


def test_recorded_rescreen_is_the_next_baseline(ledger_v1: Ledger, screener_v2: Screener) -> None:
    first = rescreen(screener_v2, ledger_v1, as_of=LATER)
    assert first.stats.transitions > 0 and len(first.stats.recorded_runs) == 2
    runs = ledger_v1.runs()
    assert [r.command for r in runs[-2:]] == ["rescreen", "rescreen"]
    again = rescreen(screener_v2, ledger_v1, as_of=LATER, record=False)
    assert again.transitions == []
    # nothing changed since the recorded re-screen: only orders with a match are looked at again
    with_match = sum(1 for s in ledger_v1.latest_decisions() if s.decision.matches)
    assert again.stats.orders_rescreened == with_match
    assert again.stats.fresh_entries == 0


def test_no_list_change_no_transition(ledger_v1: Ledger, screener_v1: Screener) -> None:
    report = rescreen(screener_v1, ledger_v1, as_of=ON, record=False)
    assert report.transitions == []
    assert report.stats.fresh_entries == 0


def test_a_cleared_entry_that_changes_is_reviewed_again(ledger_v1: Ledger, screener_v2: Screener) -> None:
    cleared = [s for s in ledger_v1.latest_decisions() if any(m.entry_id == "B-2" for m in s.decision.matches)]
    assert cleared
    clearances = []
    for s in cleared:
        for reason in s.decision.reasons:
            for ref in clearance_refs(reason):
                clearances.append(
                    Clearance(
                        order_id=s.transaction_id,
                        party=ref.party,
                        entry_source=ref.entry_source,
                        entry_id=ref.entry_id,
                        entry_hash=ref.entry_hash,
                        entry_name=ref.entry_name,
                        rule_id=reason.rule_id,
                        strength=ref.strength,
                        allow_hit=ref.strength == "hit",
                        reviewer="J. Doe",
                        reason="checked: another company",
                        reviewed_on=ON,
                        expires=ON + dt.timedelta(days=365),
                    )
                )
    baseline = Baseline(tool_version="0.1.0", registry_version="x", packs=[], clearances=clearances)
    report = rescreen(screener_v2, ledger_v1, as_of=LATER, baseline=baseline, record=False)
    again = {t.key: t for t in report.transitions}
    ids = {s.transaction_id for s in cleared if s.decision.category.value != "less_risky"}
    reopened = [again[i] for i in ids if i in again]
    assert reopened and all(t.before == "less_risky" and t.worse for t in reopened)
    assert all("changed since the review" in (t.note or "") for t in reopened)


def test_tool_version_change_rescreens_everything(
    ledger_v1: Ledger, screener_v2: Screener, monkeypatch: pytest.MonkeyPatch
) -> None:
    import exportscreen.ledger.plan as module

    monkeypatch.setattr(module, "tool_build", lambda: "99.0.0+0000000000000000")
    report = rescreen(screener_v2, ledger_v1, as_of=LATER, record=False)
    assert report.stats.orders_rescreened == report.stats.orders_stored
    assert any("tool version" in r for r in report.stats.full_reasons)


def test_a_run_recorded_by_other_code_of_the_same_version_rescreens_everything(
    tmp_path: Path, screener_v1: Screener, screener_v2: Screener, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runs recorded only the version number (0.1.0), so a ledger filled before a fix to the screening
    code (a new backstop, a rule read differently) was trusted by the delta re-screen under the same
    number, and the fix never reached its stored decisions. A run now records the code's digest too."""
    import exportscreen.ledger.store as store

    with Ledger(tmp_path / "l.db") as ledger:
        fill(ledger, screener_v1, generated_orders(12))
        assert all(r.tool_version.startswith("0.1.0+") for r in ledger.runs())
        with monkeypatch.context() as m:
            m.setattr(store, "tool_build", lambda: "0.1.0")  # what a run recorded before
            fill(ledger, screener_v1, generated_orders(12))
        report = rescreen(screener_v2, ledger, as_of=LATER, record=False)
    assert report.stats.orders_rescreened == report.stats.orders_stored == 12
    assert any(r.startswith("tool version 0.1.0 -> 0.1.0+") for r in report.stats.full_reasons)


def test_a_date_in_the_rules_between_screenings_rescreens(tmp_path: Path, screener_v1: Screener) -> None:
    from exportscreen.ledger.basis import data_dates

    last = max(d for d in data_dates(screener_v1) if d < ON)
    with Ledger(tmp_path / "l.db") as ledger:
        fill(ledger, screener_v1, generated_orders(5))
        same_rules = rescreen(screener_v1, ledger, as_of=ON + dt.timedelta(days=1), record=False)
        assert same_rules.stats.orders_rescreened == sum(1 for s in ledger.latest_decisions() if s.decision.matches)
        report = rescreen(screener_v1, ledger, as_of=last - dt.timedelta(days=1), record=False)
        assert report.stats.orders_rescreened == 5


def test_a_lapsed_listing_is_review_until_a_list_confirms_it(tmp_path: Path, bundled: Registry) -> None:
    """An entry that ends between the screening and the re-screening: with the list that predates the
    end, whether it was renewed is unknown (review, listing-lapse-unconfirmed); a list published
    after the end confirms the delisting (less risky). Delta and full re-screen agree on both."""
    from exportscreen.registry import load_registry
    from tests.rescreen.conftest import write_list

    entry = ["  - {id: T-1, name: Nordwind Cargo Airlines, country: DE, end_date: 2026-11-04}"]
    before = Screener(bundled + load_registry(write_list(tmp_path / "t1.yaml", entry, ON)))
    after = Screener(bundled + load_registry(write_list(tmp_path / "t2.yaml", entry, LATER)))
    tx = _nordwind_order("PO-T", ON)
    with Ledger(tmp_path / "ledger.db") as ledger:
        first = before.screen(tx, as_of=ON)
        assert "unread-list-match" in {r.rule_id for r in first.reasons}
        ledger.record([(tx, first)], command="check", registry=before.registry, as_of=ON, packs=first.packs)
        for screener, rule in ((before, "listing-lapse-unconfirmed"), (after, None)):
            delta = rescreen(screener, ledger, as_of=LATER, record=False)
            full = rescreen(screener, ledger, as_of=LATER, full=True, record=False)
            assert _dump(delta.transitions) == _dump(full.transitions)
            decision = delta.decisions["PO-T"]
            assert decision.to_json() == full.decisions["PO-T"].to_json()
            fired = {r.rule_id for r in decision.reasons}
            if rule is None:
                assert decision.category.value == "less_risky" and not decision.matches, fired
            else:
                assert decision.category.value == "review" and rule in fired


def test_a_new_hit_on_an_order_already_under_review_is_a_worse_transition(
    tmp_path: Path, screener_v1: Screener, screener_v2: Screener
) -> None:
    """Under review for one match on Monday, the order's second party is listed on Friday (B-4): the
    category stays review, but the re-screen reported nothing and exited 0 (red team 35, finding 4)."""
    order = {
        "id": "SO-2001",
        "date": ON.isoformat(),
        "destination": "GB",
        "parties": [
            {"role": "ultimate_consignee", "name": "Hikvision Digital", "country": "GB"},
            {"role": "purchaser", "name": "Marlowe Vacuum Systems Ltd", "country": "GB"},
        ],
        "items": [{"description": "industrial pump", "eccn": "EAR99"}],
    }
    with Ledger(tmp_path / "ledger.db") as ledger:
        fill(ledger, screener_v1, [order])
        (stored,) = ledger.latest_decisions()
        assert stored.decision.category.value == "review" and stored.decision.matches
        for full in (False, True):
            report = rescreen(screener_v2, ledger, as_of=LATER, full=full, record=False)
            (t,) = [t for t in report.transitions if t.kind == "order"]
            assert (t.key, t.before, t.after, t.worse) == ("SO-2001", "review", "review", True)
            assert t.note and "new or stronger match: Marlowe Vacuum Systems Ltd" in t.note and "B-4" in t.note
            # the order was re-screened for its stored match, so no delta index was built: the count of
            # fresh entries said 0 all the same
            assert full or report.stats.fresh_entries >= 3


def test_an_order_dated_later_than_today_is_rescreened_as_of_its_own_date(tmp_path: Path, bundled: Registry) -> None:
    """``check`` screens a planned shipment as of its date; ``rescreen`` without --as-of screened every
    order as of today. An entry that takes effect between today and the shipment date made the order
    review in ``check`` and "better: less risky" in the re-screen, recorded as the new basis."""
    from exportscreen.registry import load_registry
    from tests.rescreen.conftest import write_list

    today = dt.date.today()
    starts, ships = today + dt.timedelta(days=20), today + dt.timedelta(days=40)
    entry = [f"  - {{id: F-1, name: Nordwind Cargo Airlines, country: DE, start_date: {starts.isoformat()}}}"]
    screener = Screener(bundled + load_registry(write_list(tmp_path / "f.yaml", entry, today)))
    tx = _nordwind_order("PO-F", ships)
    with Ledger(tmp_path / "ledger.db") as ledger:
        first = screener.screen(tx)
        assert first.as_of == ships and first.category.value != "less_risky"
        ledger.record([(tx, first)], command="check", registry=screener.registry, as_of=None, packs=first.packs)
        for full in (False, True):
            report = rescreen(screener, ledger, full=full, record=False)
            assert report.transitions == [], _dump(report.transitions)
            assert report.decisions["PO-F"].as_of == ships


def test_a_newly_listed_consignee_is_worse_though_a_licence_lowers_the_category(
    tmp_path: Path, bundled: Registry, screener_v1: Screener, list_versions: tuple[Path, Path]
) -> None:
    """A 3A090.a chip to China, sensitive on Monday (742.6(a)(6), no licence). By Friday a licence on file
    covers it and the consignee is newly listed (B-5, a hit: unread-list-match, review). The re-screen
    reported 'better order: sensitive -> review' and exited 0: the newly listed party was hidden
    behind the lower category. Now it is worse, naming the new match."""
    from exportscreen.licensing.register import LicenceRegister
    from exportscreen.registry import load_registry

    consignee = "Quillfeather Semiconductor Equipment Co., Ltd."
    order = {
        "id": "SO-3001",
        "date": ON.isoformat(),
        "destination": "CN",
        "parties": [{"role": "ultimate_consignee", "name": consignee, "country": "CN"}],
        "items": [{"description": "accelerator", "eccn": "3A090.a", "quantity": 1}],
    }
    register = LicenceRegister.model_validate(
        {"format": "exportscreen-licences/1",
         "licences": [{"number": "D7000301", "type": "license", "eccns": ["3A090"], "destinations": ["CN"],
                       "parties": [{"name": consignee, "country": "CN"}],
                       "valid_from": "2026-01-01", "valid_to": "2027-12-31"}]}
    )  # fmt: skip
    licensed_v2 = Screener(bundled + load_registry(list_versions[1]), licences=register)
    with Ledger(tmp_path / "ledger.db") as ledger:
        fill(ledger, screener_v1, [order])
        (stored,) = ledger.latest_decisions()
        assert stored.decision.category.value == "sensitive" and not stored.decision.matches
        for full in (False, True):
            report = rescreen(licensed_v2, ledger, as_of=LATER, full=full, record=False)
            (t,) = [t for t in report.transitions if t.kind == "order"]
            assert (t.key, t.before, t.after, t.worse) == ("SO-3001", "sensitive", "review", True)
            assert t.note and "new or stronger match" in t.note and "B-5" in t.note
            assert report.stats.worse >= 1


def test_a_party_that_loses_a_hit_but_gains_a_new_match_is_worse() -> None:
    """A party file row: its hit entry removed, a review-strength match on a new entry: worse, not better."""
    from exportscreen.ledger.transitions import MatchSeen, outcome_change

    gone = MatchSeen("Acme", "blocked", "B-3", "Acme Ltd", "X-BLOCKED", "hit")
    new = MatchSeen("Acme", "blocked", "B-9", "Acme Trading", "X-BLOCKED", "review")
    assert outcome_change("party", "hit", "review", [gone], [new])[1:] == (
        "new or stronger match: Acme ~ Acme Trading [X-BLOCKED, B-9] review, "
        "gone or weaker: Acme ~ Acme Ltd [X-BLOCKED, B-3] hit",
        True,
    )
    assert outcome_change("party", "hit", "none", [gone], []) == (True, None, False)


def test_a_match_lost_because_its_list_is_not_loaded_is_never_better(ledger_v1: Ledger, bundled: Registry) -> None:
    """Re-screened without the block list the ledger was screened against (a --lists left out, a
    configured file gone), every order and party that matched it was 'better: review -> less_risky',
    exit 0, as if delisted. Now each is worse and says the list is not loaded."""
    unloaded = Screener(bundled)
    for full in (False, True):
        report = rescreen(unloaded, ledger_v1, as_of=LATER, full=full, record=False)
        on_block_list = [t for t in report.transitions if any(m.list == "X-BLOCKED" for m in t.matches_before)]
        assert on_block_list and {t.kind for t in on_block_list} == {"order", "party"}
        for t in on_block_list:
            assert t.worse, t
            assert t.note and "no source loaded now provides X-BLOCKED" in t.note
        assert report.stats.worse >= len(on_block_list)
