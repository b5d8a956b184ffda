"""Named input limits with their defaults.

Each limit can be raised through an environment variable of the same name in upper case with the
``EXPORTSCREEN_`` prefix (for example ``EXPORTSCREEN_MAX_FILE_BYTES``). Inputs beyond a limit are
refused with an error that names the limit: they are never truncated.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["LIMITS", "Limits"]


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(f"EXPORTSCREEN_{name.upper()}")
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        return default
    return value if value > 0 else default


@dataclass(frozen=True)
class Limits:
    #: Largest file read (orders, lists, packs): the full CSL is about 6 MB, the OFAC SDN trio 10 MB.
    max_file_bytes: int = _env_int("max_file_bytes", 64 * 1024 * 1024)
    #: Longest party or owner name, in characters.
    max_name_chars: int = _env_int("max_name_chars", 1000)
    #: Most transactions in one order file.
    max_orders_per_file: int = _env_int("max_orders_per_file", 10_000)
    #: Most parties in one party file (``exportscreen match --file``): a large customer master.
    max_parties_per_file: int = _env_int("max_parties_per_file", 1_000_000)
    #: Most parties or items in one transaction.
    max_parties: int = _env_int("max_parties", 200)
    max_items: int = _env_int("max_items", 10_000)
    #: Deepest nesting of mappings and lists in a YAML or JSON file (an order needs 4, a rule pack about 10).
    max_nesting_depth: int = _env_int("max_nesting_depth", 64)


LIMITS = Limits()
