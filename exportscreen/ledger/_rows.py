"""Rows to and from the ledger's tables: serialising what is recorded, validating what is read."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sys
from array import array
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import JsonValue, TypeAdapter, ValidationError

from exportscreen.ledger.models import LedgerError, RunRecord, StoredDecision, StoredMatch, StoredParty
from exportscreen.matching.query import Reading
from exportscreen.models import Decision, PackRef, PartyMatch, Transaction
from exportscreen.registry import Entry, Source

__all__ = [
    "NAME_SEP",
    "RUN_COLUMNS",
    "canonical_json",
    "decision_row",
    "decode_reading",
    "entry_row",
    "iso_now",
    "match_row",
    "order_party_rows",
    "pack_seqs",
    "read_decision",
    "read_entry",
    "read_match",
    "read_party",
    "read_run",
    "read_sources",
    "reading_text",
    "sha256",
    "unpack_seqs",
]

#: Joins a party's name and aliases in the ``parties`` table (names never hold control characters).
NAME_SEP = "\x1f"
RUN_COLUMNS = (
    "seq, run_id, command, started_at, finished_at, user, tool_version, registry_version, "
    "source_versions, packs, as_of, decisions, meta"
)

_STR_MAP: TypeAdapter[dict[str, str]] = TypeAdapter(dict[str, str])
_PACKS: TypeAdapter[list[PackRef]] = TypeAdapter(list[PackRef])
_META: TypeAdapter[dict[str, JsonValue]] = TypeAdapter(dict[str, JsonValue])
_MATCHES: TypeAdapter[list[PartyMatch]] = TypeAdapter(list[PartyMatch])
_SOURCES: TypeAdapter[list[Source]] = TypeAdapter(list[Source])


#: an array type code of 4-byte unsigned integers (row seqs in a term's postings)
_SEQ_CODE = "I" if array("I").itemsize == 4 else "L"


def pack_seqs(seqs: Sequence[int]) -> bytes:
    """Row seqs as the ``term_postings`` blob: 4-byte little-endian unsigned integers."""
    packed = array(_SEQ_CODE, seqs)
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()


def unpack_seqs(blob: object, where: str, path: Path) -> array[int]:
    """The row seqs of a ``term_postings`` blob."""
    if not isinstance(blob, bytes) or len(blob) % 4:
        raise LedgerError(f"{where} does not validate (corrupted or edited ledger): not packed row seqs", path=path)
    seqs = array(_SEQ_CODE)
    seqs.frombytes(blob)
    if sys.byteorder == "big":
        seqs.byteswap()
    return seqs


#: separate the parts of a stored reading, and its variants (folded names hold no control characters)
_PARTS, _VARIANTS = "\x1d", "\x1e"


def reading_text(reading: Reading) -> str:
    """A name's reading as ``term_readings`` stores it: the variants' folded texts, the dotted words,
    the qualifying words (the notes and normalisation steps are not needed to bound a query)."""
    texts = _VARIANTS.join(text for text, _note in reading.variants)
    return _PARTS.join((texts, " ".join(sorted(reading.dotted)), " ".join(sorted(reading.qualifying))))


#: a stored reading: variants of words separated by single spaces, then the dotted and qualifying words
_READING = re.compile(
    r"[^\x1d\x1e ]+(?: [^\x1d\x1e ]+)*(?:\x1e[^\x1d\x1e ]+(?: [^\x1d\x1e ]+)*)*(?:\x1d[^\x1d\x1e]*){2}"
)


def decode_reading(text: str, *, check: bool = False) -> Reading:
    """The reading ``reading_text`` stored (its variants without their notes, no steps); ``check``:
    raise ``ValueError`` for a text that is not one."""
    if check and _READING.fullmatch(text) is None:
        raise ValueError("not a stored reading")
    texts, dotted, qualifying = text.split(_PARTS)
    variants: list[tuple[str, str | None]] = [(v, None) for v in texts.split(_VARIANTS)]
    return Reading(variants, [], frozenset(qualifying.split()), frozenset(dotted.split()))


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def iso_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _time(text: object, what: str) -> dt.datetime:
    if not isinstance(text, str):
        raise ValueError(f"{what} is not a time")
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"{what} {text!r} has no time zone")
    return value


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} is not a non-empty text")
    return value


def _int(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{what} is not an integer")
    return value


def _bad(path: Path, where: str, exc: Exception) -> LedgerError:
    detail = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
    return LedgerError(f"{where} does not validate (corrupted or edited ledger): {detail}", path=path)


# ------------------------------------------------------------------------------------------ writing


def decision_row(run_seq: int, seq: int, tx: Transaction, decision: Decision, at: str) -> tuple[Any, ...]:
    tx_json = canonical_json(tx.model_dump(mode="json"))
    # pydantic's own serialiser (Rust): the stored form is validated on read, never compared as text
    return (run_seq, seq, tx.id, sha256(tx_json), tx_json, decision.model_dump_json(), at)


def order_party_rows(run_seq: int, seq: int, tx: Transaction) -> list[tuple[Any, ...]]:
    """The parties of an order (their owners too, role ``owner``), as ``parties`` rows."""
    rows: list[tuple[Any, ...]] = []
    for party in tx.parties:
        names = NAME_SEP.join((party.name, *party.aliases))
        rows.append(("order", tx.id, run_seq, seq, len(rows), names, party.country, str(party.role)))
        for owner in party.owners:
            rows.append(("order", tx.id, run_seq, seq, len(rows), owner.name, owner.country, "owner"))
    return rows


def match_row(
    run_seq: int, seq: int, ref: str, name: str, country: str | None, matches: Sequence[PartyMatch], at: str
) -> tuple[Any, ...]:
    blob = canonical_json([m.model_dump(mode="json") for m in matches])
    return (run_seq, seq, ref, name, country, blob, at)


def entry_row(entry: Entry) -> tuple[str, str]:
    return (entry.content_hash, canonical_json(entry.model_dump(mode="json")))


# ------------------------------------------------------------------------------------------ reading


def read_run(row: Sequence[Any], path: Path) -> RunRecord:
    seq, run_id = row[0], row[1]
    try:
        as_of = row[10]
        if as_of is not None and not isinstance(as_of, str):
            raise ValueError("as_of is not a date")
        return RunRecord(
            run_id=_text(run_id, "run_id"),
            seq=_int(seq, "seq"),
            command=_text(row[2], "command"),
            started_at=_time(row[3], "started_at"),
            finished_at=_time(row[4], "finished_at"),
            user=_text(row[5], "user"),
            tool_version=_text(row[6], "tool_version"),
            registry_version=_text(row[7], "registry_version"),
            source_versions=_STR_MAP.validate_json(row[8]),
            packs=_PACKS.validate_json(row[9]),
            as_of=dt.date.fromisoformat(as_of) if as_of is not None else None,
            decisions=_int(row[11], "decisions"),
            meta=_META.validate_json(row[12]),
        )
    except (ValueError, TypeError) as exc:
        raise _bad(path, f"run {run_id!r} (seq {seq})", exc) from exc


def read_decision(row: Sequence[Any], run_id: str, path: Path) -> StoredDecision:
    run_seq, seq, tx_id, input_hash, tx_json, decision_json, at = row
    where = f"run {run_id!r} (seq {run_seq}), decision {seq}"
    try:
        if not isinstance(tx_json, str) or sha256(tx_json) != input_hash:
            raise ValueError("the transaction does not match its input hash")
        tx = Transaction.model_validate_json(tx_json)
        decision = Decision.model_validate_json(decision_json)
        if not tx.id == decision.transaction_id == tx_id:
            raise ValueError(f"transaction id {tx_id!r} differs from its transaction's or decision's")
        return StoredDecision(
            run_id=run_id,
            run_seq=_int(run_seq, "run_seq"),
            seq=_int(seq, "seq"),
            transaction_id=tx_id,
            transaction=tx,
            input_hash=input_hash,
            decision=decision,
            recorded_at=_time(at, "recorded_at"),
        )
    except (ValueError, TypeError) as exc:
        raise _bad(path, where, exc) from exc


def read_match(row: Sequence[Any], run_id: str, path: Path) -> StoredMatch:
    run_seq, seq, ref, name, country, matches_json, at = row
    where = f"run {run_id!r} (seq {run_seq}), match row {seq}"
    try:
        if country is not None and not isinstance(country, str):
            raise ValueError("country is not a text")
        return StoredMatch(
            run_id=run_id,
            run_seq=_int(run_seq, "run_seq"),
            seq=_int(seq, "seq"),
            ref=_text(ref, "ref"),
            name=_text(name, "name"),
            country=country,
            matches=_MATCHES.validate_json(matches_json),
            recorded_at=_time(at, "recorded_at"),
        )
    except (ValueError, TypeError) as exc:
        raise _bad(path, where, exc) from exc


def read_party(row: Sequence[Any], path: Path) -> StoredParty:
    kind, key, run_seq, rec_seq, idx, names, country, role = row
    try:
        if kind not in ("order", "party"):
            raise ValueError(f"kind {kind!r} is neither 'order' nor 'party'")
        if not isinstance(names, str) or not names or (country is not None and not isinstance(country, str)):
            raise ValueError("names or country is not a text")
        return StoredParty(
            kind=kind,
            key=_text(key, "key"),
            run_seq=_int(run_seq, "run_seq"),
            names=tuple(names.split(NAME_SEP)),
            country=country,
            role=_text(role, "role"),
        )
    except (ValueError, TypeError) as exc:
        raise _bad(path, f"party {idx} of {kind} {key!r} (run seq {run_seq}, position {rec_seq})", exc) from exc


def read_sources(text: object, version: str, path: Path) -> list[Source]:
    try:
        if not isinstance(text, str):
            raise ValueError("sources are not JSON text")
        return _SOURCES.validate_json(text)
    except (ValueError, TypeError) as exc:
        raise _bad(path, f"the sources of registry {version}", exc) from exc


def read_entry(
    hash_: object, text: object, version: str, pos: int, path: Path, known: Mapping[str, Entry] | None = None
) -> Entry:
    """The stored entry; ``known``: entries by content hash, one of which the stored text is when it
    hashes to that content hash (the canonical JSON the hash is taken of: ``entry_row``)."""
    where = f"entry {pos} of registry {version}"
    try:
        if not isinstance(text, str):
            raise ValueError("the entry is not JSON text")
        same = known.get(hash_) if known is not None and isinstance(hash_, str) else None
        if same is not None and sha256(text) == hash_:
            return same
        raw = json.loads(text)
        if not isinstance(raw, Mapping):
            raise ValueError("the entry is not a JSON object")
        entry = Entry.model_validate(raw)
        if entry.content_hash != hash_:
            raise ValueError("its content does not match its content hash")
        return entry
    except (ValueError, TypeError) as exc:
        raise _bad(path, where, exc) from exc
