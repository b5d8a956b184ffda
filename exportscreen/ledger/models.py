"""The records a decision ledger holds, as read back (every one validated on the way out)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from pydantic import JsonValue

from exportscreen._errors import ExportscreenError
from exportscreen.models import Decision, PackRef, PartyMatch, Transaction

__all__ = ["LedgerError", "RunRecord", "StoredDecision", "StoredMatch", "StoredParty"]


class LedgerError(ExportscreenError):
    """The ledger file cannot be opened or written, is not a ledger, is newer than this version
    understands, or holds a row that does not validate (its run and position are named)."""


@dataclass(frozen=True)
class RunRecord:
    """One recorded run: who screened what, when, against which lists and packs."""

    run_id: str
    seq: int
    command: str
    started_at: dt.datetime
    finished_at: dt.datetime
    user: str
    tool_version: str
    registry_version: str
    source_versions: dict[str, str]
    packs: list[PackRef]
    as_of: dt.date | None
    decisions: int
    meta: dict[str, JsonValue]


@dataclass(frozen=True)
class StoredDecision:
    """One screened transaction of a run and its Decision."""

    run_id: str
    run_seq: int
    seq: int
    transaction_id: str
    transaction: Transaction
    input_hash: str
    decision: Decision
    recorded_at: dt.datetime


@dataclass(frozen=True)
class StoredMatch:
    """One row of a party file screened with ``match --file ... --ledger``."""

    run_id: str
    run_seq: int
    seq: int
    ref: str
    name: str
    country: str | None
    matches: list[PartyMatch]
    recorded_at: dt.datetime


@dataclass(frozen=True)
class StoredParty:
    """A cheap projection of a stored party for delta re-screening (read without parsing JSON)."""

    kind: Literal["order", "party"]
    key: str
    run_seq: int
    names: tuple[str, ...]
    country: str | None
    role: str
