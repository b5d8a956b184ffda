"""The outcome of a screening (``Category``), ordered by severity."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Category"]


class Category(StrEnum):
    """Outcome of a screening, ordered by severity: ``LESS_RISKY < REVIEW < SENSITIVE``."""

    SENSITIVE = "sensitive"
    REVIEW = "review"
    LESS_RISKY = "less_risky"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]

    def __lt__(self, other: object) -> bool:
        if isinstance(other, Category):
            return self.severity < other.severity
        return NotImplemented

    def __le__(self, other: object) -> bool:
        if isinstance(other, Category):
            return self.severity <= other.severity
        return NotImplemented

    def __gt__(self, other: object) -> bool:
        if isinstance(other, Category):
            return self.severity > other.severity
        return NotImplemented

    def __ge__(self, other: object) -> bool:
        if isinstance(other, Category):
            return self.severity >= other.severity
        return NotImplemented

    __hash__ = StrEnum.__hash__


_SEVERITY = {Category.LESS_RISKY: 0, Category.REVIEW: 1, Category.SENSITIVE: 2}
