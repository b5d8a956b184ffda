"""Registry entries and sources: the normalised form every list format loads into."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from exportscreen._construct import fill, shared_fields_set
from exportscreen.geo import CountryCode

__all__ = ["AHEAD_DAYS", "Entry", "EntryType", "Registry", "Source", "credible_as_of"]

EntryType = Literal["entity", "individual", "vessel", "aircraft"]


class Entry(BaseModel):
    """One listed party as published, plus curated extra names.

    ``id`` is the source-native identifier; ``(source, id)`` is unique in a registry.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)

    id: str = Field(min_length=1)
    source: str = Field(default="", description="Source id; set by the loader")
    list: str = Field(default="", description="List code (EL, MEU, SDN, ...); set by the loader")
    name: str = Field(min_length=1)
    type: EntryType | None = None
    aliases: tuple[str, ...] = ()
    weak_aliases: tuple[str, ...] = ()
    other_names: tuple[str, ...] = Field(
        default=(), description="Curated names not printed on the list (Chinese characters, pinyin)"
    )
    addresses: tuple[str, ...] = ()
    country: CountryCode | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    federal_register: tuple[str, ...] = ()
    rule_citations: tuple[str, ...] = ()
    license_requirement: str | None = None
    license_footnotes: tuple[int, ...] = ()
    license_policy: str | None = None
    programs: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    remarks: str | None = None
    source_url: str | None = None
    tags: tuple[str, ...] = ()
    confidence: Literal["V", "S", "U"] | None = None

    @field_validator("aliases", "weak_aliases", "other_names", "addresses")
    @classmethod
    def _no_blank(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(v for v in (x.strip() for x in values) if v)

    @field_validator("name")
    @classmethod
    def _name_has_text(cls, value: str) -> str:
        if not any(ch.isalnum() for ch in value):
            raise ValueError("a name needs at least one letter or digit (an entry that can never match)")
        return value

    @model_validator(mode="after")
    def _dates_in_order(self) -> Entry:
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            raise ValueError(
                f"end_date {self.end_date} is not after start_date {self.start_date}: the entry would never be active"
            )
        return self

    @classmethod
    def trusted(cls, values: Mapping[str, Any]) -> Entry:
        """An Entry from values a loader has already checked (no validation), stored compactly.

        Loaders of official lists build tens of thousands of entries: ``model_construct`` gives each
        its own dict and field set (about 3 KB per entry); here every entry shares one key table and
        one field set (about 0.3 KB). Missing fields take their defaults.
        """
        entry = cls.__new__(cls)
        fill(entry, values)
        return entry

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (the registry cache) as its field values in declaration order: a quarter smaller and
        a third faster to load than the instance dict, and unpickled into the compact layout of
        ``trusted``. The field-name set is the one shared by every entry with those fields set, so the
        pickle holds it once and the entries it restores share it again (one set per entry cost a third
        of the load). Cached properties (``content_hash``) are left out and computed again when asked."""
        values = self.__dict__
        fields_set = shared_fields_set(frozenset(self.__pydantic_fields_set__))
        return (_restore, (tuple(values[name] for name in _FIELD_NAMES), fields_set))

    def active(self, on: dt.date) -> bool:
        """Listed on ``on``: on or after its start date and before its end (removal) date."""
        return (self.start_date is None or self.start_date <= on) and (self.end_date is None or on < self.end_date)

    @cached_property
    def content_hash(self) -> str:
        """sha256 of the canonical JSON of the entry (changes whenever any field changes)."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.id)


_FIELD_NAMES = tuple(Entry.model_fields)


def _restore(values: tuple[Any, ...], fields_set: set[str]) -> Entry:
    """An Entry from ``Entry.__reduce__``'s values, its fields set in declaration order (one shared key
    table), with the field-name set the pickle restored once for all the entries that share it."""
    entry = Entry.__new__(Entry)
    # One dict update (not a setattr per field) keeps the shared key table and is ~40 % faster.
    entry.__dict__.update(zip(_FIELD_NAMES, values, strict=True))
    setattr_ = object.__setattr__
    setattr_(entry, "__pydantic_fields_set__", fields_set)
    setattr_(entry, "__pydantic_extra__", None)
    setattr_(entry, "__pydantic_private__", None)
    return entry


#: Built first, so that the first Entry whose fields are set one by one fixes the order of the class's
#: shared key table (entries validated from YAML before any ``trusted`` one would otherwise leave it
#: unusable, and every later entry would get a dict of its own).
_PROTOTYPE = Entry.trusted({"id": "prototype", "name": "prototype"})


class Source(BaseModel):
    """Where a set of entries came from."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    list: str = Field(min_length=1, description="Default list code of its entries")
    as_of: dt.date | None = None
    as_of_basis: Literal["file", "newest_listing", "declared", "unknown"] = "declared"
    url: str | None = None
    authority: str | None = None
    derived_from: str | None = None
    publication: str | None = Field(default=None, description="The official publication the entries were read from")
    extracted: dt.date | None = Field(default=None, description="When that publication was read (downloaded)")
    input_sha256: str | None = Field(default=None, description="sha256 of the official file the entries came from")
    notes: tuple[str, ...] = Field(default=(), description="What loading did to the data (merged repeats, overlays)")
    missing_parts: tuple[str, ...] = Field(
        default=(),
        description="Parts of the publication that were not there to load, and what their absence loses "
        "(an OFAC set without alt.csv: its aliases); each decision is then a review (incomplete-list)",
    )
    path: str | None = None
    format: str = "exportscreen-yaml"


#: A source may be dated this many days after today (a list published where the day has begun already);
#: one dated later carries no publication date (2062 typed for 2026) and counts as undated.
AHEAD_DAYS = 1


def credible_as_of(as_of: dt.date | None, today: dt.date | None = None) -> dt.date | None:
    """``as_of``, or None when it is more than ``AHEAD_DAYS`` after ``today`` (default: the clock's)."""
    if as_of is None or as_of <= (today or dt.date.today()) + dt.timedelta(days=AHEAD_DAYS):
        return as_of
    return None


class Registry:
    """An immutable set of entries from one or more sources, with a content version."""

    def __init__(self, sources: Sequence[Source], entries: Iterable[Entry]) -> None:
        self.sources: tuple[Source, ...] = tuple(sources)
        self.entries: tuple[Entry, ...] = tuple(entries)
        seen: set[tuple[str, str]] = set()
        for e in self.entries:
            if e.key in seen:
                from exportscreen._errors import ListError

                raise ListError(f"duplicate entry id {e.id!r} in source {e.source!r}")
            seen.add(e.key)

    def __len__(self) -> int:
        return len(self.entries)

    @cached_property
    def source_versions(self) -> dict[str, str]:
        """Per source id: sha256 over its entries' content hashes in (id) order."""
        per: dict[str, list[str]] = {s.id: [] for s in self.sources}
        for e in sorted(self.entries, key=lambda x: x.key):
            per.setdefault(e.source, []).append(e.content_hash)
        return {sid: hashlib.sha256("\n".join(hs).encode()).hexdigest() for sid, hs in per.items()}

    @cached_property
    def version(self) -> str:
        """Content hash of the normalised entries of every source (order-independent)."""
        blob = "\n".join(f"{sid}:{h}" for sid, h in sorted(self.source_versions.items()))
        return hashlib.sha256(blob.encode()).hexdigest()

    @cached_property
    def as_of(self) -> dt.date | None:
        """The oldest source date: the registry is only as fresh as its stalest source."""
        dates = [s.as_of for s in self.sources if s.as_of is not None]
        return min(dates) if dates else None

    @cached_property
    def lists(self) -> frozenset[str]:
        return frozenset(e.list for e in self.entries)

    @cached_property
    def _source_dates(self) -> dict[str, dt.date | None]:
        return {s.id: s.as_of for s in self.sources}

    def _published(self, entry: Entry) -> dt.date | None:
        """The publication date of the entry's source; one after today (``credible_as_of``, judged on
        the day asked, never cached: a registry lives in a cache and in long processes) is none."""
        return credible_as_of(self._source_dates.get(entry.source))

    def lapse_unconfirmed(self, entry: Entry, on: dt.date) -> bool:
        """The entry's end date has passed on ``on``, but its source is dated before that end date (or
        undated): the list loaded cannot say whether the listing was renewed (a temporary denial order
        is renewed every 180 days or one year), so the entry is neither in force nor out of it."""
        end = entry.end_date
        if end is None or on < end or (entry.start_date is not None and on < entry.start_date):
            return False
        published = self._published(entry)
        return published is None or published < end

    def start_pending(self, entry: Entry, on: dt.date) -> bool:
        """The entry starts after ``on`` and after its list was published (or its list is undated): the
        list announces a listing to come (a rule effective after the download) or its start date is
        mistyped (2062 for 2026), so the entry is neither out of force on ``on`` nor in it. A list dated
        on or after the start is a replay of a date before the listing: not listed yet."""
        start = entry.start_date
        if start is None or on >= start:
            return False
        published = self._published(entry)
        return published is None or published < start

    def unconfirmed(self, entry: Entry, on: dt.date) -> bool:
        """Out of force on ``on`` only by a date its list cannot confirm: ``lapse_unconfirmed`` or
        ``start_pending``. A match of such an entry is review."""
        return self.lapse_unconfirmed(entry, on) or self.start_pending(entry, on)

    def counts_on(self, entry: Entry, on: dt.date) -> bool:
        """In force on ``on``, or out of force by a date its list cannot confirm (``unconfirmed``): an
        entry the screening of that date must look at."""
        return entry.active(on) or self.unconfirmed(entry, on)

    def counts(self) -> dict[str, dict[str, int]]:
        """Entries per source id and list code."""
        out: dict[str, dict[str, int]] = {}
        for e in self.entries:
            per = out.setdefault(e.source, {})
            per[e.list] = per.get(e.list, 0) + 1
        return out

    def __add__(self, other: Registry) -> Registry:
        combined = Registry((*self.sources, *other.sources), (*self.entries, *other.entries))
        # Per-source versions already known on both sides carry over when no source id is on both
        # (each source's hash depends only on its own entries): no re-hashing of every entry.
        mine, theirs = self.__dict__.get("source_versions"), other.__dict__.get("source_versions")
        if mine is not None and theirs is not None and not mine.keys() & theirs.keys():
            combined.__dict__["source_versions"] = {**mine, **theirs}
        return combined
