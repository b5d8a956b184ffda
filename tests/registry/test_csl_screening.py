"""The real CSL through the Screener: list metadata reaches Decision.matches and reasons."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from exportscreen import Screener, load_registry
from exportscreen.cli import main

#: every test here compiles or screens the full CSL
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def csl_screener(shared_data: Path) -> Screener:
    return Screener(registry=load_registry(shared_data / "csl" / "consolidated_2022-05.csv"))


@pytest.mark.parametrize(
    ("party", "fr_notice"),
    [
        ("Semiconductor Manufacturing International Corporation", "85 FR 83420"),
        ("Huawei Technologies Co., Ltd.", "84 FR 2296"),
        ("Hangzhou Hikvision Digital Technology Co., Ltd.", "84 FR 54002"),
    ],
)
def test_entity_list_metadata_in_decision(csl_screener: Screener, party: str, fr_notice: str) -> None:
    tx = {
        "id": "CSL-1",
        "destination": "CN",
        "parties": [{"role": "ultimate_consignee", "name": party, "country": "CN"}],
        "items": [{"description": "cable", "eccn": "EAR99"}],
    }
    decision = csl_screener.screen(tx, as_of=dt.date(2022, 5, 1))
    assert decision.category == "sensitive"
    el = [r for r in decision.reasons if r.rule_id == "entity-list-hit"]
    assert el, [r.rule_id for r in decision.reasons]
    matches = el[0].evidence["matches"]
    assert isinstance(matches, list)
    entry = next(m for m in matches if isinstance(m, dict) and m["list"] == "EL")
    assert any(fr_notice in str(n) for n in entry["federal_register"])  # type: ignore[union-attr]
    assert entry["start_date"]
    assert entry["license_requirement"]
    assert entry["license_policy"]
    assert any(fr_notice in c for c in el[0].citations)
    assert any(m.list == "EL" and m.strength == "hit" for m in decision.matches)
    assert decision.registry.sources and all(s.id.startswith("csl:") for s in decision.registry.sources)


def test_match_cli_on_csl(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["match", "SMIC", "--lists", str(shared_data / "csl" / "consolidated_2022-05.csv")])
    assert code == 1
    assert "Semiconductor Manufacturing International Corporation" in capsys.readouterr().out
