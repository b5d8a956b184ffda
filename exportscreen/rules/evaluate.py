"""The rule evaluator: conditions over ``Facts`` → ``Reason`` objects. It knows no regulation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from pydantic import JsonValue

from exportscreen._construct import construct
from exportscreen.geo import country_name
from exportscreen.licensing import conditions as lic
from exportscreen.licensing.determine import Place as CountedPlace
from exportscreen.models import Category, Reason
from exportscreen.registry.model import Entry
from exportscreen.rules import licensed
from exportscreen.rules.facts import Facts, HeadquartersFact, ItemFact, MatchFact, OwnerFact, match_refs
from exportscreen.rules.model import Condition, Place, Rule, RulePack

__all__ = ["Fired", "evaluate_pack", "fired_rules"]

_STRENGTH = {"review": 0, "hit": 1}


@dataclass
class _Evidence:
    matches: list[MatchFact] = field(default_factory=list)
    owners: list[OwnerFact] = field(default_factory=list)
    share: float | None = None
    items: dict[int, tuple[ItemFact, set[str]]] = field(default_factory=dict)
    unclassified: list[ItemFact] = field(default_factory=list)
    conflicts: list[ItemFact] = field(default_factory=list)
    destinations: list[CountedPlace] = field(default_factory=list)
    licensing: list[lic.Evidence] = field(default_factory=list)
    headquarters: list[HeadquartersFact] = field(default_factory=list)
    end_uses: list[str] = field(default_factory=list)
    window: dict[str, str | None] | None = None
    summary: bool = False
    #: the licences on file against a rule's licence requirement (``covered_by``): set once it held
    coverage: licensed.Coverage | None = None

    def merge(self, other: _Evidence) -> None:
        if other is _EMPTY:
            return
        self.matches += [m for m in other.matches if m not in self.matches]
        self.owners += [o for o in other.owners if o not in self.owners]
        self.share = other.share if other.share is not None else self.share
        for idx, (fact, tiers) in other.items.items():
            self.items.setdefault(idx, (fact, set()))[1].update(tiers)
        self.unclassified += [i for i in other.unclassified if i not in self.unclassified]
        self.conflicts += [i for i in other.conflicts if i not in self.conflicts]
        self.destinations += [d for d in other.destinations if d not in self.destinations]
        self.licensing += [e for e in other.licensing if e not in self.licensing]
        self.headquarters += [h for h in other.headquarters if h not in self.headquarters]
        self.end_uses += [t for t in other.end_uses if t not in self.end_uses]
        self.window = other.window or self.window
        self.summary |= other.summary


#: The evidence of a condition that does not hold (or holds with nothing to show): shared, never
#: mutated (only the fresh evidence of ``all``/``any`` nodes is merged into).
_EMPTY = _Evidence()


def _in_place(place: Place, country: str, groups: tuple[str, ...]) -> bool:
    if set(place.exclude_groups) & set(groups):
        return False
    return country in place.countries or bool(set(place.groups) & set(groups))


def _owners_in(place: Place, min_share: float, facts: Facts) -> list[HeadquartersFact]:
    """Per party, the owners located in ``place`` when they hold ``min_share`` in aggregate or one of
    them is the declared ultimate parent."""
    found: list[HeadquartersFact] = []
    for p_index, party in enumerate(facts.transaction.parties):
        inside = []
        for owner in party.owners:
            if owner.country is None:
                continue
            groups = tuple(facts.country_groups.groups_of(owner.country, facts.as_of))
            effective, _ = facts.country_groups.effective_country(owner.country, facts.as_of)
            if _in_place(place, effective, groups):
                inside.append((owner, groups))
        if not inside:
            continue
        share = sum(o.percent for o, _ in inside)
        parent = next(((o, g) for o, g in inside if o.ultimate_parent), None)
        if share < min_share and parent is None:
            continue
        first, groups = parent or inside[0]
        assert first.country is not None
        found.append(
            HeadquartersFact(
                p_index,
                party.name,
                first.country,
                groups,
                basis="ultimate_parent" if parent else "owners",
                share=share,
                owners=tuple(o.name for o, _ in inside),
            )
        )
    return found


def _eval(cond: Condition, facts: Facts, switches: Mapping[str, bool]) -> tuple[bool, _Evidence]:
    if cond.all_ is not None:
        ev = _Evidence()
        for child in cond.all_:
            ok, child_ev = _eval(child, facts, switches)
            if not ok:
                return False, _EMPTY
            ev.merge(child_ev)
        return True, ev
    if cond.any_ is not None:
        found: _Evidence | None = None
        for child in cond.any_:
            ok, child_ev = _eval(child, facts, switches)
            if ok:
                found = found or _Evidence()
                found.merge(child_ev)
        return (True, found) if found is not None else (False, _EMPTY)
    if cond.not_ is not None:
        ok, _ = _eval(cond.not_, facts, switches)
        return not ok, _EMPTY
    if cond.always:
        return True, _Evidence(summary=True)
    if cond.party_listed is not None:
        spec = cond.party_listed
        lo, hi = _STRENGTH[spec.min_strength], _STRENGTH[spec.max_strength]
        matches = [
            m
            for m in facts.matches
            if m.entry.list in spec.lists
            and lo <= _STRENGTH[m.match.strength] <= hi
            and m.via in spec.via
            and (not spec.roles or m.role in spec.roles)
            and (not spec.tags or set(spec.tags) & set(m.entry.tags))
        ]
        return (True, _Evidence(matches=matches)) if matches else (False, _EMPTY)
    if cond.owners_listed is not None:
        spec_o = cond.owners_listed
        lo = _STRENGTH[spec_o.min_strength]
        by_party: dict[int, list[OwnerFact]] = {}
        for o in facts.owners:
            if o.entry.list in spec_o.lists and _STRENGTH[o.match.strength] >= lo:
                by_party.setdefault(o.party_index, []).append(o)
        owners: list[OwnerFact] = []
        best = 0.0
        for party_owners in by_party.values():
            # One owner counts once even when it matches several entries.
            share = sum({o.owner_name: o.percent for o in party_owners}.values())
            if share >= spec_o.min_share:
                owners += party_owners
                best = max(best, share)
        return (True, _Evidence(owners=owners, share=best)) if owners else (False, _EMPTY)
    if cond.item_tier is not None:
        wanted = set(cond.item_tier)
        items: dict[int, tuple[ItemFact, set[str]]] = {}
        for item in facts.items:
            tiers = wanted.intersection(item.classification.tiers)
            if tiers:
                items[item.index] = (item, tiers)
        return (True, _Evidence(items=items)) if items else (False, _EMPTY)
    if cond.item_unclassified:
        unclassified = [i for i in facts.items if not i.classification.classified]
        return (True, _Evidence(unclassified=unclassified)) if unclassified else (False, _EMPTY)
    if cond.item_tier_conflict:
        conflicts = [i for i in facts.items if i.classification.conflict]
        return (True, _Evidence(conflicts=conflicts)) if conflicts else (False, _EMPTY)
    if cond.destination is not None:
        hits = [d for d in facts.destinations if _in_place(cond.destination, d.effective, d.groups)]
        return (True, _Evidence(destinations=hits)) if hits else (False, _EMPTY)
    if cond.headquarters is not None:
        place = cond.headquarters
        headquarters = [h for h in facts.headquarters if _in_place(place, h.country, h.groups)]
        return (True, _Evidence(headquarters=headquarters)) if headquarters else (False, _EMPTY)
    if cond.owners_in is not None:
        parents = _owners_in(cond.owners_in, cond.owners_in.min_share, facts)
        return (True, _Evidence(headquarters=parents)) if parents else (False, _EMPTY)
    if cond.switch is not None:
        return (True, _EMPTY) if switches.get(cond.switch, False) else (False, _EMPTY)
    if cond.end_use_tags is not None:
        end_uses = sorted({str(t) for t in cond.end_use_tags} & {str(t) for t in facts.transaction.end_use_tags})
        return (True, _Evidence(end_uses=end_uses)) if end_uses else (False, _EMPTY)
    if cond.as_of is not None:
        win = cond.as_of
        ok = (win.from_ is None or win.from_ <= facts.as_of) and (win.to is None or facts.as_of < win.to)
        window = {"from": win.from_.isoformat() if win.from_ else None, "to": win.to.isoformat() if win.to else None}
        return (True, _Evidence(window=window)) if ok else (False, _EMPTY)
    licensing = _eval_licensing(cond, facts)
    return (True, _Evidence(licensing=licensing)) if licensing else (False, _EMPTY)


def _eval_licensing(cond: Condition, facts: Facts) -> list[lic.Evidence]:
    """The licensing condition keys (``exportscreen.licensing.conditions``): the evidence when one holds."""
    if cond.licence is not None:
        return lic.licence_evidence(cond.licence, facts.licensing)
    if cond.eccn_unknown:
        return lic.unknown_eccn_evidence(facts.licensing)
    if cond.destination_mismatch is not None:
        place = cond.destination_mismatch
        hits = [p for p in facts.licensing.mismatches if _in_place(place, p.effective, p.groups)]
        return lic.mismatch_evidence(hits, facts.destinations[0])
    if cond.party_country is not None:
        place = cond.party_country
        hits = [p for p in facts.licensing.other_parties if _in_place(place, p.effective, p.groups)]
        return lic.party_country_evidence(hits)
    if cond.country_unknown:
        return lic.countryless_evidence(facts.licensing)
    if cond.region_in_address:
        return lic.region_evidence(facts.licensing)
    if cond.end_use_words is not None:
        return lic.end_use_word_evidence(cond.end_use_words, facts.licensing)
    if cond.address_words is not None:
        return lic.address_word_evidence(cond.address_words, facts.licensing)
    raise AssertionError("unreachable: Condition validates exactly one key")


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


def _reason(rule: Rule, ev: _Evidence, facts: Facts) -> Reason:
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


class Fired:
    """A rule whose condition held, with the evidence of that condition; ``reason()`` builds its
    Reason (only for the reasons a Decision keeps: a less risky one is dropped when another
    category wins, so it need not be built)."""

    __slots__ = ("evidence", "facts", "rule")

    def __init__(self, rule: Rule, evidence: _Evidence, facts: Facts) -> None:
        self.rule = rule
        self.evidence = evidence
        self.facts = facts

    def reason(self) -> Reason:
        return _reason(self.rule, self.evidence, self.facts)

    @property
    def acted(self) -> bool:
        """Whether the rule acted on what it read: it fired above less risky, or a licence on file
        covers the licence requirement it states."""
        cov = self.evidence.coverage
        return self.rule.category is not Category.LESS_RISKY or (cov is not None and cov.complete)

    @property
    def licensing_read(self) -> list[object]:
        """The licence requirements and unknown ECCNs the rule's condition used (its evidence)."""
        return [e.subject for e in self.evidence.licensing if e.subject is not None]

    @property
    def list_matches(self) -> list[MatchFact | OwnerFact]:
        """The party and owner matches the rule's condition used (its evidence): what the rule read.
        A condition key that reads matches must put them in its evidence, or they count as unread."""
        return [*self.evidence.matches, *self.evidence.owners]


def fired_rules(pack: RulePack, facts: Facts) -> list[Fired]:
    """Every rule of ``pack`` in force on ``facts.as_of`` whose condition holds, in pack order."""
    fired: list[Fired] = []
    if not pack.active(facts.as_of):
        return fired
    for rule in pack.rules:
        if not rule.active(facts.as_of):
            continue
        ok, ev = _eval(rule.when, facts, pack.switches)
        if ok:
            fired.append(Fired(*_licensed(rule, ev, facts), facts) if rule.covered_by else Fired(rule, ev, facts))
    return fired


def _licensed(rule: Rule, ev: _Evidence, facts: Facts) -> tuple[Rule, _Evidence]:
    """A rule that states a licence requirement (``covered_by``) read against the licences on file:
    the items and places it found (else every one), the parties it rests on (``rules.licensed``)."""
    spec = rule.covered_by
    assert spec is not None
    resting = {m.party_index for m in ev.matches} | {o.party_index for o in ev.owners}
    resting |= {h.party_index for h in ev.headquarters}
    cov = licensed.coverage(
        spec.types,
        (spec.items == "found" and sorted(ev.items)) or [i.index for i in facts.items],
        ev.destinations or facts.destinations,
        [facts.transaction.parties[p] for p in sorted(resting)],
        facts.licensing,
    )
    if cov is None:
        return rule, ev
    # items the rule found and a licence covers drop out of its evidence; "every" keeps what it found
    keep = cov.complete or spec.items == "every"
    left = ev.items if keep else {i: v for i, v in ev.items.items() if i in cov.uncovered_items}
    return licensed.view(rule, cov), replace(ev, items=left, coverage=cov)


def evaluate_pack(pack: RulePack, facts: Facts) -> list[Reason]:
    """Every rule of ``pack`` in force on ``facts.as_of`` whose condition holds, as a Reason."""
    return [f.reason() for f in fired_rules(pack, facts)]


def most_severe(reasons: list[Reason]) -> Category:
    return max((r.category for r in reasons), default=Category.LESS_RISKY)
