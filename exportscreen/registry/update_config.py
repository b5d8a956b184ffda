"""The configuration of ``lists update`` (``registry.update``): the sources to download, each
validated strictly (name, URL, destination, list format), the file it is read from, and the
default, the trade.gov Consolidated Screening List."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from exportscreen._errors import ConfigError
from exportscreen._io import load_model
from exportscreen.registry import FORMATS
from exportscreen.registry.update_download import url_problem

__all__ = ["CSL_URL", "SourceConfig", "UpdateConfig", "default_config", "load_update_config"]

#: The trade.gov Consolidated Screening List bulk CSV, the documented download.
CSL_URL = "https://api.trade.gov/static/consolidated_screening_list/consolidated.csv"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class SourceConfig(BaseModel):
    """One list file to keep up to date."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    name: str = Field(description="Short name used in messages")
    url: str = Field(description="https URL of the file (http only for loopback addresses)")
    dest: Path = Field(description="Destination file; a relative path is under the data directory")
    format: str = Field(description="Expected list format, one of exportscreen.registry.FORMATS")
    max_shrink: float | None = Field(default=None, ge=0.0, le=1.0, description="Largest share of entries lost")

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError("use letters, digits, '.', '_' and '-' only, starting with a letter or digit")
        return value

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        problem = url_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("dest")
    @classmethod
    def _check_dest(cls, value: Path) -> Path:
        if not value.name or value.name in {".", ".."}:
            raise ValueError("expected a file path")
        return value.expanduser()

    @field_validator("format")
    @classmethod
    def _check_format(cls, value: str) -> str:
        if value not in FORMATS:
            raise ValueError(f"unknown list format {value!r}; known formats: {', '.join(FORMATS)}")
        return value


class UpdateConfig(BaseModel):
    """The sources ``lists update`` downloads."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    sources: tuple[SourceConfig, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> UpdateConfig:
        names = Counter(s.name for s in self.sources)
        dupes = sorted(n for n, c in names.items() if c > 1)
        if dupes:
            raise ValueError(f"source names must be unique: {', '.join(dupes)}")
        dests = Counter(str(s.dest) for s in self.sources)
        dupes = sorted(d for d, c in dests.items() if c > 1)
        if dupes:
            raise ValueError(f"two sources write to the same file: {', '.join(dupes)}")
        return self


def default_config() -> UpdateConfig:
    """The trade.gov CSL CSV into ``csl/consolidated.csv`` under the data directory."""
    return UpdateConfig(
        sources=(SourceConfig(name="csl", url=CSL_URL, dest=Path("csl/consolidated.csv"), format="csl"),)
    )


def load_update_config(path: str | Path) -> UpdateConfig:
    """Read and validate an update configuration file (YAML or JSON); raises ``ConfigError``."""
    return load_model(Path(path), UpdateConfig, error=ConfigError)
