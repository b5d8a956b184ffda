"""A fired rule's Reason: its evidence as JSON data, its message with the placeholders the evidence
and the transaction fill, and the citations of the rule, the entries and the tiers it rests on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from pydantic import JsonValue

from exportscreen._construct import construct
from exportscreen.geo import country_name
from exportscreen.licensing import conditions as lic
from exportscreen.models import Reason
from exportscreen.registry.model import Entry
from exportscreen.rules.evidence import Evidence
from exportscreen.rules.facts import Facts, HeadquartersFact, ItemFact, MatchFact, OwnerFact, match_refs
from exportscreen.rules.model import Rule

__all__ = ["reason"]


def _match_json(m: MatchFact | OwnerFact) -> dict[str, JsonValue]:
    e = m.entry
    out: dict[str, JsonValue] = {
        "entry_id": e.id,
        "entry_name": e.name,
        "list": e.list,
        "source": e.source,
        "matched_name": m.match.matched_name,
        "matched_field": m.match.matched_field,
        "score": m.match.score,
        "strength": m.match.strength,
        "federal_register": list(e.federal_register),
        "rule_citations": list(e.rule_citations),
        "start_date": e.start_date.isoformat() if e.start_date else None,
        "license_requirement": e.license_requirement,
        "license_footnotes": list(e.license_footnotes),
        "license_policy": e.license_policy,
        "content_hash": e.content_hash,
    }
    if isinstance(m, OwnerFact):
        out["owner"] = m.owner_name
        out["percent"] = m.percent
    else:
        out["party"] = m.match.query_name
        out["role"] = m.role
        out["via"] = m.via
    return out


def _entry_label(entry: Entry) -> str:
    first_fr = f", {entry.federal_register[0]}" if entry.federal_register else ""
    return f"{entry.name} [{entry.list}{first_fr}]"


def _join(values: list[str]) -> str:
    return ", ".join(values) if values else "none"


def reason(rule: Rule, ev: Evidence, facts: Facts) -> Reason:
    evidence: dict[str, JsonValue] = {}
    citations: list[str] = list(rule.citations)
    ctx = _Context(facts)
    matches = [*ev.matches]
    if matches:
        evidence["matches"] = [_match_json(m) for m in matches]
        ctx["entries"] = "; ".join(dict.fromkeys(_entry_label(m.entry) for m in matches))
        ctx["parties"] = _join(sorted({m.match.query_name for m in matches}))
        ctx["policies"] = "; ".join(sorted({m.entry.license_policy for m in matches if m.entry.license_policy})) or (
            "not recorded"
        )
        for m in matches:
            citations += [c for c in (*m.entry.federal_register, *m.entry.rule_citations) if c not in citations]
    if ev.owners:
        evidence["owners"] = [_match_json(o) for o in ev.owners]
        evidence["owned_share"] = ev.share
        ctx["share"] = f"{ev.share:g}%"
        ctx["entries"] = "; ".join(sorted({f"{o.entry.name} [{o.entry.list}]" for o in ev.owners}))
        ctx["parties"] = _join(sorted({facts.transaction.parties[o.party_index].name for o in ev.owners}))
    if ev.items:
        tiers_seen: list[str] = []
        items_json: list[JsonValue] = []
        for idx in sorted(ev.items):
            fact, tiers = ev.items[idx]
            tier_list = sorted(tiers)
            tiers_seen += [t for t in tier_list if t not in tiers_seen]
            items_json.append(
                {
                    "item": idx,
                    "description": fact.description,
                    "tiers": list(tier_list),
                    "classification": [
                        e
                        for e in fact.classification.evidence
                        if isinstance(e, dict) and (e.get("tier") in tiers or e.get("basis") == "materiality")
                    ],
                }
            )
        evidence["items"] = items_json
        ctx["tiers"] = _join(tiers_seen) + "".join(
            f" [item {idx + 1}: {fact.classification.reading}]"
            for idx, (fact, _) in sorted(ev.items.items())
            if fact.classification.reading
        )
        exceptions = sorted({x for t in tiers_seen for x in facts.tier_exceptions.get(t, [])})
        ctx["exceptions"] = _join(exceptions)
        for t in tiers_seen:
            citations += [c for c in facts.tier_citations.get(t, []) if c not in citations]
    if ev.unclassified:
        evidence["unclassified_items"] = [_unclassified_json(i) for i in ev.unclassified]
        ctx["missing"] = "; ".join(f"item {i.index + 1} ({i.description}): {_open_text(i)}" for i in ev.unclassified)
    if ev.conflicts:
        evidence["conflicts"] = [
            {"item": i.index, "description": i.description, "conflict": i.classification.conflict} for i in ev.conflicts
        ]
        ctx["conflicts"] = "; ".join(f"item {i.index + 1}: {i.classification.conflict}" for i in ev.conflicts)
    if ev.destinations:
        evidence["destination"] = {
            "country": facts.destination,
            "treated_as": facts.destination_effective,
            "groups": list(facts.destination_groups),
        }
        others = [d for d in ev.destinations if d.party is not None or d.region is not None]
        if others:
            evidence["destinations_counted"] = [
                {
                    "country": d.country,
                    "treated_as": d.effective,
                    "groups": list(d.groups),
                    "counted_as": d.basis,
                    "party": d.party,
                }
                for d in others
            ]
            ctx["destination"] = "; ".join(d.label() for d in ev.destinations)
    if ev.licensing:
        for item in ev.licensing:
            found = evidence.setdefault(item.kind, [])
            assert isinstance(found, list)
            found.append(item.data)
            citations += [c for c in item.citations if c not in citations]
        for key in dict.fromkeys(e.placeholder for e in ev.licensing):
            ctx[key] = "; ".join(dict.fromkeys(e.text for e in ev.licensing if e.placeholder == key))
        ctx["licence_exceptions"] = _join(sorted({x for e in ev.licensing for x in e.exceptions}))
    if ev.headquarters:
        evidence["headquarters"] = [_headquarters_json(h) for h in ev.headquarters]
        ctx["headquarters"] = "; ".join(_headquarters_text(h) for h in ev.headquarters)
    if ev.end_uses:
        evidence["end_use_tags"] = list(ev.end_uses)
        ctx["end_uses"] = _join(ev.end_uses)
    if ev.window is not None:
        evidence["as_of_window"] = dict(ev.window)
        ctx["window"] = _window_text(ev.window)
    if ev.coverage is not None:
        evidence["licences_on_file"] = ev.coverage.json()
        ctx["licences"] = ev.coverage.text()
    if ev.summary:
        evidence["checks"] = {
            "lists_checked": list(facts.lists_checked),
            "parties_screened": [p.name for p in facts.transaction.parties],
            "owners_screened": [o.name for p in facts.transaction.parties for o in p.owners],
            "destination": facts.destination,
            "destination_groups": list(facts.destination_groups),
            "item_tiers": [{"item": i.index, "tiers": list(i.classification.tiers)} for i in facts.items],
            "end_use_tags": [str(t) for t in facts.transaction.end_use_tags],
            "as_of": facts.as_of.isoformat(),
        }
    message = rule.message.format_map(ctx)
    # the evidence is built here from typed facts: constructed, not re-validated
    return construct(
        Reason,
        rule_id=rule.id,
        category=rule.category,
        message=" ".join(message.split()),
        citations=citations,
        evidence=evidence,
        matches=match_refs([*ev.matches, *ev.owners]),
    )


def _open_text(item: ItemFact) -> str:
    c = item.classification
    if c.unplaceable:
        return f"{c.unplaceable}; classify it"
    if c.open_detail:
        return c.open_detail
    return f"needs an ECCN or {', '.join(c.missing) or 'kind'}"


def _unclassified_json(item: ItemFact) -> dict[str, JsonValue]:
    c = item.classification
    out: dict[str, JsonValue] = {"item": item.index, "description": item.description, "missing": list(c.missing)}
    if c.unplaceable:
        out["unplaceable"] = c.unplaceable
    if c.open_detail:
        out["decides"] = c.open_detail
    return out


def _headquarters_json(h: HeadquartersFact) -> dict[str, JsonValue]:
    out: dict[str, JsonValue] = {
        "party": h.party_name,
        "country": h.country,
        "groups": list(h.groups),
        "basis": h.basis,
    }
    if h.owners:
        out["owners"] = list(h.owners)
        out["share"] = h.share
    return out


def _headquarters_text(h: HeadquartersFact) -> str:
    if h.basis == "ultimate_parent":
        return f"{h.party_name} (ultimate parent {h.owners[0]}, {h.country})"
    if h.basis == "owners":
        return f"{h.party_name} ({h.share:g} % owned from {h.country}: {', '.join(h.owners)})"
    if h.basis == "country":
        return f"{h.party_name} ({h.country}, no other headquarters given)"
    return f"{h.party_name} ({h.country})"


def _window_text(window: dict[str, str | None]) -> str:
    """A date window in words, its last day inclusive ("from 2025-11-10 through 2026-11-09")."""
    start, end = window.get("from"), window.get("to")
    last = (dt.date.fromisoformat(end) - dt.timedelta(days=1)).isoformat() if end else None
    if start and last:
        return f"from {start} through {last}"
    return f"from {start}" if start else f"before {end}"


def _destination_text(facts: Facts) -> str:
    text = f"{country_name(facts.destination)} ({facts.destination})"
    if facts.destination_effective != facts.destination:
        text += f", treated as {facts.destination_effective}"
    return text


#: Message placeholders about the whole transaction, worked out only when a message uses them.
_GENERAL_FIELDS: dict[str, Callable[[Facts], str]] = {
    "as_of": lambda facts: facts.as_of.isoformat(),
    "destination": _destination_text,
    "destination_groups": lambda facts: _join(list(facts.destination_groups)),
    "lists_checked": lambda facts: _join(list(facts.lists_checked)),
    "determinations": lambda facts: lic.determinations(facts.licensing),
    "item_tiers": lambda facts: "; ".join(
        f"item {i.index + 1}: {', '.join(i.classification.tiers) or 'unclassified'}"
        + (f" [{i.classification.reading}]" if i.classification.reading else "")
        for i in facts.items
    ),
}


class _Context(dict[str, str]):
    """The placeholders of a rule message: those of the rule's evidence, set by ``_reason``; those
    about the transaction, on demand; "n/a" for one the evidence does not fill."""

    def __init__(self, facts: Facts) -> None:
        super().__init__()
        self.facts = facts

    def __missing__(self, key: str) -> str:
        general = _GENERAL_FIELDS.get(key)
        return general(self.facts) if general is not None else "n/a"
