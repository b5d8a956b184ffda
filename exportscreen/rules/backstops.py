"""The screener's safety net: review reasons the rule packs cannot switch off, whatever they say.

* ``unread-list-match``: a party or owner matched a list entry, but the match is in the evidence of
  no rule that fired above less risky. A custom ``X-`` list, a list code a pack forgot, or a rule
  that reads the list only under a condition that does not hold here ("X-BLOCKED hit and destination
  CN" for an order to France): the match must not vanish into "less risky". There is no second
  reading of the rule language: what fired is what was read.
* ``unread-licence-requirement``: the licence determination found a requirement a person must act on
  (required, possible, unevaluated, unmodelled, and no licence on file covers it) or a declared ECCN
  the CCL data does not hold, and no rule that acted read it: the packs in force do not include the
  licence determination (``--pack`` replaced the bundled packs), or a pack forgot a status.
* ``listing-lapse-unconfirmed``: a party matched an entry whose end date (a temporary denial order's
  expiry) passed after its list was published: the lists loaded cannot say whether it was renewed.
* ``listing-not-yet-in-force``: a party matched an entry whose start date is after the screening date
  and after its list was published: a listing announced to come, or a mistyped date.
* ``item-unclassified-backstop``: the packs found nothing, yet an item could not be classified.
* ``party-unnamed``: a party or owner is named by a placeholder ("TBD", "N/A",
  ``lists/names/placeholders.yaml``): it was never screened against the lists, nor where it is
  headquartered read.
* ``consignee-unnamed``: no party receives the goods: no ultimate consignee, no end user and no
  purchaser in the destination or without a country (a US buyer, or only a forwarder, on an order to
  China): nobody there was screened.
* ``owner-share-as-fraction``: every owner of a party holds 1 % or less, together at least half a
  percent: shares written as fractions (0.6 for 60 %) read as under 1 %, below every ownership line.
"""

from __future__ import annotations

from collections.abc import Sequence

from exportscreen._construct import construct
from exportscreen.matching.words import names_nobody
from exportscreen.models import Category, Reason, Transaction
from exportscreen.rules.facts import Facts, MatchFact, OwnerFact, match_refs

__all__ = ["ACTIONABLE", "safety_net"]

#: the statuses of a licence requirement that are never "less risky" unless a licence on file covers them
ACTIONABLE = frozenset({"required", "possible", "unevaluated", "unmodelled"})


def safety_net(
    facts: Facts, read: set[int], licensing_read: set[int], category: Category, packs: Sequence[str]
) -> list[Reason]:
    """The backstop reasons of one decision. ``read``: the ids of the list matches, ``licensing_read``
    the ids of the licence requirements and unknown ECCNs, in the evidence of a rule that acted;
    ``category``: the most severe category the packs' rules reached; ``packs``: the ids in force."""
    out: list[Reason] = []
    unread = _unread_matches(facts, read)
    if unread is not None:
        out.append(unread)
    licence = _unread_licensing(facts, licensing_read, packs)
    if licence is not None:
        out.append(licence)
    pending = [f for f in facts.lapsed if f.entry.start_date is not None and facts.as_of < f.entry.start_date]
    lapsed = [f for f in facts.lapsed if f not in pending]
    if lapsed:
        out.append(_out_of_force_by_date(lapsed, ended=True))
    if pending:
        out.append(_out_of_force_by_date(pending, ended=False))
    checks = (_unnamed, _no_recipient, _shares_as_fractions)
    out += [r for check in checks if (r := check(facts.transaction)) is not None]
    unclassified = [i for i in facts.items if not i.classification.classified]
    if category is Category.LESS_RISKY and unclassified:
        out.append(
            Reason(
                rule_id="item-unclassified-backstop",
                category=Category.REVIEW,
                message="Could not classify: "
                + "; ".join(f"item {i.index + 1} ({i.description})" for i in unclassified)
                + ". No rule of the packs reads unclassified items.",
                citations=[],
                evidence={"items": [i.index for i in unclassified]},
            )
        )
    return out


def _unread_matches(facts: Facts, read: set[int]) -> Reason | None:
    unread: list[MatchFact | OwnerFact] = [m for m in facts.matches if id(m) not in read]
    unread += [o for o in facts.owners if id(o) not in read]
    if not unread:
        return None
    listing = "; ".join(
        f"{m.query_name} ({m.role}) ~ {m.entry_name} [{m.list}, {m.entry_id}] {m.strength} {m.score:g}"
        for m in (f.match for f in unread)
    )
    return construct(
        Reason,
        rule_id="unread-list-match",
        category=Category.REVIEW,
        message=f"Matched list entries that no rule that fired acted on: {listing}. A person must review them.",
        citations=[],
        evidence={"lists": sorted({f.entry.list for f in unread})},
        matches=match_refs(unread),
    )


#: rule id, what the entries' dates say, what to do, citations and evidence key of an entry out of force
#: only by a date its list cannot confirm: its end passed after the list was published (``ended``) or
#: its start is after the screening date and after the list's date
_OUT_OF_FORCE = {
    True: (
        "listing-lapse-unconfirmed",
        "Matched entries whose listing ended after their list was published",
        "The lists loaded cannot say whether the listing was renewed or extended (a temporary denial "
        "order usually is, for 180 days or a year at a time): refresh the lists (exportscreen lists "
        "update) or check the Federal Register before shipping.",
        ["15 CFR 766.24"],
        "ended",
    ),
    False: (
        "listing-not-yet-in-force",
        "Matched entries whose listing starts after the screening date and after their list was published",
        "The list announces a listing to come (a rule effective after the list was downloaded) or its "
        "start date is mistyped: check the Federal Register and the shipment date before shipping.",
        ["15 CFR Part 732 Supp. No. 3 (red flags)", "15 CFR 744.11"],
        "starts",
    ),
}


def _out_of_force_by_date(found: Sequence[MatchFact], *, ended: bool) -> Reason:
    """The review of matches whose entries are out of force only by a date their list cannot confirm."""
    rule_id, intro, advice, citations, key = _OUT_OF_FORCE[ended]
    dates = [f.entry.end_date if ended else f.entry.start_date for f in found]
    listing = "; ".join(
        f"{f.match.query_name} ({f.role}) ~ {f.entry.name} [{f.entry.list}, {f.entry.id}] {f.match.strength} "
        f"{f.match.score:g}, listed {'until' if ended else 'from'} {date}"
        for f, date in zip(found, dates, strict=True)
    )
    return construct(
        Reason,
        rule_id=rule_id,
        category=Category.REVIEW,
        message=f"{intro}: {listing}. {advice}",
        citations=list(citations),
        evidence={"lists": sorted({f.entry.list for f in found}), key: sorted({str(d) for d in dates})},
        matches=match_refs(list(found)),
    )


def _unread_licensing(facts: Facts, read: set[int], packs: Sequence[str]) -> Reason | None:
    lic = facts.licensing
    rows = [r for r in lic.requirements if r.status in ACTIONABLE and r.covered_by is None and id(r) not in read]
    unknown = [u for u in lic.unknown_eccns if id(u) not in read]
    if not rows and not unknown:
        return None
    found = [
        f"item {r.item_index + 1} {r.eccn or '(no ECCN)'} to {r.place.label()}: {r.reason} {r.control} {r.status}"
        if r.item_index >= 0
        else f"the order to {r.place.label()}: {r.reason} {r.control} {r.status}"
        for r in rows
    ]
    found += [f"item {u.item_index + 1} ({u.description}): ECCN {u.eccn} unknown on {facts.as_of}" for u in unknown]
    in_force = ", ".join(sorted(packs)) or "none"
    return construct(
        Reason,
        rule_id="unread-licence-requirement",
        category=Category.REVIEW,
        message=f"The licence determination found what no rule that fired acted on: {'; '.join(dict.fromkeys(found))}. "
        f"Packs in force: {in_force}. A person must decide it (the bundled ear-licensing pack reads it).",
        citations=["15 CFR 736.2(a)", "15 CFR 738.4"],
        evidence={
            "requirements": [
                {"item": r.item_index, "eccn": r.eccn, "country": r.place.country, "status": r.status,
                 "basis": r.basis, "control": r.control}
                for r in rows
            ],
            "unknown_eccns": [u.eccn for u in unknown],
            "packs_in_force": sorted(packs),
        },
    )  # fmt: skip


def _unnamed(tx: Transaction) -> Reason | None:
    found: list[str] = []
    for p in tx.parties:
        if names_nobody(p.name):
            found.append(f"the {p.role} is named {p.name!r}")
        found += [f"an owner of {p.name} is named {o.name!r}" for o in p.owners if names_nobody(o.name)]
    if not found:
        return None
    return construct(
        Reason,
        rule_id="party-unnamed",
        category=Category.REVIEW,
        message=f"A party is not named: {'; '.join(found)}. It was not screened against the lists, nor where "
        "it is headquartered read: give its name.",
        citations=["15 CFR 736.2(a)", "15 CFR 748.5(c)-(d)"],
        evidence={"unnamed": found},
    )


#: roles that receive the goods in the destination; a purchaser there stands for the consignee too.
#: Each counts only in the destination or without a country (one without may be there: the licence
#: pack's party-country-unknown asks for it): an ultimate consignee in the US on an order to China
#: leaves whoever receives the goods in China unscreened.
_RECIPIENT_ROLES = frozenset({"ultimate_consignee", "end_user", "purchaser"})


def _no_recipient(tx: Transaction) -> Reason | None:
    if any(p.role in _RECIPIENT_ROLES and p.country in (None, tx.destination) for p in tx.parties):
        return None
    named = "; ".join(f"{p.role} {p.name} ({p.country or 'no country'})" for p in tx.parties)
    return construct(
        Reason,
        rule_id="consignee-unnamed",
        category=Category.REVIEW,
        message=f"The order names no ultimate consignee, no end user and no purchaser in {tx.destination}, "
        f"only {named}: whoever receives the goods there was not screened against the lists, nor where "
        "it is headquartered read. Name the ultimate consignee (the ship-to) and screen again.",
        citations=["15 CFR 748.5(d)", "15 CFR 758.1", "15 CFR Part 732 Supp. No. 3 (red flags)"],
        evidence={"destination": tx.destination, "roles": sorted({str(p.role) for p in tx.parties})},
    )


#: A party whose owners each hold at most this many percent, together at least ``_FRACTION_SUM``, has
#: shares that read as fractions of one (0.6 for 60 %): as written they pass every 50 % line.
_FRACTION_MAX = 1.0
_FRACTION_SUM = 0.5


def _shares_as_fractions(tx: Transaction) -> Reason | None:
    found: dict[str, list[float]] = {}
    for p in tx.parties:
        shares = [o.percent for o in p.owners]
        if shares and max(shares) <= _FRACTION_MAX and sum(shares) >= _FRACTION_SUM:
            found[p.name] = shares
    if not found:
        return None
    held = "; ".join(f"{name}: {', '.join(f'{s:g} %' for s in shares)}" for name, shares in found.items())
    return construct(
        Reason,
        rule_id="owner-share-as-fraction",
        category=Category.REVIEW,
        message=f"Owners' shares that read as fractions of one ({held}): percent is 0 to 100, so 0.6 is "
        "0.6 %, under every ownership line. If 0.6 means 60 %, write 60; confirm the shares.",
        citations=["88 FR 73458", "15 CFR 744.23(a)(3)", "90 FR 47201"],
        evidence={"shares": {name: list(shares) for name, shares in found.items()}},
    )
