"""The China rules' mechanisms: named dates, the materiality of missing specifications, headquarters
and ultimate parents, and messages that describe only windows containing the screening date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from exportscreen import Category, PackError, Screener, load_pack
from exportscreen._data import bundled_dir
from exportscreen.named_dates import DATE_KEYS, shared_dates
from exportscreen.rules import bundled_pack_paths
from exportscreen.rules.materiality import MAX_COMBINATIONS

PACK = bundled_dir() / "packs" / "china-advanced-computing" / "rules.yaml"
NOW = dt.date(2026, 3, 1)


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener(packs=[PACK])


def _tx(destination: str, items: list[dict[str, Any]], **party: Any) -> dict[str, Any]:
    party = {"role": "purchaser", "name": "Shenzhen Huaxin Electronics Trading Co., Ltd.", **party}
    return {"id": "T-1", "destination": destination, "parties": [party], "items": items}


IC_28NM = {"description": "28 nm mixed-signal IC", "kind": "ic", "node_nm": 28}

# ------------------------------------------------------------------------------------- named dates


def _date_values(node: Any, path: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}"
            if key in DATE_KEYS:
                out.append((here, value))
            elif key != "dates":
                out += _date_values(value, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _date_values(value, f"{path}.{i}")
    return out


def _bundled_dated_files() -> list[Path]:
    return [bundled_dir() / "tiers.yaml", bundled_dir() / "country_groups.yaml", *bundled_pack_paths()]


def test_a_named_date_is_never_written_again_as_a_literal() -> None:
    for path in _bundled_dated_files():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        named = {d.date: name for name, d in shared_dates().items()}
        named |= {v["date"]: name for name, v in (data.get("dates") or {}).items()}
        literal = [(where, v, named[v]) for where, v in _date_values(data) if isinstance(v, dt.date) and v in named]
        assert not literal, f"{path.name}: write the date name instead of the date: {literal}"


def test_every_shared_date_is_used() -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in _bundled_dated_files())
    assert [name for name in shared_dates() if name not in text] == []


def test_the_issue_dates_are_written_once() -> None:
    dates = ["2022-10-07", "2023-11-17", "2024-12-02", "2025-01-16", "2025-09-29", "2025-11-10", "2026-11-10"]
    everything = [bundled_dir() / "dates.yaml", *_bundled_dated_files()]
    for day in dates:
        written = [(p.name, line) for p in everything for line in p.read_text(encoding="utf-8").splitlines()]
        holders = [(name, line) for name, line in written if f"date: {day}" in line or f"{{date: {day}" in line]
        assert len(holders) == 1, f"{day} is named {len(holders)} times: {holders}"


def test_moving_the_snapback_date_moves_every_affiliates_rule(tmp_path: Path, screener: Screener) -> None:
    tx = _tx(
        "CN",
        [{"description": "Passive components", "eccn": "EAR99"}],
        name="Shanghai Qiancheng Electronics Co., Ltd.",
        country="CN",
        owners=[{"name": "SMIC Holdings Limited", "percent": 60}],
    )
    on = dt.date(2026, 12, 1)
    assert screener.screen(tx, as_of=on).category is Category.SENSITIVE
    moved = tmp_path / "rules.yaml"
    text = PACK.read_text(encoding="utf-8")
    assert text.count("date: 2026-11-10") == 1
    moved.write_text(text.replace("date: 2026-11-10", "date: 2027-11-10"), encoding="utf-8")
    decision = Screener(packs=[load_pack(moved)]).screen(tx, as_of=on)
    assert decision.category is Category.REVIEW
    (reason,) = [r for r in decision.reasons if r.rule_id == "affiliates-ownership-red-flag"]
    assert "stayed from 2025-11-10 through 2027-11-09" in reason.message


def test_a_local_date_may_not_shadow_a_shared_one(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "format: exportscreen-pack/1\nid: p\nversion: '1'\ndescription: d\n"
        "dates: {ac-rules-2023: {date: 2023-11-18, citation: c}}\n"
        "rules:\n  - {id: ok, category: less_risky, when: {always: true}, message: m, citations: [c]}\n",
        encoding="utf-8",
    )
    with pytest.raises(PackError, match=r"already named in lists/dates\.yaml"):
        load_pack(path)


# ------------------------------------------------------------------------------------- Affiliates windows


@pytest.mark.parametrize(
    ("on", "rule", "window"),
    [
        (dt.date(2025, 9, 28), "affiliates-rule-not-yet-in-force", "before 2025-09-29"),
        (dt.date(2025, 9, 29), "affiliates-rule", "in force from 2025-09-29 through 2025-11-09"),
        (dt.date(2025, 11, 10), "affiliates-ownership-red-flag", "stayed from 2025-11-10 through 2026-11-09"),
        (dt.date(2026, 11, 10), "affiliates-rule", "in force from 2026-11-10"),
    ],
)
def test_affiliates_messages_describe_the_window_of_the_date(
    screener: Screener, on: dt.date, rule: str, window: str
) -> None:
    tx = _tx(
        "CN",
        [{"description": "Passive components", "eccn": "EAR99"}],
        name="Shanghai Qiancheng Electronics Co., Ltd.",
        country="CN",
        owners=[{"name": "SMIC Holdings Limited", "percent": 60}],
    )
    (reason,) = [r for r in screener.screen(tx, as_of=on).reasons if r.rule_id.startswith("affiliates")]
    assert reason.rule_id == rule
    assert window in reason.message
    assert "2026-11-10" not in reason.message or on >= dt.date(2025, 11, 10)


# ------------------------------------------------------------------------------------- materiality (B1)


def test_a_missing_tpp_that_no_rule_reads_is_not_needed(screener: Screener) -> None:
    decision = screener.screen(
        _tx("TW", [IC_28NM], name="Taiwan Semiconductor Manufacturing Company Limited", country="TW"), as_of=NOW
    )
    assert decision.category is Category.LESS_RISKY
    (tier,) = decision.item_tiers
    (entry,) = [e for e in tier.evidence if e.get("basis") == "materiality"]
    assert entry["category_every_reading"] == "less_risky"
    assert set(entry["missing"]) == {"tpp", "datacenter", "performance_density"}  # type: ignore[arg-type]
    assert "not needed" in str(entry["note"])
    (passed,) = decision.reasons
    assert "not needed" in passed.message


def test_a_missing_tpp_that_decides_a_licence_is_named(screener: Screener) -> None:
    decision = screener.screen(_tx("CN", [IC_28NM], country="CN"), as_of=NOW)
    assert decision.category is Category.REVIEW
    (reason,) = [r for r in decision.reasons if r.rule_id == "item-unclassified"]
    assert "tpp" in reason.message and "742.6(a)(6)" in reason.message
    assert "advanced-computing-macau-d5" in reason.message
    (item,) = reason.evidence["unclassified_items"]  # type: ignore[misc]
    assert "742.6(a)(6)" in item["decides"]  # type: ignore[index]


def test_sensitive_under_every_reading_is_sensitive(screener: Screener) -> None:
    decision = screener.screen(_tx("CN", [{"description": "GPU", "kind": "ic", "tpp": 9800}], country="CN"), as_of=NOW)
    assert decision.category is Category.SENSITIVE
    assert "item-unclassified" not in {r.rule_id for r in decision.reasons}
    (entry,) = [e for e in decision.item_tiers[0].evidence if e.get("basis") == "materiality"]
    rules = {rid for reading in entry["readings"] for rid in reading["rules"]}  # type: ignore[union-attr,index]
    assert {"advanced-computing-macau-d5", "advanced-computing-nac-macau-d5"} <= rules


def test_readings_are_weighed_across_every_pack_in_force(tmp_path: Path) -> None:
    other = tmp_path / "taiwan.yaml"
    other.write_text(
        "format: exportscreen-pack/1\nid: taiwan-house-rules\nversion: '1'\ndescription: d\nrules:\n"
        "  - {id: house-3a090b-taiwan, category: sensitive, message: m, citations: [house rule],\n"
        "     when: {all: [{item_tier: ['3A090.b']}, {destination: {countries: [TW]}}]}}\n"
        "  - {id: ok, category: less_risky, when: {always: true}, message: m, citations: [c]}\n",
        encoding="utf-8",
    )
    tx = _tx("TW", [IC_28NM], name="Taiwan Semiconductor Manufacturing Company Limited", country="TW")
    decision = Screener(packs=[PACK, other]).screen(tx, as_of=NOW)
    assert decision.category is Category.REVIEW
    (reason,) = [r for r in decision.reasons if r.rule_id == "item-unclassified"]
    assert "house-3a090b-taiwan" in reason.message


def test_an_item_no_reading_can_place_stays_open(screener: Screener) -> None:
    for item in ({"description": "x", "eccn": "3A090.d"}, {"description": "mystery module"}):
        decision = screener.screen(_tx("JP", [item], country="JP"), as_of=NOW)
        assert decision.category is Category.REVIEW, item
        assert decision.item_tiers[0].classified is False


def test_too_many_combinations_leave_the_items_open(screener: Screener) -> None:
    items = [dict(IC_28NM, description=f"IC {i}") for i in range(5)]
    decision = screener.screen(_tx("TW", items, country="TW"), as_of=NOW)
    assert decision.category is Category.REVIEW
    (reason,) = [r for r in decision.reasons if r.rule_id == "item-unclassified"]
    assert f"more than {MAX_COMBINATIONS} combinations" in reason.message


def test_one_open_item_does_not_keep_an_immaterial_one_open(screener: Screener) -> None:
    memory = {"description": "DDR5 module", "kind": "memory"}
    decision = screener.screen(_tx("CN", [IC_28NM, memory], country="CN"), as_of=dt.date(2024, 6, 1))
    assert decision.category is Category.REVIEW
    assert [t.classified for t in decision.item_tiers] == [False, True]


# ------------------------------------------------------------------------------------- headquarters


def test_a_party_without_headquarters_is_headquartered_in_its_country(screener: Screener) -> None:
    gpu = {"description": "GPU", "kind": "ic", "tpp": 15832, "datacenter": True}
    tx = {
        "id": "HQ",
        "destination": "JP",
        "parties": [
            {"role": "ultimate_consignee", "name": "Tokyo Logistics K.K.", "country": "JP"},
            {"role": "purchaser", "name": "Shenzhen Qianhai Compute Co., Ltd.", "country": "CN"},
        ],
        "items": [gpu],
    }
    reasons = screener.screen(tx, as_of=NOW).reasons
    (reason,) = [r for r in reasons if r.rule_id == "advanced-computing-headquarters"]
    (hq,) = reason.evidence["headquarters"]  # type: ignore[misc]
    assert (hq["party"], hq["country"], hq["basis"]) == ("Shenzhen Qianhai Compute Co., Ltd.", "CN", "country")  # type: ignore[index]
    assert "no other headquarters given" in reason.message


def test_owners_in_aggregate_and_a_declared_parent(screener: Screener) -> None:
    gpu = {"description": "GPU", "kind": "ic", "tpp": 15832, "datacenter": True}
    owners = [
        {"name": "Hangzhou Yunsuan Group", "percent": 30, "country": "CN"},
        {"name": "Macau Holdings Limited", "percent": 25, "country": "MO"},
    ]
    decision = screener.screen(_tx("SG", [gpu], name="Merlion AI Cloud Pte. Ltd.", country="SG", owners=owners), NOW)
    (reason,) = [r for r in decision.reasons if r.rule_id == "advanced-computing-headquarters"]
    (hq,) = reason.evidence["headquarters"]  # type: ignore[misc]
    assert hq["basis"] == "owners" and hq["share"] == 55  # type: ignore[index]
    assert "55 % owned" in reason.message
    minority = [{"name": "Hangzhou Yunsuan Group", "percent": 30, "country": "CN"}]
    decision = screener.screen(_tx("SG", [gpu], name="Merlion AI Cloud Pte. Ltd.", country="SG", owners=minority), NOW)
    assert decision.category is Category.LESS_RISKY
    parent = [dict(minority[0], ultimate_parent=True)]
    decision = screener.screen(_tx("SG", [gpu], name="Merlion AI Cloud Pte. Ltd.", country="SG", owners=parent), NOW)
    (reason,) = [r for r in decision.reasons if r.rule_id == "advanced-computing-headquarters"]
    assert "ultimate parent Hangzhou Yunsuan Group" in reason.message


def test_the_hbm_tier_records_its_compliance_date(screener: Screener) -> None:
    hbm = {"description": "HBM3E", "kind": "memory", "memory_bandwidth_density": 8.5}
    decision = screener.screen(_tx("CN", [hbm], country="CN"), as_of=NOW)
    (entry,) = decision.item_tiers[0].evidence
    assert entry["compliance_date"] == "2024-12-31"
    assert any("3.3 GB/s/mm2" in str(x) for x in entry["license_exceptions"])  # type: ignore[union-attr]


def test_the_ai_diffusion_switch_is_one_data_choice() -> None:
    pack = load_pack(PACK)
    assert pack.switches == {"ai-diffusion-as-printed": False}
    assert load_pack(PACK, switches={"ai-diffusion-as-printed": True}).switches["ai-diffusion-as-printed"]
    with pytest.raises(PackError, match="unknown switch"):
        load_pack(PACK, switches={"nope": True})
    assert "AI Diffusion" in pack.description and "is-informed" in pack.description


def test_chip_specifications_under_another_kind_are_sensitive_with_a_conflict(screener: Screener) -> None:
    """H100-class specs or HBM with kind other/memory were less risky to China (red team A, finding 2)."""
    items = [
        {"description": "AI accelerator module", "kind": "other", "tpp": 15800, "datacenter": True},
        {"description": "AI accelerator", "kind": "memory", "eccn": "3A991", "tpp": 15800, "datacenter": True},
        {"description": "HBM3E stacks", "kind": "other", "eccn": "EAR99", "memory_bandwidth_density": 5.0},
        # the datacenter flag missing: both readings are sensitive, and the reading applied keeps its conflict
        {"description": "GPU module", "kind": "other", "tpp": 5000},
    ]
    for item in items:
        decision = screener.screen(_tx("CN", [item], country="CN"), as_of=NOW)
        assert decision.category is Category.SENSITIVE, item
        assert "item-classification-conflict" in {r.rule_id for r in decision.reasons}, item
