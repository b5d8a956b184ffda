"""The public API: names, screen() on mappings, determinism, as-of precedence."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import exportscreen
from exportscreen import Category, Decision, InputError, Screener, Transaction, match_name, screen
from exportscreen.screener import default_screener

PRINTER_TO_HUAWEI = {
    "id": "API-1",
    "destination": "CN",
    "parties": [{"role": "ultimate_consignee", "name": "Huawei Technologies Co., Ltd.", "country": "CN"}],
    "items": [{"description": "Office printer", "eccn": "EAR99"}],
}


def test_all_is_sorted_and_complete() -> None:
    assert exportscreen.__all__ == sorted(exportscreen.__all__)
    for name in exportscreen.__all__:
        assert hasattr(exportscreen, name), name
    required = {
        "screen",
        "Screener",
        "match_name",
        "load_registry",
        "load_pack",
        "Transaction",
        "Party",
        "Item",
        "Decision",
        "Reason",
        "PartyMatch",
        "Category",
        "ExportscreenError",
        "InputError",
        "ConfigError",
        "ListError",
        "PackError",
    }
    assert required <= set(exportscreen.__all__)
    assert list(Category) == [Category.SENSITIVE, Category.REVIEW, Category.LESS_RISKY]
    assert Category.LESS_RISKY < Category.REVIEW < Category.SENSITIVE


def test_py_typed_shipped() -> None:
    assert (Path(exportscreen.__file__).parent / "py.typed").is_file()


def test_screen_mapping_explains_itself() -> None:
    decision = screen(PRINTER_TO_HUAWEI, as_of=dt.date(2026, 3, 1))
    assert decision.category is Category.SENSITIVE
    reason = decision.reasons[0]
    assert reason.rule_id == "entity-list-hit"
    assert "84 FR 22963, 5/21/19" in reason.citations
    match = reason.evidence["matches"][0]  # type: ignore[index]
    assert match["entry_name"] == "Huawei Technologies Co., Ltd."  # type: ignore[index,call-overload]
    assert match["start_date"] == "2019-05-16"  # type: ignore[index,call-overload]
    assert decision.matches[0].strength == "hit"
    assert decision.registry.version and decision.registry.sources
    assert decision.packs[0].id == "china-advanced-computing"


def test_screen_accepts_transaction_model() -> None:
    tx = Transaction.model_validate(PRINTER_TO_HUAWEI)
    assert screen(tx, as_of=dt.date(2026, 3, 1)).category is Category.SENSITIVE


def test_as_of_precedence() -> None:
    """``as_of``, else the order's date when later than today, else today. An order dated before
    Huawei's listing (2019-05-16) was screened as of its own date and was not an Entity List hit:
    an export not yet made is controlled by the lists in force when it leaves."""
    tx = {**PRINTER_TO_HUAWEI, "date": "2019-01-02"}
    today = dt.date.today()
    late = screen(tx)
    assert late.as_of == today
    assert late.category is Category.SENSITIVE
    (note,) = [r for r in late.reasons if r.rule_id == "order-dated-earlier"]
    assert note.category is Category.LESS_RISKY
    assert note.evidence == {"order_date": "2019-01-02", "screened_as_of": today.isoformat()}
    assert "--as-of 2019-01-02 replays" in note.message
    # a replay of the order's own date is asked for by name. (Other Huawei rows print no start date
    # and count as listed on any date, the cautious reading: they may still be potential matches.)
    early = screen(tx, as_of=dt.date(2019, 1, 2))
    assert early.category is not Category.SENSITIVE
    assert "EL-CN-HUAWEI-TECHNOLOGIES-CO-LTD" not in {m.entry_id for m in early.matches}
    assert "order-dated-earlier" not in {r.rule_id for r in early.reasons}
    assert screen(tx, as_of=dt.date(2020, 1, 1)).category is Category.SENSITIVE
    assert screen(PRINTER_TO_HUAWEI).as_of == today
    planned = today + dt.timedelta(days=30)
    ahead = screen({**PRINTER_TO_HUAWEI, "date": planned.isoformat()})
    assert ahead.as_of == planned
    assert "order-dated-earlier" not in {r.rule_id for r in ahead.reasons}


def test_decision_json_is_deterministic_and_round_trips() -> None:
    a = screen(PRINTER_TO_HUAWEI, as_of=dt.date(2026, 3, 1)).to_json()
    b = Screener().screen(PRINTER_TO_HUAWEI, as_of=dt.date(2026, 3, 1)).to_json()
    assert a == b
    again = Decision.model_validate(json.loads(a))
    assert again.to_json() == a


def test_decision_json_same_across_processes() -> None:
    code = (
        "import datetime as dt, json, sys; from exportscreen import screen; "
        f"print(screen({PRINTER_TO_HUAWEI!r}, as_of=dt.date(2026, 3, 1)).to_json())"
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
        ).stdout
        for seed in ("0", "1", "12345")
    }
    assert len(outs) == 1


def test_default_screener_is_built_once() -> None:
    assert default_screener() is default_screener()


def test_bad_mapping_raises_input_error_never_a_decision() -> None:
    with pytest.raises(InputError) as exc:
        screen({**PRINTER_TO_HUAWEI, "destinaton": "CN"})
    assert "destinaton" in str(exc.value)
    with pytest.raises(InputError):
        screen("not a mapping")  # type: ignore[arg-type]


def test_match_name_finds_smic_and_spares_tsmc() -> None:
    smic = match_name("SMIC Beijing", country="CN")
    assert smic and smic[0].entry_name == "Semiconductor Manufacturing International (Beijing) Corporation"
    assert smic[0].strength == "hit"
    assert match_name("Taiwan Semiconductor Manufacturing Company Limited", country="TW") == []
    with pytest.raises(InputError):
        match_name("   ")


def test_screener_shared_by_threads_gives_same_results() -> None:
    screener = default_screener()
    expected = screener.screen(PRINTER_TO_HUAWEI, as_of=dt.date(2026, 3, 1)).to_json()
    results: list[str] = []

    def work() -> None:
        for _ in range(5):
            results.append(screener.screen(PRINTER_TO_HUAWEI, as_of=dt.date(2026, 3, 1)).to_json())

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 40
    assert set(results) == {expected}


def test_less_risky_reason_lists_checks() -> None:
    decision = screen(
        {
            "id": "LR",
            "destination": "FR",
            "parties": [{"role": "purchaser", "name": "Lyon Capteurs SARL", "country": "FR"}],
            "items": [{"description": "probe", "eccn": "EAR99"}],
        },
        as_of=dt.date(2026, 3, 1),
    )
    assert decision.category is Category.LESS_RISKY
    assert [r.rule_id for r in decision.reasons] == ["checks-passed", "licence-determined"]
    checks = decision.reasons[0].evidence["checks"]
    assert checks["lists_checked"] == ["1260H", "CMIC", "DPL", "EL", "MEU"]  # type: ignore[index,call-overload]
    assert checks["parties_screened"] == ["Lyon Capteurs SARL"]  # type: ignore[index,call-overload]


def test_entry_matched_by_two_parties_is_named_once_in_the_message() -> None:
    tx = {
        **PRINTER_TO_HUAWEI,
        "parties": [
            {"role": "ultimate_consignee", "name": "Huawei Technologies Co., Ltd."},
            {"role": "end_user", "name": "Huawei Technologies Co., Ltd."},
        ],
    }
    reason = screen(tx, as_of=dt.date(2026, 3, 1)).reasons[0]
    assert reason.message.count("Huawei Technologies Co., Ltd. [EL") == 1
    matches = reason.evidence["matches"]
    assert isinstance(matches, list)
    # one match per party (the complete list also has Huawei's rows under other countries, e.g. Yangon)
    assert [m["entry_id"] for m in matches].count("EL-CN-HUAWEI-TECHNOLOGIES-CO-LTD") == 2  # type: ignore[call-overload,index]


EXAMPLE_TRANSACTIONS = sorted((Path(__file__).resolve().parents[1] / "examples" / "transactions").glob("*.*"))


@pytest.mark.parametrize("path", EXAMPLE_TRANSACTIONS, ids=[p.stem for p in EXAMPLE_TRANSACTIONS])
def test_example_decisions_validate_and_round_trip(path: Path) -> None:
    """Decisions are constructed without re-validation for speed: each must still be a valid Decision."""
    from exportscreen.orders import load_orders

    assert EXAMPLE_TRANSACTIONS, "no example transactions found"
    for order in load_orders(path):
        decision = default_screener().screen(order.data)
        assert Decision.model_validate_json(decision.to_json()) == decision
        assert Decision.model_validate(decision.model_dump()) == decision


def test_a_transaction_instance_is_validated_again() -> None:
    """A Transaction changed after validation ('north korea' for JP) or made by model_construct (no
    parties, no items) was screened as it was: review and less risky. It is validated again."""
    tx = Transaction.model_validate(PRINTER_TO_HUAWEI)
    tx.destination = "north korea"
    assert screen(tx, as_of=dt.date(2026, 3, 1)).category is Category.SENSITIVE
    with pytest.raises(InputError, match="field 'parties': List should have at least 1 item"):
        screen(Transaction.model_construct(id="M-2", destination="KP", parties=[], items=[]))
