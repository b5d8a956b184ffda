"""Property tests of ``screen()``: fail closed on any input, deterministic, and less_risky only when earned.

* Any mapping (arbitrary, or a valid transaction with one field mutated, deleted or misspelt) and any
  non-mapping either gives a Decision or raises an ``ExportscreenError`` subclass: nothing else escapes.
* The same input gives the same Decision JSON, from the same Screener and from another one.
* less_risky only when every item was classified, every party and owner was screened (the closing
  rule's ``checks`` evidence names them all) and nothing matched a list entry. This holds for the
  bundled pack and for a pack holding nothing but the closing rule: the screener's backstops make it so.

The generators are biased towards orders that can be less risky (unlisted parties, EAR99 items,
destinations outside the China rules; mutations that keep an order valid), so that the "less_risky is
earned" assertion is reached in a good share of the draws (once 2 of 150): each property counts the
draws that reached it (also a hypothesis ``event``) and asserts the share (``MIN_EARNED_SHARE``).
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from exportscreen import Category, Decision, Screener
from exportscreen._errors import ExportscreenError
from exportscreen.registry import load_registry

ROLES = ["purchaser", "intermediate_consignee", "ultimate_consignee", "end_user", "freight_forwarder", "other"]
NAMES = [
    "Lyon Capteurs SARL",
    "Fjord Instruments AS",
    "Huawei Technologies Co., Ltd.",
    "Semiconductor Manufacturing International Corporation",
    "SMIC Beijing",
    "Hangzhou Hikvision Digital Technology Co., Ltd.",
    "Beijing Institute of Technology",
    "Northwind Precision Trading Ltd.",
]
COUNTRIES = ["CN", "HK", "MO", "FR", "DE", "NO", "US", "RU", "IR", "JP", "TW", "IN", "AE"]
ECCNS = ["EAR99", "3A090.a", "3A090.b", "3A090.c", "4A090.a", "3A001", "5A992", "3E001", "3B001"]
KINDS = ["ic", "computer", "sme", "memory", "software", "technology", "other"]
TAGS = ["military", "military_intelligence", "supercomputer", "advanced_node_fab", "data_center", "civil"]
TOP_FIELDS = ["id", "date", "destination", "parties", "items", "end_use", "end_use_tags"]
PARTY_FIELDS = ["role", "name", "aliases", "country", "address", "headquarters_country", "owners"]
ITEM_FIELDS = ["description", "eccn", "kind", "node_nm", "tpp", "die_area_mm2", "datacenter", "quantity"]
AS_OF = dt.date(2026, 3, 1)

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: The properties whose share of draws reaching their assertion is asserted draw the same examples on
#: every run: the share of a random run varies too much (29-75 % measured) for a fixed floor.
STEADY = settings(FAST, derandomize=True, database=None)
#: Least share of the draws of a "less risky is earned" property that reach the assertion.
MIN_EARNED_SHARE = 0.30
#: Orders with these can be less risky: no party is listed, no item controlled, no China rule applies.
BENIGN_NAMES = [
    "Lyon Capteurs SARL",
    "Fjord Instruments AS",
    "Kestrel Optics GmbH",
    "Osaka Maple Components K.K.",
    "Rio Verde Sensores Ltda",
]
BENIGN_COUNTRIES = ["FR", "DE", "NO", "JP", "US"]

# ------------------------------------------------------------------------------------------ strategies

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["", " ", "\u200b", "NO", "no", "on", "1e400", "3A090.a", "2024-02-30", "CN", "China"])
    | st.dates()
    | st.datetimes()
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
keys = st.sampled_from(TOP_FIELDS + PARTY_FIELDS + ITEM_FIELDS) | st.text(max_size=12)
arbitrary_mappings = st.dictionaries(keys, values, max_size=8)

owners = st.fixed_dictionaries(
    {"name": st.sampled_from(NAMES), "percent": st.floats(min_value=1, max_value=50)},
    optional={"country": st.sampled_from(COUNTRIES)},
)
parties = st.fixed_dictionaries(
    {"role": st.sampled_from(ROLES), "name": st.sampled_from(NAMES)},
    optional={
        "country": st.sampled_from(COUNTRIES),
        "headquarters_country": st.sampled_from(COUNTRIES),
        "aliases": st.lists(st.sampled_from(NAMES), max_size=2),
        "owners": st.lists(owners, max_size=2),
    },
)
items = st.fixed_dictionaries(
    {"description": st.sampled_from(["GPU module", "cable", "wafer stepper", "HBM stack", "server"])},
    optional={
        "eccn": st.sampled_from(ECCNS),
        "kind": st.sampled_from(KINDS),
        "tpp": st.floats(min_value=0, max_value=20_000),
        "die_area_mm2": st.floats(min_value=1, max_value=1_000),
        "node_nm": st.floats(min_value=1, max_value=200),
        "datacenter": st.booleans(),
        "quantity": st.integers(min_value=1, max_value=1_000),
    },
)
transactions = st.fixed_dictionaries(
    {
        "id": st.from_regex(r"\APO-[0-9]{1,6}\Z"),
        "destination": st.sampled_from(COUNTRIES),
        "parties": st.lists(parties, min_size=1, max_size=3),
        "items": st.lists(items, min_size=1, max_size=3),
    },
    optional={
        "date": st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2027, 12, 31)),
        "end_use_tags": st.lists(st.sampled_from(TAGS), max_size=2, unique=True),
        "end_use": st.text(max_size=40),
    },
)


#: benign parties and owners say where they are (a party or owner without a country is a review)
benign_owners = st.fixed_dictionaries(
    {
        "name": st.sampled_from(BENIGN_NAMES),
        "percent": st.floats(min_value=1, max_value=50),
        "country": st.sampled_from(BENIGN_COUNTRIES),
    }
)
benign_parties = st.fixed_dictionaries(
    {
        "role": st.sampled_from(ROLES),
        "name": st.sampled_from(BENIGN_NAMES),
        "country": st.sampled_from(BENIGN_COUNTRIES),
    },
    optional={
        "headquarters_country": st.sampled_from(BENIGN_COUNTRIES),
        "aliases": st.lists(st.sampled_from(BENIGN_NAMES), max_size=1),
        "owners": st.lists(benign_owners, max_size=2),
    },
)
benign_items = st.fixed_dictionaries(
    {"description": st.sampled_from(["cable", "office printer", "oscilloscope probe"]), "eccn": st.just("EAR99")},
    optional={"kind": st.sampled_from(["other", "computer"]), "quantity": st.integers(min_value=1, max_value=1_000)},
)
benign_transactions = st.fixed_dictionaries(
    {
        "id": st.from_regex(r"\APO-[0-9]{1,6}\Z"),
        "destination": st.sampled_from(BENIGN_COUNTRIES),
        "parties": st.lists(benign_parties, min_size=1, max_size=3),
        "items": st.lists(benign_items, min_size=1, max_size=3),
    },
    optional={
        "date": st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2027, 12, 31)),
        "end_use_tags": st.lists(st.sampled_from(["civil", "consumer"]), max_size=1),
        "end_use": st.text(max_size=40),
    },
)


def _received(tx: dict[str, Any]) -> dict[str, Any]:
    """A benign order whose first party receives the goods (an order naming no one who does is review,
    ``consignee-unnamed``): the ultimate consignee, without a country of its own, so in the destination
    whatever destination a mutation gives the order (one elsewhere is no recipient there)."""
    first = {**tx["parties"][0], "role": "ultimate_consignee"}
    first.pop("country", None)
    return {**tx, "parties": [first, *tx["parties"][1:]]}


#: two draws in three from the benign corner, the rest from the whole space
biased_transactions = st.one_of(benign_transactions.map(_received), benign_transactions, transactions)

#: per field, values that keep an order valid (a mutation that replaces a field with one of them)
VALID_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "id": st.from_regex(r"\APO-[0-9]{1,6}\Z"),
    "date": st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2027, 12, 31)),
    "destination": st.sampled_from(BENIGN_COUNTRIES + COUNTRIES),
    "end_use": st.text(max_size=40),
    "end_use_tags": st.lists(st.sampled_from(TAGS), max_size=2, unique=True),
    "role": st.sampled_from(ROLES),
    "name": st.sampled_from(BENIGN_NAMES + NAMES),
    "country": st.sampled_from(BENIGN_COUNTRIES + COUNTRIES),
    "headquarters_country": st.sampled_from(BENIGN_COUNTRIES + COUNTRIES),
    "aliases": st.lists(st.sampled_from(BENIGN_NAMES), max_size=2),
    "percent": st.floats(min_value=1, max_value=50),
    "description": st.sampled_from(["cable", "wafer stepper", "HBM stack"]),
    "eccn": st.sampled_from(["EAR99", *ECCNS]),
    "kind": st.sampled_from(["other", *KINDS]),
    "quantity": st.integers(min_value=1, max_value=1_000),
}


def _containers(tx: dict[str, Any]) -> list[dict[str, Any]]:
    """The transaction and every mapping inside it (parties, items, owners)."""
    out = [tx]
    for party in tx.get("parties", []):
        out.append(party)
        out += party.get("owners", [])
    out += tx.get("items", [])
    return out


def _mutate(draw: st.DrawFn, tx: dict[str, Any], actions: list[str]) -> dict[str, Any]:
    """``tx`` with one field of it or of a mapping inside it changed by one of ``actions``."""
    target = draw(st.sampled_from(_containers(tx)))
    action = draw(st.sampled_from(actions))
    key = draw(st.sampled_from(sorted(target))) if target else "id"
    if action == "valid":
        if key in VALID_VALUES:
            target[key] = draw(VALID_VALUES[key])
    elif action == "replace":
        target[key] = draw(values)
    elif action == "delete":
        target.pop(key, None)
    elif action == "misspell":
        target[key + draw(st.sampled_from(["e", "_", "s"]))] = target.pop(key, None)
    else:
        target[draw(keys)] = draw(values)
    return tx


@st.composite
def malformed_transactions(draw: st.DrawFn) -> dict[str, Any]:
    """A valid transaction with one field replaced by anything, deleted, misspelt or added: mostly invalid."""
    return _mutate(draw, draw(transactions), ["replace", "delete", "misspell", "add"])


@st.composite
def mutated_transactions(draw: st.DrawFn) -> dict[str, Any]:
    """A transaction, most often from the benign corner, with one field changed: most often to another
    valid value (so the decision can still be less risky and the property is exercised), else as in
    ``malformed_transactions``. The first choices come first: hypothesis draws them more often."""
    tx = draw(benign_transactions.map(_received) if draw(st.integers(0, 5)) else transactions)
    return _mutate(draw, tx, ["valid"] * 5 + ["replace", "delete", "misspell", "add"])


# ------------------------------------------------------------------------------------------ screeners


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener()


@pytest.fixture(scope="module")
def other_screener() -> Screener:
    return Screener()


@pytest.fixture(scope="module")
def closing_rule_only(tmp_path_factory: pytest.TempPathFactory) -> Screener:
    """A pack with nothing but the closing rule, over the bundled lists and a custom X- list."""
    pack = tmp_path_factory.mktemp("pack") / "rules.yaml"
    pack.write_text(
        "format: exportscreen-pack/1\nid: closing-only\nversion: '1'\ndescription: only the closing rule\n"
        "rules:\n  - {id: checks-passed, category: less_risky, when: {always: true}, message: 'ok {as_of}', "
        "citations: [none]}\n",
        encoding="utf-8",
    )
    examples = Path(__file__).resolve().parent.parent / "examples" / "lists"
    registry = load_registry() + load_registry(examples / "blocked_customers.csv")
    return Screener(registry=registry, packs=[pack])


def _screen_or_error(s: Screener, tx: object) -> Decision | ExportscreenError:
    try:
        return s.screen(tx, as_of=AS_OF)  # type: ignore[arg-type]
    except ExportscreenError as exc:
        return exc


# ------------------------------------------------------------------------------------------ properties


@FAST
@given(tx=arbitrary_mappings | malformed_transactions() | mutated_transactions() | values)
def test_screen_gives_a_decision_or_an_exportscreen_error(screener: Screener, tx: object) -> None:
    result = _screen_or_error(screener, tx)
    assert isinstance(result, Decision | ExportscreenError)


@FAST
@given(tx=biased_transactions | malformed_transactions() | mutated_transactions())
def test_same_input_same_decision_json(screener: Screener, other_screener: Screener, tx: dict[str, Any]) -> None:
    first = _screen_or_error(screener, tx)
    again = _screen_or_error(screener, copy.deepcopy(tx))
    other = _screen_or_error(other_screener, copy.deepcopy(tx))
    if isinstance(first, Decision):
        assert isinstance(again, Decision) and isinstance(other, Decision)
        assert first.to_json() == again.to_json() == other.to_json()
    else:
        assert type(again) is type(first) and type(other) is type(first)
        assert str(again) == str(first) == str(other)


def _assert_less_risky_is_earned(decision: Decision, tx: dict[str, Any]) -> bool:
    """Check a less risky decision earned it; whether the decision was less risky (the check ran)."""
    if decision.category is not Category.LESS_RISKY:
        return False
    assert decision.item_tiers and all(t.classified for t in decision.item_tiers), decision.item_tiers
    assert len(decision.item_tiers) == len(tx["items"])
    assert decision.matches == [], decision.matches
    checks = [r.evidence["checks"] for r in decision.reasons if "checks" in r.evidence]
    # one closing summary per pack in force, all of the same facts
    assert len(checks) == len(decision.packs) and all(c == checks[0] for c in checks), decision.reasons
    evidence = checks[0]
    assert isinstance(evidence, dict)
    names = [" ".join(p["name"].split()) for p in tx["parties"]]
    assert evidence["parties_screened"] == names
    assert evidence["owners_screened"] == [o["name"] for p in tx["parties"] for o in p.get("owners", [])]
    item_tiers = evidence["item_tiers"]
    assert isinstance(item_tiers, list)
    assert [t["item"] for t in item_tiers if isinstance(t, dict)] == list(range(len(tx["items"])))
    return True


def _check_less_risky_is_earned(
    screener: Screener, strategy: st.SearchStrategy[dict[str, Any]], request: pytest.FixtureRequest
) -> None:
    """Run the property over ``strategy`` and assert that enough draws reached its assertion (the share
    is kept in the test's ``user_properties`` as ``earned_share`` and printed, shown with ``-rP``)."""
    counts = {"draws": 0, "reached": 0}

    @STEADY
    @given(tx=strategy)
    def prop(tx: dict[str, Any]) -> None:
        counts["draws"] += 1
        result = _screen_or_error(screener, tx)
        reached = isinstance(result, Decision) and _assert_less_risky_is_earned(result, tx)
        counts["reached"] += reached
        event("less risky: the earned assertion ran" if reached else "not less risky: nothing to check")

    prop()
    share = counts["reached"] / max(counts["draws"], 1)
    request.node.user_properties.append(("earned_share", f"{counts['reached']}/{counts['draws']}"))
    print(f"less-risky-is-earned assertion reached in {counts['reached']} of {counts['draws']} draws ({share:.0%})")
    assert share >= MIN_EARNED_SHARE, (
        f"only {counts['reached']} of {counts['draws']} draws ({share:.0%}) reached the less-risky-is-earned "
        f"assertion (want {MIN_EARNED_SHARE:.0%}): bias the generators"
    )


def test_a_mutated_transaction_is_less_risky_only_when_earned(
    screener: Screener, request: pytest.FixtureRequest
) -> None:
    _check_less_risky_is_earned(screener, mutated_transactions(), request)


def test_less_risky_only_when_everything_was_checked(
    screener: Screener, request: pytest.FixtureRequest
) -> None:
    _check_less_risky_is_earned(screener, biased_transactions, request)


def test_less_risky_is_earned_even_with_a_pack_of_only_the_closing_rule(
    closing_rule_only: Screener, request: pytest.FixtureRequest
) -> None:
    _check_less_risky_is_earned(closing_rule_only, biased_transactions, request)


def test_the_backstops_fire_for_an_unread_list_and_an_unclassified_item(closing_rule_only: Screener) -> None:
    tx = {
        "id": "BK-1",
        "destination": "HK",
        "parties": [{"role": "purchaser", "name": "Northwind Precision Trading Ltd."}],
        "items": [{"description": "mystery module"}],
    }
    decision = closing_rule_only.screen(tx, as_of=AS_OF)
    assert decision.category is Category.REVIEW
    assert {r.rule_id for r in decision.reasons} == {"unread-list-match", "item-unclassified-backstop"}
