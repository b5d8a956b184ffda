"""The decision ledger: an append-only SQLite record of screening runs (``Ledger``).

See ``store.py`` for the guarantees (one transaction per run, concurrent writers, validated reads)
and ``schema.py`` for the file format and its versions.
"""

from exportscreen.ledger.models import LedgerError, RunRecord, StoredDecision, StoredMatch, StoredParty
from exportscreen.ledger.schema import LEDGER_SCHEMA_VERSION
from exportscreen.ledger.store import Ledger

__all__ = [
    "LEDGER_SCHEMA_VERSION",
    "Ledger",
    "LedgerError",
    "RunRecord",
    "StoredDecision",
    "StoredMatch",
    "StoredParty",
]
