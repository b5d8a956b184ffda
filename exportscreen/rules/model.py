"""Rule packs as data: the pack file, its declarative condition language, and its test cases.

A condition is a mapping with exactly one key::

    all: [cond, ...]            every one holds
    any: [cond, ...]            at least one holds
    not: cond                   the inner one does not hold
    always: true                holds (for the closing "checks passed" rule)
    party_listed:               a party (by name, alias or address) matched a list entry
      {lists: [EL], min_strength: hit|review, max_strength: hit|review, via: [name, address],
       roles: [...], tags: [...]}
    owners_listed:              owners matched on the lists hold at least min_share percent in aggregate
      {lists: [EL, MEU], min_share: 50, min_strength: hit}
    item_tier: [3A090.a, ...]   some item falls in one of these tiers
    item_unclassified: true     some item could not be classified and a missing value could change
                                the verdict (see ``exportscreen.rules.materiality``), or it cannot be
                                placed at all (a declared ECCN the tiers do not know)
    item_tier_conflict: true    some item's declared ECCN disagrees with its specifications
    destination:                the destination (after treat_as, e.g. HK -> CN) is in these groups/countries
      {groups: [D:5M], countries: [CN], exclude_groups: [A:5, A:6]}
    headquarters:               some party is headquartered in these groups/countries (same keys); a party
                                without headquarters_country is headquartered in its own country
    owners_in:                  owners located in these groups/countries hold at least min_share percent of
      {groups: [D:5M], min_share: 50}   a party in aggregate, or one of them is its declared ultimate
                                parent (the "ultimate parent headquartered in" test)
    end_use_tags: [military]    the transaction carries one of these end-use tags
    as_of: {from: 2025-09-29, to: 2025-11-10}   the screening date is in [from, to)
    switch: NAME                the pack's switch NAME is on (``switches:`` of the pack; a data choice
                                such as which reading of a rule applies)
    licence, eccn_unknown, destination_mismatch, party_country, country_unknown, region_in_address,
    end_use_words, address_words, text_words
                                licence determination facts: see ``exportscreen.licensing.conditions``

``destination`` holds when any country that counts is in the place: the destination, or the country
of an ultimate consignee or end user (the evidence names which).

Dates (``valid_from``, ``valid_to``, ``from``, ``to``) may be names (``exportscreen.named_dates``): those
of ``lists/dates.yaml`` or of the pack's own ``dates:`` section.
Nothing is evaluated as code: the evaluator (``exportscreen.rules.evaluate``) interprets these models.
"""

from __future__ import annotations

import datetime as dt
import string
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from exportscreen.licensing.conditions import LicenceCondition
from exportscreen.licensing.register import LicenceType
from exportscreen.models import Category, EndUseTag, Role
from exportscreen.named_dates import NamedDate
from exportscreen.registry.model import Entry, Registry, Source

__all__ = [
    "TEMPLATE_FIELDS",
    "CaseList",
    "Condition",
    "LicenceCover",
    "PackCase",
    "PackCases",
    "Rule",
    "RulePack",
]

Strength = Literal["hit", "review"]
Via = Literal["name", "address"]

#: Placeholders a rule message may use; filled from the evidence of the rule's condition.
TEMPLATE_FIELDS = frozenset(
    {
        "address_words",
        "as_of",
        "conflicts",
        "countryless",
        "destination",
        "destination_groups",
        "determinations",
        "eccns",
        "end_uses",
        "entries",
        "exceptions",
        "headquarters",
        "item_tiers",
        "licence_exceptions",
        "licences",
        "lists_checked",
        "mismatches",
        "missing",
        "parties",
        "party_countries",
        "policies",
        "regions",
        "requirements",
        "share",
        "text_words",
        "tiers",
        "words",
        "window",
    }
)

_STRICT = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


def _default_via() -> list[Via]:
    return ["name"]


class PartyListed(BaseModel):
    model_config = _STRICT
    lists: list[str] = Field(min_length=1)
    min_strength: Strength = "review"
    max_strength: Strength = "hit"
    via: list[Via] = Field(default_factory=_default_via, min_length=1)
    roles: list[Role] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _order(self) -> PartyListed:
        if self.min_strength == "hit" and self.max_strength == "review":
            raise ValueError("min_strength hit with max_strength review can never hold")
        return self


class OwnersListed(BaseModel):
    model_config = _STRICT
    lists: list[str] = Field(min_length=1)
    min_share: float = Field(gt=0, le=100)
    min_strength: Strength = "hit"


class Place(BaseModel):
    model_config = _STRICT
    groups: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)
    exclude_groups: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _something(self) -> Place:
        if not self.groups and not self.countries:
            raise ValueError("give groups or countries")
        return self


class OwnersIn(Place):
    min_share: float = Field(default=50, gt=0, le=100)


class PartyPlace(Place):
    """``party_country``: a place, and optionally the roles of the parties that count (default all)."""

    roles: list[Role] = Field(default_factory=list)


class DateWindow(BaseModel):
    model_config = _STRICT
    from_: dt.date | None = Field(default=None, alias="from")
    to: dt.date | None = None

    @model_validator(mode="after")
    def _order(self) -> DateWindow:
        if self.from_ is None and self.to is None:
            raise ValueError("give from, to or both")
        if self.from_ and self.to and self.from_ >= self.to:
            raise ValueError("from must be before to")
        return self


class Condition(BaseModel):
    """One node of the condition language; exactly one key is set."""

    model_config = _STRICT
    all_: list[Condition] | None = Field(default=None, alias="all", min_length=1)
    any_: list[Condition] | None = Field(default=None, alias="any", min_length=1)
    not_: Condition | None = Field(default=None, alias="not")
    always: Literal[True] | None = None
    party_listed: PartyListed | None = None
    owners_listed: OwnersListed | None = None
    item_tier: list[str] | None = Field(default=None, min_length=1)
    item_unclassified: Literal[True] | None = None
    item_tier_conflict: Literal[True] | None = None
    destination: Place | None = None
    headquarters: Place | None = None
    owners_in: OwnersIn | None = None
    end_use_tags: list[EndUseTag] | None = Field(default=None, min_length=1)
    as_of: DateWindow | None = None
    licence: LicenceCondition | None = None
    eccn_unknown: Literal[True] | None = None
    destination_mismatch: Place | None = None
    party_country: PartyPlace | None = None
    region_in_address: Literal[True] | None = None
    country_unknown: Literal[True] | None = None
    end_use_words: list[str] | None = Field(default=None, min_length=1)
    address_words: list[str] | None = Field(default=None, min_length=1)
    text_words: list[str] | None = Field(default=None, min_length=1)
    switch: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _exactly_one(self) -> Condition:
        keys = [k for k in type(self).model_fields if getattr(self, k) is not None]
        if len(keys) != 1:
            names = [type(self).model_fields[k].alias or k for k in keys]
            raise ValueError(f"a condition has exactly one key, found {len(keys)}: {names or 'none'}")
        return self

    def list_codes(self) -> list[str]:
        """The list codes this node itself names (the ``lists`` of its option, whatever its key)."""
        for name in type(self).model_fields:
            lists = getattr(getattr(self, name), "lists", None)
            if isinstance(lists, list):
                return [str(code) for code in lists]
        return []

    def walk(self) -> list[Condition]:
        """This node and every node below it."""
        out = [self]
        for child in (*(self.all_ or ()), *(self.any_ or ()), *((self.not_,) if self.not_ else ())):
            out.extend(child.walk())
        return out


class LicenceCover(BaseModel):
    """What a licence on file must be to cover the licence requirement a rule states: one of ``types``,
    for the items the rule found (``items: found``: those of its ``item_tier`` evidence, else every
    item) or for every item of the order (``items: every``: an end use or a listed party reaches them all)."""

    model_config = _STRICT
    types: list[LicenceType] = Field(min_length=1)
    items: Literal["found", "every"] = "found"


class Rule(BaseModel):
    model_config = _STRICT
    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9\-]*$")
    category: Category
    when: Condition
    message: str = Field(min_length=1)
    citations: list[str] = Field(min_length=1)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    help: str | None = None
    #: the rule states a licence requirement that a licence on file may cover (``rules.licensed``)
    covered_by: LicenceCover | None = None

    @model_validator(mode="after")
    def _check(self) -> Rule:
        if self.valid_from and self.valid_to and self.valid_from >= self.valid_to:
            raise ValueError(f"rule {self.id!r}: valid_from must be before valid_to")
        for _, fname, _, _ in string.Formatter().parse(self.message):
            if fname is not None and fname not in TEMPLATE_FIELDS:
                raise ValueError(
                    f"rule {self.id!r}: unknown placeholder {{{fname}}} in message; "
                    f"known: {', '.join(sorted(TEMPLATE_FIELDS))}"
                )
        return self

    def active(self, on: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on < self.valid_to)


class RulePack(BaseModel):
    """A versioned set of rules with effective dates."""

    model_config = _STRICT
    format: Literal["exportscreen-pack/1"]
    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9\-]*$")
    version: str = Field(min_length=1)
    description: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    dates: dict[str, NamedDate] = Field(default_factory=dict)
    switches: dict[str, bool] = Field(default_factory=dict)
    #: list codes without which the pack's verdicts cannot be trusted (e.g. EL, MEU): a screening with one
    #: of them missing from every loaded source gets the screener's ``required-list-missing`` review
    requires_lists: list[str] = Field(default_factory=list)
    rules: list[Rule] = Field(min_length=1)
    path: str | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _unique(self) -> RulePack:
        if self.valid_from and self.valid_to and self.valid_from >= self.valid_to:
            raise ValueError("valid_from must be before valid_to (the pack would never be in force)")
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"duplicate rule id {rule.id!r}")
            seen.add(rule.id)
            for node in rule.when.walk():
                if node.switch is not None and node.switch not in self.switches:
                    raise ValueError(
                        f"rule {rule.id!r} reads switch {node.switch!r}, which the pack's switches do not set "
                        f"(known: {', '.join(sorted(self.switches)) or 'none'})"
                    )
        return self

    def active(self, on: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on < self.valid_to)

    def list_codes(self, on: dt.date) -> frozenset[str]:
        """The list codes the rules in force on ``on`` name (in any condition, also under ``not``)."""
        if not self.active(on):
            return frozenset()
        return frozenset(
            code for rule in self.rules if rule.active(on) for node in rule.when.walk() for code in node.list_codes()
        )


class CaseList(BaseModel):
    """A list a pack case is screened with besides the bundled lists, written in the case: for rules
    that read a list the bundled data does not hold (DPL, SDN, UVL ...). Fictional entries only."""

    model_config = _STRICT
    source: Source
    entries: list[Entry] = Field(min_length=1)

    def registry(self) -> Registry:
        """The entries, with their source id and (unless given) the source's list code."""
        src = self.source
        entries = [e.model_copy(update={"source": src.id, "list": e.list or src.list}) for e in self.entries]
        return Registry([self.source], entries)


class PackCase(BaseModel):
    """One example transaction with the verdict the pack must give (screened with the pack alone, or
    together with the bundled packs of ``with_packs``; ``licences``: a licence register, as in a
    register file, the case is screened with)."""

    model_config = _STRICT
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
    note: str | None = None
    as_of: dt.date | None = None
    #: switches of the pack set otherwise for this case (the other reading of a data choice)
    switches: dict[str, bool] = Field(default_factory=dict)
    #: lists screened besides the bundled ones (``CaseList``)
    lists: list[CaseList] = Field(default_factory=list)
    transaction: dict[str, Any]
    expect: Category
    with_packs: list[str] = Field(default_factory=list)
    licences: dict[str, Any] | None = None
    must_fire: list[str] = Field(default_factory=list)
    must_not_fire: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _dated(self) -> PackCase:
        date = self.transaction.get("date")
        if self.as_of is None and date is None:
            raise ValueError(
                f"case {self.name}: give as_of or a transaction date (undated, its verdict moves with the clock)"
            )
        if self.as_of is None and not isinstance(date, dt.date):
            try:
                dt.date.fromisoformat(str(date))
            except ValueError:
                raise ValueError(f"case {self.name}: transaction date {date!r} is not an ISO date") from None
        return self

    @property
    def screening_date(self) -> dt.date:
        """``as_of``, else the transaction's date: a case replays its own date, whatever day it runs."""
        if self.as_of is not None:
            return self.as_of
        date = self.transaction["date"]
        return date if isinstance(date, dt.date) else dt.date.fromisoformat(str(date))


class PackCases(BaseModel):
    model_config = _STRICT
    format: Literal["exportscreen-pack-cases/1"]
    pack: str
    cases: list[PackCase] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> PackCases:
        names = [c.name for c in self.cases]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate case names: {dupes}")
        return self
