"""The evidence a rule condition holds with: what it found, merged up through ``all``/``any`` nodes and
turned into a Reason's evidence and message by ``rules.reasons``."""

from __future__ import annotations

from dataclasses import dataclass, field

from exportscreen.licensing import conditions as lic
from exportscreen.licensing.determine import Place as CountedPlace
from exportscreen.rules import licensed
from exportscreen.rules.facts import HeadquartersFact, ItemFact, MatchFact, OwnerFact

__all__ = ["EMPTY", "Evidence"]


@dataclass
class Evidence:
    """What a condition that holds found (each list without repeats once merged)."""

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

    def merge(self, other: Evidence) -> None:
        if other is EMPTY:
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
EMPTY = Evidence()
