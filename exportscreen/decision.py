"""What comes out of a screening: the ``Decision`` and the parts it is made of (reasons, matches,
item tiers, licence requirements, what was screened against). Frozen pydantic models with
``extra="forbid"``; ``Decision.to_json()`` is the stable serialised form."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from exportscreen.category import Category

__all__ = [
    "Decision",
    "ItemTier",
    "LicenceRequirement",
    "MatchRef",
    "PackRef",
    "PartyMatch",
    "Reason",
    "RegistryInfo",
    "SourceInfo",
]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class MatchRef(_Out):
    """A list entry a Reason rests on: this party (or owner) of the order matched this entry.

    The one typed reference from a finding to the list: ``Reason.matches`` holds one per party or
    owner match the rule used (for ``unread-list-match``, the matches no rule acted on). Reporters,
    ``exportscreen review``, the baseline (a clearance is keyed by order id, ``party``,
    ``entry_source``, ``entry_id`` and rule id, and checked against ``entry_hash`` and ``strength``),
    the ledger and the HTML report read this type, never the free-form ``Reason.evidence``.

    * ``party``: the party's name as written in the order (for an owner, the owner's name);
      ``role``: the party's role, or ``owner``.
    * ``entry_source``, ``entry_id``: the entry's key, unique in a registry; ``entry_name`` its
      listed name; ``entry_hash`` the sha256 of the entry's content (changes when the list entry
      changes); ``list`` its list code (``EL``, ``SDN``, ``X-...``).
    * ``matched_name``: the listed name, alias or address that matched; ``matched_field`` which.
    * ``score`` (0-100) and ``strength`` (``hit`` or ``review``) as in ``PartyMatch``.
    """

    party: str
    role: str
    entry_source: str
    entry_id: str
    entry_name: str
    entry_hash: str
    list: str
    matched_name: str
    matched_field: Literal["name", "alias", "address"]
    score: float = Field(ge=0, le=100)
    strength: Literal["hit", "review"]

    @property
    def entry_key(self) -> tuple[str, str]:
        """``(entry_source, entry_id)``."""
        return (self.entry_source, self.entry_id)


class Reason(_Out):
    """One rule that fired: why, with structured evidence and citations, and ``matches``: the list
    entries it rests on (typed ``MatchRef``; empty for item, destination or date rules)."""

    rule_id: str
    category: Category
    message: str
    citations: list[str] = Field(default_factory=list)
    evidence: dict[str, JsonValue] = Field(default_factory=dict)
    matches: list[MatchRef] = Field(default_factory=list)


class PartyMatch(_Out):
    """A party (or owner) of the transaction that matched a list entry."""

    role: str
    query_name: str
    entry_id: str
    entry_name: str
    matched_name: str
    matched_field: Literal["name", "alias", "address"] = "name"
    list: str
    source: str
    score: float = Field(ge=0, le=100)
    strength: Literal["hit", "review"]
    explanation: dict[str, JsonValue] = Field(default_factory=dict)


class ItemTier(_Out):
    """How one item was classified: its tiers and the values compared."""

    item_index: int
    description: str
    tiers: list[str]
    classified: bool
    declared_eccn: str | None = None
    evidence: list[dict[str, JsonValue]] = Field(default_factory=list)


class SourceInfo(_Out):
    id: str
    name: str
    list: str
    as_of: dt.date | None
    entries: int
    version: str
    path: str | None = None


class RegistryInfo(_Out):
    """What a Decision was screened against: the registry's content version, its oldest source date,
    each source (list code, entry count, as-of date, version) and the entries per list code."""

    version: str
    as_of: dt.date | None
    sources: list[SourceInfo]
    lists: dict[str, int] = Field(default_factory=dict, description="entries per list code")


class PackRef(_Out):
    id: str
    version: str


class LicenceRequirement(_Out):
    """A licence requirement the determination found for an item (covered or not), or a section it
    left to another pack; ``item_index`` -1 is the whole order (an end-use section)."""

    item_index: int
    eccn: str | None
    reason: str
    basis: Literal["country_chart", "section", "part_746", "end_use"]
    control: str
    status: Literal["required", "possible", "delegated", "unevaluated", "unmodelled"]
    country: str
    region: str | None = None
    counted_as: str
    party: str | None = None
    detail: str
    chart_row: str | None = None
    citations: list[str] = Field(default_factory=list)
    exceptions: list[str] = Field(default_factory=list)
    handled_by: str | None = None
    covered_by: str | None = None


class Decision(_Out):
    """The one output of ``screen()``; ``to_json()`` is its stable serialised form.

    ``registry`` says what was screened against (sources, entry counts, dates, versions);
    ``lists_missing`` the list codes that rules in force read but that no loaded source provides: a
    party on such a list cannot have matched, whatever the category says.
    """

    transaction_id: str
    category: Category
    reasons: list[Reason]
    matches: list[PartyMatch]
    item_tiers: list[ItemTier]
    as_of: dt.date
    registry: RegistryInfo
    lists_missing: list[str] = Field(default_factory=list)
    packs: list[PackRef]
    licence_requirements: list[LicenceRequirement] = Field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_json(self, *, indent: int | None = 2) -> str:
        """Deterministic JSON: fixed field order, sorted keys inside evidence."""
        return json.dumps(self.to_dict(), indent=indent, sort_keys=True, ensure_ascii=False)
