"""Run every case of every bundled rule pack (ids ``pack::case``; ``pytest -k PACK`` runs one pack), and
lint the packs: every rule of every bundled pack fires in at least one of its cases and has a help text."""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest

from exportscreen import Decision, Screener
from exportscreen.licensing.register import LicenceRegister
from exportscreen.registry import Registry, load_registry
from exportscreen.rules import bundled_pack_paths, load_pack, load_pack_cases
from exportscreen.rules.model import PackCase

ScreenerKey = tuple[tuple[Path, ...], frozenset[tuple[str, bool]], str]


def _collect() -> list[tuple[Path, PackCase]]:
    out: list[tuple[Path, PackCase]] = []
    for rules in bundled_pack_paths():
        cases_path = rules.with_name("cases.yaml")
        assert cases_path.is_file(), f"pack {rules} has no cases.yaml beside it"
        cases = load_pack_cases(cases_path)  # a malformed cases file fails collection loudly
        pack = load_pack(rules)
        assert cases.pack == pack.id, f"{cases_path}: cases are for {cases.pack!r}, the pack is {pack.id!r}"
        known = {r.id for r in pack.rules}
        for case in cases.cases:
            unknown = (set(case.must_fire) | set(case.must_not_fire)) - known
            assert not unknown, f"{cases_path}: case {case.name} names unknown rules {sorted(unknown)}"
            out.append((rules, case))
    return out


CASES = _collect()


@pytest.fixture(scope="module")
def screeners() -> dict[ScreenerKey, Screener]:
    return {}


@pytest.fixture(scope="module")
def fired_by_pack() -> dict[Path, set[str]]:
    """pack -> the rule ids that fired in its cases (filled by ``test_pack_case``)."""
    return defaultdict(set)


@cache
def _bundled() -> Registry:
    return load_registry()


def _packs(rules: Path, case: PackCase) -> tuple[Path, ...]:
    """The case's pack first, then the other bundled packs it names (``with_packs``)."""
    others = [p for p in bundled_pack_paths() if load_pack(p).id in case.with_packs]
    return (rules, *others)


def _screen(rules: Path, case: PackCase, screeners: dict[ScreenerKey, Screener]) -> Decision:
    """The case screened with its switches, packs and licence register, over the bundled lists and the
    case's own lists."""
    paths = _packs(rules, case)
    packs = [load_pack(rules, switches=case.switches), *(load_pack(p) for p in paths[1:])]
    registry = _bundled()
    for extra in case.lists:
        registry = registry + extra.registry()
    if case.licences is not None:
        screener = Screener(registry=registry, packs=packs, licences=LicenceRegister.model_validate(case.licences))
        return screener.screen(case.transaction, as_of=case.screening_date)
    key = (paths, frozenset(case.switches.items()), "".join(c.model_dump_json() for c in case.lists))
    if key not in screeners:
        screeners[key] = Screener(registry=registry, packs=packs)
    return screeners[key].screen(case.transaction, as_of=case.screening_date)


@pytest.mark.parametrize(("rules", "case"), CASES, ids=[f"{load_pack(r).id}::{c.name}" for r, c in CASES])
def test_pack_case(
    rules: Path, case: PackCase, screeners: dict[ScreenerKey, Screener], fired_by_pack: dict[Path, set[str]]
) -> None:
    decision = _screen(rules, case, screeners)
    fired = {r.rule_id for r in decision.reasons}
    fired_by_pack[rules] |= fired
    detail = "\n".join(f"  {r.category} {r.rule_id}: {r.message}" for r in decision.reasons)
    assert decision.category == case.expect, f"expected {case.expect}, got {decision.category}:\n{detail}"
    missing = set(case.must_fire) - fired
    assert not missing, f"rules that should fire did not: {sorted(missing)}\n{detail}"
    unwanted = set(case.must_not_fire) & fired
    assert not unwanted, f"rules that must not fire did: {sorted(unwanted)}\n{detail}"
    # the screener constructs its Decision without re-validation: it must pass validation and round-trip
    assert Decision.model_validate_json(decision.to_json()) == decision


def test_every_pack_has_cases() -> None:
    assert bundled_pack_paths(), "no bundled rule packs found"
    assert len(CASES) >= 20


@pytest.mark.parametrize("rules", bundled_pack_paths(), ids=lambda r: load_pack(r).id)
def test_every_rule_fires_in_a_case(
    rules: Path, screeners: dict[ScreenerKey, Screener], fired_by_pack: dict[Path, set[str]]
) -> None:
    """A rule no case makes fire is untested: a typo in its condition would go unnoticed (issue 12)."""
    fired = set(fired_by_pack[rules])
    for pack_rules, case in CASES:  # also when the cases ran in another session (pytest -k) or not at all
        if pack_rules == rules and not fired >= {r.id for r in load_pack(rules).rules}:
            fired |= {r.rule_id for r in _screen(rules, case, screeners).reasons}
    never = [r.id for r in load_pack(rules).rules if r.id not in fired]
    assert not never, f"{load_pack(rules).id}: rules that fire in no case of cases.yaml: {never}"


@pytest.mark.parametrize("rules", bundled_pack_paths(), ids=lambda r: load_pack(r).id)
def test_every_rule_has_help(rules: Path) -> None:
    """Every bundled rule says what a compliance officer does next (reports show it beside the reason)."""
    pack = load_pack(rules)
    missing = [r.id for r in pack.rules if not r.help or len(r.help.split()) < 8]
    assert not missing, f"{pack.id}: rules without a help text (a sentence of what to do next): {missing}"
    templated = [r.id for r in pack.rules if r.help and "{" in r.help]
    assert not templated, f"{pack.id}: help is plain text, not a message template: {templated}"


def test_a_case_without_a_date_is_refused_and_a_dated_one_replays_its_date() -> None:
    """Cases without as_of were screened as of their transaction's date until f090bc5 moved such orders
    to today: an undated case, or one screened on the day the suite runs, changes its verdict with the
    clock (licensed-etch-tool turned sensitive once the example licence expired)."""
    tx = {"id": "C-1", "destination": "JP", "parties": [], "items": []}
    with pytest.raises(ValueError, match="give as_of or a transaction date"):
        PackCase.model_validate({"name": "undated", "transaction": tx, "expect": "less_risky"})
    dated = PackCase.model_validate({"name": "dated", "transaction": {**tx, "date": "2026-03-02"}, "expect": "review"})
    assert dated.screening_date.isoformat() == "2026-03-02"
    pinned = {"name": "pinned", "as_of": "2025-01-01", "transaction": {**tx, "date": "2026-03-02"}, "expect": "review"}
    assert PackCase.model_validate(pinned).screening_date.isoformat() == "2025-01-01"
