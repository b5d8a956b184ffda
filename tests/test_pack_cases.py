"""Run every case of every bundled rule pack (ids ``pack::case``; ``pytest -k PACK`` runs one pack)."""

from __future__ import annotations

from pathlib import Path

import pytest

from exportscreen import Decision, Screener
from exportscreen.rules import bundled_pack_paths, load_pack, load_pack_cases
from exportscreen.rules.model import PackCase


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
def screeners() -> dict[tuple[Path, frozenset[tuple[str, bool]]], Screener]:
    return {}


@pytest.mark.parametrize(("rules", "case"), CASES, ids=[f"{load_pack(r).id}::{c.name}" for r, c in CASES])
def test_pack_case(
    rules: Path, case: PackCase, screeners: dict[tuple[Path, frozenset[tuple[str, bool]]], Screener]
) -> None:
    key = (rules, frozenset(case.switches.items()))
    if key not in screeners:
        screeners[key] = Screener(packs=[load_pack(rules, switches=case.switches)])
    decision = screeners[key].screen(case.transaction, as_of=case.as_of)
    fired = {r.rule_id for r in decision.reasons}
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
