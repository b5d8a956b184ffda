"""The one interface between screening and name matching.

A ``Matcher`` is built once per registry and answers name and address queries with ``Candidate``
rows: plain data pointing at ``registry.entries[entry_index]``. The screener turns candidates into
``PartyMatch`` objects, applies the as-of date and the hit/review thresholds of ``MatchSettings``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple, Protocol

from pydantic import JsonValue

__all__ = ["Candidate", "MatchSettings", "Matcher"]


class Candidate(NamedTuple):
    """One list entry that resembles the query.

    A named tuple: batch workers send thousands of these back to the parent process, and a tuple
    pickles and unpickles in C (about a quarter of the time of a frozen dataclass).
    """

    entry_index: int
    matched_name: str
    matched_field: str  # "name" | "alias" | "address"
    score: float  # 0-100, calibrated: see MatchSettings
    explanation: dict[str, JsonValue]


@dataclass(frozen=True, slots=True)
class MatchSettings:
    """Score thresholds (0-100).

    ``hit``: at or above, the party is taken to be the listed entry (a list hit): the same
    distinctive words as a listed name or alias, at most with other legal forms, small spelling
    variants or a branch word, every distinctive query word confirmed by the entry (the scorer caps
    other names below 88: ``lists/matching.yaml``, ``unexplained_cap``). Default 88: on the
    development set (``exportscreen eval``) no negative reaches it.
    ``review``: at or above (and below ``hit``), a potential match a person must clear: most of the
    listed name is present, or an acronym, a listed address, a dropped, cut-off or misspelt word.
    Default 70: every development positive is found at review (recall 1.000) while false alarms
    stay at 1.6 % (2 of 124).
    """

    hit: float = 88.0
    review: float = 70.0

    def __post_init__(self) -> None:
        if not 0 < self.review <= self.hit <= 100:
            raise ValueError(f"need 0 < review ({self.review}) <= hit ({self.hit}) <= 100")

    def strength(self, score: float) -> Literal["hit", "review"] | None:
        if score >= self.hit:
            return "hit"
        if score >= self.review:
            return "review"
        return None


class Matcher(Protocol):
    """Searches one registry's names and addresses."""

    def search(
        self, name: str, *, country: str | None = None, limit: int | None = 5, min_score: float = 0.0
    ) -> list[Candidate]:
        """Best candidates for a party name, best first; at most ``limit`` (all when None)."""
        ...

    def search_address(self, address: str, *, limit: int | None = 5, min_score: float = 0.0) -> list[Candidate]:
        """Entries whose listed address resembles ``address``, best first."""
        ...
