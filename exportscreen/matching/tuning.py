"""The tunables of matching (``lists/matching.yaml``), validated, with the bounds derived from them.

Every constant of similarity, scoring, features and address matching is read from that one
commented file; code holds only mechanisms. ``tuning()`` loads it once. The bounds the index needs
(``Tuning.max_bonus``, ``Tuning.top_band``) are derived here, never kept by hand.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from exportscreen._data import bundled_dir
from exportscreen._errors import ConfigError
from exportscreen._io import load_model, read_text
from exportscreen.geo import CountryCode

__all__ = ["KINDS", "Tuning", "tuning"]

#: Kinds of listed name, in the order of ``CompiledNames.name_field`` codes.
KINDS = ("name", "alias", "weak_alias", "acronym")

_Share = Field(gt=0.0, le=1.0)
_Points = Field(ge=-100.0, le=100.0)
_Score = Field(gt=0.0, le=100.0)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Weights(_Strict):
    weak: float = Field(gt=0.0)
    qualifier_factor: float = _Share
    place_min_addresses: int = Field(ge=1)
    country_word_max_names: int = Field(ge=1)
    stub: float = Field(gt=0.0)


class Similarity(_Strict):
    exact: float = Field(ge=1.0, le=1.0)
    spelling_variant: float = _Share
    abbreviation: float = _Share
    nickname: float = _Share
    loanword: float = _Share
    prefix: float = _Share
    prefix_min_len: int = Field(ge=2)
    dotted_prefix_min_len: int = Field(ge=2)
    typo_max: float = _Share
    typo_min_len: int = Field(ge=3)
    two_edits_min_len: int = Field(ge=5)
    two_edits_max: float = _Share
    transliteration: float = _Share
    transliteration_min_len: int = Field(ge=3)
    ocr: float = _Share
    ocr_min_len: int = Field(ge=2)
    ordinal: float = _Share
    vowels_dropped: float = _Share
    vowels_dropped_min_len: int = Field(ge=2)
    stub: float = _Share
    initial: float = _Share
    merge: float = _Share


class _ByKind(_Strict):
    name: float = _Score
    alias: float = _Score
    weak_alias: float = _Score
    acronym: float = _Score

    def by_code(self) -> tuple[float, float, float, float]:
        return (self.name, self.alias, self.weak_alias, self.acronym)


class Score(_Strict):
    cover_exponent: float = Field(gt=0.0, le=4.0)
    query_exponent: float = Field(gt=0.0, le=4.0)
    band: _ByKind
    exact: _ByKind
    acronym: float = _Score
    compact_similarity: float = _Share
    other_name_similarity: float = _Share
    truncated: float = _Score
    truncated_full: float = _Score
    truncation_min_chars: int = Field(ge=1)
    extended: float = _Score
    extended_full: float = _Score
    extension_min_chars: int = Field(ge=1)
    extension_skipped_words: int = Field(ge=0, le=3)
    contained_min_chars: int = Field(ge=2)
    contained_min_weight: float = Field(ge=0.0)
    contained_min_similarity: float = _Share
    contained_max_own_words: int = Field(ge=1, le=3)
    unexplained_cap: float = _Score


class Features(_Strict):
    country_match: float = _Points
    country_conflict: float = _Points
    #: party country -> the country it counts as against an entry's (not points: excluded from max_bonus)
    same_country_as: dict[CountryCode, CountryCode] = Field(default_factory=dict, exclude=True)
    type_conflict: float = _Points
    family_name_differs: float = _Points
    name_word_replaced: float = _Points
    lone_word: float = _Points
    place_dropped: float = _Points
    rarest_missing: float = _Points
    rarest_missing_ratio: float = Field(gt=0.0, le=1.0, exclude=True)


class Addresses(_Strict):
    hit: float = _Score
    street: float = _Score
    shared_words_cap: float = _Score
    words_only: float = _Score
    words_only_min_words: int = Field(ge=2)
    words_only_listed_share: float = _Share
    words_only_verbatim_min_tokens: int = Field(ge=2)
    site_markers: list[str] = Field(min_length=1)
    postcode_min_digits: int = Field(ge=2)
    box_markers: list[str] = Field(min_length=1)
    max_street_words: int = Field(ge=1)
    joined_piece_min_chars: int = Field(ge=2)


class Tuning(_Strict):
    format: Literal["exportscreen-matching/1"]
    weights: Weights
    similarity: Similarity
    score: Score
    features: Features
    addresses: Addresses
    #: sha256 of the file's text (part of the compiled-index cache key)
    digest: str = ""

    @model_validator(mode="after")
    def _bands_below_exact(self) -> Tuning:
        for kind, band, exact in zip(KINDS, self.score.band.by_code(), self.score.exact.by_code(), strict=True):
            if band > exact:
                raise ValueError(f"score.band.{kind} ({band}) is above score.exact.{kind} ({exact})")
        return self

    def country_key(self, code: str) -> str:
        """The country ``code`` counts as when a party's and an entry's are compared."""
        return self.features.same_country_as.get(code, code)

    @property
    def max_bonus(self) -> float:
        """The most the features can add to a name score: every positive feature at once."""
        fields = type(self.features).model_fields  # read directly: a dump would build a serializer
        points: list[float] = [getattr(self.features, name) for name, info in fields.items() if not info.exclude]
        return sum(max(0.0, p) for p in points)

    @property
    def top_band(self) -> float:
        return max(self.score.band.by_code())


@cache
def tuning(path: Path | None = None) -> Tuning:
    """Load ``lists/matching.yaml`` (or ``path``) once; a malformed file is a ``ConfigError``."""
    target = path or bundled_dir() / "matching.yaml"
    loaded = load_model(target, Tuning, error=ConfigError)
    digest = hashlib.sha256(read_text(target, error=ConfigError).encode()).hexdigest()
    return loaded.model_copy(update={"digest": digest})
