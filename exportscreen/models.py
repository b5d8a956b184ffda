"""The data of exportscreen: what goes in (``Transaction`` and its parties and items); what comes out
(``Decision``) is defined in ``exportscreen.decision`` and importable from here too.

All models are pydantic v2 with ``extra="forbid"``: an unknown or misspelt field is a validation
error naming the field, never silently ignored. Numbers must be finite.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from exportscreen._text import bidi_override
from exportscreen.category import Category
from exportscreen.decision import (
    Decision,
    ItemTier,
    LicenceRequirement,
    MatchRef,
    PackRef,
    PartyMatch,
    Reason,
    RegistryInfo,
    SourceInfo,
)
from exportscreen.eccn import normal_eccn
from exportscreen.geo import resolve_country
from exportscreen.limits import LIMITS

__all__ = [
    "Category",
    "CountAttester",
    "Decision",
    "EndUseTag",
    "Item",
    "ItemKind",
    "ItemTier",
    "LicenceRequirement",
    "MatchRef",
    "Owner",
    "PackRef",
    "Party",
    "PartyMatch",
    "Reason",
    "RegistryInfo",
    "Role",
    "SourceInfo",
    "Transaction",
]


class Role(StrEnum):
    PURCHASER = "purchaser"
    INTERMEDIATE_CONSIGNEE = "intermediate_consignee"
    ULTIMATE_CONSIGNEE = "ultimate_consignee"
    END_USER = "end_user"
    FREIGHT_FORWARDER = "freight_forwarder"
    OTHER = "other"


class ItemKind(StrEnum):
    IC = "ic"
    COMPUTER = "computer"
    SME = "sme"
    MEMORY = "memory"
    SOFTWARE = "software"
    TECHNOLOGY = "technology"
    OTHER = "other"


class CountAttester(StrEnum):
    """Who attested an IC's aggregate transistor count (90 FR 5298, Note 1 to 3A090): the front-end fab
    that packages it, outside Macau and D:5; an approved OSAT (Supp. No. 7 to Part 740); or nobody."""

    FRONT_END_FAB_OUTSIDE_D5 = "front_end_fab_outside_d5"
    APPROVED_OSAT = "approved_osat"
    NONE = "none"


class EndUseTag(StrEnum):
    """Controlled vocabulary of end uses; free text goes in ``end_use``."""

    MILITARY = "military"
    MILITARY_INTELLIGENCE = "military_intelligence"
    SUPERCOMPUTER = "supercomputer"
    ADVANCED_NODE_FAB = "advanced_node_fab"
    DATA_CENTER = "data_center"
    AI_TRAINING = "ai_training"
    CIVIL = "civil"
    CONSUMER = "consumer"


# revalidate_instances: a Transaction (or Party, Item, Owner) handed in as an instance is validated
# again, so one changed after validation or made by model_construct is never screened unchecked.
_STRICT = ConfigDict(
    extra="forbid",
    allow_inf_nan=False,
    str_strip_whitespace=True,
    validate_default=True,
    defer_build=True,
    revalidate_instances="always",
)


def _country(value: object) -> object:
    if isinstance(value, str):
        return resolve_country(value)
    return value


Country = Annotated[str, BeforeValidator(_country)]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _check_text(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("contains control characters")
    override = bidi_override(value)
    if override:
        raise ValueError(override)
    return value


def _check_name(value: str) -> str:
    """A name must be text with at least one letter or digit (not only spaces, marks or invisibles)."""
    _check_text(value)
    if not any(ch.isalnum() for ch in value):
        raise ValueError("a name needs at least one letter or digit")
    return value


Name = Annotated[str, Field(min_length=1, max_length=LIMITS.max_name_chars), AfterValidator(_check_name)]


def _not_bool(value: object) -> object:
    """true/false where a number belongs is an error, not 1/0."""
    if isinstance(value, bool):
        raise ValueError("expected a number, not true/false")
    return value


class Owner(BaseModel):
    """A direct or indirect owner of a party and its share."""

    model_config = _STRICT
    name: Name
    percent: float = Field(gt=0, le=100)
    country: Country | None = None
    #: The owner is the party's ultimate parent (its headquarters count for the party whatever the share).
    ultimate_parent: bool = False

    _number = field_validator("percent", mode="before")(_not_bool)


class Party(BaseModel):
    """A party to the transaction (15 CFR 748.5 roles)."""

    model_config = _STRICT
    role: Role
    name: Name
    aliases: list[Name] = Field(default_factory=list)
    country: Country | None = None
    address: str | None = Field(default=None, max_length=2000)
    #: Where the party is headquartered; when not given, its own ``country`` counts.
    headquarters_country: Country | None = None
    owners: list[Owner] = Field(default_factory=list)

    _text = field_validator("address")(lambda v: v if v is None else _check_text(v))

    @model_validator(mode="after")
    def _owners_add_up(self) -> Party:
        total = sum(o.percent for o in self.owners)
        if total > 100.0 + 1e-9:
            raise ValueError(f"owners' percentages add up to {total:g}, over 100")
        return self


# Relative tolerance between a given performance density and tpp / die_area_mm2.
PD_TOLERANCE = 0.02


class Item(BaseModel):
    """An item on the order, with the specifications the capability tiers read.

    ``node_nm``, ``nand_layers``, the DRAM fields and ``non_planar_transistors`` describe the IC
    itself for kinds ic and memory, and the production the item is for (the facility) for the other
    kinds. ``io_bandwidth_gbps`` is read by the Oct 2022 test only; ``transistor_count_billion``,
    ``transistor_count_attested_by``, ``from_foundry_or_osat`` and ``approved_ic_designer`` by the Jan
    2025 foundry presumption (a count no qualifying party attests does not lift it).
    """

    model_config = _STRICT
    description: str = Field(min_length=1, max_length=2000)
    eccn: str | None = None
    kind: ItemKind | None = None
    node_nm: float | None = Field(default=None, gt=0, le=100_000)
    non_planar_transistors: bool | None = None
    tpp: float | None = Field(default=None, ge=0)
    die_area_mm2: float | None = Field(default=None, gt=0)
    performance_density: float | None = Field(default=None, ge=0)
    datacenter: bool | None = None
    io_bandwidth_gbps: float | None = Field(default=None, ge=0)
    memory_bandwidth_density: float | None = Field(default=None, ge=0)
    nand_layers: int | None = Field(default=None, gt=0, le=10_000)
    dram_half_pitch_nm: float | None = Field(default=None, gt=0)
    dram_cell_area_um2: float | None = Field(default=None, gt=0)
    dram_density_gb_per_mm2: float | None = Field(default=None, gt=0)
    transistor_count_billion: float | None = Field(default=None, gt=0)
    transistor_count_attested_by: CountAttester | None = None
    from_foundry_or_osat: bool | None = None
    approved_ic_designer: bool | None = None
    quantity: int | None = Field(default=None, gt=0)
    value_usd: float | None = Field(default=None, ge=0)
    hts: str | None = None

    _numbers = field_validator(
        "node_nm",
        "tpp",
        "die_area_mm2",
        "performance_density",
        "io_bandwidth_gbps",
        "memory_bandwidth_density",
        "nand_layers",
        "dram_half_pitch_nm",
        "dram_cell_area_um2",
        "dram_density_gb_per_mm2",
        "transistor_count_billion",
        "quantity",
        "value_usd",
        mode="before",
    )(_not_bool)

    _text = field_validator("description")(_check_text)

    @field_validator("eccn")
    @classmethod
    def _eccn_shape(cls, value: str | None) -> str | None:
        return None if value is None else normal_eccn(value)

    @field_validator("hts")
    @classmethod
    def _hts_shape(cls, value: str | None) -> str | None:
        """An HTS code (``8542.31.0000``, ``854231``): kept as its digits, 4 to 10 of them."""
        if value is None:
            return None
        digits = value.strip().replace(".", "").replace(" ", "")
        if not re.fullmatch(r"\d{4,10}", digits):
            raise ValueError(f"{value!r} is not an HTS code (4 to 10 digits, dots allowed: 8542.31)")
        return digits

    @model_validator(mode="after")
    def _attested_count(self) -> Item:
        by = self.transistor_count_attested_by
        if by is not None and by is not CountAttester.NONE and self.transistor_count_billion is None:
            raise ValueError(
                f"transistor_count_attested_by {by.value} needs the count it attests (transistor_count_billion)"
            )
        return self

    @model_validator(mode="after")
    def _derive_density(self) -> Item:
        if self.tpp is not None and self.die_area_mm2 is not None:
            derived = self.tpp / self.die_area_mm2
            given = self.performance_density
            if given is None:
                self.performance_density = round(derived, 6)
            elif not math.isclose(given, derived, rel_tol=PD_TOLERANCE, abs_tol=0.01):
                raise ValueError(f"performance_density {given:g} contradicts tpp / die_area_mm2 = {derived:.4g}")
        return self


class Transaction(BaseModel):
    """A proposed export: who, what, where, for what use, and as of which date."""

    model_config = _STRICT
    id: str = Field(min_length=1, max_length=200)
    date: dt.date | None = None
    destination: Country
    parties: list[Party] = Field(min_length=1, max_length=LIMITS.max_parties)
    items: list[Item] = Field(min_length=1, max_length=LIMITS.max_items)
    destination_region: str | None = Field(default=None, min_length=1, max_length=200)
    end_use: str | None = Field(default=None, max_length=5000)
    end_use_tags: list[EndUseTag] = Field(default_factory=list)

    _text = field_validator("destination_region", "end_use")(lambda v: v if v is None else _check_text(v))

    @field_validator("date", mode="before")
    @classmethod
    def _iso_date(cls, value: object) -> object:
        if isinstance(value, dt.datetime):
            raise ValueError("expected a date (YYYY-MM-DD), not a date and time")
        if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ValueError(f"{value!r} is not an ISO date (YYYY-MM-DD)")
        return value
