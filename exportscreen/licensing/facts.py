"""The licensing facts of one transaction: the places that count, every item's requirements (with the
delegated sections marked evaluated or not, and the licences on file that cover them), unknown ECCNs,
destination mismatches, sanctioned regions in addresses and the end-use words found."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from exportscreen._construct import construct
from exportscreen.geo import CountryGroups
from exportscreen.licensing.destinations import RegionHit, address_regions, places_that_count
from exportscreen.licensing.determine import Determiner, Place, Requirement
from exportscreen.licensing.embargoes import load_part746
from exportscreen.licensing.end_use import EndUseWords, WordHit, load_end_use_words
from exportscreen.licensing.register import Licence, LicenceRegister, licensed_parties
from exportscreen.licensing.sections import load_sections
from exportscreen.licensing.tables import load_ccl, load_chart
from exportscreen.models import Item, LicenceRequirement, Transaction
from exportscreen.tiers import ItemClassification

__all__ = ["ItemCover", "Licensing", "LicensingFacts", "LicensingMemo", "UnknownEccn", "item_eccns"]

#: Statuses a licence on file can cover.
_COVERABLE = frozenset({"required", "possible", "delegated", "unevaluated"})
#: Notification types of the register and the licence exception (15 CFR 740.8) each one stands for.
_NOTIFIED = {"nac_notification": "NAC", "aca_notification": "ACA"}
#: The delegated section (lists/ear/sections.yaml) whose requirements a NAC or ACA notification answers.
_NOTIFIED_SECTION = "advanced-computing"


@dataclass(frozen=True)
class UnknownEccn:
    item_index: int
    description: str
    eccn: str


@dataclass(frozen=True)
class ItemCover:
    """The licences on file that cover one item to one place that counts: valid on the date, naming
    every ECCN the item is read as, the place and the ultimate consignees and end users, within their
    limits (a notification only for an item in a tier open to its licence exception); ``gaps``: why
    each other licence does not. Rule packs read these for the requirements they decide."""

    item_index: int
    place: Place
    licences: tuple[Licence, ...]
    gaps: tuple[str, ...]


@dataclass(frozen=True)
class LicensingFacts:
    places: tuple[Place, ...]
    requirements: tuple[Requirement, ...]
    unknown_eccns: tuple[UnknownEccn, ...]
    address_regions: tuple[RegionHit, ...]
    end_use_words: tuple[WordHit, ...]
    #: one per item and place when a licence register with licences is loaded, else empty
    covers: tuple[ItemCover, ...] = ()

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


_Order = tuple[tuple[Place, ...], tuple[WordHit, ...], tuple[RegionHit, ...], tuple[Requirement, ...]]
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
            words = tuple(self.words.read(tx.end_use)) if tx.end_use else ()
            regions = address_regions(tx, det.part746, on)
            memo.order = (places, words, regions, tuple(self._end_use(tx, places, on, packs_in_force)))
        places, words, regions, end_use = memo.order
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
            requirements, covers = self._covered(requirements, tx, classifications, places, on)
        return LicensingFacts(
            places=places,
            requirements=tuple(requirements),
            unknown_eccns=tuple(unknown),
            address_regions=regions,
            end_use_words=words,
            covers=covers,
        )

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

    def _covered(
        self,
        requirements: list[Requirement],
        tx: Transaction,
        classifications: Sequence[ItemClassification],
        places: Sequence[Place],
        on: dt.date,
    ) -> tuple[list[Requirement], tuple[ItemCover, ...]]:
        """Mark the requirements a licence on file covers (keeping why the others are not covered), and
        say which licences cover each item to each place that counts (what the rule packs read)."""
        assert self.register is not None
        licences = self.register.licences
        parties = licensed_parties(tx.parties)
        checked: dict[tuple[int, str | None, Place], _Fit] = {}

        def fit(index: int, eccn: str | None, place: Place) -> _Fit:
            """The licences that name the item as ``eccn``, the place, the parties and the date."""
            key = (index, eccn, place)
            if key not in checked:
                fits: list[Licence] = []
                gaps: list[str] = []
                for lic in licences:
                    missing = lic.gaps(
                        eccn=eccn, country=place.country, effective=place.effective, parties=parties, on=on
                    )
                    missing += self._notification_gaps(lic, classifications[index])
                    if missing:
                        gaps.append(f"{lic.number} {'; '.join(missing)}")
                    else:
                        fits.append(lic)
                checked[key] = _Fit(fits, gaps)
            return checked[key]

        row_fits: dict[int, _Fit] = {}
        for i, req in enumerate(requirements):
            if req.status in _COVERABLE and req.item_index >= 0:
                found = fit(req.item_index, req.eccn, req.place)
                # a NAC or ACA notification is a licence exception of 740.8: it answers 742.6(a)(6) only
                row_fits[i] = found if req.delegate == _NOTIFIED_SECTION else found.without_notifications()
        item_fits: dict[tuple[int, Place], _Fit] = {}
        for index, (item, cls) in enumerate(zip(tx.items, classifications, strict=True)):
            eccns: list[str | None] = [e for e, _ in item_eccns(item, cls)] or [None]
            for place in places:
                item_fits[(index, place)] = _Fit.every([fit(index, e, place) for e in eccns])
        fitting = [(requirements[i].item_index, f) for i, f in row_fits.items()]
        fitting += [(index, f) for (index, _), f in item_fits.items()]
        under: dict[str, tuple[Licence, set[int]]] = {}
        for index, found in fitting:
            for lic in found.licences:
                under.setdefault(lic.number, (lic, set()))[1].add(index)
        over = _over_limits(under, tx)
        covers = tuple(ItemCover(index, place, *found.within(over)) for (index, place), found in item_fits.items())
        out: list[Requirement] = []
        for i, req in enumerate(requirements):
            if i in row_fits:
                ok, why = row_fits[i].within(over)
            elif req.status in _COVERABLE and req.item_index < 0 and covers:
                # an end-use section (744.23) reaches every item of the order: a licence must cover them all
                each = [
                    _Fit(list(c.licences), [f"item {c.item_index + 1}: {g}" for g in c.gaps])
                    for c in covers
                    if c.place == req.place
                ]
                ok, why = _Fit.every(each).without_notifications().within({})
            else:
                out.append(req)
                continue
            out.append(replace(req, covered_by=ok[0]) if ok else replace(req, gaps=why) if why else req)
        return out, covers

    def _notification_gaps(self, lic: Licence, cls: ItemClassification) -> list[str]:
        """A NAC or ACA notification covers an item only in a tier that names that licence exception
        (``license_exceptions`` of lists/tiers.yaml)."""
        wanted = _NOTIFIED.get(lic.type)
        if wanted is None:
            return []
        named = {x.split()[0] for t in cls.tiers for x in self.tier_exceptions.get(t, ())}
        if wanted in named:
            return []
        kind, tiers = lic.type.replace("_", " "), ", ".join(cls.tiers) or "none"
        return [f"is a {kind}; License Exception {wanted} is not open to the item's tiers ({tiers})"]


@dataclass(frozen=True)
class _Fit:
    """The licences that fit one item (as one ECCN, or as all it is read as) to one place, and why the
    others do not."""

    licences: list[Licence]
    gaps: list[str]

    def without_notifications(self) -> _Fit:
        kept = [lic for lic in self.licences if lic.type not in _NOTIFIED]
        dropped = [
            f"{lic.number} is a {lic.type.replace('_', ' ')}, which answers 742.6(a)(6) only"
            for lic in self.licences
            if lic.type in _NOTIFIED
        ]
        return _Fit(kept, [*dropped, *self.gaps])

    @staticmethod
    def every(found: Sequence[_Fit]) -> _Fit:
        """The licences that fit in each of ``found`` (an item read as several ECCNs: each must fit)."""
        numbers = set.intersection(*({lic.number for lic in f.licences} for f in found)) if found else set()
        fits = [lic for lic in found[0].licences if lic.number in numbers] if found else []
        return _Fit(fits, list(dict.fromkeys(g for f in found for g in f.gaps)))

    def within(self, over: dict[str, str]) -> tuple[tuple[Licence, ...], tuple[str, ...]]:
        """The licences left once those over their limits (``over``: number -> why) are set aside."""
        return (
            tuple(lic for lic in self.licences if lic.number not in over),
            (*(f"{lic.number} {over[lic.number]}" for lic in self.licences if lic.number in over), *self.gaps),
        )


def _over_limits(under: dict[str, tuple[Licence, set[int]]], tx: Transaction) -> dict[str, str]:
    """Licences whose quantity or value the order's items under them exceed (or cannot show);
    ``under``: licence number -> the licence and the items it fits."""
    over: dict[str, str] = {}
    for number, (lic, indexes) in under.items():
        chosen = [tx.items[i] for i in sorted(indexes)]
        for limit, name, unit in ((lic.max_quantity, "quantity", ""), (lic.max_value_usd, "value_usd", " USD")):
            if limit is None:
                continue
            values = [getattr(item, name) for item in chosen]
            if any(v is None for v in values):
                over[number] = f"limits the {name.removesuffix('_usd')} and an item under it gives none"
            elif sum(values) > limit:
                over[number] = f"{name.removesuffix('_usd')} {sum(values):g}{unit} is over its limit of {limit:g}{unit}"
    return over
