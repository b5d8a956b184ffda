"""An entry whose end date passed after its list was published (a temporary denial order that
expires every 180 days or a year and is usually renewed): the lists loaded cannot say whether it was
renewed, so a match is review, never "less risky"; an end date the list itself reports as past is a
real delisting."""

from __future__ import annotations

import datetime as dt

import pytest

from exportscreen import Category, Screener
from exportscreen.registry.model import Entry, Registry, Source

ENDS = dt.date(2026, 9, 16)


def _order(name: str, country: str) -> dict[str, object]:
    return {
        "id": "TDO-1",
        "destination": "DE",
        "parties": [
            {"role": "ultimate_consignee", "name": name, "country": country},
        ],
        "items": [{"description": "aircraft seat covers", "eccn": "EAR99"}],
    }


def _registry(published: dt.date | None) -> Registry:
    source = Source(id="dpl-test", name="Denied Persons (test)", list="DPL", as_of=published)
    entry = Entry(
        id="DPL-1", source="dpl-test", list="DPL", name="Nordwind Cargo Airlines", country="DE",
        start_date=dt.date(2025, 9, 16), end_date=ENDS, remarks="Type of denial: Standard; Expires: 2026-09-16",
    )  # fmt: skip
    return Registry([source], [entry])


def test_the_bundled_aeroflot_denial_past_its_expiry_is_review_not_less_risky() -> None:
    """The bundled DPL (July 2026) lists PJSC Aeroflot until 2026-09-16: in December 2026 it passed."""
    order = _order("PJSC Aeroflot", "DE")
    before = Screener().screen(order, as_of=dt.date(2026, 3, 2))
    assert before.category is Category.SENSITIVE
    after = Screener().screen(order, as_of=dt.date(2026, 12, 4))
    assert after.category is Category.REVIEW, [r.rule_id for r in after.reasons]
    (lapse,) = [r for r in after.reasons if r.rule_id == "listing-lapse-unconfirmed"]
    assert "PJSC AEROFLOT" in lapse.message and "2026-09-16" in lapse.message
    assert [m.entry_name for m in lapse.matches] == ["PJSC AEROFLOT"]
    assert any(m.entry_name == "PJSC AEROFLOT" for m in after.matches)


@pytest.mark.parametrize("published", [dt.date(2026, 7, 1), None])
def test_a_lapse_after_publication_or_of_an_undated_list_is_review(published: dt.date | None) -> None:
    screener = Screener(registry=_registry(published))
    decision = screener.screen(_order("Nordwind Cargo Airlines", "DE"), as_of=dt.date(2026, 10, 1))
    assert decision.category is Category.REVIEW
    (lapse,) = [r for r in decision.reasons if r.rule_id == "listing-lapse-unconfirmed"]
    assert lapse.evidence == {"lists": ["DPL"], "ended": ["2026-09-16"]}


def test_a_list_published_after_the_end_date_confirms_the_delisting() -> None:
    screener = Screener(registry=_registry(dt.date(2026, 9, 20)))
    decision = screener.screen(_order("Nordwind Cargo Airlines", "DE"), as_of=dt.date(2026, 10, 1))
    assert not decision.matches
    # the test registry holds no EL or MEU, which the China pack requires: that review alone
    assert [r.rule_id for r in decision.reasons if r.category is not Category.LESS_RISKY] == ["required-list-missing"]


def test_before_the_end_date_the_entry_is_in_force() -> None:
    screener = Screener(registry=_registry(dt.date(2026, 7, 1)))
    decision = screener.screen(_order("Nordwind Cargo Airlines", "DE"), as_of=dt.date(2026, 9, 15))
    assert decision.category is Category.SENSITIVE
    assert "listing-lapse-unconfirmed" not in {r.rule_id for r in decision.reasons}


@pytest.mark.parametrize(("published", "shown"), [(dt.date(2026, 7, 1), True), (dt.date(2026, 9, 20), False)])
def test_match_shows_a_lapse_the_list_does_not_confirm(published: dt.date, shown: bool) -> None:
    """``match`` and ``match --file`` (match_many) missed PJSC Aeroflot after its TDO's end date: a
    customer-master screening said nothing."""
    screener = Screener(registry=_registry(published))
    on = dt.date(2026, 10, 1)
    single = [m.entry_id for m in screener.match_name("Nordwind Cargo Airlines", as_of=on)]
    (many,) = screener.match_many(["Nordwind Cargo Airlines"], as_of=on)
    assert single == [m.entry_id for m in many] == (["DPL-1"] if shown else [])
