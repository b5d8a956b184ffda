"""Name and address matching behind one interface (``Matcher``); ``build_matcher`` picks the engine.

The engine (``engine.NameMatcher``) scores names 0-100 (see ``MatchSettings`` for what the
thresholds mean) and explains every score. Below it, one concern per module, each importing only
those below it:

* ``query`` (a prepared name), ``prune`` (the candidates and the score bound), ``scoring`` and
  ``features`` (the score), ``explain`` (what matched, in JSON and text), ``address`` (addresses);
* ``cache`` (the compiled index on disk) over ``index`` (names, weights, postings) over ``vocab``
  (listed words and the rule finders) over ``similarity`` (the table of word-similarity rules);
* ``names`` (the forms of a listed name), ``normalize`` and ``confusables`` (folding text),
  ``words`` (the word lists) and ``tuning`` (every constant, from ``lists/matching.yaml``).

``batch.match_many`` streams many names, optionally over a process pool; ``evaluation`` and
``slices`` measure quality against baselines.
"""

from __future__ import annotations

from exportscreen.matching.base import Candidate, Matcher, MatchSettings
from exportscreen.matching.batch import match_many
from exportscreen.matching.engine import NameMatcher, PartyKind
from exportscreen.registry.model import Registry

__all__ = ["Candidate", "MatchSettings", "Matcher", "NameMatcher", "PartyKind", "build_matcher", "match_many"]


def build_matcher(
    registry: Registry,
    *,
    settings: MatchSettings | None = None,
    exhaustive: bool = False,
    use_cache: bool = True,
) -> NameMatcher:
    """The matcher for ``registry``.

    The index serves queries down to ``settings.review`` (lower ``min_score`` values fall back to
    exhaustive search); ``exhaustive=True`` always scores every listed name; ``use_cache=False``
    neither reads nor writes the compiled-index cache in the user cache directory.
    """
    floor = (settings or MatchSettings()).review
    return NameMatcher(registry, floor=floor, exhaustive=exhaustive, use_cache=use_cache)
