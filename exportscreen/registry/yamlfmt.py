"""The project's own list format (``format: exportscreen-registry/1``), YAML or JSON.

One file holds one source::

    format: exportscreen-registry/1
    source: {id, name, list, as_of, url?, authority?, derived_from?}
    entries: [{id, name, aliases?, other_names?, addresses?, country?, start_date?, ...}]

See ``exportscreen.registry.model.Entry`` for every entry field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from exportscreen._errors import ListError, format_validation_errors
from exportscreen._io import load_data_file
from exportscreen.registry.model import Entry, Source

__all__ = ["FORMAT", "detect", "load"]

FORMAT = "exportscreen-registry/1"


class _SourceHeader(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    list: str = Field(min_length=1)
    as_of: Any = None
    url: str | None = None
    authority: str | None = None
    derived_from: str | None = None


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    format: Literal["exportscreen-registry/1"]
    source: _SourceHeader
    entries: list[dict[str, Any]] = Field(min_length=1)


def detect(path: Path) -> bool:
    if not path.is_file() or path.suffix.lower() not in {".yaml", ".yml", ".json"}:
        return False
    with path.open("rb") as fh:
        head = fh.read(4096)
    return b"exportscreen-registry/" in head


def load(path: Path) -> tuple[list[Source], list[Entry]]:
    data = load_data_file(path, error=ListError)
    if not isinstance(data, dict):
        raise ListError("expected a mapping with format, source and entries", path=path)
    try:
        parsed = _File.model_validate(data)
        source = Source(
            **{k: v for k, v in parsed.source.model_dump().items()},
            as_of_basis="declared",
            path=str(path),
            format=FORMAT,
        )
    except ValidationError as exc:
        loc, msg = format_validation_errors(exc.errors())
        raise ListError(msg, path=path, location=loc) from exc
    entries: list[Entry] = []
    seen: set[str] = set()
    for i, raw in enumerate(parsed.entries):
        try:
            entry = Entry.model_validate({"source": source.id, "list": source.list, **raw})
        except ValidationError as exc:
            loc, msg = format_validation_errors(exc.errors(), prefix=f"entries.{i}")
            raise ListError(msg, path=path, location=loc) from exc
        if entry.id in seen:
            raise ListError(f"duplicate entry id {entry.id!r}", path=path, location=f"entries.{i}.id")
        seen.add(entry.id)
        entries.append(entry)
    return [source], entries
