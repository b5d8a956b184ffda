"""The condition keys over licensing facts, and the evidence they give a Reason.

licence: {status: [required], basis: [country_chart], covered: false}
    some licence requirement with one of these statuses (required, possible, not_required,
    delegated, unevaluated, unmodelled) and bases (country_chart, section, part_746, end_use;
    default any) holds; covered: true / false keeps those a licence on file covers / does not
eccn_unknown: true            a declared ECCN is not in the CCL data on the screening date
destination_mismatch: {groups: [D:5M, E:1, E:2]}
    an ultimate consignee or end user is in another country than the destination, and that
    country is in these groups or countries
party_country: {groups: [E:1, E:2], roles: [intermediate_consignee]}
    a party in a role the requirement does not follow (purchaser, intermediate consignee, freight
    forwarder, other; roles: only these) is in a country that does not count already, in these groups
    or countries
country_unknown: true         a party other than the ultimate consignee, or an owner of a party, has no
                              country in the order
region_in_address: true       a party address names a sanctioned region the destination does not
end_use_words: [military, ...]  the free-text end use holds words of these categories
address_words: [embargoed_country]  a party address holds words of these categories (same word list)
text_words: [military, ...]   the name of a party, of one of its aliases or owners, or an item description
                              holds words of these categories (same word list)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from exportscreen.licensing.determine import Basis, Place, Requirement, Status
from exportscreen.licensing.facts import LicensingFacts

__all__ = [
    "Evidence",
    "LicenceCondition",
    "address_word_evidence",
    "countryless_evidence",
    "determinations",
    "end_use_word_evidence",
    "licence_evidence",
    "mismatch_evidence",
    "party_country_evidence",
    "region_evidence",
    "text_word_evidence",
    "unknown_eccn_evidence",
]


class LicenceCondition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    status: list[Status] = Field(min_length=1)
    basis: list[Basis] = Field(default_factory=list)
    covered: bool | None = None

    def holds(self, req: Requirement) -> bool:
        return (
            req.status in self.status
            and (not self.basis or req.basis in self.basis)
            and (self.covered is None or (req.covered_by is not None) == self.covered)
        )


@dataclass(frozen=True)
class Evidence:
    """One fact a licensing condition used: its JSON (under ``kind`` in Reason.evidence), its text for
    the message placeholder ``placeholder``, its citations and the licence exceptions it names."""

    kind: str
    placeholder: str
    data: dict[str, JsonValue]
    text: str
    citations: tuple[str, ...] = ()
    exceptions: tuple[str, ...] = ()
    #: the requirement or unknown ECCN it was read from (the safety net's "read" test), when one
    subject: object = field(default=None, compare=False)


def _place_json(place: Place) -> dict[str, JsonValue]:
    return {
        "country": place.country,
        "treated_as": place.effective,
        "groups": list(place.groups),
        "counted_as": place.basis,
        "party": place.party,
        "region": place.region,
    }


def requirement_json(req: Requirement) -> dict[str, JsonValue]:
    lic = req.covered_by
    return {
        "item": req.item_index,
        "eccn": req.eccn,
        "eccn_basis": req.eccn_basis,
        "reason": req.reason,
        "basis": req.basis,
        "control": req.control,
        "status": req.status,
        "place": _place_json(req.place),
        "chart_row": req.chart_row,
        "detail": req.detail,
        "reading": req.reading,
        "row_text": req.row_text,
        "confidence": req.confidence,
        "citations": list(req.citations),
        "exceptions_to_confirm": list(req.exceptions),
        "delegated_to": req.delegate,
        "handled_by": req.handled_by,
        "covered_by": None
        if lic is None
        else {
            "number": lic.number,
            "type": lic.type,
            "valid_from": lic.valid_from.isoformat(),
            "valid_to": lic.valid_to.isoformat(),
            "max_quantity": lic.max_quantity,
            "max_value_usd": lic.max_value_usd,
            "conditions": lic.conditions,
        },
        "licences_not_covering": list(req.gaps),
    }


def _requirement_text(req: Requirement) -> str:
    text = req.summary()
    if req.covered_by is not None:
        text += f"; covered by {req.covered_by.label()}"
        if req.covered_by.conditions:
            text += f", conditions: {req.covered_by.conditions}"
    elif req.gaps:
        text += f"; licences on file that do not cover it: {'; '.join(req.gaps)}"
    return text


def licence_evidence(cond: LicenceCondition, facts: LicensingFacts) -> list[Evidence]:
    return [
        Evidence(
            "licence_requirements",
            "requirements",
            requirement_json(r),
            _requirement_text(r),
            r.citations,
            tuple(x.split(":", 1)[0] for x in r.exceptions),
            subject=r,
        )
        for r in facts.requirements
        if cond.holds(r)
    ]


def unknown_eccn_evidence(facts: LicensingFacts) -> list[Evidence]:
    return [
        Evidence(
            "unknown_eccns",
            "eccns",
            {"item": u.item_index, "description": u.description, "eccn": u.eccn},
            f"item {u.item_index + 1} ({u.description}): {u.eccn}",
            subject=u,
        )
        for u in facts.unknown_eccns
    ]


def mismatch_evidence(places: list[Place], destination: Place) -> list[Evidence]:
    """``places``: the countries of ultimate consignees or end users other than the ``destination``."""
    return [
        Evidence(
            "destination_mismatches",
            "mismatches",
            {**_place_json(p), "destination": destination.country},
            f"{p.basis.replace('_', ' ')} {p.party} is in {p.country} ({', '.join(p.groups) or 'no country group'})",
        )
        for p in places
    ]


def party_country_evidence(places: list[Place]) -> list[Evidence]:
    """``places``: the countries of parties in roles the licence requirement does not follow."""
    return [
        Evidence(
            "party_countries",
            "party_countries",
            _place_json(p),
            f"{p.basis.replace('_', ' ')} {p.party} is in {p.country} ({', '.join(p.groups) or 'no country group'})",
        )
        for p in places
    ]


def countryless_evidence(facts: LicensingFacts) -> list[Evidence]:
    return [
        Evidence(
            "countryless",
            "countryless",
            {"party": c.party, "role": c.role, "owner": c.owner},
            f"{c.role.replace('_', ' ')} {c.party}" + (f": owner {c.owner}" if c.owner else ""),
        )
        for c in facts.countryless
    ]


def region_evidence(facts: LicensingFacts) -> list[Evidence]:
    return [
        Evidence(
            "sanctioned_regions",
            "regions",
            {"region": h.region, "name": h.region_name, "party": h.party, "role": h.role, "words": list(h.words)},
            f"{h.role.replace('_', ' ')} {h.party}: address names {', '.join(h.words)} ({h.region_name})",
            h.citations,
        )
        for h in facts.address_regions
    ]


def end_use_word_evidence(categories: list[str], facts: LicensingFacts) -> list[Evidence]:
    return [
        Evidence(
            "end_use_words",
            "words",
            {"word": w.word, "category": w.category, "language": w.language},
            f"{w.word!r} ({w.label})",
            w.citations,
        )
        for w in facts.end_use_words
        if w.category in categories
    ]


def address_word_evidence(categories: list[str], facts: LicensingFacts) -> list[Evidence]:
    return [
        Evidence(
            "address_words",
            "address_words",
            {"word": a.hit.word, "category": a.hit.category, "party": a.party, "role": a.role},
            f"{a.role.replace('_', ' ')} {a.party}: {a.hit.word!r} ({a.hit.label})",
            a.hit.citations,
        )
        for a in facts.address_words
        if a.hit.category in categories
    ]


def text_word_evidence(categories: list[str], facts: LicensingFacts) -> list[Evidence]:
    return [
        Evidence(
            "text_words",
            "text_words",
            {"word": t.hit.word, "category": t.hit.category, "where": t.where, "text": t.text},
            f"{t.hit.word!r} ({t.hit.label}) in {t.where}, {t.text!r}",
            t.hit.citations,
        )
        for t in facts.text_words
        if t.hit.category in categories
    ]


def determinations(facts: LicensingFacts) -> str:
    """One line per item and place: what the determination found (for the closing rule's message)."""
    lines: dict[tuple[int, str | None, str], list[str]] = {}
    for r in facts.requirements:
        key = (r.item_index, r.eccn, r.place.label())
        found = lines.setdefault(key, [])
        if r.status != "not_required":
            status = f"covered by {r.covered_by.number}" if r.covered_by else r.status.replace("_", " ")
            found.append(f"{r.reason} {r.control} {status}")
    parts = []
    for (index, eccn, where), found in lines.items():
        what = "the order" if index < 0 else f"item {index + 1} {eccn or '(no ECCN)'}"
        parts.append(
            f"{what} to {where}: {', '.join(found) if found else 'no licence by the Country Chart or Part 746'}"
        )
    return "; ".join(parts) or "no item to determine"
