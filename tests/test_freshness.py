"""List freshness: too-old data is an error with max_list_age, a warning reason without it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from exportscreen import Category, ListError, Screener, load_registry
from exportscreen.cli import main

TX = {
    "id": "F-1",
    "destination": "FR",
    "parties": [{"role": "purchaser", "name": "Lyon Capteurs SARL", "country": "FR"}],
    "items": [{"description": "probe", "eccn": "EAR99"}],
}
BUNDLED_AS_OF = load_registry().as_of


def test_bundled_registry_is_dated() -> None:
    assert BUNDLED_AS_OF is not None


def test_max_list_age_refuses_old_data() -> None:
    assert BUNDLED_AS_OF is not None
    late = BUNDLED_AS_OF + dt.timedelta(days=31)
    with pytest.raises(ListError, match="older than 30 days"):
        Screener(max_list_age=30).screen(TX, as_of=late)
    ok = Screener(max_list_age=31).screen(TX, as_of=late)
    assert ok.category is Category.LESS_RISKY


def test_stale_data_adds_a_warning_reason_without_changing_the_category() -> None:
    assert BUNDLED_AS_OF is not None
    late = BUNDLED_AS_OF + dt.timedelta(days=400)
    decision = Screener(stale_after=180).screen(TX, as_of=late)
    assert decision.category is Category.LESS_RISKY
    assert decision.reasons[-1].rule_id == "stale-lists"
    fresh = Screener(stale_after=180).screen(TX, as_of=BUNDLED_AS_OF)
    assert all(r.rule_id != "stale-lists" for r in fresh.reasons)


def test_undated_source_is_stale(tmp_path: Path) -> None:
    lst = tmp_path / "undated.yaml"
    lst.write_text(
        "format: exportscreen-registry/1\nsource: {id: u, name: undated, list: X-MINE}\n"
        "entries:\n  - {id: a, name: Blocked Customer Ltd}\n",
        encoding="utf-8",
    )
    reg = load_registry(lst)
    with pytest.raises(ListError, match="undated"):
        Screener(reg, max_list_age=10_000).screen(TX, as_of=dt.date(2026, 1, 1))


def test_cli_max_list_age_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    order = tmp_path / "o.yaml"
    order.write_text(
        "id: F-2\ndate: 2030-01-01\ndestination: FR\n"
        "parties: [{role: purchaser, name: Lyon Capteurs SARL, country: FR}]\n"
        "items: [{description: probe, eccn: EAR99}]\n",
        encoding="utf-8",
    )
    assert main(["screen", str(order), "--max-list-age", "30"]) == 2
    assert "older than 30 days" in capsys.readouterr().err


def test_a_source_dated_after_today_is_not_fresh(tmp_path: Path) -> None:
    """A list whose as-of date is after today (2062 typed for 2026) never aged: --max-list-age let it
    pass for ever (red team 46). Such a date is no publication date: the source counts as undated."""
    future = dt.date.today() + dt.timedelta(days=3650)
    lst = tmp_path / "typo.yaml"
    lst.write_text(
        f"format: exportscreen-registry/1\nsource: {{id: t, name: typo, list: X-MINE, as_of: {future}}}\n"
        "entries:\n  - {id: a, name: Blocked Customer Ltd}\n",
        encoding="utf-8",
    )
    reg = load_registry(lst)
    with pytest.raises(ListError, match="after today"):
        Screener(reg, max_list_age=10_000).screen(TX)
    decision = Screener(reg).screen(TX)
    stale = [r for r in decision.reasons if r.rule_id == "stale-lists"]
    assert stale and "after today" in stale[0].message
    # a day ahead (a list published in a time zone already on the next day) is fresh
    tomorrow = lst.read_text(encoding="utf-8").replace(str(future), str(dt.date.today() + dt.timedelta(days=1)))
    lst.write_text(tomorrow, encoding="utf-8")
    assert all(r.rule_id != "stale-lists" for r in Screener(load_registry(lst)).screen(TX).reasons)
