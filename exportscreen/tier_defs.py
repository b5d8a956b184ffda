"""The tier definitions of ``lists/tiers.yaml`` as validated models: a tier's ECCNs, kinds and criteria
(``Comparison`` of one specification field against a threshold), the fallback tier, and how a declared
ECCN is compared with a tier's (``eccn_matches``). Evaluating them against an item is
``exportscreen.tiers``."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from exportscreen.models import Item, ItemKind
from exportscreen.named_dates import NamedDate

__all__ = ["SPEC_FIELDS", "Comparison", "Fallback", "OtherKinds", "TierDef", "TierFile", "eccn_matches"]

SpecField = Literal[
    "node_nm",
    "non_planar_transistors",
    "tpp",
    "die_area_mm2",
    "performance_density",
    "datacenter",
    "io_bandwidth_gbps",
    "memory_bandwidth_density",
    "nand_layers",
    "dram_half_pitch_nm",
    "dram_cell_area_um2",
    "dram_density_gb_per_mm2",
    "transistor_count_billion",
    "transistor_count_attested_by",
    "from_foundry_or_osat",
    "approved_ic_designer",
]
SPEC_FIELDS: tuple[str, ...] = get_args(SpecField)


def _choice_values(name: str) -> frozenset[str] | None:
    """The values of a specification field that is a choice (a StrEnum), else None."""
    for arg in get_args(Item.model_fields[name].annotation):
        if isinstance(arg, type) and issubclass(arg, StrEnum):
            return frozenset(m.value for m in arg)
    return None


#: choice fields (compared with not_in) -> their values
_CHOICES: dict[str, frozenset[str]] = {
    name: values for name in SPEC_FIELDS if (values := _choice_values(name)) is not None
}


class Comparison(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, defer_build=True)
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None
    eq: float | bool | None = None
    not_in: list[str] | None = Field(default=None, min_length=1)
    #: ``missing: true``: holds only when the item does not give the field (an IC with high-bandwidth
    #: memory and no TPP); it stands alone
    missing: Literal[True] | None = None
    if_missing: Literal["unknown", "fail", "holds"] = "unknown"

    @model_validator(mode="after")
    def _not_empty(self) -> Comparison:
        numeric = (self.ge, self.gt, self.le, self.lt, self.eq)
        if self.missing:
            if any(v is not None for v in numeric) or self.not_in is not None or "if_missing" in self.model_fields_set:
                raise ValueError("missing: true stands alone (no ge, gt, le, lt, eq, not_in or if_missing)")
            return self
        if all(v is None for v in numeric) and self.not_in is None:
            raise ValueError("a comparison needs at least one of ge, gt, le, lt, eq, not_in, missing")
        if self.not_in is not None and any(v is not None for v in numeric):
            raise ValueError("not_in (a choice field) cannot be combined with ge, gt, le, lt, eq")
        return self

    @property
    def when_missing(self) -> Literal["unknown", "fail", "holds"]:
        """What a field the item does not give makes of this comparison."""
        return "holds" if self.missing else self.if_missing

    def holds(self, value: float | bool | str) -> bool:
        """Whether a given value passes (a missing value is decided by ``when_missing``)."""
        if self.missing:
            return False
        if isinstance(value, str):
            return self.not_in is not None and value not in self.not_in
        if self.not_in is not None:
            return False
        if self.eq is not None and value != self.eq:
            return False
        if isinstance(value, bool):
            return self.ge is None and self.gt is None and self.le is None and self.lt is None
        return (
            (self.ge is None or value >= self.ge)
            and (self.gt is None or value > self.gt)
            and (self.le is None or value <= self.le)
            and (self.lt is None or value < self.lt)
        )

    def describe(self) -> str:
        parts = [
            f"{op} {v}"
            for op, v in (("==", self.eq), (">=", self.ge), (">", self.gt), ("<=", self.le), ("<", self.lt))
            if v is not None
        ]
        if self.not_in is not None:
            parts.append(f"not one of {', '.join(self.not_in)}")
        if self.missing:
            parts.append("not given")
        return " and ".join(parts)

    def thresholds(self) -> list[float]:
        """The numbers this comparison tests against (none for a true/false test)."""
        values = (self.ge, self.gt, self.le, self.lt, None if isinstance(self.eq, bool) else self.eq)
        return [float(v) for v in values if v is not None]


def eccn_matches(pattern: str, eccn: str, *, exact: bool = False) -> bool:
    """Whether ``eccn`` is ``pattern`` or a paragraph under it; ``*`` stands for any one paragraph
    (``3A001.z.*.a`` matches ``3A001.z.2.a`` and ``3A001.z.2.a.1``). ``exact``: no deeper paragraph."""
    want, have = pattern.split("."), eccn.split(".")
    if len(have) < len(want) or (exact and len(have) != len(want)):
        return False
    return all(w in ("*", h) for w, h in zip(want, have, strict=False))


class OtherKinds(BaseModel):
    """Kinds whose items still fall in a tier when they give one of ``when_given`` and its criteria hold:
    the specifications contradict the kind, so the tier applies (the stricter reading) with a conflict."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    kinds: list[ItemKind] = Field(min_length=1)
    when_given: list[SpecField] = Field(min_length=1)


class TierDef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    id: str = Field(min_length=1)
    eccn: str | None
    label: str
    kinds: list[ItemKind] = Field(default_factory=list)
    other_kinds: OtherKinds | None = None
    eccns: list[str] = Field(default_factory=list)
    eccn_headings: list[str] = Field(default_factory=list)
    criteria: list[dict[SpecField, Comparison]] = Field(default_factory=list)
    requires_any: list[SpecField] = Field(default_factory=list)
    controls: bool = True
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    compliance_date: dt.date | None = None
    license_exceptions: list[str] = Field(default_factory=list)
    citations: list[str] = Field(min_length=1)
    confidence: Literal["V", "S", "U"] = "S"

    @model_validator(mode="after")
    def _shape(self) -> TierDef:
        if not self.criteria and not self.eccns and not self.eccn_headings:
            raise ValueError(f"tier {self.id!r} needs criteria or eccns")
        if self.criteria and not self.kinds:
            raise ValueError(f"tier {self.id!r} has criteria but no kinds they apply to")
        if self.other_kinds and not self.criteria:
            raise ValueError(f"tier {self.id!r} has other_kinds but no criteria")
        if self.other_kinds and set(self.other_kinds.kinds) & set(self.kinds):
            raise ValueError(f"tier {self.id!r}: other_kinds repeats a kind of kinds")
        for alternative in self.criteria:
            for fname, comp in alternative.items():
                choices = _CHOICES.get(fname)
                if choices is not None and comp.not_in is None:
                    raise ValueError(f"tier {self.id!r}: {fname} is a choice field: compare it with not_in")
                if choices is None and comp.not_in is not None:
                    raise ValueError(f"tier {self.id!r}: not_in is for a choice field, not {fname}")
                if choices is not None and comp.not_in is not None and set(comp.not_in) - choices:
                    raise ValueError(f"tier {self.id!r}: {fname} has no value {sorted(set(comp.not_in) - choices)}")
        if self.valid_from and self.valid_to and self.valid_from >= self.valid_to:
            raise ValueError(f"tier {self.id!r}: valid_from must be before valid_to")
        return self

    def tests(self, item: Item) -> bool | None:
        """Whether the criteria apply to the item: True for one of ``kinds``, False for one of
        ``other_kinds`` that gives a field of ``when_given`` (a kind conflict), None otherwise."""
        if not self.criteria or item.kind is None:
            return None
        if item.kind in self.kinds:
            return True
        other = self.other_kinds
        if other and item.kind in other.kinds and any(getattr(item, f) is not None for f in other.when_given):
            return False
        return None

    def active(self, on: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on < self.valid_to)

    def declared(self, eccn: str | None) -> bool:
        if not eccn:
            return False
        return any(eccn_matches(h, eccn, exact=True) for h in self.eccn_headings) or any(
            eccn_matches(e, eccn) for e in self.eccns
        )


class Fallback(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    id: str
    label: str
    citations: list[str]


class TierFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    format: Literal["exportscreen-tiers/1"]
    dates: dict[str, NamedDate] = Field(default_factory=dict)
    families: list[str] = Field(default_factory=list)
    fallback: Fallback
    tiers: list[TierDef] = Field(min_length=1)
