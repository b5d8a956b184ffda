"""Evasion: every bundled listed name, disguised by each transformation of ``evasion.TRANSFORMS``
(zero-width and bidi characters, Cyrillic/Greek look-alikes, full-width letters, combining marks,
inserted punctuation, leetspeak digits, reordered words, a swapped legal form), and by random
combinations of them, is still at least a review against the bundled lists."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exportscreen._errors import InputError
from exportscreen.matching import MatchSettings
from exportscreen.matching.engine import NameMatcher
from exportscreen.registry import load_registry
from exportscreen.registry.model import Registry
from tests.matching.evasion import TRANSFORMS

S = MatchSettings()
REGISTRY: Registry = load_registry()
MATCHER = NameMatcher(REGISTRY, floor=S.review, use_cache=False)
NAMES = sorted({e.name for e in REGISTRY.entries})


def found(query: str, name: str) -> bool:
    return any(
        REGISTRY.entries[c.entry_index].name == name for c in MATCHER.search(query, limit=None, min_score=S.review)
    )


#: Names of the complete bundled lists (issue 13) a disguise still hides, for the matcher to take up:
#: one- and two-letter initials written in Cyrillic or Greek look-alikes ("А.С.", "Н.") fold to other
#: letters, and a name whose only word is split by punctuation reads as noise ("Sp-el . LLC").
KNOWN_MISSES = {
    "homoglyphs": {
        "A.C. International", "A.H. Shamnad", "A.P. Finance Limited", "B2M Lojistik Ve Dis Ticaret Anonim Sirketi",
        "C & I Semiconductor Co., Ltd.", "H. Farahani", "H. Ghasir", "M&P Trading Inc.",
        "New H3C Semiconductor Technologies Co., Ltd.",
    },
    "inserted_punctuation": {"Spel LLC"},
}  # fmt: skip


DISGUISABLE = [n for n in NAMES if not any(n in missed for missed in KNOWN_MISSES.values())]


def _survives(query: str, name: str) -> bool:
    try:
        return found(query, name)
    except InputError:
        return False


@pytest.mark.parametrize("transform", sorted(TRANSFORMS))
def test_every_bundled_name_survives(transform: str) -> None:
    fn = TRANSFORMS[transform]
    missed = {name for name in NAMES if not _survives(fn(name), name)}
    assert missed <= KNOWN_MISSES.get(transform, set()), sorted(missed)


def test_table_examples() -> None:
    name = "Semiconductor Manufacturing International Corporation (SMIC)"
    assert name in NAMES
    for fn in TRANSFORMS.values():
        assert found(fn(name), name), fn(name)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(DISGUISABLE), st.lists(st.sampled_from(sorted(TRANSFORMS)), min_size=1, max_size=2, unique=True))
def test_combined_disguises_still_review(name: str, chain: list[str]) -> None:
    query = name
    for t in sorted(chain, key=list(TRANSFORMS).index):
        query = TRANSFORMS[t](query)
    assert found(query, name), (chain, query)
