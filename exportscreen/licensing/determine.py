"""The licence determination for one item and one place: the ECCN's CCL rows against the Country Chart
row of the country, the sections that replace the chart, and Part 746. Facts only: what each row
says for the place; the rule packs decide the category.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, Literal

from exportscreen.geo import country_name
from exportscreen.licensing.embargoes import Embargo, Part746
from exportscreen.licensing.register import Licence
from exportscreen.licensing.sections import Sections
from exportscreen.licensing.tables import CclRow, CclTable, ChartRow, CountryChart, heading_of, paragraph_parts

__all__ = ["Basis", "Determiner", "Place", "Requirement", "Status"]

#: Most (ECCN, HTS, place, date) determinations a Determiner remembers.
_MEMO_MAX = 4096
#: Paragraphs an entry may hold outside its letter sequence (the 600-series .x/.y, the .z of 3A090 items).
_SPECIAL = frozenset("xyz")

Status = Literal["required", "possible", "not_required", "delegated", "unevaluated", "unmodelled"]
Basis = Literal["country_chart", "section", "part_746", "end_use"]


@dataclass(frozen=True)
class Place:
    """A country (or sanctioned region) that counts for the licence requirement, and why it counts."""

    country: str
    effective: str
    groups: tuple[str, ...]
    basis: str  # destination | ultimate_consignee | end_user | destination_region | address
    party: str | None = None
    region: str | None = None
    region_name: str | None = None

    def label(self) -> str:
        where = self.region_name or f"{country_name(self.country)} ({self.country})"
        if self.effective != self.country:
            where += f", treated as {self.effective}"
        who = self.basis.replace("_", " ")
        return f"{where}, {who} {self.party}" if self.party else f"{where}, {who}"


@dataclass(frozen=True)
class Requirement:
    """What one CCL row, Part 746 entry or end-use section says for one item and one place."""

    item_index: int
    eccn: str | None
    eccn_basis: str
    reason: str
    basis: Basis
    control: str
    status: Status
    place: Place
    detail: str
    citations: tuple[str, ...]
    chart_row: str | None
    confidence: str
    row_text: str | None = None
    reading: str | None = None
    exceptions: tuple[str, ...] = ()
    delegate: str | None = None
    embargo: str | None = None
    handled_by: str | None = None
    covered_by: Licence | None = None
    gaps: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line: item, ECCN paragraph, reason, column or section, the place, the outcome."""
        what = "the order" if self.item_index < 0 else f"item {self.item_index + 1} {self.eccn or '(no ECCN)'}"
        text = f"{what}, {self.reason} {self.control}, to {self.place.label()}: {self.detail}"
        if self.reading:
            text += f" ({self.reading})"
        return text


def _chart_label(row: ChartRow) -> str:
    marks = " ".join(row.marks) or "no marks"
    text = f"Country Chart row {row.country} ({row.iso2}): {marks}"
    if row.footnotes:
        text += f"; footnotes {', '.join(map(str, row.footnotes))}"
    if row.pointer:
        text += f"; {row.pointer}"
    return text


class Determiner:
    """The determination over the loaded tables (shared by a Screener and ``exportscreen explain``)."""

    def __init__(self, ccl: CclTable, chart: CountryChart, part746: Part746, sections: Sections) -> None:
        self.ccl = ccl
        self.chart = chart
        self.part746 = part746
        self.sections = sections
        #: (eccn, hts, country, groups, region, date) -> the requirements for item 0 at that place
        self._memo: dict[tuple[object, ...], list[Requirement]] = {}

    def known(self, eccn: str, on: dt.date) -> bool:
        """Whether the data holds the ECCN's heading on ``on`` (EAR99 always)."""
        return eccn == "EAR99" or bool(self.ccl.rows_for(heading_of(eccn), on))

    def item(
        self, *, index: int, eccn: str | None, eccn_basis: str, hts: str | None, place: Place, on: dt.date
    ) -> list[Requirement]:
        """Every requirement (any status) for an item with ``eccn`` (None: not given) to ``place``
        (remembered per ECCN, HTS code, place and date: it depends on nothing else)."""
        key = (eccn, hts, place.country, place.effective, place.groups, place.region, on)
        found = self._memo.get(key)
        if found is None:
            found = self._item(eccn=eccn, hts=hts, place=place, on=on)
            if len(self._memo) >= _MEMO_MAX:
                self._memo.clear()
            self._memo[key] = found
        return [replace(r, item_index=index, eccn_basis=eccn_basis, place=place) for r in found]

    def _item(self, *, eccn: str | None, hts: str | None, place: Place, on: dt.date) -> list[Requirement]:
        index, eccn_basis = 0, ""
        out: list[Requirement] = []
        chart_row = self.chart.row(place.effective, on)
        base: dict[str, Any] = dict(item_index=index, eccn=eccn, eccn_basis=eccn_basis, place=place)
        if chart_row is None and place.effective != "US":
            out.append(
                Requirement(
                    **base,
                    reason="chart",
                    basis="country_chart",
                    control="no row",
                    status="unmodelled",
                    detail=f"the Country Chart data has no row for {place.effective} on {on.isoformat()}",
                    citations=(self.chart.citation,),
                    chart_row=None,
                    confidence="V",
                )
            )
        label = _chart_label(chart_row) if chart_row else "no Country Chart row (not an export)"
        if eccn is not None and eccn != "EAR99" and chart_row is not None:
            rows = self.ccl.rows_for(heading_of(eccn), on)
            own = [r for r in (self._row(row, eccn, chart_row, place, label) for row in rows) if r is not None]
            out += [Requirement(**base, **req) for req in own]
            required = any(r["status"] == "required" for r in own)
            unconfirmed = None if required else self._unconfirmed_paragraph(eccn, rows, chart_row, place, label)
            if unconfirmed is not None:
                out.append(
                    Requirement(
                        **base,
                        reason="CCL",
                        basis="country_chart",
                        control="paragraph",
                        status="unmodelled",
                        detail=unconfirmed,
                        citations=tuple(rows[0].citations),
                        chart_row=label,
                        confidence="S",
                    )
                )
        out += self._part746(base, eccn, hts, place, chart_row, label, on)
        return [self._with_exceptions(r, on) for r in out]

    def _unconfirmed_paragraph(
        self, eccn: str, rows: tuple[CclRow, ...], chart_row: ChartRow, place: Place, label: str
    ) -> str | None:
        """Why the declared paragraph cannot be relied on, or None. The data does not list every
        paragraph of an entry, only those its rows name; a paragraph past the last letter they name
        (3B001.s where they end at .r), or an .x/.y/.z paragraph none names, may not exist, and reading
        it sets aside rows written for the entry's other paragraphs: it matters when one of those
        would need a licence for the place (the caller asks only when the paragraph's own rows do not)."""
        parts = paragraph_parts(eccn)
        named = self.ccl.named_letters(heading_of(eccn))
        if not parts or not named or parts[0] in named:
            return None
        heading = heading_of(eccn)
        set_aside = [self._row(r, heading, chart_row, place, label) for r in rows if r.applies_to(parts) == "no"]
        if not any(r is not None and r["status"] != "not_required" for r in set_aside):
            return None
        last = max((n for n in named if n not in _SPECIAL), default="")
        if parts[0] not in _SPECIAL and parts[0] <= last:
            return None
        known = ", ".join(f".{n}" for n in sorted(named))
        return (
            f"the CCL rows of {heading_of(eccn)} name paragraphs {known}; .{parts[0]} is none of them and "
            f"may not exist: the rows for the other paragraphs were set aside. Confirm the classification"
        )

    def _row(self, row: CclRow, eccn: str, chart_row: ChartRow, place: Place, label: str) -> dict[str, Any] | None:
        applies = row.applies_to(paragraph_parts(eccn))
        if applies == "no":
            return None
        reading = None
        if applies == "stricter":
            reading = f"strictest reading: the row is for {eccn[:5]}{row.scope_text if row.paragraphs else ''}"
        elif row.qualified:
            reading = "the row sets further conditions (see its text): applied as the strictest reading"
        common: dict[str, Any] = dict(
            reason=row.reason,
            control=row.control,
            citations=(*row.citations, f"{self.chart.citation} (eCFR {self.chart.ecfr_issue.isoformat()})"),
            chart_row=label,
            confidence=row.confidence,
            row_text=row.text,
            reading=reading,
        )
        if row.unmodelled:
            return {**common, "basis": "section", "status": "unmodelled", "detail": f"not modelled: {row.unmodelled}"}
        if row.delegate:
            target = self.sections.delegated[row.delegate]
            return {
                **common,
                "basis": "section",
                "status": "delegated",
                "delegate": row.delegate,
                "detail": f"{row.section} applies; decided by the rules of {target.implemented_by} ({target.name})",
                "citations": (*row.citations, *target.citations),
            }
        if row.column is not None:
            hit = row.column in chart_row.marks
            where = f"{chart_row.country} ({chart_row.iso2})"
            detail = (
                f"the Country Chart row {where} has an X in {row.column}: licence required"
                if hit
                else f"the Country Chart row {where} has no X in {row.column}"
            )
            return {
                **common,
                "basis": "country_chart",
                "status": "required" if hit else "not_required",
                "detail": detail,
            }
        assert row.scope is not None
        covered = row.scope.covers(place.effective, place.groups, chart_row.footnotes)
        scope = row.scope.describe()
        where = f"Country Chart row {chart_row.country} ({chart_row.iso2})"
        detail = (
            f"{row.section or 'the entry'} covers {scope}, {place.effective} included "
            f"({where}, no column for this reason): licence required"
            if covered
            else f"{row.section or 'the entry'} covers {scope}, not {place.effective} ({where})"
        )
        return {**common, "basis": "section", "status": "required" if covered else "not_required", "detail": detail}

    def _part746(
        self,
        base: dict[str, Any],
        eccn: str | None,
        hts: str | None,
        place: Place,
        chart_row: ChartRow | None,
        label: str,
        on: dt.date,
    ) -> list[Requirement]:
        entries: list[Embargo] = (
            self.part746.for_region(place.region, on) if place.region else self.part746.for_country(place.effective, on)
        )
        out: list[Requirement] = []
        caught = False
        # an HTS entry that catches the item makes the "check the supplements" entries moot
        for entry in sorted(entries, key=lambda e: e.items == "ear99_review"):
            if entry.items == "ear99_review" and caught:
                continue
            outcome, detail = entry.outcome(eccn, hts)
            if outcome == "none":
                continue
            caught |= entry.items == "hts" and outcome == "required"
            out.append(
                Requirement(
                    **base,
                    reason="Part 746",
                    basis="part_746",
                    control=entry.section.removeprefix("15 CFR "),
                    status=outcome,
                    detail=f"{entry.name}: {detail}; review policy: {entry.policy}",
                    citations=tuple(entry.citations),
                    chart_row=label,
                    confidence=entry.confidence,
                    embargo=entry.id,
                )
            )
        if chart_row is not None and chart_row.pointer and not entries:
            out.append(
                Requirement(
                    **base,
                    reason="Part 746",
                    basis="part_746",
                    control="part 746",
                    status="unmodelled",
                    detail=f"the Country Chart points to Part 746 ({chart_row.pointer}) "
                    f"and no Part 746 entry is in force on {on.isoformat()}",
                    citations=(self.chart.citation,),
                    chart_row=label,
                    confidence="V",
                )
            )
        return out

    def _with_exceptions(self, req: Requirement, on: dt.date) -> Requirement:
        if req.status not in ("required", "possible"):
            return req
        embargo = req.embargo
        section = req.control.removeprefix("see ") if req.control.startswith("see ") else None
        column = req.control if req.basis == "country_chart" else None
        found = [
            e.label()
            for e in self.sections.exceptions
            if e.active(on)
            and e.fits(
                eccn=req.eccn,
                reason=req.reason,
                column=column,
                section=section,
                embargo=embargo,
                country=req.place.effective,
                groups=req.place.groups,
            )
            and (embargo is None or bool(e.embargoes))
        ]
        return replace(req, exceptions=tuple(found)) if found else req
