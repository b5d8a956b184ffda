"""Facts: everything the rules may read about one transaction on one date. Plain data, no decisions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from exportscreen._construct import construct
from exportscreen.geo import CountryGroups
from exportscreen.licensing.determine import Place
from exportscreen.licensing.facts import LicensingFacts
from exportscreen.models import MatchRef, PartyMatch, Transaction
from exportscreen.registry.model import Entry
from exportscreen.tiers import ItemClassification

__all__ = ["Facts", "HeadquartersFact", "ItemFact", "MatchFact", "OwnerFact", "match_refs"]


@dataclass(frozen=True)
class MatchFact:
    """A party name, alias or address that matched an active list entry."""

    party_index: int
    role: str
    via: str  # "name" | "address"
    entry: Entry
    match: PartyMatch


@dataclass(frozen=True)
class OwnerFact:
    """An owner of a party that matched a list entry, with its share."""

    party_index: int
    owner_name: str
    percent: float
    entry: Entry
    match: PartyMatch
    #: the owner's place in the party's ``owners``: two lines naming one owner are two holdings
    owner_index: int


@dataclass(frozen=True)
class ItemFact:
    index: int
    description: str
    classification: ItemClassification


@dataclass(frozen=True)
class HeadquartersFact:
    """Where a party is headquartered, or (basis "owners") where owners holding ``share`` percent of it
    are, and on what basis: "headquarters_country", "country" (no headquarters given: the party's own
    country counts), "destination" (an ultimate consignee without a country), "owners" or "ultimate_parent"."""

    party_index: int
    party_name: str
    country: str
    groups: tuple[str, ...]
    basis: str = "headquarters_country"
    share: float | None = None
    owners: tuple[str, ...] = ()


@dataclass(frozen=True)
class Facts:
    as_of: dt.date
    transaction: Transaction
    destination: str
    destination_effective: str
    destination_groups: tuple[str, ...]
    licensing: LicensingFacts
    matches: tuple[MatchFact, ...]
    owners: tuple[OwnerFact, ...]
    items: tuple[ItemFact, ...]
    headquarters: tuple[HeadquartersFact, ...]
    lists_checked: tuple[str, ...]
    country_groups: CountryGroups
    tier_citations: dict[str, list[str]]
    tier_exceptions: dict[str, list[str]]
    #: matches of entries whose end date passed after their list was published (renewal unknown)
    lapsed: tuple[MatchFact, ...] = ()

    @property
    def destinations(self) -> tuple[Place, ...]:
        """Every place that counts: the destination first, then the other countries of ultimate
        consignees and end users, then a sanctioned destination region."""
        return self.licensing.places


def match_refs(facts: list[MatchFact | OwnerFact]) -> list[MatchRef]:
    """The typed references of party and owner matches (``Reason.matches``), in their order."""
    # built from the screener's own typed matches and loaded entries: constructed, not re-validated
    return [
        construct(
            MatchRef,
            party=f.match.query_name,
            role=f.match.role,
            entry_source=f.entry.source,
            entry_id=f.entry.id,
            entry_name=f.entry.name,
            entry_hash=f.entry.content_hash,
            list=f.entry.list,
            matched_name=f.match.matched_name,
            matched_field=f.match.matched_field,
            score=f.match.score,
            strength=f.match.strength,
        )
        for f in facts
    ]
