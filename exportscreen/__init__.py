"""exportscreen: screen proposed export transactions under US export controls.

``screen(transaction)`` returns a ``Decision`` (sensitive, review or less risky) that explains itself:
the rules that fired, the list entries matched with their Federal Register citations, the scores and
the capability tiers. See the README for the data model and the command line.
"""

from exportscreen._errors import ConfigError, ExportscreenError, InputError, ListError, PackError
from exportscreen.matching import MatchSettings
from exportscreen.models import (
    Category,
    Decision,
    Item,
    ItemTier,
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
