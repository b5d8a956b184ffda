"""Capability tiers from specifications and declared ECCNs, as of a date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from exportscreen.models import Item
from exportscreen.tiers import load_tiers

NOW = dt.date(2026, 3, 1)

CASES: list[tuple[str, dict[str, Any], dt.date, tuple[str, ...], bool]] = [
    ("h100", {"kind": "ic", "tpp": 15832, "datacenter": True}, NOW, ("3A090.a",), True),
    ("a100", {"kind": "ic", "tpp": 4992, "datacenter": True}, NOW, ("3A090.a",), True),
    (
        "dc-density",
        {"kind": "ic", "tpp": 1700, "performance_density": 6.0, "datacenter": True},
        NOW,
        ("3A090.a",),
        True,
    ),
    ("3a090b-1", {"kind": "ic", "tpp": 3000, "performance_density": 2.0, "datacenter": True}, NOW, ("3A090.b",), True),
    ("3a090b-2", {"kind": "ic", "tpp": 1700, "performance_density": 3.5, "datacenter": True}, NOW, ("3A090.b",), True),
    (
        "h20",
        {"kind": "ic", "tpp": 2368, "die_area_mm2": 814, "datacenter": True},
        NOW,
        ("3A090-near-threshold", "mature"),
        True,
    ),
    ("rtx4090", {"kind": "ic", "tpp": 5285, "datacenter": False}, NOW, ("3A090.a-nondc",), True),
    ("gaming-2000", {"kind": "ic", "tpp": 2000, "datacenter": False}, NOW, ("mature",), True),
    ("server", {"kind": "computer", "tpp": 15832, "datacenter": True}, NOW, ("4A090.a",), True),
    ("hbm", {"kind": "memory", "memory_bandwidth_density": 8.5}, NOW, ("3A090.c",), True),
    # an IC with co-packaged HBM: the note while its TPP is not given, placed by the TPP once it is
    (
        "ic-with-hbm-ear99",
        {"kind": "ic", "eccn": "EAR99", "memory_bandwidth_density": 5.0},
        NOW,
        ("hbm-ic-without-tpp", "mature"),
        True,
    ),
    (
        "ic-with-hbm-and-tpp",
        {"kind": "ic", "eccn": "EAR99", "memory_bandwidth_density": 5.0, "tpp": 300, "die_area_mm2": 400},
        NOW,
        ("mature",),
        True,
    ),
    (
        "hbm-2023",
        {"kind": "memory", "memory_bandwidth_density": 8.5, "eccn": "EAR99"},
        dt.date(2023, 6, 1),
        ("mature",),
        True,
    ),
    (
        "oct-2022-test",
        {"kind": "ic", "tpp": 4992, "io_bandwidth_gbps": 600, "datacenter": True},
        dt.date(2023, 1, 1),
        ("3A090.a",),
        True,
    ),
    (
        "oct-2022-io-prong",
        {"kind": "ic", "tpp": 4992, "io_bandwidth_gbps": 400},
        dt.date(2023, 1, 1),
        ("mature",),
        True,
    ),
    ("oct-2022-io-missing", {"kind": "ic", "tpp": 4992}, dt.date(2023, 1, 1), (), False),
    (
        "oct-2022-below",
        {"kind": "ic", "tpp": 3000, "datacenter": True, "performance_density": 2.0},
        dt.date(2023, 1, 1),
        ("mature",),
        True,
    ),
    ("pre-2022", {"kind": "ic", "tpp": 15832, "datacenter": True}, dt.date(2021, 1, 1), ("mature",), True),
    ("sme-14nm", {"kind": "sme", "node_nm": 14}, NOW, ("advanced-node",), True),
    ("sme-7nm", {"kind": "sme", "node_nm": 7}, NOW, ("advanced-node", "leading-edge"), True),
    ("sme-nand", {"kind": "sme", "nand_layers": 232}, NOW, ("advanced-node",), True),
    ("sme-dram-2024", {"kind": "sme", "dram_half_pitch_nm": 17}, dt.date(2024, 12, 1), ("advanced-node",), True),
    ("sme-dram-half-pitch-after-dec-2024", {"kind": "sme", "dram_half_pitch_nm": 17}, NOW,
     ("advanced-node-dram-half-pitch",), False),
    # the same with EAR99 declared was mature (less risky to China): the note tier carries it to a review
    ("sme-dram-half-pitch-ear99", {"kind": "sme", "eccn": "EAR99", "dram_half_pitch_nm": 17}, NOW,
     ("advanced-node-dram-half-pitch", "mature"), True),
    ("sme-dram-cell", {"kind": "sme", "dram_cell_area_um2": 0.0018}, NOW, ("advanced-node",), True),
    ("sme-dram-18nm-6f2-cell", {"kind": "sme", "dram_cell_area_um2": 0.00194}, NOW, ("mature",), True),
    ("sme-dram-density", {"kind": "sme", "dram_density_gb_per_mm2": 0.3}, NOW, ("advanced-node",), True),
    ("sme-non-planar", {"kind": "sme", "non_planar_transistors": True}, NOW, ("advanced-node",), True),
    ("chemicals-7nm-fab", {"kind": "other", "eccn": "EAR99", "node_nm": 7}, NOW, ("advanced-node-supplies",), True),
    ("chemicals-no-node", {"kind": "other", "eccn": "EAR99"}, NOW, ("mature",), True),
    ("ic-7nm-not-leading-edge", {"kind": "ic", "node_nm": 7, "tpp": 500, "datacenter": False}, NOW, ("mature",), True),
    ("sme-40nm", {"kind": "sme", "node_nm": 40}, NOW, ("mature",), True),
    ("sme-unknown-node", {"kind": "sme"}, NOW, (), False),
    ("ic-no-specs", {"kind": "ic"}, NOW, (), False),
    ("ic-unknown-dc", {"kind": "ic", "tpp": 2000}, NOW, (), False),
    ("no-kind-no-eccn", {}, NOW, (), False),
    ("ear99", {"eccn": "EAR99"}, NOW, ("mature",), True),
    ("declared-3a090a1", {"eccn": "3A090.a.1"}, NOW, ("3A090.a",), True),
    ("supp2", {"eccn": "9A991"}, NOW, ("meu-supp2", "mature"), True),
    ("supp2-2020-addition-before", {"eccn": "3A991"}, dt.date(2019, 1, 1), ("mature",), True),
    ("bare-3a090-strictest", {"eccn": "3A090"}, NOW, ("3A090.a",), True),
    ("bare-4a090-strictest", {"eccn": "4A090"}, NOW, ("4A090.a",), True),
    ("z-heading-strictest", {"eccn": "3A001.z.2"}, NOW, ("3A090.a",), True),
    ("z-b-paragraph", {"eccn": "3A001.z.3.b"}, NOW, ("3A090.b",), True),
    ("z-4a004-z2", {"eccn": "4A004.z.2"}, NOW, ("4A090.b",), True),
    ("z-5a992-z1", {"eccn": "5A992.z.1"}, NOW, ("4A090.a", "meu-supp2"), True),
    ("z-oct-2022", {"eccn": "5D002.z"}, dt.date(2023, 1, 1), ("3A090.a",), True),
    ("unknown-3a090-paragraph", {"eccn": "3A090.d"}, NOW, (), False),
    ("3a090c-before-dec-2024", {"eccn": "3A090.c"}, dt.date(2024, 12, 1), (), False),
    ("3b090-oct-2022", {"eccn": "3B090.a"}, dt.date(2023, 1, 1), ("3B090",), True),
    ("3b090-after-nov-2023", {"eccn": "3B090.a"}, NOW, (), False),
    ("3b001-not-a-china-tier", {"eccn": "3B001.c"}, NOW, ("mature",), True),
    (
        "foundry-presumed",
        {"kind": "ic", "node_nm": 7, "tpp": 500, "datacenter": False, "from_foundry_or_osat": True},
        NOW,
        ("3A090.a-presumed",),
        True,
    ),
    (
        "foundry-count-attested",
        {
            "kind": "ic",
            "node_nm": 7,
            "tpp": 500,
            "datacenter": False,
            "from_foundry_or_osat": True,
            "transistor_count_billion": 25,
            "transistor_count_attested_by": "front_end_fab_outside_d5",
        },
        NOW,
        ("mature",),
        True,
    ),
    (
        "foundry-non-planar",
        {"kind": "ic", "non_planar_transistors": True, "tpp": 500, "datacenter": False, "from_foundry_or_osat": True},
        NOW,
        ("3A090.a-presumed",),
        True,
    ),
    (
        "foundry-before-jan-2025",
        {"kind": "ic", "node_nm": 7, "tpp": 500, "datacenter": False, "from_foundry_or_osat": True},
        dt.date(2025, 1, 15),
        ("mature",),
        True,
    ),
    ("ic-before-any-ic-tier", {"kind": "ic"}, dt.date(2021, 1, 1), ("mature",), True),
]


@pytest.mark.parametrize(("name", "specs", "on", "tiers", "classified"), CASES, ids=[c[0] for c in CASES])
def test_classification(
    name: str, specs: dict[str, Any], on: dt.date, tiers: tuple[str, ...], classified: bool
) -> None:
    result = load_tiers().classify(Item(description=name, **specs), on)
    assert result.tiers == tiers
    assert result.classified is classified


def test_unclassified_names_missing_fields() -> None:
    result = load_tiers().classify(Item(description="x", kind="ic", tpp=2000), NOW)
    assert set(result.missing) == {"datacenter", "performance_density"}


def test_declared_ecc_disagreeing_with_specs_is_a_conflict() -> None:
    t = load_tiers()
    ear99 = t.classify(Item(description="x", kind="ic", eccn="EAR99", tpp=15832, datacenter=True), NOW)
    assert ear99.conflict and "EAR99" in ear99.conflict
    assert "3A090.a" in ear99.tiers  # the stricter tier applies
    b_vs_a = t.classify(Item(description="x", kind="ic", eccn="3A090.b", tpp=15832, datacenter=True), NOW)
    assert b_vs_a.conflict
    agree = t.classify(Item(description="x", kind="ic", eccn="3A090.a", tpp=15832, datacenter=True), NOW)
    assert agree.conflict is None


def test_evidence_records_the_comparison() -> None:
    result = load_tiers().classify(Item(description="x", kind="ic", tpp=15832, datacenter=True), NOW)
    ev = result.evidence[0]
    assert ev["tier"] == "3A090.a"
    assert {"field": "tpp", "value": 15832.0, "test": ">= 4800.0"} in ev["comparisons"]  # type: ignore[operator]


def test_an_unknown_paragraph_says_why_it_cannot_be_placed() -> None:
    result = load_tiers().classify(Item(description="x", eccn="3A090.d"), NOW)
    assert result.unplaceable is not None and "3A090.d" in result.unplaceable
    nothing = load_tiers().classify(Item(description="x"), NOW)
    assert nothing.unplaceable == "neither an ECCN nor a kind is given"


def test_specifications_without_a_kind_cannot_be_placed() -> None:
    """node_nm 7 on an EAR99 item with no kind was dropped (less risky to China); the kind says whether
    it is the IC's node or the node of the fab the item is for (red team 26, finding 7)."""
    result = load_tiers().classify(Item(description="chamber parts", eccn="EAR99", node_nm=7), NOW)
    assert not result.classified
    assert result.unplaceable is not None and "node_nm" in result.unplaceable
    declared = load_tiers().classify(Item(description="gpu", eccn="3A090.a", tpp=5000), NOW)
    assert not declared.classified and "3A090.a" in declared.tiers  # the declared ECCN's tier is kept
    with_kind = load_tiers().classify(Item(description="chamber parts", kind="sme", eccn="EAR99", node_nm=7), NOW)
    assert with_kind.unplaceable is None


def test_a_nondc_chip_declared_3a090a_is_no_conflict() -> None:
    result = load_tiers().classify(Item(description="x", kind="ic", eccn="3A090.a", tpp=5285, datacenter=False), NOW)
    assert result.conflict is None
    assert "3A090.a-nondc" in result.tiers


def test_a_note_tier_is_not_a_control() -> None:
    result = load_tiers().classify(
        Item(description="x", kind="ic", tpp=4500, performance_density=1.0, datacenter=True), NOW
    )
    assert "3A090-near-threshold" in result.tiers and "mature" in result.tiers


# Specifications that reach a 3A090 tier whatever the declared kind (red team A, finding 2): the tier's
# criteria were tested only for its own kinds, so H100-class specs on kind other/memory/sme/software/
# technology and HBM specs on kind other were dropped (mature, less risky to China).
KIND_CONFLICTS: list[tuple[str, dict[str, Any], str]] = [
    ("other-h100", {"kind": "other", "tpp": 15800, "datacenter": True, "die_area_mm2": 814}, "3A090.a"),
    ("other-h100-3a991", {"kind": "other", "eccn": "3A991", "tpp": 15800, "datacenter": True}, "3A090.a"),
    ("memory-h100-3a991", {"kind": "memory", "eccn": "3A991", "tpp": 15800, "datacenter": True}, "3A090.a"),
    ("sme-h100-ear99", {"kind": "sme", "eccn": "EAR99", "tpp": 15800, "datacenter": True}, "3A090.a"),
    ("software-rtx4090", {"kind": "software", "eccn": "EAR99", "tpp": 5285, "datacenter": False}, "3A090.a-nondc"),
    ("other-3a090b", {"kind": "other", "tpp": 3000, "performance_density": 2.0, "datacenter": True}, "3A090.b"),
    ("other-hbm-ear99", {"kind": "other", "eccn": "EAR99", "memory_bandwidth_density": 5.0}, "3A090.c"),
    ("technology-hbm-ear99", {"kind": "technology", "eccn": "EAR99", "memory_bandwidth_density": 5.0}, "3A090.c"),
]


@pytest.mark.parametrize(("name", "specs", "tier"), KIND_CONFLICTS, ids=[c[0] for c in KIND_CONFLICTS])
def test_specifications_reach_a_tier_whatever_the_kind(name: str, specs: dict[str, Any], tier: str) -> None:
    result = load_tiers().classify(Item(description=name, **specs), NOW)
    assert result.classified
    assert tier in result.tiers and "mature" not in result.tiers  # the stricter reading
    assert result.conflict is not None and f"kind {specs['kind']}" in result.conflict
    (entry,) = [e for e in result.evidence if e.get("tier") == tier]
    assert entry["kind_conflict"] == {"kind": specs["kind"], "tier_kinds": ["memory" if tier == "3A090.c" else "ic"]}


def test_a_foreign_kind_is_tested_only_when_it_gives_the_tiers_values() -> None:
    """Office chairs, a rack with the datacenter flag, a low TPP: no tier, no conflict, still classified."""
    t = load_tiers()
    for specs in ({"kind": "other"}, {"kind": "other", "datacenter": True}, {"kind": "other", "tpp": 100},
                  {"kind": "other", "memory_bandwidth_density": 1.5}, {"kind": "ic", "tpp": 100,
                  "memory_bandwidth_density": 5.0}):  # HBM co-packaged with a logic die: the chip test
        result = t.classify(Item(description="x", **specs), NOW)
        assert result.tiers == ("mature",) and result.classified and result.conflict is None, specs
    # a value the tier needs is missing: unclassified, as for kind ic
    open_ = t.classify(Item(description="x", kind="other", tpp=3000, datacenter=True), NOW)
    assert not open_.classified and "performance_density" in open_.missing


def test_other_kinds_must_not_repeat_kinds() -> None:
    from exportscreen.tiers import TierDef

    with pytest.raises(ValueError, match="repeats a kind"):
        TierDef.model_validate({"id": "t", "eccn": None, "label": "l", "kinds": ["ic"], "citations": ["c"],
                                "criteria": [{"tpp": {"ge": 1}}],
                                "other_kinds": {"kinds": ["ic"], "when_given": ["tpp"]}})


# The foundry presumption (90 FR 5298; BRIEF 8.4, 10 #20): a count under 30 billion lifts it only when the
# front-end fab that packages the IC (outside Macau/D:5) or an approved OSAT attests it. Any count under
# 30 B lifted it (red team A, finding 5): the brief's own example, packaged by a non-approved OSAT, was mature.
FOUNDRY_DIE = {"kind": "ic", "node_nm": 7, "tpp": 100, "datacenter": False, "from_foundry_or_osat": True,
               "approved_ic_designer": False}


@pytest.mark.parametrize(
    ("count", "attester", "tiers"),
    [
        (25, None, ("3A090.a-presumed",)),  # nobody named: unattested
        (25, "none", ("3A090.a-presumed",)),  # e.g. packaged by a non-approved OSAT
        (25, "front_end_fab_outside_d5", ("mature",)),
        (25, "approved_osat", ("mature",)),
        (35, "approved_osat", ("3A090.a-presumed",)),
        (None, "none", ("3A090.a-presumed",)),
    ],
)
def test_only_a_qualifying_attestation_lifts_the_foundry_presumption(
    count: float | None, attester: str | None, tiers: tuple[str, ...]
) -> None:
    item = Item(description="7 nm logic die", **FOUNDRY_DIE, transistor_count_billion=count,
                transistor_count_attested_by=attester)
    result = load_tiers().classify(item, NOW)
    assert result.tiers == tiers and result.classified


def test_an_attester_needs_a_count_and_a_known_value() -> None:
    with pytest.raises(ValueError, match="needs the count it attests"):
        Item(description="x", kind="ic", transistor_count_attested_by="approved_osat")
    with pytest.raises(ValueError, match="approved_osat"):
        Item(description="x", kind="ic", transistor_count_billion=20, transistor_count_attested_by="osat")


def test_a_choice_field_is_compared_with_not_in_only() -> None:
    from exportscreen.tiers import TierDef

    base = {"id": "t", "eccn": None, "label": "l", "kinds": ["ic"], "citations": ["c"]}
    with pytest.raises(ValueError, match="compare it with not_in"):
        TierDef.model_validate({**base, "criteria": [{"transistor_count_attested_by": {"eq": 1}}]})
    with pytest.raises(ValueError, match="not_in is for a choice field"):
        TierDef.model_validate({**base, "criteria": [{"tpp": {"not_in": ["x"]}}]})
    with pytest.raises(ValueError, match="has no value"):
        TierDef.model_validate({**base, "criteria": [{"transistor_count_attested_by": {"not_in": ["osat"]}}]})


def test_a_missing_comparison_holds_only_without_the_field() -> None:
    from pydantic import ValidationError

    from exportscreen.tier_defs import Comparison

    missing = Comparison(missing=True)
    assert missing.when_missing == "holds" and not missing.holds(0.0) and missing.describe() == "not given"
    for mixed in ({"missing": True, "gt": 2}, {"missing": True, "if_missing": "fail"}):
        with pytest.raises(ValidationError, match="stands alone"):
            Comparison(**mixed)
