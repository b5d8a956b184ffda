"""Part 746 as data (``lists/ear/part746.yaml``): embargoes, sanctioned regions and the Russia/Belarus
controls, each dated, and what each means for one item."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import cache, cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from exportscreen._data import bundled_dir
from exportscreen._errors import PackError
from exportscreen._io import load_model

__all__ = ["Embargo", "Part746", "Region", "load_part746"]

_FROZEN = ConfigDict(extra="forbid", frozen=True, defer_build=True)
ItemScope = Literal["all", "all_but_food_medicine", "ccl", "ccl_categories", "hts", "ear99_review"]
#: What an embargo entry says about one item: a licence is required, may be required (a person must
#: check), or this entry does not reach the item.
Outcome = Literal["required", "possible", "none"]


class Region(BaseModel):
    model_config = _FROZEN
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str
    country: str = Field(pattern=r"^[A-Z]{2}$")
    codes: list[str] = Field(default_factory=list)
    words: list[str] = Field(min_length=1)

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """The region's names as whole words, any case (after NFKC folding)."""
        names = sorted({fold(w) for w in self.words}, key=len, reverse=True)
        return re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in names) + r")(?!\w)")

    @cached_property
    def _spelled(self) -> dict[str, str]:
        return {fold(w): w for w in self.words}

    def found_in(self, text: str) -> list[str]:
        """The names of this region found in ``text`` (an address or a destination region)."""
        folded = fold(text)
        hits = [self._spelled.get(m.group(1), m.group(1)) for m in self.pattern.finditer(folded)]
        hits += [c for c in self.codes if c.casefold() == folded.strip()]
        return list(dict.fromkeys(hits))


#: The kana voicing marks, kept (が is not か); every other combining mark and format character is dropped.
_KANA_VOICING = frozenset("\u3099\u309a")
_DROPPED = frozenset({"Mn", "Me", "Cf"})


def fold(text: str) -> str:
    """NFKC, case-folded, without combining marks or format characters, on the region's names and on the
    text alike: "Séwastopol", "Seva<U+200B>stopol" (a zero-width space) and "Sevastopol" are one name."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in decomposed if ch in _KANA_VOICING or unicodedata.category(ch) not in _DROPPED)
    return unicodedata.normalize("NFKC", kept).casefold()


class Embargo(BaseModel):
    model_config = _FROZEN
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str
    section: str
    countries: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    items: ItemScope
    categories: list[int] = Field(default_factory=list)
    hts: list[str] = Field(default_factory=list)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    policy: str
    exceptions: list[str] = Field(default_factory=list)
    citations: list[str] = Field(min_length=1)
    confidence: Literal["V", "S", "U"]

    @model_validator(mode="after")
    def _shape(self) -> Embargo:
        if bool(self.countries) == bool(self.regions):
            raise ValueError(f"embargo {self.id!r}: give countries or regions")
        if (self.items == "hts") != bool(self.hts):
            raise ValueError(f"embargo {self.id!r}: hts codes go with items: hts, and only there")
        if (self.items == "ccl_categories") != bool(self.categories):
            raise ValueError(f"embargo {self.id!r}: categories go with items: ccl_categories, and only there")
        if any(not h.isdigit() for h in self.hts):
            raise ValueError(f"embargo {self.id!r}: HTS codes are digits only")
        if self.valid_from and self.valid_to and self.valid_from >= self.valid_to:
            raise ValueError(f"embargo {self.id!r}: valid_from must be before valid_to")
        return self

    def active(self, on: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on < self.valid_to)

    def outcome(self, eccn: str | None, hts: str | None) -> tuple[Outcome, str]:
        """What this entry says about an item with ECCN ``eccn`` (None: not given) and HTS ``hts``."""
        ear99 = eccn == "EAR99"
        if self.items == "all":
            return "required", "every item subject to the EAR"
        if self.items == "all_but_food_medicine":
            if ear99:
                return "required", "every item subject to the EAR except food and medicine designated EAR99: confirm"
            return "required", "every item subject to the EAR other than EAR99 food and medicine"
        if self.items == "ccl":
            if eccn is None:
                return "possible", "every item on the CCL needs a licence: classify the item"
            return ("none", "") if ear99 else ("required", "every item on the Commerce Control List")
        if self.items == "ccl_categories":
            if eccn is None:
                return "possible", f"CCL Categories {_cats(self.categories)} need a licence: classify the item"
            if not ear99 and int(eccn[0]) in self.categories:
                return "required", f"every item of CCL Categories {_cats(self.categories)}"
            return "none", ""
        if not ear99 and eccn is not None:
            return "none", ""
        if self.items == "hts":
            hit = next((h for h in self.hts if hts and hts.startswith(h)), None)
            return ("required", f"HTS {hts} is listed (code {hit})") if hit else ("none", "")
        if hts is None:
            return "possible", "EAR99 items listed by HTS code need a licence: give the item's HTS code"
        return "possible", f"HTS {hts} is not among the bundled codes of the supplements (a subset): check them"


def _cats(categories: list[int]) -> str:
    return f"{min(categories)} to {max(categories)}" if len(categories) > 2 else " and ".join(map(str, categories))


class Part746(BaseModel):
    model_config = _FROZEN
    format: Literal["exportscreen-part746/1"]
    as_of: dt.date
    regions: list[Region]
    embargoes: list[Embargo] = Field(min_length=1)

    @model_validator(mode="after")
    def _regions_known(self) -> Part746:
        known = {r.id for r in self.regions}
        for e in self.embargoes:
            unknown = set(e.regions) - known
            if unknown:
                raise ValueError(f"embargo {e.id!r} names unknown regions {sorted(unknown)}")
        return self

    def for_country(self, country: str, on: dt.date) -> list[Embargo]:
        return [e for e in self.embargoes if country in e.countries and e.active(on)]

    def for_region(self, region: str, on: dt.date) -> list[Embargo]:
        return [e for e in self.embargoes if region in e.regions and e.active(on)]

    def region(self, region_id: str) -> Region:
        return next(r for r in self.regions if r.id == region_id)


@cache
def _load(path: Path) -> Part746:
    return load_model(path, Part746, error=PackError)


def load_part746(path: str | Path | None = None) -> Part746:
    """The Part 746 data (the bundled ``lists/ear/part746.yaml`` by default)."""
    return _load(Path(path) if path else bundled_dir() / "ear" / "part746.yaml")
