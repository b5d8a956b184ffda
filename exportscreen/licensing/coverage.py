"""Which licences on file cover what: each licence requirement the determination found, and each
item to each place that counts (what the rule packs read for the requirements they decide).

A licence covers an item (read as one ECCN) to a place when, on the screening date, it is valid, names
the ECCN, the country and every ultimate consignee and end user (``Licence.gaps``), and the order's
items under it stay within its quantity and value. A NAC or ACA notification is License Exception NAC
or ACA (15 CFR 740.8): it covers only an item in a tier that names that exception (``license_exceptions``
of lists/tiers.yaml), and only the 742.6(a)(6) requirements. An item read as several ECCNs needs a
licence that names each; an end-use requirement on the whole order, one licence that covers every item.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from exportscreen.licensing.determine import Place, Requirement
from exportscreen.licensing.register import Licence, LicenceRegister, licensed_parties
from exportscreen.licensing.sections import NotificationWait, Sections
from exportscreen.models import Transaction
from exportscreen.tiers import ItemClassification

__all__ = ["ItemCover", "covered", "notification_waits"]

#: Statuses a licence on file can cover.
_COVERABLE = frozenset({"required", "possible", "delegated", "unevaluated"})
#: Notification types of the register and the licence exception (15 CFR 740.8) each one stands for.
_NOTIFIED = {"nac_notification": "NAC", "aca_notification": "ACA"}
#: The delegated section (lists/ear/sections.yaml) whose requirements a NAC or ACA notification answers.
_NOTIFIED_SECTION = "advanced-computing"


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


def covered(
    requirements: list[Requirement],
    tx: Transaction,
    classifications: Sequence[ItemClassification],
    eccns_of: Sequence[Sequence[str]],
    places: Sequence[Place],
    on: dt.date,
    register: LicenceRegister,
    tier_exceptions: Mapping[str, Sequence[str]],
    waits: Mapping[str, NotificationWait],
) -> tuple[list[Requirement], tuple[ItemCover, ...]]:
    """Mark the requirements a licence on file covers (keeping why the others are not covered), and
    say which licences cover each item to each place that counts (what the rule packs read)."""
    licences = register.licences
    parties = licensed_parties(tx.parties, tx.destination)
    checked: dict[tuple[int, str | None, Place], _Fit] = {}

    def fit(index: int, eccn: str | None, place: Place) -> _Fit:
        """The licences that name the item as ``eccn``, the place, the parties and the date."""
        key = (index, eccn, place)
        if key not in checked:
            fits: list[Licence] = []
            gaps: list[str] = []
            for lic in licences:
                missing = lic.gaps(
                    eccn=eccn,
                    country=place.country,
                    effective=place.effective,
                    parties=parties,
                    on=on,
                    region=place.region,
                )
                missing += _notification_gaps(lic, classifications[index], tier_exceptions, waits, on)
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
    for index in range(len(tx.items)):
        eccns: list[str | None] = [*eccns_of[index]] or [None]
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


def notification_waits(sections: Sections) -> Mapping[str, NotificationWait]:
    """Licence exception id -> its waiting period, from the section a notification answers."""
    delegated = sections.delegated.get(_NOTIFIED_SECTION)
    return delegated.notification_waits if delegated is not None else {}


def _notification_gaps(
    lic: Licence,
    cls: ItemClassification,
    tier_exceptions: Mapping[str, Sequence[str]],
    waits: Mapping[str, NotificationWait],
    on: dt.date,
) -> list[str]:
    """A NAC or ACA notification covers an item only in a tier that names that licence exception
    (``license_exceptions`` of lists/tiers.yaml), and, where the exception has a waiting period
    (``notification_waits`` of lists/ear/sections.yaml), only from that many days after BIS received
    it (``notified_on``; without it, never)."""
    wanted = _NOTIFIED.get(lic.type)
    if wanted is None:
        return []
    kind = lic.type.replace("_", " ")
    out: list[str] = []
    named = {x.split()[0] for t in cls.tiers for x in tier_exceptions.get(t, ())}
    if wanted not in named:
        tiers = ", ".join(cls.tiers) or "none"
        out.append(f"is a {kind}; License Exception {wanted} is not open to the item's tiers ({tiers})")
    wait = waits.get(wanted)
    if wait is not None and lic.notified_on is None:
        out.append(
            f"is a {kind} without notified_on: {wanted} covers an export only {wait.days} days after BIS "
            f"received the notification ({wait.citation})"
        )
    elif wait is not None and lic.notified_on is not None:
        usable = lic.notified_on + dt.timedelta(days=wait.days)
        if on < usable:
            out.append(
                f"was notified on {lic.notified_on.isoformat()}: {wanted} covers an export only from "
                f"{usable.isoformat()}, {wait.days} days after BIS received it ({wait.citation})"
            )
    return out


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
