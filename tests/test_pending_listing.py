"""An entry whose start date is after the screening date and after its list was published: the list
announces a listing to come (an Entity List rule effective after the CSL was downloaded) or its date
is mistyped (2062 for 2026). The entry is neither out of force nor in it, so a match is review,
never "less risky"; a start date the list itself is dated after (a replay of a date before the
listing, SMIC on 2020-11-01) is a real "not listed yet"."""

from __future__ import annotations

import datetime as dt

import pytest

from exportscreen import Category, Screener
from exportscreen.registry import load_registry
from exportscreen.registry.model import Entry, Registry, Source

ON = dt.date(2026, 12, 7)
STARTS = dt.date(2062, 12, 18)


def _order() -> dict[str, object]:
    return {
        "id": "EL-FUTURE-1",
        "destination": "CN",
        "parties": [{"role": "ultimate_consignee", "name": "Nanhai Photonics Co., Ltd.", "country": "CN"}],
        "items": [{"description": "office chairs", "eccn": "EAR99"}],
    }


def _screener(published: dt.date | None, starts: dt.date = STARTS) -> Screener:
    source = Source(id="csl:EL", name="Entity List (CSL)", list="EL", as_of=published)
    entry = Entry(
        id="EL-1", source="csl:EL", list="EL", name="Nanhai Photonics Co., Ltd.", country="CN", start_date=starts,
        license_requirement="For all items subject to the EAR",
    )  # fmt: skip
    return Screener(registry=load_registry() + Registry([source], [entry]))


@pytest.mark.parametrize("published", [dt.date(2026, 12, 1), None])
def test_a_listing_that_starts_after_its_list_was_published_is_review(published: dt.date | None) -> None:
    decision = _screener(published).screen(_order(), as_of=ON)
    assert decision.category is Category.REVIEW, [r.rule_id for r in decision.reasons]
    (pending,) = [r for r in decision.reasons if r.rule_id == "listing-not-yet-in-force"]
    assert "Nanhai Photonics Co., Ltd." in pending.message and "2062-12-18" in pending.message
    assert pending.evidence == {"lists": ["EL"], "starts": ["2062-12-18"]}
    assert [m.entry_id for m in pending.matches] == ["EL-1"]


def test_match_and_match_many_show_a_listing_to_come() -> None:
    screener = _screener(dt.date(2026, 12, 1))
    assert [m.entry_id for m in screener.match_name("Nanhai Photonics Co., Ltd.", as_of=ON)] == ["EL-1"]
    (many,) = screener.match_many(["Nanhai Photonics Co., Ltd."], as_of=ON)
    assert [m.entry_id for m in many] == ["EL-1"]


def test_a_list_dated_after_the_start_replays_a_date_before_the_listing() -> None:
    screener = _screener(dt.date(2026, 12, 1), starts=dt.date(2026, 11, 1))
    decision = screener.screen(_order(), as_of=dt.date(2026, 10, 1))
    assert decision.category is Category.LESS_RISKY, [r.rule_id for r in decision.reasons]
    assert screener.screen(_order(), as_of=ON).category is Category.SENSITIVE


def test_a_list_dated_after_today_is_no_publication_date() -> None:
    """A list dated after today (2036 typed for 2026) made an entry starting next month a replay of a day
    before its listing: the party passed unmatched (red team 46). Such a list counts as undated."""
    today = dt.date.today()
    screener = _screener(today + dt.timedelta(days=3650), starts=today + dt.timedelta(days=30))
    decision = screener.screen(_order(), as_of=today)
    assert decision.category is Category.REVIEW, [r.rule_id for r in decision.reasons]
    assert "listing-not-yet-in-force" in {r.rule_id for r in decision.reasons}


def test_a_source_dated_ahead_is_judged_on_the_day_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A list dated after today counts as undated (a mistyped date) only while it is after today: the
    registry, which lives in the cache and in long-running processes, must not keep the first day's view."""
    import exportscreen.registry.model as model

    published, starts = dt.date(2026, 12, 20), dt.date(2026, 12, 15)
    entry = Entry(id="EL-1", source="s", list="EL", name="Nanhai Photonics Co., Ltd.", start_date=starts)
    registry = Registry([Source(id="s", name="s", list="EL", as_of=published)], [entry])

    real = model.credible_as_of

    def clock(today: dt.date) -> None:
        monkeypatch.setattr(model, "credible_as_of", lambda as_of, _today=None: real(as_of, today))

    clock(dt.date(2026, 12, 7))  # the list's date is 13 days ahead: undated, so the start is pending
    assert registry.start_pending(entry, dt.date(2026, 12, 10))
    clock(dt.date(2026, 12, 25))  # now the list's date has passed: it replays a day before the listing
    assert not registry.start_pending(entry, dt.date(2026, 12, 10))
