"""Countries and dated EAR Country Group memberships.

Country names and codes resolve to ISO 3166-1 alpha-2 through pycountry plus the extra names in
``lists/countries.yaml``; an alpha-2 code (what orders carry) is looked up in pycountry's table
without importing pycountry (``exportscreen._iso3166``), which is imported for anything else.
Group memberships come from ``lists/country_groups.yaml``; every lookup takes the as-of date
explicitly. A group may include another group from a date (``include:
[{group: "D:5", valid_from: ...}]``); dates may be given by name (see ``exportscreen.named_dates``).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from exportscreen._data import bundled_dir
from exportscreen._errors import PackError
from exportscreen._io import load_model
from exportscreen._iso3166 import countries as iso_countries
from exportscreen.named_dates import NamedDate, load_dated_model

__all__ = ["CountryGroups", "country_name", "load_country_groups", "resolve_country"]


class _CountryTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    format: Literal["exportscreen-countries/1"]
    extra_codes: dict[str, str] = Field(default_factory=dict)
    aliases: dict[str, str] = Field(default_factory=dict)
    ambiguous: list[str] = Field(default_factory=list)


@cache
def _country_table() -> _CountryTable:
    return load_model(bundled_dir() / "countries.yaml", _CountryTable, error=PackError)


@cache
def resolve_country(value: str) -> str:
    """Return the ISO alpha-2 code for a code or an unambiguous English country name.

    Raises ``ValueError`` (turned into a validation error by the models) for anything unknown.
    """
    text = " ".join(value.split())
    if not text:
        raise ValueError("country is empty")
    table = _country_table()
    upper = text.upper()
    if upper in table.extra_codes:
        return upper
    if text.casefold() in table.ambiguous:
        raise ValueError(f"ambiguous country {value!r}: several countries go by this name; use the ISO alpha-2 code")
    alias = table.aliases.get(text.casefold())
    if alias is not None:
        return alias
    if upper in iso_countries():
        return upper
    import pycountry  # here: names and alpha-3 codes only (see the module doc)

    try:
        found = pycountry.countries.lookup(text)
    except LookupError:
        raise ValueError(
            f"unknown country {value!r}: use an ISO 3166-1 alpha-2 code (e.g. CN) or an unambiguous English name"
        ) from None
    return str(found.alpha_2)


def country_name(code: str) -> str:
    """English short name of an alpha-2 code (the code itself when unknown)."""
    table = _country_table()
    if code in table.extra_codes:
        return table.extra_codes[code]
    known = iso_countries()
    if known:
        return known.get(code, code)
    import pycountry

    found = pycountry.countries.get(alpha_2=code)
    if found is None:
        return code
    return str(getattr(found, "common_name", None) or found.name)


def _to_code(value: object) -> object:
    return resolve_country(value) if isinstance(value, str) else value


CountryCode = Annotated[str, BeforeValidator(_to_code)]
Confidence = Literal["V", "S", "U"]


class _Dated(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    citation: str | None = None
    confidence: Confidence = "V"

    def active(self, on: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on < self.valid_to)


class Membership(_Dated):
    country: CountryCode


class TreatAs(_Dated):
    country: CountryCode
    as_: CountryCode = Field(alias="as")


class Inclusion(_Dated):
    group: str


def _member(value: object) -> object:
    return {"country": value} if isinstance(value, str) else value


def _inclusion(value: object) -> object:
    return {"group": value} if isinstance(value, str) else value


class Group(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    name: str
    members: list[Annotated[Membership, BeforeValidator(_member)]] = Field(default_factory=list)
    include: list[Annotated[Inclusion, BeforeValidator(_inclusion)]] = Field(default_factory=list)


class CountryGroups(BaseModel):
    """Dated country-group memberships; see ``lists/country_groups.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    format: Literal["exportscreen-country-groups/1"]
    source: str
    as_of: dt.date
    citation: str
    dates: dict[str, NamedDate] = Field(default_factory=dict)
    treat_as: list[TreatAs] = Field(default_factory=list)
    groups: dict[str, Group]

    @model_validator(mode="after")
    def _check_includes(self) -> CountryGroups:
        for gid, group in self.groups.items():
            for inc in group.include:
                if inc.group not in self.groups:
                    raise ValueError(f"group {gid!r} includes unknown group {inc.group!r}")
        for gid in self.groups:
            self._expand(gid, ())
        return self

    def _expand(self, gid: str, stack: tuple[str, ...]) -> tuple[str, ...]:
        if gid in stack:
            raise ValueError(f"country groups include each other in a cycle: {' -> '.join((*stack, gid))}")
        out = [gid]
        for inc in self.groups[gid].include:
            out.extend(self._expand(inc.group, (*stack, gid)))
        return tuple(out)

    def effective_country(self, code: str, on: dt.date) -> tuple[str, TreatAs | None]:
        """The country whose groups apply (Hong Kong takes China's from its date)."""
        for rule in self.treat_as:
            if rule.country == code and rule.active(on):
                return rule.as_, rule
        return code, None

    def groups_of(self, code: str, on: dt.date) -> list[str]:
        """Sorted ids of the groups ``code`` belongs to on ``on`` (after ``treat_as``)."""
        country, _ = self.effective_country(code, on)
        return sorted(gid for gid in self.groups if self._is_member(gid, country, on, ()))

    def _is_member(self, gid: str, country: str, on: dt.date, stack: tuple[str, ...]) -> bool:
        group = self.groups[gid]
        if any(m.country == country and m.active(on) for m in group.members):
            return True
        return any(self._is_member(inc.group, country, on, (*stack, gid)) for inc in group.include if inc.active(on))

    def membership_evidence(self, gid: str, code: str, on: dt.date) -> Membership | None:
        """The membership row that puts ``code`` in ``gid`` (for citations and confidence)."""
        country, _ = self.effective_country(code, on)
        for m in self.groups[gid].members:
            if m.country == country and m.active(on):
                return m
        for inc in self.groups[gid].include:
            found = self.membership_evidence(inc.group, country, on) if inc.active(on) else None
            if found is not None:
                return found
        return None


@cache
def _load_groups_cached(path: Path) -> CountryGroups:
    return load_dated_model(path, CountryGroups, error=PackError)


def load_country_groups(path: str | Path | None = None) -> CountryGroups:
    """Load a country-group file (the bundled one by default)."""
    return _load_groups_cached(Path(path) if path else bundled_dir() / "country_groups.yaml")
