"""The field mapping of a custom list (``format: exportscreen-mapping/1``, described in
``registry.custom``): its strictly validated model, and where a data file's mapping is found."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from exportscreen._errors import ListError
from exportscreen._io import load_model

__all__ = [
    "FORMAT",
    "FieldSpec",
    "IdSpec",
    "Mapping",
    "SourceSpec",
    "TargetField",
    "is_mapping_file",
    "mapping_for",
    "read_mapping",
]

FORMAT = "exportscreen-mapping/1"
_MAPPING_SUFFIXES = (".mapping.yaml", ".mapping.yml")

TargetField = Literal[
    "name", "list", "type", "aliases", "weak_aliases", "other_names", "addresses", "country",
    "start_date", "end_date", "federal_register", "rule_citations", "license_requirement",
    "license_footnotes", "license_policy", "programs", "ids", "remarks", "source_url", "tags",
    "confidence",
]  # fmt: skip


class FieldSpec(BaseModel):
    """Where one Entry field's values come from, and how they are cleaned."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    field: str | None = Field(default=None, min_length=1)
    fields: list[str] | None = Field(default=None, min_length=1)
    value: str | None = None
    join: str = ", "
    split: str | list[str] | None = None
    pattern: str | None = None
    strip_prefix: list[str] = Field(default_factory=list)
    trim: str = ""
    map: dict[str, str | None] | None = None
    default: str | None = None
    date_format: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> FieldSpec:
        given = [k for k in ("field", "fields", "value") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of field, fields or value")
        return self

    @field_validator("split")
    @classmethod
    def _non_empty_split(cls, v: str | list[str] | None) -> str | list[str] | None:
        if v is not None and (v == "" or (isinstance(v, list) and (not v or "" in v))):
            raise ValueError("a split separator must not be empty")
        return v

    @field_validator("pattern")
    @classmethod
    def _valid_pattern(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as exc:
                raise ValueError(f"invalid regular expression: {exc}") from None
        return v

    def source_fields(self) -> list[str]:
        return [self.field] if self.field else list(self.fields or [])


class IdSpec(BaseModel):
    """The source-native id: a field, or a stable hash of several fields when the list has none."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    field: str | None = Field(default=None, min_length=1)
    hash: list[str] | None = Field(default=None, min_length=1)
    prefix: str = ""

    @model_validator(mode="after")
    def _one(self) -> IdSpec:
        if (self.field is None) == (self.hash is None):
            raise ValueError("give exactly one of field or hash")
        return self

    def source_fields(self) -> list[str]:
        return [self.field] if self.field else list(self.hash or [])


class SourceSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    list: str = Field(min_length=1)
    as_of: dt.date | None = None
    as_of_field: str | None = Field(default=None, min_length=1)
    url: str | None = None
    authority: str | None = None
    derived_from: str | None = None

    @model_validator(mode="after")
    def _one_date(self) -> SourceSpec:
        if self.as_of is not None and self.as_of_field is not None:
            raise ValueError("give as_of or as_of_field, not both")
        return self


class CsvOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    delimiter: str = Field(default=",", min_length=1, max_length=1)


class Mapping(BaseModel):
    """A custom list's field mapping (``format: exportscreen-mapping/1``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    format: Literal["exportscreen-mapping/1"]
    data: str | None = Field(default=None, min_length=1)
    data_format: Literal["csv", "json", "yaml"] | None = None
    records: str | None = Field(default=None, min_length=1)
    csv: CsvOptions = CsvOptions()
    source: SourceSpec
    id: IdSpec
    fields: dict[TargetField, FieldSpec]

    @field_validator("id", mode="before")
    @classmethod
    def _id_shorthand(cls, v: object) -> object:
        return {"field": v} if isinstance(v, str) else v

    @field_validator("fields", mode="before")
    @classmethod
    def _field_shorthand(cls, v: object) -> object:
        if isinstance(v, dict):
            return {k: ({"field": s} if isinstance(s, str) else s) for k, s in v.items()}
        return v

    @model_validator(mode="after")
    def _needs_name(self) -> Mapping:
        if "name" not in self.fields:
            raise ValueError("fields must map 'name'")
        return self


def is_mapping_file(path: Path) -> bool:
    """Whether ``path`` is named like a mapping file (``*.mapping.yaml``)."""
    return path.name.lower().endswith(_MAPPING_SUFFIXES)


def mapping_for(data: Path) -> Path | None:
    """The ``<name>.mapping.yaml`` beside a data file, if there is one."""
    name = data.name
    stems = [name]
    for suffix in (".gz", ".csv", ".tsv", ".txt", ".json", ".yaml", ".yml"):
        if stems[-1].lower().endswith(suffix):
            stems.append(stems[-1][: -len(suffix)])
    for stem in reversed(stems[1:]):
        for suffix in _MAPPING_SUFFIXES:
            candidate = data.with_name(stem + suffix)
            if candidate.is_file():
                return candidate
    return None


def read_mapping(path: Path) -> Mapping:
    """The mapping file at ``path``, validated strictly (``ListError`` naming what is wrong)."""
    return load_model(
        path,
        Mapping,
        error=ListError,
        not_mapping="a mapping file must be a YAML mapping with format, source, id and fields",
    )
