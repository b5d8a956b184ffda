"""``lists/ear/sections.yaml``: the sections other packs implement (delegations), the end-use sections,
and the licence exceptions the determination names (explanation only, never a clearance)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from exportscreen._data import bundled_dir
from exportscreen._errors import PackError
from exportscreen._io import load_model
from exportscreen.licensing.tables import Scope
from exportscreen.models import EndUseTag

__all__ = ["Delegated", "EndUseSection", "LicenceException", "NotificationWait", "Sections", "load_sections"]

_FROZEN = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class _Dated(BaseModel):
    model_config = _FROZEN
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def active(self, on: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on < self.valid_to)


class NotificationWait(BaseModel):
    """A licence exception used by notifying BIS: the days from BIS's receipt of the notification to
    the first export it may cover."""

    model_config = _FROZEN
    days: int = Field(ge=0)
    citation: str
    confidence: Literal["V", "S", "U"]


class Delegated(BaseModel):
    model_config = _FROZEN
    name: str
    implemented_by: str
    tiers: list[str] = Field(default_factory=list)
    citations: list[str] = Field(min_length=1)
    note: str | None = None
    #: licence exception id (NAC) -> its waiting period, for a notification on file
    notification_waits: dict[str, NotificationWait] = Field(default_factory=dict)


class EndUseSection(_Dated):
    id: str
    section: str
    end_use_tags: list[EndUseTag] = Field(min_length=1)
    destinations: Scope
    delegate: str
    citation: str


class LicenceException(_Dated):
    id: str = Field(pattern=r"^[A-Z]{2,4}$")
    name: str
    section: str
    eccns: list[str] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list)
    columns: list[str] = Field(default_factory=list)
    sections: list[str] = Field(default_factory=list)
    embargoes: list[str] = Field(default_factory=list)
    destinations: Scope | None = None
    citation: str | None = None

    def label(self) -> str:
        return f"{self.id} ({self.section}): {self.name}"

    def fits(
        self,
        *,
        eccn: str | None,
        reason: str,
        column: str | None,
        section: str | None,
        embargo: str | None,
        country: str,
        groups: Sequence[str],
    ) -> bool:
        if self.eccns and not (eccn and any(eccn == e or eccn.startswith(e + ".") for e in self.eccns)):
            return False
        return (
            (not self.reasons or reason in self.reasons)
            and (not self.columns or column in self.columns)
            and (not self.sections or section in self.sections)
            and (not self.embargoes or embargo in self.embargoes)
            and (self.destinations is None or self.destinations.covers(country, groups, ()))
        )


class Sections(BaseModel):
    model_config = _FROZEN
    format: Literal["exportscreen-ear-sections/1"]
    delegated: dict[str, Delegated]
    end_use_sections: list[EndUseSection]
    exceptions: list[LicenceException]

    @model_validator(mode="after")
    def _known(self) -> Sections:
        for s in self.end_use_sections:
            if s.delegate not in self.delegated:
                raise ValueError(f"end-use section {s.id!r} delegates to unknown {s.delegate!r}")
        ids = [e.id for e in self.exceptions]
        if len(ids) != len(set(ids)):
            raise ValueError("duplicate licence exception ids")
        return self

    def exception(self, exception_id: str) -> LicenceException | None:
        return next((e for e in self.exceptions if e.id == exception_id), None)


@cache
def _load(path: Path) -> Sections:
    return load_model(path, Sections, error=PackError)


def load_sections(path: str | Path | None = None) -> Sections:
    """The sections file (the bundled ``lists/ear/sections.yaml`` by default)."""
    return _load(Path(path) if path else bundled_dir() / "ear" / "sections.yaml")
