"""The exception hierarchy of exportscreen.

Every failure the library can foresee is one of these; nothing else escapes a public function
for bad input or bad data (fail closed: an error is never a "less risky" verdict)::

    ExportscreenError
    ├── InputError          a transaction or order file is malformed (CLI exit 2)
    └── ConfigError         configuration data is malformed (CLI exit 2)
        ├── ListError       a restricted-party list file failed to load or is stale
        └── PackError       a rule pack, tier file or country-group file is invalid

Errors carry ``path`` (the file, when there is one) and ``location`` (a dotted field path such as
``items.0.tpp`` or ``line 12``) as attributes, and ``str(err)`` puts them in front of the message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "ConfigError",
    "ExportscreenError",
    "InputError",
    "ListError",
    "PackError",
    "format_validation_errors",
]


class ExportscreenError(Exception):
    """Base class of every error exportscreen raises on purpose."""

    def __init__(self, message: str, *, path: str | Path | None = None, location: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.location = location

    def __str__(self) -> str:
        prefix = ""
        if self.path:
            prefix = f"{self.path}: "
        if self.location and f"'{self.location}'" not in self.message:
            prefix += f"{self.location}: "
        return prefix + self.message

    def with_path(self, path: str | Path) -> ExportscreenError:
        """Return the same error with ``path`` set, keeping its class and location."""
        if self.path is None:
            self.path = str(path)
        return self


class InputError(ExportscreenError):
    """A transaction, order file or query is malformed."""


class ConfigError(ExportscreenError):
    """Configuration data (lists, packs, tiers, groups, baselines) is malformed."""


class ListError(ConfigError):
    """A restricted-party list could not be loaded, or is older than allowed."""


class PackError(ConfigError):
    """A rule pack, its cases, the tier file or the country-group file is invalid."""


def _loc_to_str(loc: Iterable[Any]) -> str:
    parts = [str(p) for p in loc]
    return ".".join(parts) if parts else "(top level)"


def format_validation_errors(errors: Iterable[Mapping[str, object]], *, prefix: str = "") -> tuple[str, str]:
    """Turn pydantic's ``errors()`` into (first location, message naming every bad field)."""
    lines: list[str] = []
    first_loc = ""
    for err in errors:
        raw_loc = err.get("loc", ())
        loc = _loc_to_str(raw_loc if isinstance(raw_loc, tuple | list) else ())
        if prefix:
            loc = f"{prefix}.{loc}" if loc != "(top level)" else prefix
        first_loc = first_loc or loc
        msg = str(err.get("msg", "invalid"))
        if err.get("type") == "extra_forbidden":
            msg = "unknown field (not part of the schema; check the spelling)"
        elif err.get("type") == "missing":
            msg = "required field is missing"
        lines.append(f"field '{loc}': {msg}")
    return first_loc, "; ".join(lines)
