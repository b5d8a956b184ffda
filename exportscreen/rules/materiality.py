"""Materiality of missing specifications: an unclassified item makes a decision review only when the
missing values could change its category (audit B1).

For each item the tiers left unclassified, ``exportscreen.tier_hypotheses`` gives its readings (every
way the missing values could turn out). The rules of every pack in force are evaluated under each
combination of the items' readings, for this destination, these parties and owners, these end uses
and this date, with the licensing facts of each combination (the ECCN a reading puts an item in, the
tiers a delegated section reads, the licences that cover it: ``relicense``):

* every combination gives the same category: the missing values are not needed. Each item takes its
  mildest reading (the one of the lowest values) and says so in its evidence;
  When the readings fire different rules of that category (a chip of TPP >= 4800 without the
  datacenter flag: full licence or NAC notification, both sensitive), the evidence names them: the
  mildest combination is already sensitive, so the decision is sensitive whatever the values;
* otherwise an item whose reading changes the category stays unclassified, and its ``open_detail``
  names the missing value that decides and the rules it decides (the pack's ``item_unclassified``
  rule reports it: review). An item whose reading changes nothing takes its mildest reading.

An item no reading can place (a declared ECCN the tiers do not know, too many combinations) stays
unclassified: the packs and the screener's backstop keep it from ever being silently mature.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pydantic import JsonValue

from exportscreen.licensing.facts import LicensingFacts
from exportscreen.models import Category
from exportscreen.rules.evaluate import fired_rules
from exportscreen.rules.facts import Facts, ItemFact
from exportscreen.rules.model import Rule, RulePack
from exportscreen.tier_hypotheses import Reading, readings
from exportscreen.tiers import ItemClassification, TierSet

__all__ = ["MAX_COMBINATIONS", "Relicense", "settle"]

#: Most combinations of readings evaluated for one transaction; beyond, the open items stay open.
MAX_COMBINATIONS = 256


@dataclass(frozen=True)
class _Outcome:
    category: Category
    rules: dict[str, Rule]  # the rules above less risky that fired, by id


#: The licensing facts of the transaction for other classifications of its items (the Screener's
#: ``Licensing.facts`` with everything else fixed).
Relicense = Callable[[Sequence[ItemClassification]], LicensingFacts]


def _trial(facts: Facts, chosen: dict[int, ItemClassification], relicense: Relicense | None = None) -> Facts:
    """``facts`` with the items of ``chosen`` classified so, and the licensing facts that follow from
    it (the ECCNs a reading puts an item in, the tiers a delegated section reads, the licences that
    cover it): what a rule reads under a reading must be that reading's."""
    items = tuple(
        dataclasses.replace(i, classification=chosen[i.index]) if i.index in chosen else i for i in facts.items
    )
    if relicense is None:
        return dataclasses.replace(facts, items=items)
    return dataclasses.replace(facts, items=items, licensing=relicense([i.classification for i in items]))


def _evaluate(facts: Facts, packs: Sequence[RulePack]) -> _Outcome:
    fired = [f for pack in packs for f in fired_rules(pack, facts)]
    category = max((f.rule.category for f in fired), default=Category.LESS_RISKY)
    return _Outcome(category, {f.rule.id: f.rule for f in fired if f.rule.category is not Category.LESS_RISKY})


#: field -> assignments of a reading with that field left out
_Steps = dict[str, set[tuple[tuple[str, JsonValue], ...]]]


def _single_field_steps(reading: Reading) -> _Steps:
    """field -> the assignments of this reading with that field left out (to find one-field changes)."""
    out: _Steps = {}
    for assign in reading.assignments:
        for name in assign:
            out.setdefault(name, set()).add(tuple(sorted((k, v) for k, v in assign.items() if k != name)))
    return out


def _deciding_fields(a: Reading, b: Reading, memo: dict[int, _Steps]) -> list[str]:
    """The fields one change of which turns reading ``a`` into ``b`` (``memo``: steps per reading)."""
    for r in (a, b):
        if id(r) not in memo:
            memo[id(r)] = _single_field_steps(r)
    steps_a, steps_b = memo[id(a)], memo[id(b)]
    found = sorted(name for name, rest in steps_a.items() if rest & steps_b.get(name, set()))
    if found:
        return found
    return sorted({*a.assignments[0], *b.assignments[0]})


def _rule_text(rule: Rule) -> str:
    return f"{rule.id} ({rule.citations[0]})" if rule.citations else rule.id


def _missing_text(classification: ItemClassification) -> str:
    return ", ".join(classification.missing)


def _adopt(
    orig: ItemClassification, reading: Reading, note: str, summary: list[JsonValue], every: Category | None
) -> ItemClassification:
    """The item settled on ``reading``; ``every``: the category every combination gave, if one did."""
    entry: dict[str, JsonValue] = {
        "basis": "materiality",
        "missing": list(orig.missing),
        "category_every_reading": str(every) if every is not None else None,
        "applied": {"tiers": list(reading.classification.tiers), "assumed": dict(reading.assignments[0])},
        "readings": summary,
        "note": note,
    }
    return dataclasses.replace(
        orig,
        tiers=reading.classification.tiers,
        classified=True,
        missing=(),
        # the reading's own conflict (specifications that contradict the kind under the applied values)
        conflict=orig.conflict or reading.classification.conflict,
        evidence=[*orig.evidence, entry],
        reading=f"{_missing_text(orig)} {note}",
    )


def _open(orig: ItemClassification, detail: str, summary: list[JsonValue]) -> ItemClassification:
    entry: dict[str, JsonValue] = {"basis": "materiality", "missing": list(orig.missing), "decides": detail}
    entry["readings"] = summary
    return dataclasses.replace(orig, evidence=[*orig.evidence, entry], open_detail=detail)


def settle(facts: Facts, *, tiers: TierSet, packs: Sequence[RulePack], relicense: Relicense | None = None) -> Facts:
    """``facts`` with each unclassified item settled on its mildest reading, or left open with what
    decides, as the module docstring says. Facts without unclassified items come back unchanged.
    ``relicense``: the licensing facts for other classifications (without it they stay those of
    ``facts``, as for a caller that has no licensing facts to recompute)."""
    open_items: list[ItemFact] = [i for i in facts.items if not i.classification.classified]
    readings_of: dict[int, list[Reading]] = {}
    for fact in open_items:
        found = readings(tiers, facts.transaction.items[fact.index], facts.as_of, fact.classification)
        if found is not None:
            readings_of[fact.index] = found
    if not readings_of:
        return facts
    indices = sorted(readings_of)
    sizes = [len(readings_of[i]) for i in indices]
    originals = {i.index: i.classification for i in facts.items}
    if math.prod(sizes) > MAX_COMBINATIONS:
        detail = f"more than {MAX_COMBINATIONS} combinations of readings to weigh; give the missing specifications"
        return _trial(facts, {i: _open(originals[i], detail, []) for i in indices})
    outcomes: dict[tuple[int, ...], _Outcome] = {}
    for combo in itertools.product(*(range(n) for n in sizes)):
        chosen = {i: readings_of[i][k].classification for i, k in zip(indices, combo, strict=True)}
        outcomes[combo] = _evaluate(_trial(facts, chosen, relicense), packs)
    mildest = min(outcomes, key=lambda c: (outcomes[c].category.severity, c))
    every = {o.category for o in outcomes.values()}
    settled: dict[int, ItemClassification] = {}
    for pos, index in enumerate(indices):
        item_readings = readings_of[index]
        summary: list[JsonValue] = []
        for k, r in enumerate(item_readings):
            mine = [o for c, o in outcomes.items() if c[pos] == k]
            categories: list[JsonValue] = [*sorted({str(o.category) for o in mine})]
            rule_ids: list[JsonValue] = [*sorted({rid for o in mine for rid in o.rules})]
            summary.append({"tiers": list(r.classification.tiers), "categories": categories, "rules": rule_ids})
        chosen_reading = item_readings[mildest[pos]]
        if len(every) == 1:
            category = outcomes[mildest].category
            rule_sets = {frozenset(o.rules) for o in outcomes.values()}
            if len(rule_sets) == 1:
                note = f"not needed: every reading gives {category}"
            else:
                named = sorted(set().union(*rule_sets) - frozenset.intersection(*rule_sets))
                note = (
                    f"not given: every reading is {category} (the value decides between {', '.join(named)}); "
                    "the reading of the lowest values is applied"
                )
            settled[index] = _adopt(originals[index], chosen_reading, note, summary, category)
            continue
        fields: set[str] = set()
        deciding: dict[str, Rule] = {}
        steps: dict[int, _Steps] = {}
        for combo, outcome in outcomes.items():
            for k in range(len(item_readings)):
                other = outcomes[(*combo[:pos], k, *combo[pos + 1 :])]
                if k <= combo[pos] or other.category is outcome.category:
                    continue
                fields.update(_deciding_fields(item_readings[combo[pos]], item_readings[k], steps))
                for rid in outcome.rules.keys() ^ other.rules.keys():
                    deciding[rid] = outcome.rules.get(rid) or other.rules[rid]
        if not fields:
            note = "not needed for this item: its reading does not change the verdict"
            settled[index] = _adopt(originals[index], chosen_reading, note, summary, None)
            continue
        rules = ", ".join(_rule_text(deciding[rid]) for rid in sorted(deciding)) or "the category"
        if len(fields) == 1:
            detail = f"{next(iter(fields))} decides {rules}; give it or the ECCN"
        else:
            detail = f"{', '.join(sorted(fields))} decide {rules}; give them or the ECCN"
        settled[index] = _open(originals[index], detail, summary)
    return _trial(facts, settled, relicense)
