"""The decision ledger: one SQLite file (stdlib ``sqlite3``, WAL) that screening runs are appended to.

Each ``record()``/``record_matches()`` consumes its input first (no screening inside the write lock),
then writes the whole run in one ``BEGIN IMMEDIATE`` transaction: a killed writer leaves the whole
run or nothing, and concurrent writers queue on the lock (``busy_timeout``), each getting its own
run ``seq``. Every row read back is validated; a bad one raises ``LedgerError`` naming its run.
"""

from __future__ import annotations

import datetime as dt
import getpass
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from pydantic import JsonValue

from exportscreen._errors import InputError
from exportscreen.ledger import _rows
from exportscreen.ledger.basis import tool_build
from exportscreen.ledger.models import LedgerError, RunRecord, StoredDecision, StoredMatch, StoredParty
from exportscreen.ledger.schema import APPLICATION_ID, LEDGER_SCHEMA_VERSION, migrate
from exportscreen.ledger.snapshots import Snapshots
from exportscreen.ledger.term_queries import MATCH_COLS, TermQueries
from exportscreen.matching.terms import HAD_MATCH, REFUSED, VOCABULARY_KINDS, PartyTerms
from exportscreen.models import Decision, PackRef, PartyMatch, Transaction
from exportscreen.registry import Registry

__all__ = ["BUSY_TIMEOUT_S", "Ledger"]

#: How long a writer waits for another's transaction before giving up (seconds).
BUSY_TIMEOUT_S = 60.0
_DECISION_COLS = "run_seq, seq, transaction_id, input_hash, transaction_json, decision_json, recorded_at"
_MATCH_COLS = MATCH_COLS


class Ledger(Snapshots, TermQueries):
    """A decision ledger file; ``create=False`` refuses a path that does not exist."""

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path)
        self._terms: PartyTerms | None = None
        if not create and not self.path.is_file():
            raise LedgerError("no such ledger file", path=self.path)
        if self.path.exists() and not self.path.is_file():
            raise LedgerError("not a file", path=self.path)
        try:
            self._conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot open the ledger: {exc}", path=self.path) from exc
        try:
            self._open()
        except sqlite3.Error as exc:
            self._conn.close()
            raise LedgerError(f"not a readable exportscreen ledger: {exc}", path=self.path) from exc
        except LedgerError:
            self._conn.close()
            raise

    def _open(self) -> None:
        conn = self._conn
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        if not self._check_header():
            conn.execute("BEGIN IMMEDIATE")
            try:
                if not self._check_header():  # still empty or older once the write lock is held
                    migrate(conn, self._pragma("user_version"))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise LedgerError(f"cannot switch the ledger to WAL journaling (it is {mode})", path=self.path)
        conn.execute("PRAGMA foreign_keys = ON")

    def _pragma(self, name: str) -> int:
        value = self._conn.execute(f"PRAGMA {name}").fetchone()[0]
        return int(value)

    def _check_header(self) -> bool:
        """True for a current ledger; False for an empty file or an older ledger (to migrate)."""
        app, version = self._pragma("application_id"), self._pragma("user_version")
        if app == 0 and version == 0:
            tables = self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                raise LedgerError("an SQLite file of another program, not an exportscreen ledger", path=self.path)
            return False
        if app != APPLICATION_ID:
            raise LedgerError(
                f"an SQLite file of another program (application_id {app:#x}), not an exportscreen ledger",
                path=self.path,
            )
        if version > LEDGER_SCHEMA_VERSION:
            raise LedgerError(
                f"ledger schema version {version} is newer than this exportscreen understands "
                f"({LEDGER_SCHEMA_VERSION}): upgrade exportscreen",
                path=self.path,
            )
        return version == LEDGER_SCHEMA_VERSION

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ---------------------------------------------------------------------------------- writing

    def record(
        self,
        results: Iterable[tuple[Transaction, Decision]],
        *,
        command: str,
        registry: Registry,
        as_of: dt.date | None = None,
        packs: Sequence[PackRef] = (),
        user: str | None = None,
        run_id: str | None = None,
        meta: Mapping[str, JsonValue] | None = None,
        started_at: dt.datetime | None = None,
        places: Sequence[str] | None = None,
    ) -> RunRecord:
        """Append one run of (transaction, decision) pairs; returns its record. Two orders of one id
        with different content are a ``LedgerError`` (nothing is written): the ledger keeps the newest
        decision per id, so the other would drop out of every re-screen. ``places`` (one per pair, such
        as ``file:line``) name them in the message."""
        started = started_at or _rows.iso_now()
        at = _rows.iso_now().isoformat()
        # serialised before the write lock is taken; the run's seq is filled in under the lock
        decisions: list[list[Any]] = []
        parties: list[list[Any]] = []
        for i, (tx, decision) in enumerate(results):
            decisions.append(list(_rows.decision_row(0, i, tx, decision, at)))
            parties += [list(r) for r in _rows.order_party_rows(0, i, tx)]
        _one_order_per_id(decisions, places)

        def write(run_seq: int) -> None:
            self._conn.executemany(
                f"INSERT INTO decisions ({_DECISION_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                _with_seq(decisions, 0, run_seq),
            )
            self._insert_parties(_with_seq(parties, 2, run_seq))

        return self._write_run(
            "decisions",
            command,
            registry,
            as_of,
            packs,
            user,
            run_id or uuid.uuid4().hex,
            meta,
            started,
            len(decisions),
            write,
        )

    def record_matches(
        self,
        rows: Iterable[tuple[str, str, str | None, Sequence[PartyMatch]]],
        *,
        command: str = "match",
        registry: Registry,
        as_of: dt.date | None = None,
        user: str | None = None,
        run_id: str | None = None,
        meta: Mapping[str, JsonValue] | None = None,
        started_at: dt.datetime | None = None,
    ) -> RunRecord:
        """Append one run of party-file rows ``(ref, name, country, matches)``; returns its record."""
        started = started_at or _rows.iso_now()
        at = _rows.iso_now().isoformat()
        out: list[list[Any]] = []
        parties: list[list[Any]] = []
        terms = self._party_terms()
        #: per search term the rows holding it, in order
        postings: dict[str, list[int]] = {}
        readings: list[list[Any]] = []
        for i, (ref, name, country, matches) in enumerate(rows):
            out.append(list(_rows.match_row(0, i, ref, name, country, matches, at)))
            parties.append(["party", ref, 0, i, 0, name, country, "query"])
            try:
                reading = terms.readings.of(name)
            except InputError:
                found = frozenset({REFUSED})
            else:
                found = terms.of_reading(name, reading)
                readings.append([0, i, _rows.reading_text(reading)])
            if matches:
                found |= {HAD_MATCH}
            for t in found:
                held = postings.get(t)
                if held is None:
                    postings[t] = [i]
                else:
                    held.append(i)
        blobs = [(t, _rows.pack_seqs(seqs)) for t, seqs in sorted(postings.items())]
        vocab = [t for t, _blob in blobs if t.startswith(VOCABULARY_KINDS)]

        def write(run_seq: int) -> None:
            conn = self._conn
            conn.executemany(
                f"INSERT INTO matches ({_MATCH_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?)", _with_seq(out, 0, run_seq)
            )
            self._insert_parties(_with_seq(parties, 2, run_seq))
            conn.execute("INSERT INTO term_runs (run_seq, scheme) VALUES (?, ?)", (run_seq, terms.scheme))
            conn.executemany(
                "INSERT INTO term_postings (term, run_seq, seqs) VALUES (?, ?, ?)",
                ((t, run_seq, blob) for t, blob in blobs),
            )
            conn.executemany("INSERT OR IGNORE INTO term_vocab (term) VALUES (?)", ((t,) for t in vocab))
            conn.executemany(
                "INSERT INTO term_readings (run_seq, seq, reading) VALUES (?, ?, ?)", _with_seq(readings, 0, run_seq)
            )

        return self._write_run(
            "matches", command, registry, as_of, (), user, run_id or uuid.uuid4().hex, meta, started, len(out), write
        )

    def _party_terms(self) -> PartyTerms:
        if self._terms is None:
            self._terms = PartyTerms()
        return self._terms

    def _insert_parties(self, rows: Iterable[Sequence[Any]]) -> None:
        self._conn.executemany(
            "INSERT INTO parties (kind, key, run_seq, rec_seq, idx, names, country, role) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def _write_run(
        self,
        kind: str,
        command: str,
        registry: Registry,
        as_of: dt.date | None,
        packs: Sequence[PackRef],
        user: str | None,
        run_id: str,
        meta: Mapping[str, JsonValue] | None,
        started: dt.datetime,
        count: int,
        write: Callable[[int], None],
    ) -> RunRecord:
        version = registry.version
        snapshot = None if self.has_registry(version) else [_rows.entry_row(e) for e in registry.entries]
        meta_json = _rows.canonical_json(dict(meta or {}))
        packs_json = _rows.canonical_json([p.model_dump(mode="json") for p in packs])
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                if snapshot is not None:
                    self._store_registry(registry, snapshot)
                run_seq = int(conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM runs").fetchone()[0])
                conn.execute(
                    f"INSERT INTO runs ({_rows.RUN_COLUMNS}, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        run_seq,
                        run_id,
                        command,
                        started.isoformat(),
                        _rows.iso_now().isoformat(),
                        user or getpass.getuser(),
                        tool_build(),
                        version,
                        _rows.canonical_json(registry.source_versions),
                        packs_json,
                        as_of.isoformat() if as_of is not None else None,
                        count,
                        meta_json,
                        kind,
                    ),
                )
                write(run_seq)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot record the run: {exc}", path=self.path) from exc
        return self.run(run_id)

    # ---------------------------------------------------------------------------------- reading

    def runs(self) -> list[RunRecord]:
        return [_rows.read_run(r, self.path) for r in self._query(f"SELECT {_rows.RUN_COLUMNS} FROM runs ORDER BY seq")]

    def run(self, run_id: str) -> RunRecord:
        rows = list(self._query(f"SELECT {_rows.RUN_COLUMNS} FROM runs WHERE run_id = ?", (run_id,)))
        if not rows:
            raise LedgerError(f"no run {run_id!r} in the ledger", path=self.path)
        return _rows.read_run(rows[0], self.path)

    def decisions(self, run_id: str) -> Iterator[StoredDecision]:
        run = self.run(run_id)
        sql = f"SELECT {_DECISION_COLS} FROM decisions WHERE run_seq = ? ORDER BY seq"
        for row in self._query(sql, (run.seq,)):
            yield _rows.read_decision(row, run_id, self.path)

    def latest_decisions(self) -> Iterator[StoredDecision]:
        """The newest decision per transaction id, by transaction id."""
        ids = self._run_ids()
        for row in self._query(_newest_per("decisions", "transaction_id", _DECISION_COLS)):
            yield _rows.read_decision(row, ids.get(row[0], f"#{row[0]}"), self.path)

    def matches(self, run_id: str) -> Iterator[StoredMatch]:
        run = self.run(run_id)
        for row in self._query(f"SELECT {_MATCH_COLS} FROM matches WHERE run_seq = ? ORDER BY seq", (run.seq,)):
            yield _rows.read_match(row, run_id, self.path)

    def latest_matches(self) -> Iterator[StoredMatch]:
        """The newest party-file row per ref, by ref."""
        ids = self._run_ids()
        for row in self._query(_newest_per("matches", "ref", _MATCH_COLS)):
            yield _rows.read_match(row, ids.get(row[0], f"#{row[0]}"), self.path)

    def latest_parties(self) -> Iterator[StoredParty]:
        """The parties of ``latest_decisions()`` (kind "order") and ``latest_matches()`` (kind "party"),
        by kind, key and position, from the plain ``parties`` table."""
        sql = (
            "SELECT p.kind, p.key, p.run_seq, p.rec_seq, p.idx, p.names, p.country, p.role FROM "
            "(SELECT kind, key, max(run_seq * 4294967296 + rec_seq) AS pos FROM parties GROUP BY kind, key) k "
            "JOIN parties p ON p.kind = k.kind AND p.key = k.key AND p.run_seq = k.pos >> 32 "
            "AND p.rec_seq = k.pos & 4294967295 ORDER BY p.kind, p.key, p.idx"
        )
        for row in self._query(sql):
            yield _rows.read_party(row, self.path)


def _one_order_per_id(decisions: list[list[Any]], places: Sequence[str] | None) -> None:
    """Refuse a run holding two orders of one id (column 2) with different content (input hash, 3)."""
    first: dict[str, tuple[int, str]] = {}
    for i, row in enumerate(decisions):
        tx_id, digest = row[2], row[3]
        seen = first.setdefault(tx_id, (i, digest))
        if seen[1] != digest:

            def where(k: int) -> str:
                return places[k] if places is not None else f"order {k + 1} of the run"

            raise LedgerError(
                f"order id {tx_id!r} is given to two different orders ({where(seen[0])} and {where(i)}): the "
                "ledger keeps the newest decision per order id, so one would drop out of every re-screen; "
                "give each order its own id (nothing was recorded)"
            )


def _with_seq(rows: list[list[Any]], column: int, run_seq: int) -> Iterator[list[Any]]:
    """``rows`` with the run's seq put in ``column`` (as they are inserted)."""
    for row in rows:
        row[column] = run_seq
        yield row


def _newest_per(table: str, key: str, cols: str) -> str:
    """SQL for the newest row of ``table`` per ``key`` (highest run seq, then row seq), by ``key``."""
    picked = ", ".join("t." + c.strip() for c in cols.split(","))
    return (
        f"SELECT {picked} FROM (SELECT {key}, max(run_seq * 4294967296 + seq) AS pos FROM {table} GROUP BY {key}) k "
        f"JOIN {table} t ON t.run_seq = k.pos >> 32 AND t.seq = k.pos & 4294967295 ORDER BY k.{key}"
    )
