"""Stable ids for list entries whose publication numbers none (Entity List, MEU, DPL, NS-CMIC, 1260H).

An id is made from what identifies a row in print: ``<code>-<country>-<NAME SLUG>``
(``EL-CN-SEMICONDUCTOR-MANUFACTURING-INTERNATIONAL-CORPORATION-SMIC``), the name transliterated to
ASCII capitals. It survives new addresses, aliases and licence text and changes only when the list
renames the party or moves it to another country section (a curated overlay key then fails the
build, which names the likely new id). A slug longer than ``MAX_SLUG`` is cut at a word and ends in
a hash of the full name. Rows that would share an id (the same name twice under one country) get a
hash of their address (``-1A2B3C``), and when that is not enough, of the whole row; a list printed
once per address (the DPL) always carries the address hash. Rows printed twice, identically, merge.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from anyascii import anyascii

from exportscreen._errors import ListError

__all__ = ["MAX_SLUG", "assign_ids", "stable_id"]

MAX_SLUG = 64


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:6].upper()


def _slug(name: str) -> str:
    slug = re.sub(r"[^A-Z0-9]+", "-", anyascii(name).upper()).strip("-")
    if len(slug) <= MAX_SLUG:
        return slug or _hash(name)
    return f"{slug[: MAX_SLUG - 7].rsplit('-', 1)[0]}-{_hash(name)}"


def stable_id(code: str, country: str | None, name: str, discriminator: str | None = None) -> str:
    """``<code>-<country>-<NAME SLUG>[-<hash of discriminator>]`` (see the module docstring)."""
    base = f"{code}-{country or 'XX'}-{_slug(name)}"
    return f"{base}-{_hash(discriminator)}" if discriminator is not None else base


def assign_ids(
    code: str, rows: list[tuple[str, dict[str, Any]]], path: Path, *, address_in_id: bool = False
) -> tuple[list[dict[str, Any]], int]:
    """Give each row its stable id; merge identical repeats. Rows that share an id get a hash of their
    address, and when that is not enough (a DPL row printed twice with different citation typos), of
    the whole row."""

    def discriminated(group: list[tuple[str, dict[str, Any]]], level: int) -> list[tuple[str, str, dict[str, Any]]]:
        out = []
        for loc, fields in group:
            address = "; ".join(fields.get("addresses", []))
            extra = address if level == 1 else f"{address}|{json.dumps(fields, sort_keys=True)}"
            out.append((stable_id(code, fields.get("country"), fields["name"], extra if level else None), loc, fields))
        return out

    by_base: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for loc, fields in rows:
        by_base.setdefault(stable_id(code, fields.get("country"), fields["name"]), []).append((loc, fields))
    kept: dict[str, tuple[str, dict[str, Any]]] = {}
    merged = 0
    for group in by_base.values():
        level = 1 if address_in_id or len({json.dumps(f, sort_keys=True) for _, f in group}) > 1 else 0
        named = discriminated(group, level)
        ids: dict[str, set[str]] = {}
        for ident, _loc, fields in named:
            ids.setdefault(ident, set()).add(json.dumps(fields, sort_keys=True))
        if level == 1 and any(len(v) > 1 for v in ids.values()):
            named = [
                (ident if len(ids[ident]) == 1 else again, loc, fields)
                for (ident, loc, fields), (again, _l, _f) in zip(named, discriminated(group, 2), strict=True)
            ]
        for ident, loc, fields in named:
            prior = kept.get(ident)
            if prior is None:
                kept[ident] = (loc, fields)
            elif prior[1] == fields:
                merged += 1
            else:
                raise ListError(
                    f"two different records get the id {ident!r} (also {prior[0]})", path=path, location=loc
                )
    return [{"id": ident, **fields} for ident, (_loc, fields) in sorted(kept.items())], merged
