"""exportscreen: screen proposed export transactions under US export controls.

``screen(transaction)`` returns a ``Decision`` (sensitive, review or less risky) that explains itself:
the rules that fired, the list entries matched with their Federal Register citations, the scores and
the capability tiers. See the README for the data model and the command line.
"""

from __future__ import annotations

import importlib as _importlib
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from exportscreen._errors import ConfigError, ExportscreenError, InputError, ListError, PackError

if _TYPE_CHECKING:
    from exportscreen.matching import MatchSettings
    from exportscreen.models import (
        Category,
        Decision,
        Item,
        ItemTier,
        MatchRef,
        Owner,
        Party,
        PartyMatch,
        Reason,
        Transaction,
    )
    from exportscreen.registry import Registry, load_registry
    from exportscreen.rules import RulePack, load_pack
    from exportscreen.screener import Screener, match_name, screen

__version__ = "0.1.0"

__all__ = [
    "Category",
    "ConfigError",
    "Decision",
    "ExportscreenError",
    "InputError",
    "Item",
    "ItemTier",
    "ListError",
    "MatchRef",
    "MatchSettings",
    "Owner",
    "PackError",
    "Party",
    "PartyMatch",
    "Reason",
    "Registry",
    "RulePack",
    "Screener",
    "Transaction",
    "load_pack",
    "load_registry",
    "match_name",
    "screen",
]

#: The public names imported on first use (PEP 562), so ``import exportscreen.cli`` and a command
#: load only the modules they need: name -> the module that defines it.
_LAZY: dict[str, str] = {
    "MatchSettings": "exportscreen.matching.base",
    **dict.fromkeys(
        (
            "Category",
            "Decision",
            "Item",
            "ItemTier",
            "MatchRef",
            "Owner",
            "Party",
            "PartyMatch",
            "Reason",
            "Transaction",
        ),
        "exportscreen.models",
    ),
    "Registry": "exportscreen.registry.model",
    "load_registry": "exportscreen.registry",
    "RulePack": "exportscreen.rules.model",
    "load_pack": "exportscreen.rules",
    **dict.fromkeys(("Screener", "match_name", "screen"), "exportscreen.screener"),
}


def __getattr__(name: str) -> _Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
