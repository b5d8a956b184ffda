"""A Decision put together from what a screening found: the verdict, its reasons and its evidence.

Every part is built by the Screener or the rule evaluator from validated input and loaded data, so it is
constructed, not re-validated (tests validate the Decision of every example and pack case).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from exportscreen._construct import construct
from exportscreen._errors import ConfigError
from exportscreen.list_coverage import entries_per_list
from exportscreen.models import Category, Decision, ItemTier, PackRef, Reason, RegistryInfo, SourceInfo
from exportscreen.registry import Registry
from exportscreen.rules import Fired, RulePack, most_severe
from exportscreen.rules.facts import Facts

__all__ = ["decision_of", "registry_info_of"]


def registry_info_of(registry: Registry) -> RegistryInfo:
    """What every Decision says it was screened against, from the loaded registry's own typed fields."""
    counts = registry.counts()
    return construct(
        RegistryInfo,
        version=registry.version,
        as_of=registry.as_of,
        sources=[
            construct(
                SourceInfo,
                id=s.id,
                name=s.name,
                list=s.list,
                as_of=s.as_of,
                entries=sum(counts.get(s.id, {}).values()),
                version=registry.source_versions.get(s.id, ""),
                path=Path(s.path).name if s.path else None,
            )
            for s in sorted(registry.sources, key=lambda s: s.id)
        ],
        lists=dict(sorted(entries_per_list(registry).items())),
    )


def decision_of(
    facts: Facts,
    fired: Sequence[Fired],
    backstops: Sequence[Reason],
    notes: Sequence[Reason],
    *,
    active: Sequence[RulePack],
    registry: RegistryInfo,
    lists_missing: Sequence[str],
) -> Decision:
    """The Decision: the most severe of the fired rules and the backstops, with their reasons, then
    ``notes`` (less risky reasons that stay whatever the category: the screening date, stale lists).

    Raises ``ConfigError`` when nothing fired at all (a pack without a closing rule), never a verdict.
    """
    packs_category = max((f.rule.category for f in fired), default=Category.LESS_RISKY)
    category = max(packs_category, most_severe(list(backstops)))
    if category is not Category.LESS_RISKY:
        # less risky reasons are dropped when another category wins: not even built
        fired = [f for f in fired if f.rule.category is not Category.LESS_RISKY]
    elif not fired and not backstops:
        raise ConfigError(
            "the rule packs fired no rule at all; a pack needs a closing rule (always: true): "
            + ", ".join(p.path or p.id for p in active)
        )
    reasons = [f.reason() for f in fired] + list(backstops)
    reasons.sort(key=lambda r: -r.category.severity)
    reasons += notes
    all_matches = sorted(
        [m.match for m in facts.matches] + [o.match for o in facts.owners] + [m.match for m in facts.lapsed],
        key=lambda m: (-m.score, m.role, m.list, m.source, m.entry_id, m.matched_field),
    )
    tx = facts.transaction
    return construct(
        Decision,
        transaction_id=tx.id,
        category=category,
        reasons=reasons,
        matches=all_matches,
        item_tiers=[
            construct(
                ItemTier,
                item_index=i.index,
                description=i.description,
                tiers=list(i.classification.tiers),
                classified=i.classification.classified,
                declared_eccn=tx.items[i.index].eccn,
                evidence=list(i.classification.evidence),
            )
            for i in facts.items
        ],
        as_of=facts.as_of,
        registry=registry,
        lists_missing=list(lists_missing),
        packs=[construct(PackRef, id=p.id, version=p.version) for p in active],
        licence_requirements=facts.licensing.decision_rows(),
    )
