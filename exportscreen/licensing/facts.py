"""The licensing facts of one transaction: the places that count, every item's requirements (with the
delegated sections marked evaluated or not, and the licences on file that cover them), unknown ECCNs,
destination mismatches, sanctioned regions in addresses and the end-use words found."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

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

__all__ = ["Licensing", "LicensingFacts", "UnknownEccn", "item_eccns"]

#: Statuses a licence on file can cover.
_COVERABLE = frozenset({"required", "possible", "delegated", "unevaluated"})


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


class Licensing:
    """The determination engine of a Screener: tables, word list and (optionally) a licence register."""

    def __init__(
        self,
        determiner: Determiner | None = None,
        words: EndUseWords | None = None,
        register: LicenceRegister | None = None,
    ) -> None:
        self.determiner = determiner or Determiner(load_ccl(), load_chart(), load_part746(), load_sections())
        self.words = words or load_end_use_words()
        self.register = register

    def facts(
        self,
        tx: Transaction,
        classifications: Sequence[ItemClassification],
        on: dt.date,
        groups: CountryGroups,
        groups_of: Callable[[str, dt.date], tuple[str, ...]],
        packs_in_force: frozenset[str],
    ) -> LicensingFacts:
        det = self.determiner
        places = places_that_count(tx, on, groups, groups_of, det.part746)
        requirements: list[Requirement] = []
        unknown: list[UnknownEccn] = []
        for index, (item, cls) in enumerate(zip(tx.items, classifications, strict=True)):
            eccns: list[tuple[str | None, str]] = [*item_eccns(item, cls)] or [(None, "not given")]
            for eccn, basis in eccns:
                if eccn is not None and not det.known(eccn, on):
                    unknown.append(UnknownEccn(index, item.description, eccn))
                for place in places:
                    for req in det.item(index=index, eccn=eccn, eccn_basis=basis, hts=item.hts, place=place, on=on):
                        requirements.append(self._evaluated(req, cls, packs_in_force))
        requirements += self._end_use(tx, places, on, packs_in_force)
        if self.register is not None and self.register.licences:
            requirements = self._covered(requirements, tx, on)
        words = tuple(self.words.read(tx.end_use)) if tx.end_use else ()
        return LicensingFacts(
            places=places,
            requirements=tuple(requirements),
            unknown_eccns=tuple(unknown),
            address_regions=address_regions(tx, det.part746, on),
            end_use_words=words,
        )

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

    def _covered(self, requirements: list[Requirement], tx: Transaction, on: dt.date) -> list[Requirement]:
        """Mark the requirements a licence on file covers; keep why the others are not covered."""
        assert self.register is not None
        parties = licensed_parties(tx.parties)
        fits: dict[int, list[Licence]] = {}
        gaps: dict[int, list[str]] = {}
        for i, req in enumerate(requirements):
            if req.status not in _COVERABLE or req.item_index < 0:
                continue
            for lic in self.register.licences:
                missing = lic.gaps(
                    eccn=req.eccn, country=req.place.country, effective=req.place.effective, parties=parties, on=on
                )
                if missing:
                    gaps.setdefault(i, []).append(f"{lic.number} {'; '.join(missing)}")
                else:
                    fits.setdefault(i, []).append(lic)
        over = self._over_limits(requirements, fits, tx)
        out: list[Requirement] = []
        for i, req in enumerate(requirements):
            usable = [lic for lic in fits.get(i, []) if lic.number not in over]
            extra = [f"{lic.number} {over[lic.number]}" for lic in fits.get(i, []) if lic.number in over]
            if usable:
                out.append(replace(req, covered_by=usable[0]))
            elif i in gaps or extra:
                out.append(replace(req, gaps=tuple([*extra, *gaps.get(i, [])])))
            else:
                out.append(req)
        return out

    @staticmethod
    def _over_limits(
        requirements: list[Requirement], fits: dict[int, list[Licence]], tx: Transaction
    ) -> dict[str, str]:
        """Licences whose quantity or value the order's items under them exceed (or cannot show)."""
        items: dict[str, set[int]] = {}
        licences: dict[str, Licence] = {}
        for i, found in fits.items():
            for lic in found:
                items.setdefault(lic.number, set()).add(requirements[i].item_index)
                licences[lic.number] = lic
        over: dict[str, str] = {}
        for number, indexes in items.items():
            lic = licences[number]
            chosen = [tx.items[i] for i in sorted(indexes)]
            for limit, field, unit in ((lic.max_quantity, "quantity", ""), (lic.max_value_usd, "value_usd", " USD")):
                if limit is None:
                    continue
                values = [getattr(item, field) for item in chosen]
                if any(v is None for v in values):
                    over[number] = f"limits the {field.replace('_usd', '')} and an item under it gives none"
                elif sum(values) > limit:
                    over[number] = (
                        f"{field.replace('_usd', '')} {sum(values):g}{unit} is over its limit of {limit:g}{unit}"
                    )
        return over
