"""Licences on file against the licence requirements a rule pack decides itself (rules with
``covered_by``), read the way the ``licence: {covered: ...}`` condition reads the determination's.

A rule with ``covered_by: [license]`` states a licence requirement for what its condition found: the
items of its ``item_tier`` evidence (without one, every item of the order: an Entity List or end-use
requirement reaches them all), to the places of its ``destination`` evidence (without one, every
place that counts), for the parties it rests on (a listed party, a party owned by listed owners, a
party headquartered or owned there). A licence on file covers one item to one place when

* the licensing facts say it covers the item there (``exportscreen.licensing.facts.ItemCover``: valid
  on the date, naming every ECCN the item is read as, the country, every ultimate consignee and end
  user, within its quantity and value; a NAC or ACA notification only for a tier open to it),
* its type is one the rule names (a full licence, or the notification a rule's tiers allow), and
* it names every party the rule rests on.

Every item to every place covered: the rule's requirement is covered, and it gives a less risky
reason naming the licences (its conditions must still be met). Otherwise it fires as written for the
items left, and its reason says why each licence on file does not cover them. A licence covers only
what it says: nothing in the register widens it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import JsonValue

from exportscreen.licensing.determine import Place
from exportscreen.licensing.facts import LicensingFacts
from exportscreen.licensing.register import Licence
from exportscreen.models import Category, Party
from exportscreen.rules.model import Rule

__all__ = ["Coverage", "coverage", "view"]

#: What a covered requirement cites besides the rule's own citations: licences and their scope.
_LICENCE_CITATIONS = ("15 CFR Part 750", "15 CFR 750.7")


@dataclass(frozen=True)
class Coverage:
    """Each (item, place) a rule's requirement reaches: the licence that covers it, or why none does."""

    covered: tuple[tuple[int, Place, Licence], ...]
    uncovered: tuple[tuple[int, Place, tuple[str, ...]], ...]

    @property
    def complete(self) -> bool:
        return bool(self.covered) and not self.uncovered

    @property
    def uncovered_items(self) -> frozenset[int]:
        return frozenset(index for index, _, _ in self.uncovered)

    def json(self) -> dict[str, JsonValue]:
        return {
            "covered": [
                {
                    "item": index,
                    "country": place.country,
                    "counted_as": place.basis,
                    "licence": lic.number,
                    "type": lic.type,
                    "valid_from": lic.valid_from.isoformat(),
                    "valid_to": lic.valid_to.isoformat(),
                    "conditions": lic.conditions,
                }
                for index, place, lic in self.covered
            ],
            "not_covered": [
                {"item": index, "country": place.country, "counted_as": place.basis, "why": list(why)}
                for index, place, why in self.uncovered
            ],
        }

    def text(self) -> str:
        """The licences that cover the requirement, or (when some item is left) why they do not."""
        if self.complete:
            by_licence: dict[str, tuple[Licence, dict[str, None]]] = {}
            for index, place, lic in self.covered:
                by_licence.setdefault(lic.number, (lic, {}))[1][f"item {index + 1} to {place.label()}"] = None
            return "; ".join(
                f"{lic.label()} for {', '.join(where)}" + (f", conditions: {lic.conditions}" if lic.conditions else "")
                for lic, where in by_licence.values()
            )
        return "; ".join(
            f"item {index + 1} to {place.label()}: {'; '.join(why) or 'no licence on file names it'}"
            for index, place, why in self.uncovered
        )


def coverage(
    types: Sequence[str],
    items: Sequence[int],
    places: Sequence[Place],
    parties: Sequence[Party],
    licensing: LicensingFacts,
) -> Coverage | None:
    """How the licences on file cover ``items`` to ``places`` for a rule naming licence ``types`` and
    resting on ``parties``; None when no licence register is loaded."""
    if not licensing.covers:
        return None
    covered: list[tuple[int, Place, Licence]] = []
    uncovered: list[tuple[int, Place, tuple[str, ...]]] = []
    wanted = " or ".join(t.replace("_", " ") for t in types)
    for index in items:
        for place in places:
            cover = licensing.cover(index, place)
            why: list[str] = []
            usable: list[Licence] = []
            for lic in cover.licences if cover else ():
                unnamed = [why for why in (lic.not_named(p) for p in parties) if why is not None]
                if lic.type not in types:
                    why.append(f"{lic.number} is a {lic.type.replace('_', ' ')}; this requirement needs a {wanted}")
                elif unnamed:
                    why.append(f"{lic.number} does not name {', '.join(unnamed)}")
                else:
                    usable.append(lic)
            if usable:
                covered.append((index, place, usable[0]))
            else:
                uncovered.append((index, place, (*why, *(cover.gaps if cover else ()))))
    return Coverage(tuple(covered), tuple(uncovered))


def view(rule: Rule, cov: Coverage) -> Rule:
    """The rule as it fires given ``cov``: less risky naming the licences when they cover everything
    it reaches; otherwise as written, its message saying why the licences on file do not cover it."""
    if cov.complete:
        message = "Licence requirement covered by {licences} (its conditions must be met): " + rule.message
        citations = [*rule.citations, *(c for c in _LICENCE_CITATIONS if c not in rule.citations)]
        return rule.model_copy(update={"category": Category.LESS_RISKY, "message": message, "citations": citations})
    return rule.model_copy(update={"message": rule.message + " Licences on file that do not cover it: {licences}"})
