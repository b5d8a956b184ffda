"""Name and address matching behind one interface (``Matcher``); ``build_matcher`` picks the engine."""

from __future__ import annotations

from exportscreen.matching.base import Candidate, Matcher, MatchSettings
from exportscreen.matching.engine import NameMatcher
from exportscreen.registry.model import Registry

__all__ = ["Candidate", "MatchSettings", "Matcher", "build_matcher"]


def build_matcher(registry: Registry) -> Matcher:
    """The matcher for ``registry``."""
    return NameMatcher(registry)
