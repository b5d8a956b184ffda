"""Capability tiers: classify an item from its specifications or its declared ECCN, as of a date.

The thresholds live in ``lists/tiers.yaml``; this module only evaluates them. A tier matches an item
when one of its criteria alternatives holds (or the declared ECCN is one of its ECCNs, or one of its
headings, a bare heading standing for its strictest paragraph). When a value the test needs is
missing, the tier can be neither confirmed nor ruled out: the item is then *unclassified*, and
``exportscreen.rules.materiality`` weighs whether the missing value could change the verdict. A
declared ECCN under a heading the tiers model (``families``) that no tier in force knows cannot be
placed at all (an unknown paragraph, or an ECCN not in force on the date), and neither can an item
with neither an ECCN nor a kind, or with specifications but no kind (the kind says what they describe):
never mature. A tier's criteria are tested for its ``kinds``, and for its ``other_kinds`` when the item
gives one of their ``when_given`` fields: specifications that reach such a tier contradict the kind, so
the tier applies (the stricter reading) with a classification conflict.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pydantic import JsonValue

from exportscreen._data import bundled_dir
from exportscreen._errors import PackError
from exportscreen.models import Item
from exportscreen.named_dates import load_dated_model
from exportscreen.tier_defs import SPEC_FIELDS, Comparison, Fallback, TierDef, TierFile, eccn_matches

__all__ = ["SPEC_FIELDS", "Comparison", "ItemClassification", "TierDef", "TierSet", "eccn_matches", "load_tiers"]


@dataclass(frozen=True)
class ItemClassification:
    """The tiers of one item on one date, with the comparisons behind them.

    ``unplaceable``: why no reading of the missing values can place the item (a declared ECCN the
    tiers do not know). Set by the materiality step (``exportscreen.rules.materiality``):
    ``open_detail`` for an item left unclassified because a missing value could change the verdict
    (which value decides which rule); ``reading`` for an item settled on its mildest reading because
    the missing values cannot change the verdict (what was assumed and why).
    """

    tiers: tuple[str, ...]
    classified: bool
    missing: tuple[str, ...] = ()
    conflict: str | None = None
    evidence: list[dict[str, JsonValue]] = field(default_factory=list)
    unplaceable: str | None = None
    open_detail: str | None = None
    reading: str | None = None


class TierSet:
    """Every tier definition, with the fallback tier for items below all thresholds."""

    def __init__(
        self, tiers: list[TierDef], fallback: Fallback, *, path: str | None = None, families: list[str] | None = None
    ) -> None:
        self.tiers = tiers
        self.fallback = fallback
        self.path = path
        self.families = tuple(families or ())
        by_id: dict[str, list[TierDef]] = {}
        for t in tiers:
            by_id.setdefault(t.id, []).append(t)
        for tid, versions in by_id.items():
            ordered = sorted(versions, key=lambda t: t.valid_from or dt.date.min)
            for a, b in itertools.pairwise(ordered):
                if a.valid_to is None or (b.valid_from or dt.date.min) < a.valid_to:
                    raise PackError(f"tier {tid!r} has versions with overlapping dates", path=path)
        self.ids = frozenset(by_id) | {fallback.id}
        self._views: dict[dt.date, _TierView] = {}
        self._families_memo: dict[str, bool] = {}

    def _in_family(self, eccn: str) -> bool:
        """Whether ``eccn`` is under a heading the tiers model (remembered per ECCN)."""
        found = self._families_memo.get(eccn)
        if found is None:
            found = any(eccn_matches(f, eccn) for f in self.families)
            if len(self._families_memo) >= _VIEWS_MAX:
                self._families_memo.clear()
            self._families_memo[eccn] = found
        return found

    def active(self, on: dt.date) -> list[TierDef]:
        """The tier definitions in force on ``on``."""
        return self._view(on).active

    def _view(self, on: dt.date) -> _TierView:
        """The tiers in force on ``on`` and what ``classify`` derives from them (kept per date)."""
        view = self._views.get(on)
        if view is None:
            view = _TierView([t for t in self.tiers if t.active(on)])
            if len(self._views) >= _VIEWS_MAX:
                self._views.clear()
            self._views[on] = view
        return view

    def classify(self, item: Item, on: dt.date) -> ItemClassification:
        view = self._view(on)
        active = view.active
        spec_tiers: set[str] = set()
        decl_tiers: set[str] = set()
        undetermined: set[str] = set()
        started: set[str] = set()  # undetermined tiers whose test reads a value the item gives
        kind_tiers: set[str] = set()  # tiers the specifications reach though the kind is not one of theirs
        missing: set[str] = set()
        evidence: list[dict[str, JsonValue]] = []
        declared = view.declared(item.eccn)
        for tier in active:
            if tier.id in declared:
                decl_tiers.add(tier.id)
                evidence.append(
                    {
                        "tier": tier.id,
                        "eccn": tier.eccn,
                        "basis": "declared_eccn",
                        "declared_eccn": item.eccn,
                        "citations": list(tier.citations),
                    }
                )
            own_kind = tier.tests(item)
            if own_kind is None:
                continue
            outcome, detail, absent = _evaluate(tier, item)
            if outcome == "yes":
                spec_tiers.add(tier.id)
                if not own_kind:
                    kind_tiers.add(tier.id)
                entry: dict[str, JsonValue] = {
                    "tier": tier.id,
                    "eccn": tier.eccn,
                    "basis": "specifications",
                    "comparisons": detail,
                    "citations": list(tier.citations),
                    "license_exceptions": list(tier.license_exceptions),
                }
                if not own_kind:
                    entry["kind_conflict"] = {"kind": item.kind, "tier_kinds": list(tier.kinds)}
                if tier.compliance_date:
                    entry["compliance_date"] = tier.compliance_date.isoformat()
                evidence.append(entry)
            elif outcome == "unknown":
                undetermined.add(tier.id)
                missing.update(absent)
                if any(getattr(item, f) is not None for f in _reads(tier)):
                    started.add(tier.id)
        matched = sorted(spec_tiers | decl_tiers)
        if item.eccn is None and item.kind is None:
            return ItemClassification(
                tiers=(), classified=False, evidence=evidence, unplaceable="neither an ECCN nor a kind is given"
            )
        given = [f for f in SPEC_FIELDS if getattr(item, f) is not None]
        if item.kind is None and given:
            # the same value means the IC itself (ic, memory) or the production the item is for (sme ...)
            return ItemClassification(
                tiers=tuple(t for t in matched if t in decl_tiers),
                classified=False,
                evidence=evidence,
                unplaceable=f"specifications are given ({', '.join(given)}) but no kind: they describe the IC "
                "itself (kind ic or memory), a computer, or the production the item is for (sme, technology, "
                "software, other)",
            )
        if item.eccn and not declared and self._in_family(item.eccn):
            return ItemClassification(
                tiers=tuple(t for t in matched if t in spec_tiers),
                classified=False,
                evidence=evidence,
                unplaceable=f"declared ECCN {item.eccn} is not a paragraph of the tiers in force on {on.isoformat()}",
            )
        conflicts: list[str] = []
        if kind_tiers:
            conflicts.append(
                f"declared kind {item.kind} but the specifications put it in {', '.join(sorted(kind_tiers))} "
                f"(a tier of kind {', '.join(sorted({k for t in active if t.id in kind_tiers for k in t.kinds}))})"
            )
        if item.eccn is not None and item.kind is not None and given:
            d = {view.capability[t] for t in decl_tiers if t in view.capability}
            s = {view.capability[t] for t in spec_tiers if t in view.capability}
            if item.eccn == "EAR99" and spec_tiers & view.controlled:
                conflicts.append(f"declared EAR99 but the specifications put it in {', '.join(sorted(spec_tiers))}")
            elif d != s and (d or s):
                conflicts.append(
                    f"declared ECCN {item.eccn} gives {', '.join(sorted(d)) or 'no capability tier'}; "
                    f"the specifications give {', '.join(sorted(s)) or 'no capability tier'}"
                )
        conflict = "; ".join(conflicts) or None
        # A kind the tiers in force do not test (an IC before Oct 2022) is below every threshold.
        spec_decided = item.kind is not None
        # A tier left open is moot when the item already fell in a tier of the same ECCN (3A090.a covers
        # 3A090.b), by its specifications or its declared ECCN.
        still_open: set[str] = set()
        if undetermined:
            families = {_family(t.eccn) for t in active if t.id in spec_tiers | decl_tiers and t.eccn}
            still_open = {t.id for t in active if t.id in undetermined and _family(t.eccn) not in families}
        # A declared ECCN settles the item unless a value it gives starts the test of another ECCN's tier
        # that a missing value leaves open: a "3A991" with TPP 15800 and no datacenter flag is weighed
        # like an undeclared item, never taken as below 3A090 because the flag is missing.
        classified = not (still_open & started) if item.eccn is not None else spec_decided and not still_open
        if classified and view.controlled.isdisjoint(matched):
            matched.append(self.fallback.id)
        return ItemClassification(
            tiers=tuple(matched),
            classified=classified,
            missing=tuple(sorted(missing)) if not classified else (),
            conflict=conflict,
            evidence=evidence,
        )


#: Most dates a TierSet keeps the tiers in force for.
_VIEWS_MAX = 1024


class _TierView:
    """The tiers in force on one date, with the sets ``TierSet.classify`` compares against."""

    __slots__ = ("_declared", "active", "capability", "controlled")

    def __init__(self, active: list[TierDef]) -> None:
        self.active = active
        self._declared: dict[str | None, frozenset[str]] = {}
        #: tier id -> the ECCN paragraph of the tiers that both specifications and a declared ECCN decide
        self.capability = {t.id: t.eccn for t in active if t.criteria and t.eccn and t.controls}
        #: tiers that stand for a control (the fallback applies only when the item is in none of them)
        self.controlled = frozenset(t.id for t in active if t.controls and (t.criteria or t.eccn))

    def declared(self, eccn: str | None) -> frozenset[str]:
        """Ids of the tiers in force that a declared ECCN puts an item in (remembered per ECCN; the
        tiers in force on one date have distinct ids)."""
        found = self._declared.get(eccn)
        if found is None:
            found = frozenset(t.id for t in self.active if t.declared(eccn))
            if len(self._declared) >= _VIEWS_MAX:
                self._declared.clear()
            self._declared[eccn] = found
        return found


def _family(eccn: str | None) -> str | None:
    return eccn[:5] if eccn else None


def _reads(tier: TierDef) -> set[str]:
    """The item fields a tier's test reads."""
    return {f for alternative in tier.criteria for f in alternative} | set(tier.requires_any)


def _evaluate(tier: TierDef, item: Item) -> tuple[str, list[JsonValue], set[str]]:
    """'yes' (with the comparisons of the alternative that held), 'no' or 'unknown' (with missing fields)."""
    if tier.requires_any and all(getattr(item, f) is None for f in tier.requires_any):
        return "unknown", [], set(tier.requires_any)
    unknown = False
    absent: set[str] = set()
    for alternative in tier.criteria:
        state = "yes"
        detail: list[JsonValue] = []
        alt_absent: set[str] = set()
        for fname, comp in alternative.items():
            value = getattr(item, fname)
            if value is None:
                if comp.when_missing == "holds":
                    detail.append({"field": fname, "value": None, "test": "not given: holds"})
                    continue
                if comp.when_missing == "fail":
                    state = "no"
                    break
                state = "unknown"
                alt_absent.add(fname)
                continue
            if not comp.holds(value):
                state = "no"
                break
            detail.append({"field": fname, "value": value, "test": comp.describe()})
        if state == "yes":
            return "yes", detail, set()
        if state == "unknown":
            unknown = True
            absent |= alt_absent
    return ("unknown", [], absent) if unknown else ("no", [], set())


@cache
def _load_cached(path: Path) -> TierSet:
    data = load_dated_model(path, TierFile, error=PackError)
    return TierSet(data.tiers, data.fallback, path=str(path), families=data.families)


def load_tiers(path: str | Path | None = None) -> TierSet:
    """Load a tier file (the bundled ``lists/tiers.yaml`` by default)."""
    return _load_cached(Path(path) if path else bundled_dir() / "tiers.yaml")
