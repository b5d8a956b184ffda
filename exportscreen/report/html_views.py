"""What one order's section of the HTML report shows, prepared from its ``OrderResult``: plain views.

List matches come from the typed ``Reason.matches`` (``MatchRef``), one view per distinct match of
the order, numbered in the order the reasons name them and joined to the Decision's ``PartyMatch``
for the explanation (both texts compared, the rule that linked them). A ``PartyMatch`` that no
reason names is still shown, marked as such. The fields a rule's evidence adds about a listed entry
(licence requirement, review policy, Federal Register) are shown next to the ``MatchRef`` they
belong to. Licence determinations come from ``Decision.licence_requirements``, with the ECCN
paragraph the determination read taken from the licensing rule's evidence when it names it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from exportscreen.baseline import Clearance, Finding, OrderResult
from exportscreen.models import Category, Decision, Item, LicenceRequirement, MatchRef, Party, PartyMatch, Reason

__all__ = ["Explanation", "LicenceView", "MatchView", "OrderView", "ReasonView", "order_view", "outcome"]

#: Reason evidence keys whose records describe list matches (shown with the ``MatchRef`` they belong to).
MATCH_KEYS = ("matches", "owners")
#: Fields of such a record that the ``MatchRef`` already holds.
_REF_FIELDS = frozenset(
    {"entry_id", "entry_name", "list", "source", "matched_name", "matched_field", "score", "strength",
     "party", "role", "owner", "content_hash", "via"}
)  # fmt: skip
#: Explanation fields shown in their own lines; the others are listed under "more".
_SHOWN = frozenset(
    {"summary", "query_text", "listed_text", "matched_name", "query_normalised", "candidate_normalised",
     "method", "rule", "how", "normalisations", "aligned", "score"}
)  # fmt: skip

_Key = tuple[str, str, str, str, str, str]


def _ref_key(ref: MatchRef) -> _Key:
    return (ref.party, ref.role, ref.entry_source, ref.entry_id, ref.matched_field, ref.matched_name)


def _match_key(m: PartyMatch) -> _Key:
    return (m.query_name, m.role, m.source, m.entry_id, m.matched_field, m.matched_name)


def _words(value: object) -> str:
    return str(value).replace("_", " ")


@dataclass(frozen=True)
class Explanation:
    """How a party's text was linked to a listed text: both sides as written and as compared, and the
    method, rule and normalisations that linked them (as far as the matcher recorded them)."""

    query_text: str
    listed_text: str
    query_normalised: str | None
    listed_normalised: str | None
    linked_by: tuple[str, ...]
    summary: str | None
    aligned: tuple[dict[str, Any], ...]
    more: dict[str, Any]


def _explanation(ref: MatchRef, match: PartyMatch | None, party: Party | None) -> Explanation:
    data: dict[str, Any] = dict(match.explanation) if match else {}

    def text(key: str) -> str | None:
        v = data.get(key)
        return v if isinstance(v, str) and v else None

    own = party.address if ref.matched_field == "address" and party and party.address else ref.party
    linked: list[str] = []
    if text("method"):
        linked.append(f"method: {_words(data['method'])}")
    for key in ("rule", "how"):
        if text(key) and not (key == "how" and data.get("rule") == data["how"]):
            linked.append(f"rule: {_words(data[key])}")
    norms = data.get("normalisations")
    if isinstance(norms, list):
        linked += [str(n) for n in norms if n]
    aligned = data.get("aligned")
    more = {k: v for k, v in data.items() if k not in _SHOWN and v not in (None, [], {}, "")}
    return Explanation(
        query_text=text("query_text") or own,
        listed_text=text("listed_text") or ref.matched_name,
        query_normalised=text("query_normalised"),
        listed_normalised=text("candidate_normalised"),
        linked_by=tuple(linked),
        summary=text("summary"),
        aligned=tuple(a for a in aligned if isinstance(a, dict)) if isinstance(aligned, list) else (),
        more=more,
    )


@dataclass(frozen=True)
class MatchView:
    """One list match of an order: the typed reference, its explanation and the rules resting on it."""

    number: int
    anchor: str
    ref: MatchRef
    hash_known: bool
    explanation: Explanation
    rules: tuple[tuple[str, str], ...]  # (rule id, anchor of the reason)


@dataclass(frozen=True)
class EntryRow:
    """A match as a reason shows it: the match, what the rule's evidence adds about the entry, and the
    clearance of this finding that covers it (if any)."""

    match: MatchView
    listed: dict[str, Any]
    clearance: Clearance | None


@dataclass(frozen=True)
class ReasonView:
    reason: Reason
    anchor: str
    help: str | None
    pack: str | None
    finding: Finding | None
    entries: tuple[EntryRow, ...]
    licences: tuple[int, ...]
    evidence: dict[str, Any]


@dataclass(frozen=True)
class ItemView:
    number: int
    item: Item | None
    details: dict[str, Any]
    tiers: tuple[str, ...]
    classified: bool
    evidence: tuple[dict[str, Any], ...]
    description: str


@dataclass(frozen=True)
class LicenceView:
    """One licence determination row (``Decision.licence_requirements``), numbered within the order."""

    number: int
    req: LicenceRequirement
    item: str
    reading: str | None
    row_text: str | None


@dataclass(frozen=True)
class OrderView:
    anchor: str
    result: OrderResult
    outcome: Category
    cleared: int
    parties: tuple[Party, ...]
    party_details: tuple[dict[str, Any], ...]
    screened_names: tuple[str, ...]
    order_details: dict[str, Any]
    items: tuple[ItemView, ...]
    reasons: tuple[ReasonView, ...]
    matches: tuple[MatchView, ...]
    licences: tuple[LicenceView, ...]
    lists: tuple[tuple[str, str], ...]

    @property
    def decision(self) -> Decision:
        return self.result.decision


def outcome(result: OrderResult) -> Category:
    """The category once clearances are applied: the worst finding not cleared."""
    return max((f.category for f in result.failing), default=Category.LESS_RISKY)


def details(model: BaseModel | None, skip: Iterable[str]) -> dict[str, Any]:
    """A model's fields that are set, in declaration order, as JSON-like values."""
    if model is None:
        return {}
    data = model.model_dump(mode="json", exclude=set(skip))
    return {k: v for k, v in data.items() if v not in (None, [], {}, "")}


def _party(result: OrderResult, ref: MatchRef) -> Party | None:
    tx = result.transaction
    if tx is None or ref.role == "owner":
        return None
    return next((p for p in tx.parties if p.name == ref.party and p.role.value == ref.role), None)


def _match_views(anchor: str, result: OrderResult) -> tuple[list[MatchView], dict[_Key, MatchView]]:
    d = result.decision
    found = {_match_key(m): m for m in d.matches}
    refs: dict[_Key, MatchRef] = {}
    rules: dict[_Key, list[tuple[str, str]]] = {}
    for n, reason in enumerate(d.reasons, start=1):
        for ref in reason.matches:
            key = _ref_key(ref)
            refs.setdefault(key, ref)
            if (reason.rule_id, f"{anchor}-r{n}") not in rules.setdefault(key, []):
                rules[key].append((reason.rule_id, f"{anchor}-r{n}"))
    for key, m in found.items():
        if key not in refs:  # found by the matcher but named by no reason: shown all the same
            refs[key] = MatchRef(
                party=m.query_name, role=m.role, entry_source=m.source, entry_id=m.entry_id,
                entry_name=m.entry_name, entry_hash="", list=m.list, matched_name=m.matched_name,
                matched_field=m.matched_field, score=m.score, strength=m.strength,
            )  # fmt: skip
    views = [
        MatchView(
            number=i,
            anchor=f"{anchor}-m{i}",
            ref=ref,
            hash_known=bool(ref.entry_hash),
            explanation=_explanation(ref, found.get(key), _party(result, ref)),
            rules=tuple(rules.get(key, ())),
        )
        for i, (key, ref) in enumerate(refs.items(), start=1)
    ]
    return views, {_ref_key(v.ref): v for v in views}


def _evidence_records(reason: Reason) -> Iterator[tuple[str, int, dict[str, Any]]]:
    for key in MATCH_KEYS:
        found = reason.evidence.get(key)
        if isinstance(found, list):
            for i, rec in enumerate(found):
                if isinstance(rec, dict):
                    yield key, i, rec


def _reason_view(
    n: int,
    anchor: str,
    reason: Reason,
    finding: Finding | None,
    helps: dict[str, tuple[str | None, str]],
    by_key: dict[_Key, MatchView],
    licences: list[LicenceView],
) -> ReasonView:
    help_text, pack = helps.get(reason.rule_id, (None, None))
    records = list(_evidence_records(reason))
    joined: set[tuple[str, int]] = set()
    entries = []
    for ref in reason.matches:
        listed: dict[str, Any] = {}
        for key, i, rec in records:
            if (key, i) in joined:
                continue
            who = rec.get("party", rec.get("owner"))
            if (rec.get("source"), rec.get("entry_id"), rec.get("matched_name"), who) == (
                ref.entry_source, ref.entry_id, ref.matched_name, ref.party,
            ):  # fmt: skip
                joined.add((key, i))
                listed = {k: v for k, v in rec.items() if k not in _REF_FIELDS and v not in (None, [], {}, "")}
                break
        clearance = next(
            (
                c
                for c in (finding.clearances if finding else ())
                if (c.entry_source, c.entry_id, c.party) == (ref.entry_source, ref.entry_id, ref.party)
            ),
            None,
        )
        entries.append(EntryRow(by_key[_ref_key(ref)], listed, clearance))
    evidence: dict[str, Any] = {}
    for k, v in reason.evidence.items():
        if k in MATCH_KEYS and isinstance(v, list):
            rest = [rec for i, rec in enumerate(v) if (k, i) not in joined]
            if rest:
                evidence[k] = rest
        elif k == "licence_requirements" and isinstance(v, list) and _all_shown(v, licences):
            continue  # every record is a row of the order's licence determinations, referenced by number
        else:
            evidence[k] = v
    numbers = _licence_numbers(reason, licences)
    return ReasonView(reason, f"{anchor}-r{n}", help_text, pack, finding, tuple(entries), numbers, evidence)


def _licence_key(rec: object) -> tuple[object, ...] | None:
    if not isinstance(rec, dict):
        return None
    place = rec.get("place")
    country = place.get("country") if isinstance(place, dict) else None
    return (rec.get("item"), rec.get("reason"), rec.get("basis"), rec.get("control"), country)


def _view_key(v: LicenceView) -> tuple[object, ...]:
    r = v.req
    return (r.item_index, r.reason, r.basis, r.control, r.country)


def _all_shown(records: list[Any], licences: list[LicenceView]) -> bool:
    shown = {_view_key(v) for v in licences}
    return bool(records) and all(_licence_key(rec) in shown for rec in records)


def _licence_numbers(reason: Reason, licences: list[LicenceView]) -> tuple[int, ...]:
    recs = reason.evidence.get("licence_requirements")
    if not isinstance(recs, list):
        return ()
    keys = {_licence_key(rec) for rec in recs}
    return tuple(v.number for v in licences if _view_key(v) in keys)


def _licence_views(d: Decision) -> list[LicenceView]:
    """The determinations, with the paragraph reading and CCL row text the evidence gives for each."""
    texts: dict[tuple[object, ...], tuple[str | None, str | None]] = {}
    for reason in d.reasons:
        recs = reason.evidence.get("licence_requirements")
        for rec in recs if isinstance(recs, list) else ():
            key = _licence_key(rec)
            if key is not None and isinstance(rec, dict):
                reading, row = rec.get("reading"), rec.get("row_text")
                texts.setdefault(
                    key, (reading if isinstance(reading, str) else None, row if isinstance(row, str) else None)
                )
    views = []
    for n, req in enumerate(d.licence_requirements, start=1):
        item = "whole order" if req.item_index < 0 else str(req.item_index + 1)
        key = (req.item_index, req.reason, req.basis, req.control, req.country)
        reading, row = texts.get(key, (None, None))
        views.append(LicenceView(n, req, item, reading, row))
    return views


def _lists(decision: Decision) -> tuple[tuple[str, str], ...]:
    seen: dict[str, set[str]] = {}
    for s in decision.registry.sources:
        seen.setdefault(s.list, set()).add(s.as_of.isoformat() if s.as_of else "undated")
    return tuple((code, ", ".join(sorted(dates))) for code, dates in sorted(seen.items()))


def _item_views(result: OrderResult) -> tuple[ItemView, ...]:
    d, tx = result.decision, result.transaction
    tiers = {t.item_index: t for t in d.item_tiers}
    count = max(len(tx.items) if tx else 0, len(d.item_tiers))
    items = []
    for i in range(count):
        item = tx.items[i] if tx and i < len(tx.items) else None
        tier = tiers.get(i)
        items.append(
            ItemView(
                number=i + 1,
                item=item,
                details=details(item, ("description",)),
                tiers=tuple(tier.tiers) if tier else (),
                classified=tier.classified if tier else False,
                evidence=tuple(tier.evidence) if tier else (),
                description=item.description if item else (tier.description if tier else ""),
            )
        )
    return tuple(items)


def order_view(n: int, result: OrderResult, helps: dict[str, tuple[str | None, str]]) -> OrderView:
    """The section of the ``n``-th order; ``helps``: rule id -> (help text, ``pack@version``)."""
    d = result.decision
    tx = result.transaction
    anchor = f"order-{n}"
    matches, by_key = _match_views(anchor, result)
    licences = _licence_views(d)
    reasons = tuple(
        _reason_view(i, anchor, r, next((f for f in result.findings if f.reason == r), None), helps, by_key, licences)
        for i, r in enumerate(d.reasons, start=1)
    )
    return OrderView(
        anchor=anchor,
        result=result,
        outcome=outcome(result),
        cleared=sum(1 for f in result.findings if f.cleared),
        parties=tuple(tx.parties) if tx else (),
        party_details=tuple(details(p, ("role", "name", "country")) for p in tx.parties) if tx else (),
        screened_names=tuple(dict.fromkeys(m.ref.party for m in matches)),
        order_details=details(tx, ("id", "parties", "items")),
        items=_item_views(result),
        reasons=reasons,
        matches=tuple(matches),
        licences=tuple(licences),
        lists=_lists(d),
    )
