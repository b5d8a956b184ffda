"""Curated additions laid over an official list (``format: exportscreen-overlay/1``).

The bundled lists are the official publications as printed (``exportscreen.registry.build``); what
a curator knows beyond them lives in an overlay file keyed by the official entry's stable id::

    format: exportscreen-overlay/1
    source: bis-entity-list                  # the source id whose entries it annotates
    entries:
      EL-CN-SEMICONDUCTOR-MANUFACTURING-INTERNATIONAL-CORPORATION-SMIC:
        former_ids: [EL-CN-SMIC]             # ids the entry had before (baselines, reports)
        other_names: ["中芯国际集成电路制造有限公司"]
        start_date: 2020-12-18
        license_policy: "..."
        confidence: S

How a field is applied: names, addresses, citations and tags are added after the official ones
(a value already printed is not repeated); ``remarks`` are appended to the official remarks; a
single value (type, dates, licence text and policy, confidence) fills a field the list leaves
empty, or completes an official text the extraction cut short ("... released to this entity b...").
An overlay that contradicts a printed value, or names an entry the list no longer has, is an error:
curated facts are never dropped or applied to the wrong party silently.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from exportscreen._errors import ListError, format_validation_errors
from exportscreen.registry.model import Entry, EntryType

__all__ = ["FORMAT", "Overlay", "OverlayEntry", "apply_overlays", "detect", "read_overlay"]

FORMAT = "exportscreen-overlay/1"
_ADDED = ("aliases", "weak_aliases", "other_names", "addresses", "rule_citations", "tags")
_NAMES = frozenset({"aliases", "weak_aliases", "other_names"})
_FILLED = ("type", "start_date", "end_date", "license_requirement", "license_policy", "confidence")
_TRUNCATION = ("...", "…")


class OverlayEntry(BaseModel):
    """What a curator adds to one official entry."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)

    former_ids: tuple[str, ...] = ()
    type: EntryType | None = None
    aliases: tuple[str, ...] = ()
    weak_aliases: tuple[str, ...] = ()
    other_names: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    rule_citations: tuple[str, ...] = ()
    license_requirement: str | None = None
    license_policy: str | None = None
    tags: tuple[str, ...] = ()
    remarks: str | None = None
    confidence: Literal["V", "S", "U"] | None = None


class Overlay(BaseModel):
    """One overlay file: the source it annotates and the additions per official entry id."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    format: Literal["exportscreen-overlay/1"]
    source: str = Field(min_length=1)
    entries: dict[str, OverlayEntry] = Field(min_length=1)
    path: str | None = Field(default=None, exclude=True)


def detect(path: Path) -> bool:
    if not path.is_file() or path.suffix.lower() not in {".yaml", ".yml", ".json"}:
        return False
    with path.open("rb") as fh:
        return FORMAT.encode() in fh.read(4096)


def read_overlay(path: Path) -> Overlay:
    """Read and validate an overlay file; raises ``ListError`` with the file and field."""
    from exportscreen._io import load_data_file

    data = load_data_file(path, error=ListError)
    if not isinstance(data, dict):
        raise ListError("an overlay is a mapping with format, source and entries", path=path)
    try:
        return Overlay.model_validate({**data, "path": str(path)})
    except ValidationError as exc:
        loc, msg = format_validation_errors(exc.errors())
        raise ListError(msg, path=path, location=loc) from exc


def _unique_added(printed: tuple[str, ...], added: tuple[str, ...], known: tuple[str, ...] = ()) -> tuple[str, ...]:
    seen = {" ".join(v.split()).casefold() for v in (*printed, *known)}
    out = list(printed)
    for value in added:
        key = " ".join(value.split()).casefold()
        if key not in seen:
            seen.add(key)
            out.append(value)
    return tuple(out)


def _completes(official: object, curated: object) -> bool:
    """A curated text that continues an official one the extraction cut short."""
    if not isinstance(official, str) or not isinstance(curated, str) or not official.endswith(_TRUNCATION):
        return False
    return curated.startswith(official.rstrip(".…").rstrip())


def _apply(entry: Entry, add: OverlayEntry, where: str) -> Entry:
    values: dict[str, Any] = entry.model_dump()
    names = (entry.name, *entry.aliases, *entry.weak_aliases, *entry.other_names)
    for name in _ADDED:
        known = names if name in _NAMES else ()
        values[name] = _unique_added(values[name], getattr(add, name), known)
    for name in _FILLED:
        curated = getattr(add, name)
        if curated is None or values[name] in (None, curated) or _completes(values[name], curated):
            values[name] = values[name] if curated is None else curated
            continue
        raise ListError(
            f"entry {entry.id!r}: the overlay's {name} {curated!r} contradicts the list's {values[name]!r}; "
            "remove it from the overlay or correct it",
            path=where,
            location=f"entries.{entry.id}.{name}",
        )
    if add.remarks:
        values["remarks"] = f"{values['remarks']}; {add.remarks}" if values["remarks"] else add.remarks
    try:
        return Entry.model_validate(values)
    except ValidationError as exc:
        loc, msg = format_validation_errors(exc.errors(), prefix=f"entries.{entry.id}")
        raise ListError(msg, path=where, location=loc) from exc


def _missing_message(overlay: Overlay, missing: list[str], ids: Sequence[str]) -> str:
    lines = [
        f"{len(missing)} overlay entr{'y' if len(missing) == 1 else 'ies'} name(s) no entry of {overlay.source!r}:"
    ]
    for key in missing:
        near = difflib.get_close_matches(key, ids, n=2, cutoff=0.75)
        hint = f" (the list now has {', '.join(near)}?)" if near else " (removed from the list, or renamed)"
        lines.append(f"  {key}{hint}")
    lines.append("update the key to the entry's new id, or delete the overlay entry if the party was removed")
    return "\n".join(lines)


def apply_overlays(overlays: Sequence[Overlay], entries: Sequence[Entry], sources: set[str]) -> list[Entry]:
    """``entries`` with every overlay applied; an unknown source or entry id is a ``ListError``."""
    out = list(entries)
    for overlay in overlays:
        if overlay.source not in sources:
            raise ListError(
                f"the overlay annotates source {overlay.source!r}, which is not loaded with it "
                f"(loaded: {', '.join(sorted(sources)) or 'none'})",
                path=overlay.path,
                location="source",
            )
        index = {e.id: i for i, e in enumerate(out) if e.source == overlay.source}
        missing = [key for key in overlay.entries if key not in index]
        if missing:
            raise ListError(_missing_message(overlay, missing, list(index)), path=overlay.path, location="entries")
        for key, add in overlay.entries.items():
            out[index[key]] = _apply(out[index[key]], add, overlay.path or "overlay")
    return out
