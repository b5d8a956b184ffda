"""The destinations that count: the order's destination, the countries of its ultimate consignees and
end users, and a sanctioned region named as the destination region; plus the countries of the other
parties (purchaser, intermediate consignee, forwarder ...), the parties and owners whose country the
order does not give, and the regions that only a party address suggests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from exportscreen._errors import InputError
from exportscreen.geo import CountryGroups
from exportscreen.licensing.determine import Place
from exportscreen.licensing.embargoes import Part746
from exportscreen.models import Role, Transaction

__all__ = ["Countryless", "RegionHit", "address_regions", "countryless", "other_party_places", "places_that_count"]

#: The roles whose country the licence requirement follows, besides the destination.
COUNTING_ROLES = (Role.ULTIMATE_CONSIGNEE, Role.END_USER)


@dataclass(frozen=True)
class RegionHit:
    """A sanctioned region a party address names (the order's destination does not say so)."""

    region: str
    region_name: str
    party: str
    role: str
    words: tuple[str, ...]
    citations: tuple[str, ...]


def _place(
    country: str,
    basis: str,
    party: str | None,
    on: dt.date,
    groups: CountryGroups,
    groups_of: Callable[[str, dt.date], tuple[str, ...]],
) -> Place:
    effective, _ = groups.effective_country(country, on)
    return Place(country, effective, groups_of(country, on), basis, party)


def places_that_count(
    tx: Transaction,
    on: dt.date,
    groups: CountryGroups,
    groups_of: Callable[[str, dt.date], tuple[str, ...]],
    part746: Part746,
) -> tuple[Place, ...]:
    """The destination first, then each other country of an ultimate consignee or end user (once per
    country, naming the first party), then a sanctioned destination region."""

    def place(country: str, basis: str, party: str | None = None) -> Place:
        return _place(country, basis, party, on, groups, groups_of)

    out = [place(tx.destination, "destination")]
    seen = {out[0].effective}
    for party in tx.parties:
        if party.role in COUNTING_ROLES and party.country:
            counted = place(party.country, str(party.role), party.name)
            if counted.effective not in seen:
                seen.add(counted.effective)
                out.append(counted)
    if tx.destination_region:
        named = [r for r in part746.regions if r.found_in(tx.destination_region)]
        if not named:
            raise _unknown_region(tx.destination_region, part746)
        for region in named:
            base = place(region.country, "destination_region")
            out.append(Place(base.country, base.effective, base.groups, base.basis, None, region.id, region.name))
    return tuple(out)


def _unknown_region(text: str, part746: Part746) -> InputError:
    """The error for a destination region that names no sanctioned region: read as none, it would
    let an order to a region spelt otherwise pass (fail closed)."""
    codes = ", ".join(c for r in part746.regions for c in r.codes)
    names = ", ".join(r.words[0] for r in part746.regions)
    return InputError(
        f"{text!r} names no sanctioned region this tool knows: give an ISO 3166-2 code "
        f"({codes}) or a name of lists/ear/part746.yaml ({names}, ...), or leave it out when the goods go "
        "to no such region",
        location="destination_region",
    )


def other_party_places(
    tx: Transaction,
    on: dt.date,
    groups: CountryGroups,
    groups_of: Callable[[str, dt.date], tuple[str, ...]],
    counted: tuple[Place, ...],
) -> tuple[Place, ...]:
    """The country of each party in a role the licence requirement does not follow (purchaser,
    intermediate consignee, freight forwarder, other) when it is none of the ``counted`` places: a party
    there is no licence destination, but the order cannot pass without a person looking at it."""
    seen = {p.effective for p in counted}
    out: list[Place] = []
    for party in tx.parties:
        if party.role in COUNTING_ROLES or not party.country:
            continue
        other = _place(party.country, str(party.role), party.name, on, groups, groups_of)
        if other.effective not in seen:
            out.append(other)
    return tuple(out)


@dataclass(frozen=True)
class Countryless:
    """A party (or an owner of one) whose country the order does not give."""

    party: str
    role: str
    #: the owner's name when it is an owner of ``party`` whose country is missing
    owner: str | None = None


def countryless(tx: Transaction) -> tuple[Countryless, ...]:
    """Every party but the ultimate consignee (whose country is the destination by definition) without a
    country, and every owner without one: neither their licence destination, nor their country group,
    nor where they are headquartered can be read."""
    out: list[Countryless] = []
    for party in tx.parties:
        if not party.country and party.role != Role.ULTIMATE_CONSIGNEE:
            out.append(Countryless(party.name, str(party.role)))
        out += [Countryless(party.name, str(party.role), o.name) for o in party.owners if not o.country]
    return tuple(out)


def address_regions(tx: Transaction, part746: Part746, on: dt.date) -> tuple[RegionHit, ...]:
    """Sanctioned regions named in party addresses, when the destination region does not name them."""
    named = {r.id for r in part746.regions if tx.destination_region and r.found_in(tx.destination_region)}
    out: list[RegionHit] = []
    for party in tx.parties:
        if not party.address:
            continue
        for region in part746.regions:
            words = region.found_in(party.address)
            embargoes = part746.for_region(region.id, on)
            if words and region.id not in named and embargoes:
                citations = tuple(dict.fromkeys(c for e in embargoes for c in e.citations))
                out.append(RegionHit(region.id, region.name, party.name, str(party.role), tuple(words), citations))
    return tuple(out)
