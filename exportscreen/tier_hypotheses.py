"""The readings of an unclassified item: every way its missing specifications could turn out.

For an item of a known kind that the tiers cannot settle (a value a test needs is missing), the
missing fields are given each value that can make a difference to the tiers in force: true and false
for a flag; for a number, each threshold a controlling tier tests it against, a value between each
pair of thresholds, one below the lowest and one above the highest. The item is classified under
every such assignment; the distinct results are its *readings*, each with the assignments that give
it, lowest values first (so the first reading is the one of the lowest values).

An item that no assignment can place (no kind, a declared ECCN the tiers do not know, a
classification that stays open, more assignments than ``MAX_ASSIGNMENTS``) has no readings: ``None``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import weakref
from dataclasses import dataclass, field
from typing import Any, get_args

from pydantic import JsonValue

from exportscreen.models import Item, ItemKind
from exportscreen.tiers import ItemClassification, TierDef, TierSet

__all__ = ["MAX_ASSIGNMENTS", "Reading", "readings"]

#: Most assignments of missing values tried for one item; beyond, the item cannot be placed.
MAX_ASSIGNMENTS = 2048

_BOOL_FIELDS = frozenset(name for name, info in Item.model_fields.items() if bool in get_args(info.annotation))
_INT_FIELDS = frozenset(name for name, info in Item.model_fields.items() if int in get_args(info.annotation))


@dataclass
class Reading:
    """One way the item could be classified, with the assignments of missing values that give it."""

    classification: ItemClassification
    assignments: list[dict[str, JsonValue]] = field(default_factory=list)


def _representatives(name: str, thresholds: set[float]) -> list[Any]:
    if name in _BOOL_FIELDS:
        return [False, True]
    points = sorted(thresholds)
    if not points:
        return []
    values = [points[0] / 2 if points[0] > 0 else points[0] - 1]
    for low, high in itertools.pairwise(points):
        values += [low, (low + high) / 2]
    values += [points[-1], points[-1] * 2 if points[-1] > 0 else points[-1] + 1]
    if name in _INT_FIELDS:
        values = [max(1, math.ceil(v)) for v in values]
    return sorted({v for v in values if v > 0 or name not in _INT_FIELDS})


def _thresholds(name: str, kind: ItemKind, active: list[TierDef]) -> set[float]:
    found: set[float] = set()
    for tier in active:
        other = tier.other_kinds.kinds if tier.other_kinds else ()
        if not tier.controls or (kind not in tier.kinds and kind not in other):
            continue
        for alternative in tier.criteria:
            comp = alternative.get(name)  # type: ignore[call-overload]
            if comp is not None:
                found.update(comp.thresholds())
    return found


def _assignments(base: Item, missing: tuple[str, ...], active: list[TierDef]) -> list[dict[str, Any]] | None:
    """Every assignment of the missing fields, lowest values first; a density follows from tpp and
    die area as ``Item`` derives it (and a tpp from a given density and die area)."""
    fixed: dict[str, Any] = {}
    names = list(missing)
    area = base.die_area_mm2
    if "tpp" in names and base.performance_density is not None and area is not None:
        fixed["tpp"] = base.performance_density * area
        names.remove("tpp")
    derive_density = "performance_density" in names and area is not None
    if derive_density:
        names.remove("performance_density")
    assert base.kind is not None
    choices = [_representatives(n, _thresholds(n, base.kind, active)) for n in names]
    if any(not c for c in choices) or math.prod(len(c) for c in choices) > MAX_ASSIGNMENTS:
        return None
    out: list[dict[str, Any]] = []
    for combo in itertools.product(*choices):
        assign = {**fixed, **dict(zip(names, combo, strict=True))}
        if derive_density and assign.get("tpp") is not None and area is not None:
            assign["performance_density"] = round(assign["tpp"] / area, 6)
        out.append(assign)
    return out


#: Readings already worked out, per tier set: (date, the item's specifications) -> readings (a batch
#: repeats its items; readings are never changed after they are made).
_MEMO: weakref.WeakKeyDictionary[TierSet, dict[tuple[dt.date, str], list[Reading] | None]] = weakref.WeakKeyDictionary()
_MEMO_MAX = 1024
_NOT_SPECS = frozenset({"description", "quantity", "value_usd"})


def readings(tiers: TierSet, item: Item, on: dt.date, classification: ItemClassification) -> list[Reading] | None:
    """The readings of an unclassified item on ``on`` (``None``: it cannot be placed)."""
    if classification.classified or classification.unplaceable or item.kind is None:
        return None
    memo = _MEMO.setdefault(tiers, {})
    key = (on, item.model_dump_json(exclude=set(_NOT_SPECS)))
    if key not in memo:
        if len(memo) >= _MEMO_MAX:
            memo.clear()
        memo[key] = _readings(tiers, item, on, classification)
    return memo[key]


def _readings(tiers: TierSet, item: Item, on: dt.date, classification: ItemClassification) -> list[Reading] | None:
    assignments = _assignments(item, classification.missing, tiers.active(on))
    if assignments is None:
        return None
    found: dict[tuple[str, ...], Reading] = {}
    for assign in assignments:
        # only missing fields are set, each to a value its own constraints allow: no re-validation
        result = tiers.classify(item.model_copy(update=assign), on)
        if not result.classified:
            return None
        found.setdefault(result.tiers, Reading(result)).assignments.append(assign)
    return list(found.values()) or None
