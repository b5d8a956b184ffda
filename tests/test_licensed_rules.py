"""Licences on file against the licence requirements the China pack decides (rules with ``covered_by``):
the Decision keeps the requirement and names the licence; a licence covers only what it says."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from exportscreen import Screener
from exportscreen.licensing.register import LicenceRegister
from exportscreen.models import Category
from exportscreen.rules.model import Rule

LOTUS = "Lotus Cloud Computing Co., Ltd."
#: The orders' date, inside the licences' validity (2026): screened on it, not today, so the tests do not expire.
ON = dt.date(2026, 3, 2)
#: received by BIS more than 25 days before ON: a NAC notification's waiting period is over
NOTIFIED = {"notified_on": "2026-01-05"}


def _register(*licences: dict[str, Any]) -> LicenceRegister:
    base = {"valid_from": "2026-01-01", "valid_to": "2026-12-31", "destinations": ["CN"], "type": "license"}
    return LicenceRegister.model_validate(
        {"format": "exportscreen-licences/1", "licences": [{**base, **lic} for lic in licences]}
    )


def _h100(**extra: Any) -> dict[str, Any]:
    return {
        "id": "T-1",
        "date": "2026-03-02",
        "destination": "CN",
        "parties": [{"role": "end_user", "name": LOTUS, "country": "CN"}],
        "items": [{"description": "H100", "eccn": "3A090.a", "quantity": 10}],
        **extra,
    }


def test_a_covered_china_requirement_is_kept_and_names_the_licence() -> None:
    register = _register(
        {"number": "D7", "eccns": ["3A090.a"], "parties": [{"name": LOTUS}], "conditions": "No reexport"}
    )
    decision = Screener(licences=register).screen(_h100(), as_of=ON)
    assert decision.category is Category.LESS_RISKY
    row = next(r for r in decision.licence_requirements if r.handled_by == "china-advanced-computing")
    assert (row.status, row.covered_by) == ("delegated", "D7")
    reason = next(r for r in decision.reasons if r.rule_id == "advanced-computing-macau-d5")
    assert reason.category is Category.LESS_RISKY
    assert "covered by license D7" in reason.message and "No reexport" in reason.message
    assert "15 CFR Part 750" in reason.citations
    cover = reason.evidence["licences_on_file"]
    assert isinstance(cover, dict) and cover["not_covered"] == []
    assert cover["covered"] == [
        {
            "item": 0,
            "country": "CN",
            "counted_as": "destination",
            "licence": "D7",
            "type": "license",
            "valid_from": "2026-01-01",
            "valid_to": "2026-12-31",
            "conditions": "No reexport",
        }
    ]
    assert {r.rule_id for r in decision.reasons} >= {"licence-on-file", "checks-passed"}


def test_without_a_register_the_rule_fires_as_written() -> None:
    reason = Screener().screen(_h100(), as_of=ON).reasons[0]
    assert reason.rule_id == "advanced-computing-macau-d5" and reason.category is Category.SENSITIVE
    assert "licences_on_file" not in reason.evidence and "Licences on file" not in reason.message


def test_a_licence_that_does_not_fit_says_why() -> None:
    register = _register({"number": "D7", "eccns": ["3A090.a"], "parties": [{"name": LOTUS}], "max_quantity": 4})
    decision = Screener(licences=register).screen(_h100(), as_of=ON)
    reason = decision.reasons[0]
    assert (reason.rule_id, reason.category) == ("advanced-computing-macau-d5", Category.SENSITIVE)
    assert "D7 quantity 10 is over its limit of 4" in reason.message
    cover = reason.evidence["licences_on_file"]
    assert isinstance(cover, dict) and cover["covered"] == []


def test_an_alias_on_the_order_does_not_make_a_party_licensed() -> None:
    """Red team (lead 2026-12-07): another party that gave the licensed name as its alias was covered
    by the licence (less risky); so was the licensed name in another country than the licence's."""
    register = _register({"number": "D7", "eccns": ["3A090.a"], "parties": [{"name": LOTUS, "country": "CN"}]})
    screener = Screener(licences=register)
    other = {"role": "end_user", "name": "Shenzhen Other Compute Ltd.", "aliases": [LOTUS], "country": "CN"}
    decision = screener.screen(_h100(parties=[other]), as_of=ON)
    assert decision.category is Category.SENSITIVE
    assert "an alias the order gives it is a licensed name" in decision.reasons[0].message
    elsewhere = screener.screen(_h100(parties=[{"role": "end_user", "name": LOTUS, "country": "HK"}]), as_of=ON)
    assert elsewhere.category is Category.SENSITIVE
    assert f"does not name {LOTUS} in HK (it names CN)" in elsewhere.reasons[0].message
    assert screener.screen(_h100(), as_of=ON).category is Category.LESS_RISKY  # the licensed party itself


def test_a_covered_entity_list_match_counts_as_read() -> None:
    """The backstop (unread-list-match) must not turn a licensed Entity List shipment back into review."""
    listed = "4Paradigm Technology Co., Ltd."
    register = _register({"number": "D8", "eccns": ["EAR99"], "parties": [{"name": listed}]})
    tx = _h100(
        parties=[{"role": "ultimate_consignee", "name": listed, "country": "CN"}],
        items=[{"description": "Printer", "eccn": "EAR99"}],
    )
    decision = Screener(licences=register).screen(tx, as_of=ON)
    assert decision.category is Category.LESS_RISKY, [r.rule_id for r in decision.reasons]
    assert "unread-list-match" not in {r.rule_id for r in decision.reasons}
    assert decision.matches, "the match is still reported"


def test_an_end_use_section_is_covered_only_when_every_item_is() -> None:
    fab = "Eastern Logic Foundry Co., Ltd."
    register = _register({"number": "D9", "eccns": ["3B001"], "parties": [{"name": fab}]})
    tool = {"description": "Etch tool", "kind": "sme", "eccn": "3B001.c", "node_nm": 14}
    tx = _h100(
        parties=[{"role": "end_user", "name": fab, "country": "CN"}], items=[tool], end_use_tags=["advanced_node_fab"]
    )
    screener = Screener(licences=register)
    rows = [r for r in screener.screen(tx, as_of=ON).licence_requirements if r.item_index < 0]
    assert rows and all(r.covered_by == "D9" for r in rows)
    tx["items"] = [tool, {"description": "O-rings", "eccn": "EAR99"}]
    decision = screener.screen(tx, as_of=ON)
    assert all(r.covered_by is None for r in decision.licence_requirements if r.item_index < 0)
    assert decision.category is Category.SENSITIVE


def test_a_nac_notification_answers_742_6_a_6_only() -> None:
    """A NAC notification is License Exception NAC (740.8): it covers the 742.6(a)(6) rows of an item in
    a tier open to NAC, never the Country Chart rows (NS2 of a 3A001.z chip) or a tier without NAC."""
    register = _register(
        {"number": "N1", "type": "nac_notification", "eccns": ["3A001.z"], "parties": [{"name": LOTUS}], **NOTIFIED}
    )
    chip = {"description": "FPGA card", "eccn": "3A001.z", "kind": "ic", "tpp": 5285, "datacenter": False}
    decision = Screener(licences=register).screen(_h100(items=[chip]), as_of=ON)
    assert decision.category is Category.SENSITIVE
    chart = [r for r in decision.licence_requirements if r.basis == "country_chart"]
    assert chart and all(r.covered_by is None for r in chart)
    reason = next(r for r in decision.reasons if r.rule_id == "ccl-licence-required")
    assert "N1 is a nac notification, which answers 742.6(a)(6) only" in reason.message
    etch = {"description": "Etch", "eccn": "3B001.c"}
    register = _register(
        {"number": "N2", "type": "nac_notification", "eccns": ["3B001"], "parties": [{"name": LOTUS}], **NOTIFIED}
    )
    decision = Screener(licences=register).screen(_h100(items=[etch]), as_of=ON)
    assert all(r.covered_by is None for r in decision.licence_requirements)
    assert "License Exception NAC is not open to the item's tiers (mature)" in decision.reasons[0].message


@pytest.mark.parametrize("covered_by", [{"types": ["permit"]}, {"types": []}, {"types": ["license"], "items": "some"}])
def test_covered_by_is_validated(covered_by: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Rule.model_validate(
            {
                "id": "r",
                "category": "sensitive",
                "when": {"always": True},
                "message": "m",
                "citations": ["c"],
                "covered_by": covered_by,
            }
        )
