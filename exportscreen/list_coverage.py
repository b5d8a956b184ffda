"""Whether the loaded lists cover what a screening needs: list codes a caller or a pack requires, and
how old each source is on the screening date, and sources loaded without a part of their publication.
Each gap is an error or a reason, never silence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from pydantic import JsonValue

from exportscreen._construct import construct
from exportscreen._errors import ConfigError, ListError
from exportscreen.models import Category, Reason
from exportscreen.registry import Registry
from exportscreen.registry.model import Source, credible_as_of
from exportscreen.rules import RulePack

__all__ = ["check_required_lists", "entries_per_list", "freshness", "incomplete_sources", "required_missing"]


def entries_per_list(registry: Registry) -> dict[str, int]:
    """How many entries the registry holds per list code."""
    out: dict[str, int] = {}
    for per in registry.counts().values():
        for code, n in per.items():
            out[code] = out.get(code, 0) + n
    return out


def check_required_lists(registry: Registry, required: Iterable[str]) -> None:
    """``ConfigError`` naming the required list codes the registry holds no entry of."""
    from exportscreen.registry.codes import known_list_codes

    codes = [c.strip() for c in required if c.strip()]
    unknown = sorted({c for c in codes if c not in known_list_codes() and not c.startswith("X-")})
    if unknown:
        raise ConfigError(
            f"required list code(s) {', '.join(unknown)} unknown; known: {', '.join(sorted(known_list_codes()))}, "
            "or X-... for a list of your own"
        )
    missing = sorted(set(codes) - registry.lists)
    if missing:
        loaded = ", ".join(f"{code} ({n})" for code, n in sorted(entries_per_list(registry).items())) or "none"
        raise ConfigError(
            f"required list(s) {', '.join(missing)} not loaded; the lists loaded are: {loaded}. "
            "Add the list files (--lists) or drop them from --require-lists"
        )


def required_missing(registry: Registry, active: Sequence[RulePack]) -> Reason | None:
    """The ``required-list-missing`` review when a pack in force requires a list no loaded source
    provides (``--no-bundled`` with a custom list, say): its parties were never checked against it."""
    missing = {p.id: sorted(set(p.requires_lists) - registry.lists) for p in active}
    missing = {pack: codes for pack, codes in missing.items() if codes}
    if not missing:
        return None
    listing = "; ".join(f"{', '.join(codes)} (required by {pack})" for pack, codes in sorted(missing.items()))
    loaded = ", ".join(sorted(registry.lists)) or "none"
    return construct(
        Reason,
        rule_id="required-list-missing",
        category=Category.REVIEW,
        message=f"Not screened against {listing}: no loaded list source provides it (loaded: {loaded}). "
        "Load the list (drop --no-bundled, or add it with --lists) before relying on this decision.",
        citations=[],
        evidence={
            "missing": {pack: list(codes) for pack, codes in sorted(missing.items())},
            "loaded": sorted(registry.lists),
        },
    )


def freshness(
    sources: Iterable[Source],
    on: dt.date,
    *,
    max_list_age: int | None,
    stale_after: int,
    today: dt.date | None = None,
) -> Reason | None:
    """``ListError`` (with ``max_list_age``) or a ``stale-lists`` warning reason when a source is
    older than the limit on ``on``, undated, or dated after ``today`` (default: the clock's); None when
    every source is fresh."""
    aged: list[dict[str, JsonValue]] = []
    limit = max_list_age if max_list_age is not None else stale_after
    for src in sorted(sources, key=lambda s: s.id):
        ahead = src.as_of is not None and credible_as_of(src.as_of, today) is None
        age = (on - src.as_of).days if src.as_of and not ahead else None
        if age is None or age > limit:
            aged.append(
                {
                    "source": src.id,
                    "as_of": src.as_of.isoformat() if src.as_of else None,
                    "age_days": age,
                    **({"dated_after_today": True} if ahead else {}),
                }
            )
    if not aged:
        return None

    def _age(a: dict[str, JsonValue]) -> str:
        if a.get("dated_after_today"):
            return f"dated {a['as_of']}, after today: a mistyped date"
        return "undated" if a["age_days"] is None else f"{a['age_days']} days"

    listing = ", ".join(f"{a['source']} ({_age(a)})" for a in aged)
    if max_list_age is not None:
        raise ListError(
            f"list data older than {max_list_age} days on {on.isoformat()}: {listing}; "
            "update the lists or raise --max-list-age"
        )
    return construct(
        Reason,
        rule_id="stale-lists",
        category=Category.LESS_RISKY,
        message=f"Warning: list data older than {stale_after} days on {on.isoformat()}: {listing}. "
        "Entries added since are not screened.",
        citations=[],
        evidence={"stale_sources": list(aged), "stale_after_days": stale_after},
    )


def incomplete_sources(sources: Iterable[Source]) -> Reason | None:
    """The ``incomplete-list`` review when a source was loaded without a part of its publication (an
    OFAC set without alt.csv and add.csv): a party named by a missing alias or at a missing address
    is not found, so no decision against it can be less risky."""
    partial = [(src, part) for src in sorted(sources, key=lambda s: s.id) for part in src.missing_parts]
    if not partial:
        return None
    listing = "; ".join(f"{src.list} ({src.id}): {part}" for src, part in partial)
    return construct(
        Reason,
        rule_id="incomplete-list",
        category=Category.REVIEW,
        message=f"A list was loaded without part of its publication: {listing}. Parties named only there "
        "are not screened; put the missing files beside the list before relying on this decision.",
        citations=[],
        evidence={"incomplete": [{"source": src.id, "list": src.list, "missing": part} for src, part in partial]},
    )
