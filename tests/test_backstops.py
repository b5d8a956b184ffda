"""The screener's safety net: a list match no rule acted on is review, whatever shape the pack's rules have.

"Read" is decided from what fired: a match is read only when it is in the evidence of a rule that
fired above less risky (issue 12.2). The old check re-implemented the rule language without ``all``
siblings, ``not``, ``roles`` and ``tags``, so a pack reading a list only under a condition silenced the
net for every other order. A party without a country is no evidence either way (issue 12.11).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from exportscreen import Category, Screener
from exportscreen.cli import main
from exportscreen.registry import load_registry

REPO = Path(__file__).resolve().parent.parent
BLOCKED = REPO / "examples" / "lists" / "blocked_customers.csv"
AS_OF = dt.date(2026, 3, 1)
CLOSING = "  - {id: checks-passed, category: less_risky, when: {always: true}, message: ok, citations: [none]}\n"

#: rules that read X-BLOCKED-CUSTOMERS, none of which holds for a purchaser on an order to France
CONDITIONAL_RULES = {
    "all-sibling": "{all: [{party_listed: {lists: [X-BLOCKED-CUSTOMERS], min_strength: hit}},"
    " {destination: {countries: [CN]}}]}",
    "roles": "{party_listed: {lists: [X-BLOCKED-CUSTOMERS], roles: [end_user]}}",
    "tags": "{party_listed: {lists: [X-BLOCKED-CUSTOMERS], tags: [not-a-tag-of-the-entry]}}",
    "not": "{all: [{always: true}, {not: {party_listed: {lists: [X-BLOCKED-CUSTOMERS]}}}]}",
    "owners-only": "{owners_listed: {lists: [X-BLOCKED-CUSTOMERS], min_share: 50}}",
}


def _pack(tmp_path: Path, when: str, category: str = "sensitive") -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "format: exportscreen-pack/1\nid: blocked-customers\nversion: '1'\n"
        "description: a custom list read under a condition\n"
        f"rules:\n  - id: blocked-customer\n    category: {category}\n    when: {when}\n"
        "    message: 'Blocked customer: {parties}'\n    citations: [internal policy]\n" + CLOSING,
        encoding="utf-8",
    )
    return path


def _order(destination: str, name: str = "Northwind Precision Trading Ltd.") -> dict[str, object]:
    return {
        "id": "PO-FR",
        "destination": destination,
        "parties": [{"role": "purchaser", "name": name}],
        "items": [{"description": "Oscilloscope probe", "eccn": "EAR99"}],
    }


@pytest.mark.parametrize("shape", sorted(CONDITIONAL_RULES))
def test_a_match_no_fired_rule_used_is_review(shape: str, tmp_path: Path) -> None:
    screener = Screener(registry=load_registry(BLOCKED), packs=[_pack(tmp_path, CONDITIONAL_RULES[shape])])
    decision = screener.screen(_order("FR"), as_of=AS_OF)
    assert decision.matches and decision.matches[0].strength == "hit"
    assert decision.category is Category.REVIEW, [r.rule_id for r in decision.reasons]
    (net,) = [r for r in decision.reasons if r.rule_id == "unread-list-match"]
    assert "Northwind Precision Trading Ltd." in net.message


def test_the_same_rule_that_fires_reads_its_match(tmp_path: Path) -> None:
    screener = Screener(registry=load_registry(BLOCKED), packs=[_pack(tmp_path, CONDITIONAL_RULES["all-sibling"])])
    decision = screener.screen(_order("CN"), as_of=AS_OF)
    assert decision.category is Category.SENSITIVE
    assert [r.rule_id for r in decision.reasons] == ["blocked-customer"]


def test_a_match_read_only_by_a_less_risky_rule_is_still_review(tmp_path: Path) -> None:
    """A rule that fires as less risky cannot make a listed party vanish: less_risky has no matches."""
    pack = _pack(tmp_path, "{party_listed: {lists: [X-BLOCKED-CUSTOMERS]}}", category="less_risky")
    decision = Screener(registry=load_registry(BLOCKED), packs=[pack]).screen(_order("FR"), as_of=AS_OF)
    assert decision.category is Category.REVIEW
    assert "unread-list-match" in {r.rule_id for r in decision.reasons}


def test_the_cli_exits_1_for_the_conditional_pack(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    order = tmp_path / "po.yaml"
    order.write_text(
        "id: PO-FR\ndate: 2026-03-01\ndestination: FR\n"
        "parties: [{role: purchaser, name: Northwind Precision Trading Ltd.}]\n"
        "items: [{description: Oscilloscope probe, eccn: EAR99}]\n",
        encoding="utf-8",
    )
    pack = _pack(tmp_path, CONDITIONAL_RULES["all-sibling"])
    assert main(["screen", str(order), "--lists", str(BLOCKED), "--pack", str(pack)]) == 1
    assert "PO-FR: REVIEW" in capsys.readouterr().out


def test_a_party_without_country_keeps_its_hit_on_an_order_to_germany() -> None:
    """The classic diversion pattern: an Entity List party named on an order to a third country."""
    tx = {
        "id": "DIV-1",
        "destination": "DE",
        "parties": [{"role": "ultimate_consignee", "name": "Huawei Technologies"}],
        "items": [{"description": "Office printer", "eccn": "EAR99"}],
    }
    decision = Screener().screen(tx, as_of=AS_OF)
    best = decision.matches[0]
    assert best.strength == "hit" and "country" not in best.explanation.get("features", {}), best
    assert decision.category is Category.SENSITIVE
    # a country the order does give is evidence, as before
    given = Screener().screen({**tx, "parties": [{**tx["parties"][0], "country": "DE"}]}, as_of=AS_OF)  # type: ignore[dict-item]
    assert given.matches[0].score < best.score


CHINA_ONLY = [REPO / "lists" / "packs" / "china-advanced-computing" / "rules.yaml"]


def _shipment(destination: str, consignee: str, eccn: str) -> dict[str, object]:
    party = {"role": "ultimate_consignee", "name": consignee, "country": destination}
    return {
        "id": "PO-1",
        "destination": destination,
        "parties": [party],
        "items": [{"description": "part", "eccn": eccn}],
    }


@pytest.mark.parametrize(
    ("destination", "eccn", "found"),
    [("CU", "6A003.b.4", "Part 746 746.2 required"), ("CN", "3A001.a.1", "NS NS2 required"),
     ("CN", "3A089", "ECCN 3A089 unknown")],
)  # fmt: skip
def test_a_licence_requirement_no_pack_in_force_reads_is_review(destination: str, eccn: str, found: str) -> None:
    """``--pack`` replaces the bundled packs: with only the China pack, a thermal camera to Cuba and an
    NS2 chip to China came out less risky, although the determination had found the licence."""
    order = _shipment(destination, "Acme Trading", eccn)
    decision = Screener(packs=CHINA_ONLY).screen(order, as_of=AS_OF)
    assert decision.category is Category.REVIEW, [r.rule_id for r in decision.reasons]
    (net,) = [r for r in decision.reasons if r.rule_id == "unread-licence-requirement"]
    assert found in net.message and "china-advanced-computing" in net.message
    assert net.evidence["packs_in_force"] == ["china-advanced-computing"]
    full = Screener().screen(order, as_of=AS_OF)
    assert "unread-licence-requirement" not in {r.rule_id for r in full.reasons}
    assert full.category is not Category.LESS_RISKY


def test_a_covered_or_unneeded_licence_needs_no_backstop() -> None:
    order = _shipment("JP", "Osaka Parts K.K.", "3A991.a.1")
    decision = Screener(packs=CHINA_ONLY).screen(order, as_of=AS_OF)
    assert decision.category is Category.LESS_RISKY, [r.message for r in decision.reasons]


def test_check_with_a_pack_that_drops_the_licence_determination_does_not_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    orders = tmp_path / "orders.yaml"
    orders.write_text(
        "- id: PO-CU\n  date: 2026-03-01\n  destination: CU\n"
        "  parties: [{role: ultimate_consignee, name: Havana Optics, country: CU}]\n"
        "  items: [{description: thermal camera, eccn: 6A003.b.4}]\n",
        encoding="utf-8",
    )
    assert main(["check", str(orders), "--pack", str(CHINA_ONLY[0])]) == 1
    assert "unread-licence-requirement" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("consignee", "owner", "unnamed"),
    [
        ("TBD", None, ["the ultimate_consignee is named 'TBD'"]),
        ("N/A", None, ["the ultimate_consignee is named 'N/A'"]),
        ("T.B.D.", None, ["the ultimate_consignee is named 'T.B.D.'"]),
        ("Acme Widgets GmbH", "unknown", ["an owner of Acme Widgets GmbH is named 'unknown'"]),
        ("TBD Logistics GmbH", None, []),
        # ERP accounts that stand for a customer not named (SAP's one-time customer), role words, "ditto"
        ("One-time customer", None, ["the ultimate_consignee is named 'One-time customer'"]),
        ("Cash customer", None, ["the ultimate_consignee is named 'Cash customer'"]),
        ("Walk-in customer", None, ["the ultimate_consignee is named 'Walk-in customer'"]),
        ("Misc. customer", None, ["the ultimate_consignee is named 'Misc. customer'"]),
        ("Buyer", None, ["the ultimate_consignee is named 'Buyer'"]),
        ("Ultimate consignee", None, ["the ultimate_consignee is named 'Ultimate consignee'"]),
        ("Same as consignee", None, ["the ultimate_consignee is named 'Same as consignee'"]),
        ("Not known", None, ["the ultimate_consignee is named 'Not known'"]),
        ("ditto", None, ["the ultimate_consignee is named 'ditto'"]),
        ("Customer Service Europe GmbH", None, []),
        # red team 46: the placeholders of other languages (a Chinese order form's 未知 "unknown" and 待定
        # "to be determined"), N.N., a numbered placeholder, an address label for a name
        ("未知", None, ["the ultimate_consignee is named '未知'"]),
        ("待定", None, ["the ultimate_consignee is named '待定'"]),
        ("неизвестно", None, ["the ultimate_consignee is named 'неизвестно'"]),
        ("unbekannt", None, ["the ultimate_consignee is named 'unbekannt'"]),
        ("desconocido", None, ["the ultimate_consignee is named 'desconocido'"]),
        ("inconnu", None, ["the ultimate_consignee is named 'inconnu'"]),
        ("N.N.", None, ["the ultimate_consignee is named 'N.N.'"]),
        ("Pending", None, ["the ultimate_consignee is named 'Pending'"]),
        ("Ship-to", None, ["the ultimate_consignee is named 'Ship-to'"]),
        ("Customer 1", None, ["the ultimate_consignee is named 'Customer 1'"]),
        ("TBD 02", None, ["the ultimate_consignee is named 'TBD 02'"]),
        ("Test customer", None, ["the ultimate_consignee is named 'Test customer'"]),
        ("Customer 1 Logistics GmbH", None, []),
        # a customer number in the name field names nobody either
        ("100234", None, ["the ultimate_consignee is named '100234'"]),
        ("0", None, ["the ultimate_consignee is named '0'"]),
        ("3M Deutschland GmbH", None, []),
    ],
)
def test_a_party_named_by_a_placeholder_is_review(consignee: str, owner: str | None, unnamed: list[str]) -> None:
    """'TBD' or 'N/A' as the consignee passed as less risky: nobody was screened (red team 34, finding 4)."""
    party: dict[str, object] = {"role": "ultimate_consignee", "name": consignee, "country": "DE"}
    if owner:
        party["owners"] = [{"name": owner, "country": "DE", "percent": 60}]
    decision = Screener().screen(
        {"id": "T", "destination": "DE", "parties": [party], "items": [{"description": "chairs", "eccn": "EAR99"}]},
        as_of=dt.date(2026, 6, 1),
    )
    found = [r for r in decision.reasons if r.rule_id == "party-unnamed"]
    assert [r.evidence["unnamed"] for r in found] == ([unnamed] if unnamed else [])
    assert decision.category == ("review" if unnamed else "less_risky")


@pytest.mark.parametrize(
    ("shares", "flagged"),
    [([0.6], True), ([0.3, 0.3], True), ([1.0], True), ([60], False), ([0.2], False), ([0.6, 30], False)],
)
def test_owner_shares_written_as_fractions_are_review(shares: list[float], flagged: bool) -> None:
    """An owner in China given as 0.6 (for 60 %) of a Singapore buyer of 3A090.a chips read as 0.6 %: less
    risky (red team 34, finding 7)."""
    owners = [{"name": f"Shenzhen Holder {i} Co", "country": "CN", "percent": s} for i, s in enumerate(shares)]
    party = {"role": "ultimate_consignee", "name": "Lion City Compute Pte Ltd", "country": "SG", "owners": owners}
    item = {"description": "GPU", "eccn": "3A090.a", "kind": "ic", "tpp": 5000, "die_area_mm2": 800, "datacenter": True}
    decision = Screener().screen(
        {"id": "T", "destination": "SG", "parties": [party], "items": [item]}, as_of=dt.date(2026, 6, 1)
    )
    found = [r for r in decision.reasons if r.rule_id == "owner-share-as-fraction"]
    assert [r.evidence["shares"] for r in found] == ([{"Lion City Compute Pte Ltd": shares}] if flagged else [])
    if flagged:
        assert decision.category == "review"


@pytest.mark.parametrize(
    ("parties", "flagged"),
    [
        ([{"role": "purchaser", "name": "Acme Procurement Inc.", "country": "US"}], True),
        ([{"role": "freight_forwarder", "name": "Pearl River Logistics Co.", "country": "CN"}], True),
        (
            [
                {"role": "purchaser", "name": "Acme Procurement Inc.", "country": "US"},
                {"role": "intermediate_consignee", "name": "Pearl River Logistics Co.", "country": "CN"},
            ],
            True,
        ),
        ([{"role": "purchaser", "name": "Guangzhou Office Retail Co.", "country": "CN"}], False),
        ([{"role": "end_user", "name": "Guangzhou Office Retail Co.", "country": "CN"}], False),
        # red team 46: an ultimate consignee or end user elsewhere is no recipient in the destination either
        ([{"role": "ultimate_consignee", "name": "Acme Procurement Inc.", "country": "US"}], True),
        ([{"role": "end_user", "name": "Rhein Office Retail GmbH", "country": "DE"}], True),
        ([{"role": "ultimate_consignee", "name": "Guangzhou Office Retail Co."}], False),
        (
            [
                {"role": "ultimate_consignee", "name": "Rhein Office Retail GmbH", "country": "DE"},
                {"role": "end_user", "name": "Guangzhou Office Retail Co.", "country": "CN"},
            ],
            False,
        ),
    ],
)
def test_an_order_naming_no_one_who_receives_the_goods_is_review(parties: list[dict[str, str]], flagged: bool) -> None:
    """A US purchaser, or only a forwarder, on an order to China: nobody who receives the goods there was
    screened, yet microcontrollers passed as less risky. A purchaser in the destination stands for the
    consignee (the brief's retailer cases)."""
    decision = Screener().screen(
        {"id": "T", "destination": "CN", "parties": parties, "items": [{"description": "MCU", "eccn": "3A991.a"}]},
        as_of=dt.date(2026, 6, 1),
    )
    found = [r for r in decision.reasons if r.rule_id == "consignee-unnamed"]
    assert len(found) == (1 if flagged else 0), [r.rule_id for r in decision.reasons]
    assert decision.category == ("review" if flagged else "less_risky")
