"""The project's own list format (``format: exportscreen-registry/1``), YAML or JSON.

One file holds one source::

    format: exportscreen-registry/1
    source: {id, name, list, as_of, url?, authority?, derived_from?, publication?, extracted?}
    build: {...}                 # optional: written by exportscreen.registry.build (bundled files)
    entries: [{id, name, aliases?, other_names?, addresses?, country?, start_date?, ...}]

See ``exportscreen.registry.model.Entry`` for every entry field. The bundled lists are files of this
format in JSON (``lists/registry/*.json``), written by ``python -m exportscreen.registry.build``;
their ``build`` block records the official input file, its sha256, the record count and the
entries' content hash (``BuildInfo``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from exportscreen._errors import ListError, format_validation_errors
from exportscreen._io import load_data_file
from exportscreen.registry.model import Entry, Source

__all__ = ["FORMAT", "BuildInfo", "detect", "load"]

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
    publication: str | None = None
    extracted: Any = None


class BuildInfo(BaseModel):
    """How a bundled file was made from an official file (``exportscreen.registry.build``)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    command: str
    input: str = Field(description="The official file, relative to the build's source directory")
    input_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    records: int = Field(ge=1, description="Records in the official file")
    entries: int = Field(ge=1)
    merged: int = Field(ge=0, description="Records printed twice, identically, merged into one entry")
    repairs: dict[str, int] = Field(default_factory=dict, description="Extraction slips repaired, by kind")
    content_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="sha256 of the entry lines as written")


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    format: Literal["exportscreen-registry/1"]
    source: _SourceHeader
    build: BuildInfo | None = None
    entries: list[dict[str, Any]] = Field(min_length=1)


def _notes(build: BuildInfo | None) -> tuple[str, ...]:
    if build is None:
        return ()
    notes = [f"{build.records} records in {build.input}, {build.entries} entries"]
    if build.merged:
        notes.append(f"{build.merged} record(s) printed twice in the publication, merged")
    if build.repairs:
        notes.append("extraction slips repaired: " + ", ".join(f"{k} {v}" for k, v in build.repairs.items()))
    return tuple(notes)


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
            input_sha256=parsed.build.input_sha256 if parsed.build else None,
            notes=_notes(parsed.build),
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
