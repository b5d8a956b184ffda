"""The licence register: BIS licences and filed notifications an exporter holds (a YAML file).

    format: exportscreen-licences/1
    licences:
      - number: D1234567
        type: license                  # license | nac_notification | aca_notification | other_authorization
        eccns: [3B001.c]               # the ECCNs (or paragraphs, or EAR99) it authorizes
        destinations: [CN]             # countries (ISO alpha-2 or names)
        regions: []                    # optional: sanctioned regions it reaches (UA-43, Crimea)
        parties:                       # the ultimate consignee / end user named on it
          - {name: Eastern Logic Foundry Co., Ltd., country: CN}
        valid_from: 2026-01-15
        valid_to: 2028-01-14           # the last day it is valid (inclusive)
        max_quantity: 4                # optional: what remains of it, per order
        max_value_usd: 12000000        # optional
        conditions: "No reexport; end-use statement on file"

A licence covers a licence requirement of an item when, on the screening date, it is valid, names the
item's ECCN (a licence for ``3B001`` covers ``3B001.c``; one for ``3B001.c`` does not cover a bare
``3B001``), the country that counts, and every ultimate consignee and end user of the order (by its
own name, not an alias the order gives it, compared without case, punctuation or extra spaces, and
its country where both give one, an ultimate consignee without one being in the destination), and
the order's items under it stay within its quantity and value (an item without a quantity or value
does not fit a licence that limits it).
Shipments already made against a licence are not counted: keep the remaining balance in the register.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from exportscreen._errors import InputError
from exportscreen._io import load_model
from exportscreen.eccn import normal_eccn
from exportscreen.licensing.embargoes import load_part746
from exportscreen.models import Country, Name, Party, Role

__all__ = ["Licence", "LicenceRegister", "LicenceType", "licensed_parties", "load_register", "on_order"]

_STRICT = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)
LicenceType = Literal["license", "nac_notification", "aca_notification", "other_authorization"]


class LicensedParty(BaseModel):
    model_config = _STRICT
    name: Name
    country: Country | None = None


def _normal(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


class Licence(BaseModel):
    model_config = _STRICT
    number: str = Field(min_length=1, max_length=100)
    type: LicenceType
    eccns: list[str] = Field(min_length=1)
    destinations: list[Country] = Field(min_length=1)
    #: the sanctioned regions (lists/ear/part746.yaml: UA-43, Crimea ...) it reaches: a licence for the
    #: country alone does not reach them
    regions: list[str] = Field(default_factory=list)
    parties: list[LicensedParty] = Field(min_length=1)
    valid_from: dt.date
    valid_to: dt.date
    #: a notification: the day BIS received it (a NAC notification covers only after its waiting period)
    notified_on: dt.date | None = None
    max_quantity: int | None = Field(default=None, gt=0)
    max_value_usd: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    conditions: str | None = Field(default=None, max_length=5000)

    @field_validator("eccns")
    @classmethod
    def _eccns(cls, value: list[str]) -> list[str]:
        return [normal_eccn(text) for text in value]

    @field_validator("regions")
    @classmethod
    def _regions(cls, value: list[str]) -> list[str]:
        """Each region as its id in lists/ear/part746.yaml (``crimea``); a text naming none is an error."""
        known = load_part746().regions
        out: list[str] = []
        for text in value:
            found = [r.id for r in known if r.id == text.casefold() or r.found_in(text)]
            if not found:
                names = ", ".join(c for r in known for c in r.codes)
                raise ValueError(f"region {text!r} names no sanctioned region of lists/ear/part746.yaml ({names})")
            out += [r for r in found if r not in out]
        return out

    @model_validator(mode="after")
    def _dates(self) -> Licence:
        if self.valid_to < self.valid_from:
            raise ValueError(f"licence {self.number}: valid_to is before valid_from")
        return self

    def label(self) -> str:
        return f"{self.type.replace('_', ' ')} {self.number} (valid {self.valid_from} to {self.valid_to})"

    def names_eccn(self, eccn: str | None) -> bool:
        return eccn is not None and any(eccn == e or eccn.startswith(e + ".") for e in self.eccns)

    def gaps(
        self,
        *,
        eccn: str | None,
        country: str,
        effective: str,
        parties: Sequence[Party],
        on: dt.date,
        region: str | None = None,
    ) -> list[str]:
        """Why this licence does not cover the requirement (empty: it covers it, limits aside); ``region``:
        the sanctioned region the requirement is for, which the licence must name (``regions``)."""
        out: list[str] = []
        if not self.valid_from <= on <= self.valid_to:
            out.append(f"not valid on {on.isoformat()}")
        if not self.names_eccn(eccn):
            out.append(f"does not name {eccn or 'an item without an ECCN'}")
        if country not in self.destinations and effective not in self.destinations:
            out.append(f"does not name {country}")
        elif region is not None and region not in self.regions:
            out.append(f"does not name the region {region} (a licence for {country} does not reach it: regions)")
        out += [f"does not name {why}" for why in (self.not_named(p) for p in parties) if why is not None]
        return out

    def names(self, party: Party) -> bool:
        """Whether the licence names ``party``: its own name is a licensed party's (case, punctuation
        and spacing ignored) and, where both give one, so is its country. An alias the order gives a
        party does not count: an order cannot make another party licensed by calling it so."""
        return self.not_named(party) is None

    def not_named(self, party: Party) -> str | None:
        """None when the licence names ``party`` (``names``), else what it does not name."""
        own = _normal(party.name)
        same = [p for p in self.parties if _normal(p.name) == own]
        if any(p.country is None or party.country is None or p.country == party.country for p in same):
            return None
        if same:
            return f"{party.name} in {party.country} (it names {', '.join(sorted({str(p.country) for p in same}))})"
        named = {_normal(p.name) for p in self.parties}
        if any(_normal(a) in named for a in party.aliases):
            return f"{party.name} (an alias the order gives it is a licensed name; a licence names a party by its own)"
        return party.name


class LicenceRegister(BaseModel):
    model_config = _STRICT
    format: Literal["exportscreen-licences/1"]
    licences: list[Licence] = Field(default_factory=list)
    path: str | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _unique(self) -> LicenceRegister:
        numbers = [lic.number for lic in self.licences]
        dupes = sorted({n for n in numbers if numbers.count(n) > 1})
        if dupes:
            raise ValueError(f"licence numbers appear twice: {dupes}")
        return self


def on_order(party: Party, destination: str) -> Party:
    """``party`` with the country the order gives it: an ultimate consignee without a country is in
    the destination, so a licence that names it only in another country does not name it."""
    if party.country is None and party.role is Role.ULTIMATE_CONSIGNEE:
        return party.model_copy(update={"country": destination})
    return party


def licensed_parties(parties: Sequence[Party], destination: str) -> list[Party]:
    """The parties a licence must name: the ultimate consignees and end users (else every party but
    freight forwarders), each in its country on the order (``on_order``)."""
    named = [p for p in parties if p.role in (Role.ULTIMATE_CONSIGNEE, Role.END_USER)]
    chosen = named or [p for p in parties if p.role is not Role.FREIGHT_FORWARDER]
    return [on_order(p, destination) for p in chosen]


def load_register(path: str | Path) -> LicenceRegister:
    """Read and validate a licence register; any problem is an ``InputError`` naming file and field."""
    register = load_model(
        Path(path),
        LicenceRegister,
        error=InputError,
        not_mapping="a licence register is a mapping with format and licences",
    )
    return register.model_copy(update={"path": str(path)})
