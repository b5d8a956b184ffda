"""Named regulatory dates: a date that several facts share is written once and referred to by name.

``lists/dates.yaml`` holds the dates that tiers, country groups and rule packs share (the effective
dates of the big rules). A data file may add a ``dates:`` section of its own for dates only it uses
(the Affiliates Rule's windows live in the rule pack). Wherever such a file takes a date
(``valid_from``, ``valid_to``, ``from``, ``to``, ``compliance_date``) it may write the name instead::

    valid_from: ac-rules-2023        # the date named in lists/dates.yaml

A name that is defined twice (in the file and in ``lists/dates.yaml``) or not at all is an error
naming the place, so a correction is one edit and a typo never passes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from exportscreen._data import bundled_dir
from exportscreen._errors import ExportscreenError, PackError, format_validation_errors
from exportscreen._io import load_data_file, load_model
from exportscreen._validated import bundled_model

__all__ = ["DATE_KEYS", "NamedDate", "load_dated_model", "resolve_dates", "shared_dates"]

ModelT = TypeVar("ModelT", bound=BaseModel)

#: The keys whose values may be a date name.
DATE_KEYS = frozenset({"valid_from", "valid_to", "from", "to", "compliance_date"})


class NamedDate(BaseModel):
    """One date with where it comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    date: dt.date
    citation: str = Field(min_length=1)
    confidence: Literal["V", "S", "U"] = "S"
    note: str | None = None


class _DatesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    format: Literal["exportscreen-dates/1"]
    dates: dict[str, NamedDate] = Field(min_length=1)


@cache
def shared_dates() -> Mapping[str, NamedDate]:
    """The dates of the bundled ``lists/dates.yaml``, by name."""
    return load_model(bundled_dir() / "dates.yaml", _DatesFile, error=PackError).dates


def _local_dates(data: Any, path: Path, error: type[ExportscreenError]) -> dict[str, NamedDate]:
    if not isinstance(data, dict) or "dates" not in data:
        return {}
    raw = data["dates"]
    if not isinstance(raw, dict):
        raise error("dates: a mapping of name -> {date, citation}", path=path, location="dates")
    out: dict[str, NamedDate] = {}
    shared = shared_dates()
    for name, value in raw.items():
        if name in shared:
            raise error(
                f"date {name!r} is already named in lists/dates.yaml: refer to it instead of naming it again",
                path=path,
                location=f"dates.{name}",
            )
        try:
            out[str(name)] = NamedDate.model_validate(value)
        except ValidationError as exc:
            loc, msg = format_validation_errors(exc.errors(), prefix=f"dates.{name}")
            raise error(msg, path=path, location=loc) from exc
    return out


def resolve_dates(data: Any, *, path: Path, error: type[ExportscreenError]) -> Any:
    """``data`` (a parsed data file) with every date name under a date key replaced by its date."""
    names = {**shared_dates(), **_local_dates(data, path, error)}

    def walk(node: Any, loc: str) -> Any:
        if isinstance(node, dict):
            out: dict[Any, Any] = {}
            for key, value in node.items():
                here = f"{loc}.{key}" if loc else str(key)
                if key == "dates" and not loc:
                    out[key] = value
                elif key in DATE_KEYS and isinstance(value, str):
                    found = names.get(value)
                    if found is None:
                        raise error(
                            f"unknown date name {value!r} (write YYYY-MM-DD or one of: {', '.join(sorted(names))})",
                            path=path,
                            location=here,
                        )
                    out[key] = found.date
                else:
                    out[key] = walk(value, here)
            return out
        if isinstance(node, list):
            return [walk(v, f"{loc}.{i}") for i, v in enumerate(node)]
        return node

    return walk(data, "")


def load_dated_model(path: Path, model: type[ModelT], *, error: type[ExportscreenError]) -> ModelT:
    """Read a data file, resolve its date names and validate it into ``model``."""

    def build() -> ModelT:
        data = resolve_dates(load_data_file(path, error=error), path=path, error=error)
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            location, message = format_validation_errors(exc.errors())
            raise error(message, path=path, location=location) from exc

    return bundled_model(path, model, "load_dated_model", build)
