"""ISO 3166-1 countries from pycountry's own database file, read without importing pycountry.

Importing ``pycountry`` reads its package metadata (``importlib.metadata``: about 14 ms of every
cold ``exportscreen check``), while an order names its countries by alpha-2 code and needs only
that table. ``countries`` reads the JSON file pycountry ships (``pycountry.DATABASE_DIR``); when it
is not where pycountry keeps it, it is empty and callers ask pycountry itself. ``data_digest``
fingerprints that file and pycountry's lookup code, so the caches keyed on it change when either
does (what its version number told, without reading package metadata).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

__all__ = ["countries", "data_digest"]

_FILE = ("databases", "iso3166-1.json")


@cache
def _database_file() -> Path | None:
    spec = importlib.util.find_spec("pycountry")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location).joinpath(*_FILE)
        if path.is_file():
            return path
    return None


@cache
def countries() -> Mapping[str, str]:
    """alpha-2 code -> English short name (``common_name`` where pycountry has one); empty when
    pycountry's database file cannot be read."""
    path = _database_file()
    if path is None:
        return MappingProxyType({})
    try:
        rows = json.loads(path.read_bytes())["3166-1"]
        table = {str(r["alpha_2"]): str(r.get("common_name") or r["name"]) for r in rows}
    except (OSError, ValueError, KeyError, TypeError):
        return MappingProxyType({})
    return MappingProxyType(table)


@cache
def data_digest() -> str:
    """sha256 of pycountry's ISO 3166-1 database file and its modules ("?" when they cannot be read)."""
    path = _database_file()
    if path is None:
        return "?"
    package = path.parent.parent
    h = hashlib.sha256()
    try:
        for part in (path, *sorted(package.glob("*.py"))):
            h.update(part.name.encode() + b"\0" + hashlib.sha256(part.read_bytes()).digest())
    except OSError:
        return "?"
    return h.hexdigest()
