"""The EAR tables as data: CCL reasons for control (``lists/ear/ccl/<group>.yaml``, one per category
and product group) and the Commerce Country Chart (``lists/ear/country_chart.yaml``), both generated
by ``exportscreen.licensing.build``.

A CCL row says which paragraphs of an ECCN a reason for control covers and where the licence
requirement comes from: a Country Chart column, or a section with the destinations it covers
(``Scope``). Every row carries its citation, confidence and dates.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from functools import cache, cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from exportscreen._data import bundled_dir
from exportscreen._errors import PackError
from exportscreen._io import load_model
from exportscreen.eccn import HEADING, paragraph_problem

__all__ = [
    "CHART_COLUMNS",
    "CclGroup",
    "CclRow",
    "CclTable",
    "ChartRow",
    "CountryChart",
    "Scope",
    "heading_of",
    "load_ccl",
    "load_chart",
    "paragraph_parts",
]

CHART_COLUMNS = (
    "CB1", "CB2", "CB3", "NP1", "NP2", "NS1", "NS2", "MT1", "RS1", "RS2", "CC1", "CC2", "CC3", "FC1", "AT1", "AT2",
)  # fmt: skip
ChartColumn = Literal[
    "CB1", "CB2", "CB3", "NP1", "NP2", "NS1", "NS2", "MT1", "RS1", "RS2", "CC1", "CC2", "CC3", "FC1", "AT1", "AT2",
]  # fmt: skip
Confidence = Literal["V", "S", "U"]
_FROZEN = ConfigDict(extra="forbid", frozen=True, defer_build=True, populate_by_name=True)
_ISO2 = r"^[A-Z]{2}$"


def heading_of(eccn: str) -> str:
    """``3B001.c.1.a`` -> ``3B001``."""
    return eccn[:5]


def paragraph_parts(eccn_or_paragraph: str) -> tuple[str, ...]:
    """``3B001.c.1.a`` or ``.c.1.a`` -> ``("c", "1", "a")``; a bare heading -> ``()``."""
    text = eccn_or_paragraph[5:] if HEADING.match(eccn_or_paragraph[:5]) else eccn_or_paragraph
    return tuple(p for p in text.split(".") if p)


class Scope(BaseModel):
    """The destinations a section-based licence requirement covers."""

    model_config = _FROZEN
    worldwide: bool = False
    countries: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)
    exclude_groups: list[str] = Field(default_factory=list)
    except_countries: list[str] = Field(default_factory=list)
    chart_footnote: int | None = None

    @model_validator(mode="after")
    def _something(self) -> Scope:
        if not (self.worldwide or self.countries or self.groups or self.chart_footnote is not None):
            raise ValueError("a scope needs worldwide, countries, groups or chart_footnote")
        for code in (*self.countries, *self.except_countries):
            if not re.match(_ISO2, code):
                raise ValueError(f"{code!r} is not an ISO alpha-2 code")
        return self

    def covers(self, country: str, groups: Sequence[str], footnotes: Sequence[int]) -> bool:
        if country in self.except_countries:
            return False
        if self.worldwide or country in self.countries:
            return True
        if self.chart_footnote is not None and self.chart_footnote in footnotes:
            return True
        return bool(set(self.groups) & set(groups)) and not set(self.exclude_groups) & set(groups)

    def describe(self) -> str:
        if self.worldwide:
            return "all destinations" + (f" except {', '.join(self.except_countries)}" if self.except_countries else "")
        parts = [*self.countries, *self.groups]
        if self.chart_footnote is not None:
            parts.append(f"destinations with Country Chart footnote {self.chart_footnote}")
        text = " or ".join(parts)
        if self.exclude_groups:
            text += f" (excluding {', '.join(self.exclude_groups)})"
        return text


class _Dated(BaseModel):
    model_config = _FROZEN
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    @model_validator(mode="after")
    def _order(self) -> _Dated:
        if self.valid_from and self.valid_to and self.valid_from >= self.valid_to:
            raise ValueError("valid_from must be before valid_to")
        return self

    def active(self, on: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on < self.valid_to)


class CclRow(_Dated):
    """One row of an ECCN's License Requirements table."""

    eccn: str = Field(pattern=HEADING.pattern)
    paragraphs: list[str] = Field(default_factory=list)
    except_: list[str] = Field(default_factory=list, alias="except")
    cross_reference: bool = False
    qualified: bool = False
    reason: str = Field(pattern=r"^[A-Z]{2,3}$")
    column: ChartColumn | None = None
    section: str | None = None
    scope: Scope | None = None
    delegate: str | None = None
    unmodelled: str | None = None
    text: str
    citations: list[str] = Field(min_length=1)
    confidence: Confidence
    source: str

    @model_validator(mode="after")
    def _shape(self) -> CclRow:
        for p in (*self.paragraphs, *self.except_):
            problem = paragraph_problem(p) if p else "an empty paragraph"
            if problem is not None:
                raise ValueError(f"{self.eccn}: {problem}")
        ways = [self.column is not None, self.scope is not None and self.delegate is None, self.delegate is not None]
        if self.unmodelled is None and sum(ways) != 1:
            raise ValueError(f"{self.eccn} {self.reason}: give one of column, scope or delegate (or unmodelled)")
        return self

    @property
    def control(self) -> str:
        """The Country Chart column, or the section the row points to."""
        return self.column or (f"see {self.section}" if self.section else "see the entry")

    @property
    def scope_text(self) -> str:
        if self.paragraphs:
            shown = self.paragraphs if len(self.paragraphs) <= 4 else [*self.paragraphs[:3], "..."]
            return ", ".join(shown)
        return "entire entry" + (f" except {'; '.join(self.except_)}" if self.except_ else "")

    def applies_to(self, parts: tuple[str, ...]) -> Literal["yes", "stricter", "no"]:
        """Whether the row covers the paragraph ``parts`` of its ECCN.

        ``stricter``: the item is declared less precisely than the row (a heading, or ``.c`` against
        a row for ``.c.1.a``): the row may apply, and the strictest reading applies it.
        """
        if any(_prefix(paragraph_parts(e), parts) for e in self.except_):
            return "no"
        if not self.paragraphs or self.cross_reference:
            return "yes"
        verdict: Literal["yes", "stricter", "no"] = "no"
        for p in self.paragraphs:
            row = paragraph_parts(p)
            if _prefix(row, parts):
                return "yes"
            if _prefix(parts, row):
                verdict = "stricter"
        return verdict


def _prefix(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    return long[: len(short)] == short


class SourceRef(BaseModel):
    model_config = _FROZEN
    file: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    rows: int
    origin: str


class CclGroup(BaseModel):
    """The rows of the ECCNs of one category and product group (``lists/ear/ccl/3A.yaml``)."""

    model_config = _FROZEN
    format: Literal["exportscreen-ccl/1"]
    group: str = Field(pattern=r"^[0-9][A-E]$")
    ecfr_issue: dt.date
    citation: str
    source: SourceRef
    rows: list[CclRow] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_group(self) -> CclGroup:
        stray = sorted({r.eccn for r in self.rows if r.eccn[:2] != self.group})
        if stray:
            raise ValueError(f"rows of another group in group {self.group}: {stray}")
        return self


class CclTable:
    """The CCL reasons for control, one file per category and product group (``3A``), each read when an
    ECCN of it is first asked for: an order of 3A items reads ``3A.yaml`` only. A group without a file
    has no ECCN: a declared ECCN of it is unknown."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._headings: dict[str, dict[str, tuple[CclRow, ...]]] = {}

    def groups(self) -> list[str]:
        return sorted(p.stem for p in self.directory.glob("*.yaml"))

    def group(self, group: str) -> CclGroup | None:
        path = self.directory / f"{group}.yaml"
        return _load_group(path) if path.is_file() else None

    def _by_heading(self, group: str) -> dict[str, tuple[CclRow, ...]]:
        found = self._headings.get(group)
        if found is None:
            out: dict[str, list[CclRow]] = {}
            loaded = self.group(group)
            for row in loaded.rows if loaded else ():
                out.setdefault(row.eccn, []).append(row)
            found = self._headings[group] = {k: tuple(v) for k, v in out.items()}
        return found

    def rows_for(self, heading: str, on: dt.date) -> tuple[CclRow, ...]:
        """The rows of an ECCN heading in force on ``on`` (empty: the ECCN is unknown on that date)."""
        if not HEADING.match(heading):
            return ()
        return tuple(r for r in self._by_heading(heading[:2]).get(heading, ()) if r.active(on))

    def named_letters(self, heading: str) -> frozenset[str]:
        """The first-level paragraphs (``c`` of ``.c.1.a``) that a row of ``heading`` names in its
        paragraphs or exceptions, on any date: the paragraphs the data confirms the entry has."""
        rows = self._by_heading(heading[:2]).get(heading, ()) if HEADING.match(heading) else ()
        return frozenset(paragraph_parts(p)[0] for r in rows for p in (*r.paragraphs, *r.except_) if paragraph_parts(p))

    def rows(self) -> list[CclRow]:
        """Every row of every group (reads them all)."""
        return [r for g in self.groups() for r in _load_group(self.directory / f"{g}.yaml").rows]


class Footnote(BaseModel):
    model_config = _FROZEN
    number: int
    text: str
    applies_to: list[str]
    source: str
    confidence: Confidence
    note: str | None = None


class ChartRow(_Dated):
    country: str
    iso2: str = Field(pattern=_ISO2)
    marks: list[ChartColumn] = Field(default_factory=list)
    footnotes: list[int] = Field(default_factory=list)
    pointer: str | None = None


class CountryChart(BaseModel):
    model_config = _FROZEN
    format: Literal["exportscreen-country-chart/1"]
    ecfr_issue: dt.date
    citation: str
    note: str
    source: SourceRef
    footnotes_source: SourceRef
    footnotes: list[Footnote]
    rows: list[ChartRow] = Field(min_length=1)

    @cached_property
    def _by_iso2(self) -> dict[str, tuple[ChartRow, ...]]:
        out: dict[str, list[ChartRow]] = {}
        for row in self.rows:
            out.setdefault(row.iso2, []).append(row)
        return {k: tuple(v) for k, v in out.items()}

    def row(self, iso2: str, on: dt.date) -> ChartRow | None:
        return next((r for r in self._by_iso2.get(iso2, ()) if r.active(on)), None)

    def footnote(self, number: int) -> Footnote | None:
        return next((f for f in self.footnotes if f.number == number), None)


@cache
def _load_group(path: Path) -> CclGroup:
    return load_model(path, CclGroup, error=PackError)


@cache
def _load_chart_cached(path: Path) -> CountryChart:
    return load_model(path, CountryChart, error=PackError)


@cache
def _ccl(directory: Path) -> CclTable:
    return CclTable(directory)


def load_ccl(directory: str | Path | None = None) -> CclTable:
    """The CCL reasons for control (the bundled ``lists/ear/ccl/`` by default), read per group on use."""
    return _ccl(Path(directory) if directory else bundled_dir() / "ear" / "ccl")


def load_chart(path: str | Path | None = None) -> CountryChart:
    """The Commerce Country Chart (the bundled ``lists/ear/country_chart.yaml`` by default)."""
    return _load_chart_cached(Path(path) if path else bundled_dir() / "ear" / "country_chart.yaml")
