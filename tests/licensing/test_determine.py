"""The determination for one item and one place, against the bundled tables."""

from __future__ import annotations

import datetime as dt

import pytest

from exportscreen.geo import load_country_groups
from exportscreen.licensing.determine import Determiner, Place, Requirement
from exportscreen.licensing.embargoes import Part746, load_part746
from exportscreen.licensing.explain import explain
from exportscreen.licensing.sections import load_sections
from exportscreen.licensing.tables import load_ccl, load_chart

ON = dt.date(2026, 3, 2)
GROUPS = load_country_groups()


@pytest.fixture(scope="module")
def det() -> Determiner:
    return Determiner(load_ccl(), load_chart(), load_part746(), load_sections())


def _place(country: str, on: dt.date = ON, region: str | None = None) -> Place:
    effective, _ = GROUPS.effective_country(country, on)
    return Place(country, effective, tuple(GROUPS.groups_of(country, on)), "destination", region=region)


def _reqs(
    det: Determiner, eccn: str | None, country: str, on: dt.date = ON, hts: str | None = None
) -> list[Requirement]:
    return det.item(index=0, eccn=eccn, eccn_basis="declared", hts=hts, place=_place(country, on), on=on)


def _required(reqs: list[Requirement]) -> set[tuple[str, str]]:
    return {(r.reason, r.control) for r in reqs if r.status == "required"}


def test_chart_x_requires_a_licence_and_names_row_column_and_citation(det: Determiner) -> None:
    reqs = _reqs(det, "3A001.a.7", "CN")
    assert ("NS", "NS2") in _required(reqs)
    ns2 = next(r for r in reqs if r.control == "NS2")
    assert "Country Chart row China (CN) has an X in NS2" in ns2.detail
    assert ns2.chart_row is not None and "China (CN)" in ns2.chart_row
    assert any("ECCN 3A001" in c for c in ns2.citations) and any("738" in c for c in ns2.citations)
    assert "item 1 3A001.a.7, NS NS2" in ns2.summary()


def test_a_row_for_other_paragraphs_does_not_apply(det: Determiner) -> None:
    # NS1 of 3A001 is for .b.2/.b.3 only: Japan has an X in NS1 but not in NS2
    assert _required(_reqs(det, "3A001.a.7", "JP")) == set()
    assert ("NS", "NS1") in _required(_reqs(det, "3A001.b.2", "JP"))


def test_a_bare_heading_takes_its_strictest_paragraph(det: Determiner) -> None:
    reqs = _reqs(det, "3B001", "JP")
    worldwide = [r for r in reqs if r.status == "required"]
    assert worldwide and all("strictest reading" in (r.reading or "") for r in worldwide)
    assert _required(_reqs(det, "3B001.a.1", "JP")) == set()


def test_dated_rows(det: Determiner) -> None:
    before, after = dt.date(2023, 11, 16), dt.date(2023, 11, 17)
    assert _required(_reqs(det, "3B001.c", "CN", before)) == {("NS", "NS2")}
    assert ("RS", "see 742.6(a)(6)") in _required(_reqs(det, "3B001.c", "CN", after))
    assert det.known("3B090", before) and not det.known("3B090", after)
    assert not det.known("3A090", dt.date(2022, 10, 6)) and det.known("3A090", dt.date(2022, 10, 7))


def test_at_only_and_ear99_need_no_licence_by_the_chart(det: Determiner) -> None:
    assert _required(_reqs(det, "3A991", "CN")) == set()
    assert _reqs(det, "EAR99", "CN") == []


def test_un_rows_follow_chart_footnote_1(det: Determiner) -> None:
    assert ("UN", "see 746.1(b)") in _required(_reqs(det, "9A610.x", "LY"))
    assert ("UN", "see 746.1(b)") not in _required(_reqs(det, "9A610.x", "CN"))


def test_delegated_rows_are_not_decided_here(det: Determiner) -> None:
    reqs = _reqs(det, "3A090.a", "CN")
    delegated = [r for r in reqs if r.status == "delegated"]
    assert delegated and delegated[0].delegate == "advanced-computing"
    assert not _required(reqs)


def test_embargoes_never_read_an_empty_row_as_no_licence(det: Determiner) -> None:
    for code in ("CU", "IR", "KP", "SY"):
        assert any(r.basis == "part_746" and r.status == "required" for r in _reqs(det, "EAR99", code)), code
    only_cuba = Part746.model_validate(
        {
            **load_part746().model_dump(),
            "embargoes": [e.model_dump() for e in load_part746().embargoes if e.id == "cuba"],
        }
    )
    bare = Determiner(det.ccl, det.chart, only_cuba, det.sections)
    (req,) = _reqs(bare, "EAR99", "IR")
    assert req.status == "unmodelled" and "points to Part 746" in req.detail


def test_syria_keeps_its_licence_and_names_spp_from_2025(det: Determiner) -> None:
    (before,) = _reqs(det, "EAR99", "SY", dt.date(2025, 9, 1))
    (after,) = _reqs(det, "EAR99", "SY", dt.date(2025, 9, 2))
    assert before.status == after.status == "required"
    assert not before.exceptions and after.exceptions[0].startswith("SPP")
    assert "denial" in before.detail and "approval" in after.detail


def test_russia_ear99_by_hts(det: Determiner) -> None:
    assert {r.status for r in _reqs(det, "EAR99", "RU")} == {"possible"}
    listed = _reqs(det, "EAR99", "RU", hts="854231")
    assert [r.status for r in listed] == ["required"]
    assert {r.status for r in _reqs(det, "EAR99", "RU", hts="940360")} == {"possible"}
    assert {r.status for r in _reqs(det, None, "RU")} == {"possible"}


def test_places_without_a_chart_row(det: Determiner) -> None:
    (hk,) = [r for r in _reqs(det, "3A991", "HK", dt.date(2020, 12, 22)) if r.status != "not_required"]
    assert hk.status == "unmodelled"
    assert [r for r in _reqs(det, "3A991", "HK", dt.date(2020, 12, 23)) if r.status != "not_required"] == []
    assert [r for r in _reqs(det, "3A001.a.7", "US") if r.status != "not_required"] == []


def test_exceptions_are_named_not_applied(det: Determiner) -> None:
    reqs = _reqs(det, "5A002.a", "FR")
    ei = next(r for r in reqs if r.reason == "EI")
    assert ei.status == "required" and any(x.startswith("ENC") for x in ei.exceptions)


def test_explain_one_pair() -> None:
    data = explain("3B001.a.1", "JP", ON)
    assert data["result"] == "no licence required by the Country Chart or Part 746"
    assert data["chart_row"] == {
        "country": "Japan",
        "iso2": "JP",
        "marks": ["CB1", "NS1", "MT1", "RS1"],
        "footnotes": [3],
        "pointer": None,
    }
    assert explain("1A102", "FR", ON)["result"] == "unknown ECCN: classify"
    assert explain("3B001.c", "CN", ON)["result"] == "licence required"


@pytest.mark.parametrize("eccn", ["3B001.s", "3B001.z", "3B001.x.1"])
def test_a_paragraph_the_rows_do_not_name_is_not_read_as_at_only(det: Determiner, eccn: str) -> None:
    # 3B001's rows name .a to .r: a declared .s (or an .x/.z none names) set aside the NS/RS rows of
    # the other paragraphs and left AT only, no licence: now an unmodelled requirement (a review)
    reqs = _reqs(det, eccn, "CN")
    flagged = [r for r in reqs if r.status == "unmodelled" and r.control == "paragraph"]
    assert len(flagged) == 1
    assert ".r" in flagged[0].detail and "Confirm the classification" in flagged[0].detail


@pytest.mark.parametrize(
    ("eccn", "country"),
    [
        ("3B001.p.1", "CN"),  # a letter the rows name: its own rows (AT) are the answer
        ("3B001.o", "CN"),  # inside the named letters: not second-guessed
        ("3A001.f", "CN"),  # past the named letters, but its own rows already need a licence
        ("0A501.y", "CN"),  # named (entire entry except .y)
        ("3B991", "CN"),  # an entry without paragraph rows
    ],
)
def test_paragraphs_the_data_can_answer_are_not_flagged(det: Determiner, eccn: str, country: str) -> None:
    assert not [r for r in _reqs(det, eccn, country) if r.control == "paragraph"]
