"""The licensing facts of one transaction: the places that count, every item's requirements (with the
delegated sections marked evaluated or not, and the licences on file that cover them), unknown ECCNs,
destination mismatches, the countries of the other parties, the parties and owners without a country,
sanctioned regions in addresses and the end-use words found."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from exportscreen._construct import construct
from exportscreen.geo import CountryGroups
from exportscreen.licensing.coverage import ItemCover, covered, notification_waits
from exportscreen.licensing.destinations import (
    Countryless,
    RegionHit,
    address_regions,
    countryless,
    other_party_places,
    places_that_count,
)
from exportscreen.licensing.determine import Determiner, Place, Requirement
from exportscreen.licensing.embargoes import load_part746
from exportscreen.licensing.end_use import AddressWord, EndUseWords, TextWord, WordHit, load_end_use_words
from exportscreen.licensing.register import LicenceRegister
from exportscreen.licensing.sections import load_sections
from exportscreen.licensing.tables import load_ccl, load_chart
from exportscreen.models import Item, LicenceRequirement, Transaction
from exportscreen.tiers import ItemClassification

__all__ = ["ItemCover", "Licensing", "LicensingFacts", "LicensingMemo", "UnknownEccn", "item_eccns"]


@dataclass(frozen=True)
class UnknownEccn:
    item_index: int
    description: str
    eccn: str


@dataclass(frozen=True)
class LicensingFacts:
    places: tuple[Place, ...]
    requirements: tuple[Requirement, ...]
    unknown_eccns: tuple[UnknownEccn, ...]
    address_regions: tuple[RegionHit, ...]
    end_use_words: tuple[WordHit, ...]
    #: one per item and place when a licence register with licences is loaded, else empty
    covers: tuple[ItemCover, ...] = ()
    #: the countries of parties in roles the requirement does not follow, when not counted already
    other_parties: tuple[Place, ...] = ()
    #: the words of the end-use word list found in party addresses
    address_words: tuple[AddressWord, ...] = ()
    #: ... in the names of the parties and owners and in the item descriptions
    text_words: tuple[TextWord, ...] = ()
    #: the parties (but the ultimate consignee) and owners whose country the order does not give
    countryless: tuple[Countryless, ...] = ()

    def cover(self, item_index: int, place: Place) -> ItemCover | None:
        """The cover of an item to a place (None: no licence register is loaded)."""
        return next((c for c in self.covers if c.item_index == item_index and c.place == place), None)

    def decision_rows(self) -> list[LicenceRequirement]:
        """The requirements a Decision keeps: all but the rows that need no licence."""
        return [
            construct(
                LicenceRequirement,
                item_index=r.item_index,
                eccn=r.eccn,
                reason=r.reason,
                basis=r.basis,
                control=r.control,
                status=r.status,
                country=r.place.country,
                region=r.place.region,
                counted_as=r.place.basis,
                party=r.place.party,
                detail=r.detail,
                chart_row=r.chart_row,
                citations=list(r.citations),
                exceptions=list(r.exceptions),
                handled_by=r.handled_by,
                covered_by=r.covered_by.number if r.covered_by else None,
            )
            for r in self.requirements
            if r.status != "not_required"
        ]

    @property
    def mismatches(self) -> tuple[Place, ...]:
        """Countries of ultimate consignees or end users other than the destination."""
        return tuple(p for p in self.places if p.party is not None)


def _own_country(named: str | None, declared: str | None, groups: CountryGroups, on: dt.date) -> bool:
    """A word of an address names the party's own country (its declared country, else the order's
    destination; compared as the country groups treat them: Hong Kong as China)."""
    if named is None or declared is None:
        return False
    return groups.effective_country(named, on)[0] == groups.effective_country(declared, on)[0]


def item_eccns(item: Item, classification: ItemClassification) -> list[tuple[str, str]]:
    """The ECCNs the determination reads for an item: the declared one, then those its specifications
    put it in (a capability tier's ECCN), each with where it came from."""
    out: list[tuple[str, str]] = []
    if item.eccn:
        out.append((item.eccn, "declared"))
    for ev in classification.evidence:
        eccn = ev.get("eccn")
        if ev.get("basis") == "specifications" and isinstance(eccn, str) and eccn not in [e for e, _ in out]:
            out.append((eccn, f"specifications (tier {ev.get('tier')})"))
    return out


_Order = tuple[
    tuple[Place, ...],
    tuple[Place, ...],
    tuple[WordHit, ...],
    tuple[AddressWord, ...],
    tuple[TextWord, ...],
    tuple[RegionHit, ...],
    tuple[Requirement, ...],
    tuple[Countryless, ...],
]
_ItemRows = tuple[tuple[Requirement, ...], tuple[UnknownEccn, ...]]


@dataclass
class LicensingMemo:
    """What ``Licensing.facts`` remembers between its calls about one transaction on one date with the
    same packs (the readings of its unclassified items): the parts that do not depend on how the items
    are classified (places, end-use words, address regions, end-use sections), and each item's rows
    per classification (its tiers and the ECCNs it is read as)."""

    order: _Order | None = None
    items: dict[tuple[object, ...], _ItemRows] = field(default_factory=dict)


class Licensing:
    """The determination engine of a Screener: tables, word list and (optionally) a licence register."""

    def __init__(
        self,
        determiner: Determiner | None = None,
        words: EndUseWords | None = None,
        register: LicenceRegister | None = None,
        tier_exceptions: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """``tier_exceptions``: capability tier id -> the licence exceptions lists/tiers.yaml names for
        it (a NAC or ACA notification on file covers only an item in a tier that names NAC or ACA)."""
        self.determiner = determiner or Determiner(load_ccl(), load_chart(), load_part746(), load_sections())
        self.words = words or load_end_use_words()
        self.register = register
        self.tier_exceptions: Mapping[str, Sequence[str]] = tier_exceptions or {}

    def facts(
        self,
        tx: Transaction,
        classifications: Sequence[ItemClassification],
        on: dt.date,
        groups: CountryGroups,
        groups_of: Callable[[str, dt.date], tuple[str, ...]],
        packs_in_force: frozenset[str],
        memo: LicensingMemo | None = None,
    ) -> LicensingFacts:
        """The licensing facts of ``tx`` with its items classified so (``memo``: see ``LicensingMemo``)."""
        memo = memo or LicensingMemo()
        det = self.determiner
        if memo.order is None:
            places = places_that_count(tx, on, groups, groups_of, det.part746)
            others = other_party_places(tx, on, groups, groups_of, places)
            # a country the end use names is no finding when the licence determination counts it
            counted = {p.effective for p in places}
            words = tuple(
                hit
                for hit in (self.words.read(tx.end_use) if tx.end_use else ())
                if hit.country is None or groups.effective_country(hit.country, on)[0] not in counted
            )
            in_addresses = tuple(
                AddressWord(p.name, str(p.role), hit)
                for p in tx.parties
                if p.address
                for hit in self.words.read(p.address)
                if not _own_country(hit.country, p.country or tx.destination, groups, on)
            )
            in_texts = tuple(self._text_words(tx, groups, on))
            regions = address_regions(tx, det.part746, on)
            end_use = tuple(self._end_use(tx, places, on, packs_in_force))
            memo.order = (places, others, words, in_addresses, in_texts, regions, end_use, countryless(tx))
        places, others, words, in_addresses, in_texts, regions, end_use, unlocated = memo.order
        requirements: list[Requirement] = []
        unknown: list[UnknownEccn] = []
        for index, (item, cls) in enumerate(zip(tx.items, classifications, strict=True)):
            eccns: list[tuple[str | None, str]] = [*item_eccns(item, cls)] or [(None, "not given")]
            key = (index, cls.tiers, tuple(eccns))
            found = memo.items.get(key)
            if found is None:
                found = memo.items[key] = self._item(index, item, cls, eccns, places, on, packs_in_force)
            rows, missing = found
            requirements += rows
            unknown += missing
        requirements += end_use
        covers: tuple[ItemCover, ...] = ()
        if self.register is not None and self.register.licences:
            eccns_of = [
                [e for e, _ in item_eccns(item, cls)] for item, cls in zip(tx.items, classifications, strict=True)
            ]
            requirements, covers = covered(
                requirements,
                tx,
                classifications,
                eccns_of,
                places,
                on,
                self.register,
                self.tier_exceptions,
                notification_waits(self.determiner.sections),
            )
        return LicensingFacts(
            places=places,
            requirements=tuple(requirements),
            unknown_eccns=tuple(unknown),
            address_regions=regions,
            end_use_words=words,
            covers=covers,
            other_parties=others,
            address_words=in_addresses,
            text_words=in_texts,
            countryless=unlocated,
        )

    def _text_words(self, tx: Transaction, groups: CountryGroups, on: dt.date) -> Iterator[TextWord]:
        """The words of the list in the names (and aliases) of the parties and owners and in the item
        descriptions: "People's Liberation Army Unit 69010" names a military end user as plainly as an
        end use does. A country named in a party's own name is its own country, as in an address. A
        category of items (``items_declared``) is read in the descriptions of items declared so only."""
        for p in tx.parties:
            role = str(p.role).replace("_", " ")
            named: list[tuple[str, str, str | None]] = [
                (f"the name of the {role}", n, p.country or tx.destination) for n in (p.name, *p.aliases)
            ]
            named += [(f"the name of an owner of {p.name}", o.name, o.country) for o in p.owners]
            for where, text, country in named:
                for hit in self.words.read(text):
                    if self.words.categories[hit.category].items_declared is None and not _own_country(
                        hit.country, country, groups, on
                    ):
                        yield TextWord(where, text, hit)
        for index, item in enumerate(tx.items):
            for hit in self.words.read(item.description):
                if self.words.categories[hit.category].reads_item(item.eccn, item.kind):
                    yield TextWord(f"the description of item {index + 1}", item.description, hit)

    def _item(
        self,
        index: int,
        item: Item,
        cls: ItemClassification,
        eccns: Sequence[tuple[str | None, str]],
        places: Sequence[Place],
        on: dt.date,
        packs_in_force: frozenset[str],
    ) -> _ItemRows:
        """The rows of one item (each ECCN it is read as, to each place) and its unknown ECCNs."""
        det = self.determiner
        rows: list[Requirement] = []
        unknown: list[UnknownEccn] = []
        for eccn, basis in eccns:
            if eccn is not None and not det.known(eccn, on):
                unknown.append(UnknownEccn(index, item.description, eccn))
            for place in places:
                for req in det.item(index=index, eccn=eccn, eccn_basis=basis, hts=item.hts, place=place, on=on):
                    rows.append(self._evaluated(req, cls, packs_in_force))
        return tuple(rows), tuple(unknown)

    def _evaluated(self, req: Requirement, cls: ItemClassification, packs_in_force: frozenset[str]) -> Requirement:
        """A delegated requirement stays delegated when a pack in force implements it and reads the
        item's tier; otherwise it is unevaluated."""
        if req.status != "delegated" or req.delegate is None:
            return req
        target = self.determiner.sections.delegated[req.delegate]
        reads_item = not target.tiers or bool(set(target.tiers) & set(cls.tiers))
        if target.implemented_by in packs_in_force and reads_item:
            return replace(req, handled_by=target.implemented_by)
        why = (
            f"pack {target.implemented_by} is not in force"
            if target.implemented_by not in packs_in_force
            else f"the item is in none of the tiers it reads ({', '.join(target.tiers)}): "
            "declare the paragraph or give the specifications"
        )
        return replace(req, status="unevaluated", detail=f"{req.detail}; not evaluated: {why}")

    def _end_use(
        self, tx: Transaction, places: Sequence[Place], on: dt.date, packs_in_force: frozenset[str]
    ) -> list[Requirement]:
        sections = self.determiner.sections
        tags = {str(t) for t in tx.end_use_tags}
        out: list[Requirement] = []
        for sec in sections.end_use_sections:
            if not sec.active(on) or not tags & {str(t) for t in sec.end_use_tags}:
                continue
            target = sections.delegated[sec.delegate]
            for place in places:
                if not sec.destinations.covers(place.effective, place.groups, ()):
                    continue
                handled = target.implemented_by in packs_in_force
                out.append(
                    Requirement(
                        item_index=-1,
                        eccn=None,
                        eccn_basis="any item",
                        reason="end use",
                        basis="end_use",
                        control=f"see {sec.section}",
                        status="delegated" if handled else "unevaluated",
                        place=place,
                        detail=f"{sec.section} applies to the end use; decided by the rules of {target.implemented_by}"
                        + ("" if handled else f"; not evaluated: pack {target.implemented_by} is not in force"),
                        citations=(sec.citation, *target.citations),
                        chart_row=None,
                        confidence="V",
                        delegate=sec.delegate,
                        handled_by=target.implemented_by if handled else None,
                    )
                )
        return out
