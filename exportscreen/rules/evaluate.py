"""The rule evaluator: conditions over ``Facts`` → the rules that fired, with their evidence (their
Reasons built by ``rules.reasons``). It knows no regulation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from exportscreen.licensing import conditions as lic
from exportscreen.licensing.register import on_order
from exportscreen.models import Category, Reason
from exportscreen.rules import licensed
from exportscreen.rules.evidence import EMPTY, Evidence
from exportscreen.rules.facts import Facts, HeadquartersFact, ItemFact, MatchFact, OwnerFact
from exportscreen.rules.model import Condition, Place, Rule, RulePack
from exportscreen.rules.reasons import reason

__all__ = ["Fired", "evaluate_pack", "fired_rules"]

_STRENGTH = {"review": 0, "hit": 1}


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


def _eval(cond: Condition, facts: Facts, switches: Mapping[str, bool]) -> tuple[bool, Evidence]:
    if cond.all_ is not None:
        ev = Evidence()
        for child in cond.all_:
            ok, child_ev = _eval(child, facts, switches)
            if not ok:
                return False, EMPTY
            ev.merge(child_ev)
        return True, ev
    if cond.any_ is not None:
        found: Evidence | None = None
        for child in cond.any_:
            ok, child_ev = _eval(child, facts, switches)
            if ok:
                found = found or Evidence()
                found.merge(child_ev)
        return (True, found) if found is not None else (False, EMPTY)
    if cond.not_ is not None:
        ok, _ = _eval(cond.not_, facts, switches)
        return not ok, EMPTY
    if cond.always:
        return True, Evidence(summary=True)
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
        return (True, Evidence(matches=matches)) if matches else (False, EMPTY)
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
            # One owner line counts once even when it matches several entries; two lines naming the
            # same owner (a direct and an indirect holding) are both counted.
            share = sum({o.owner_index: o.percent for o in party_owners}.values())
            if share >= spec_o.min_share:
                owners += party_owners
                best = max(best, share)
        return (True, Evidence(owners=owners, share=best)) if owners else (False, EMPTY)
    if cond.item_tier is not None:
        wanted = set(cond.item_tier)
        items: dict[int, tuple[ItemFact, set[str]]] = {}
        for item in facts.items:
            tiers = wanted.intersection(item.classification.tiers)
            if tiers:
                items[item.index] = (item, tiers)
        return (True, Evidence(items=items)) if items else (False, EMPTY)
    if cond.item_unclassified:
        unclassified = [i for i in facts.items if not i.classification.classified]
        return (True, Evidence(unclassified=unclassified)) if unclassified else (False, EMPTY)
    if cond.item_tier_conflict:
        conflicts = [i for i in facts.items if i.classification.conflict]
        return (True, Evidence(conflicts=conflicts)) if conflicts else (False, EMPTY)
    if cond.destination is not None:
        hits = [d for d in facts.destinations if _in_place(cond.destination, d.effective, d.groups)]
        return (True, Evidence(destinations=hits)) if hits else (False, EMPTY)
    if cond.headquarters is not None:
        place = cond.headquarters
        headquarters = [h for h in facts.headquarters if _in_place(place, h.country, h.groups)]
        return (True, Evidence(headquarters=headquarters)) if headquarters else (False, EMPTY)
    if cond.owners_in is not None:
        parents = _owners_in(cond.owners_in, cond.owners_in.min_share, facts)
        return (True, Evidence(headquarters=parents)) if parents else (False, EMPTY)
    if cond.switch is not None:
        return (True, EMPTY) if switches.get(cond.switch, False) else (False, EMPTY)
    if cond.end_use_tags is not None:
        end_uses = sorted({str(t) for t in cond.end_use_tags} & {str(t) for t in facts.transaction.end_use_tags})
        return (True, Evidence(end_uses=end_uses)) if end_uses else (False, EMPTY)
    if cond.as_of is not None:
        win = cond.as_of
        ok = (win.from_ is None or win.from_ <= facts.as_of) and (win.to is None or facts.as_of < win.to)
        window = {"from": win.from_.isoformat() if win.from_ else None, "to": win.to.isoformat() if win.to else None}
        return (True, Evidence(window=window)) if ok else (False, EMPTY)
    licensing = _eval_licensing(cond, facts)
    return (True, Evidence(licensing=licensing)) if licensing else (False, EMPTY)


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
        roles = {str(r) for r in place.roles}
        hits = [
            p
            for p in facts.licensing.other_parties
            if _in_place(place, p.effective, p.groups) and (not roles or p.basis in roles)
        ]
        return lic.party_country_evidence(hits)
    if cond.country_unknown:
        return lic.countryless_evidence(facts.licensing)
    if cond.region_in_address:
        return lic.region_evidence(facts.licensing)
    if cond.end_use_words is not None:
        return lic.end_use_word_evidence(cond.end_use_words, facts.licensing)
    if cond.address_words is not None:
        return lic.address_word_evidence(cond.address_words, facts.licensing)
    if cond.text_words is not None:
        return lic.text_word_evidence(cond.text_words, facts.licensing)
    raise AssertionError("unreachable: Condition validates exactly one key")


class Fired:
    """A rule whose condition held, with the evidence of that condition; ``reason()`` builds its
    Reason (only for the reasons a Decision keeps: a less risky one is dropped when another
    category wins, so it need not be built)."""

    __slots__ = ("evidence", "facts", "rule")

    def __init__(self, rule: Rule, evidence: Evidence, facts: Facts) -> None:
        self.rule = rule
        self.evidence = evidence
        self.facts = facts

    def reason(self) -> Reason:
        return reason(self.rule, self.evidence, self.facts)

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


def _licensed(rule: Rule, ev: Evidence, facts: Facts) -> tuple[Rule, Evidence]:
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
        [on_order(facts.transaction.parties[p], facts.transaction.destination) for p in sorted(resting)],
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
