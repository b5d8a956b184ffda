"""The ledger's SQLite schema, its version and the migrations between versions.

A ledger file is marked with ``PRAGMA application_id`` (``APPLICATION_ID``, so another program's
SQLite file is refused rather than written into) and carries its schema version in ``PRAGMA
user_version``. ``MIGRATIONS[n]`` are the statements that take a version ``n - 1`` file to version
``n``; version 0 is an empty file, so ``MIGRATIONS[1]`` creates the tables. Opening a file runs the
missing steps in one transaction; a file newer than ``LEDGER_SCHEMA_VERSION`` is refused.

Every table is append-only: triggers abort any UPDATE or DELETE.
"""

from __future__ import annotations

import sqlite3

__all__ = ["APPLICATION_ID", "LEDGER_SCHEMA_VERSION", "MIGRATIONS", "TABLES", "migrate"]

#: "ESLG" as a big-endian 32-bit integer: the mark of an exportscreen ledger file.
APPLICATION_ID = 0x45534C47
LEDGER_SCHEMA_VERSION = 4

#: The tables of each schema version (each guarded by the append-only triggers).
TABLES_V1 = ("runs", "decisions", "matches", "parties", "registries", "entries", "registry_entries")
TABLES_V2 = ("term_runs", "party_terms", "term_vocab")
TABLES_V3 = ("term_postings",)
TABLES_V4 = ("term_readings",)
TABLES = TABLES_V1 + TABLES_V2 + TABLES_V3 + TABLES_V4


def _append_only(tables: tuple[str, ...]) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: no {op} on {table}'); END"
        for table in tables
        for op in ("UPDATE", "DELETE")
    ]


_V1 = [
    """CREATE TABLE runs (
        seq INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('decisions', 'matches')),
        command TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        user TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        registry_version TEXT NOT NULL REFERENCES registries(version),
        source_versions TEXT NOT NULL,
        packs TEXT NOT NULL,
        as_of TEXT,
        decisions INTEGER NOT NULL,
        meta TEXT NOT NULL
    )""",
    """CREATE TABLE decisions (
        run_seq INTEGER NOT NULL REFERENCES runs(seq),
        seq INTEGER NOT NULL,
        transaction_id TEXT NOT NULL,
        input_hash TEXT NOT NULL,
        transaction_json TEXT NOT NULL,
        decision_json TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (run_seq, seq)
    ) WITHOUT ROWID""",
    "CREATE INDEX decisions_by_transaction ON decisions (transaction_id, run_seq, seq)",
    """CREATE TABLE matches (
        run_seq INTEGER NOT NULL REFERENCES runs(seq),
        seq INTEGER NOT NULL,
        ref TEXT NOT NULL,
        name TEXT NOT NULL,
        country TEXT,
        matches_json TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (run_seq, seq)
    ) WITHOUT ROWID""",
    "CREATE INDEX matches_by_ref ON matches (ref, run_seq, seq)",
    # One row per party of a recorded order (or per party-file row): what delta re-screening needs,
    # in plain columns. ``names`` is the name and aliases joined by U+001F (names hold no control
    # characters); ``rec_seq`` the position of the order or row in its run.
    """CREATE TABLE parties (
        kind TEXT NOT NULL CHECK (kind IN ('order', 'party')),
        key TEXT NOT NULL,
        run_seq INTEGER NOT NULL REFERENCES runs(seq),
        rec_seq INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        names TEXT NOT NULL,
        country TEXT,
        role TEXT NOT NULL,
        PRIMARY KEY (kind, key, run_seq, rec_seq, idx)
    ) WITHOUT ROWID""",
    """CREATE TABLE registries (
        version TEXT PRIMARY KEY,
        stored_seq INTEGER NOT NULL UNIQUE,
        sources_json TEXT NOT NULL,
        source_versions TEXT NOT NULL,
        entries INTEGER NOT NULL,
        stored_at TEXT NOT NULL
    )""",
    "CREATE TABLE entries (hash TEXT PRIMARY KEY, entry_json TEXT NOT NULL) WITHOUT ROWID",
    """CREATE TABLE registry_entries (
        version TEXT NOT NULL REFERENCES registries(version),
        pos INTEGER NOT NULL,
        hash TEXT NOT NULL REFERENCES entries(hash),
        PRIMARY KEY (version, pos)
    ) WITHOUT ROWID""",
    *_append_only(TABLES_V1),
]

# The search terms of party-file rows (``matching.terms``), so that a delta re-screen finds the
# parties a fresh entry may match without preparing every stored name: ``term_runs`` says which runs
# have them and under which scheme, ``party_terms`` holds (term, row), ``term_vocab`` the distinct terms.
_V2 = [
    """CREATE TABLE term_runs (
        run_seq INTEGER PRIMARY KEY REFERENCES runs(seq),
        scheme TEXT NOT NULL
    )""",
    """CREATE TABLE party_terms (
        term TEXT NOT NULL,
        run_seq INTEGER NOT NULL REFERENCES runs(seq),
        seq INTEGER NOT NULL,
        PRIMARY KEY (term, run_seq, seq)
    ) WITHOUT ROWID""",
    "CREATE TABLE term_vocab (term TEXT PRIMARY KEY) WITHOUT ROWID",
    *_append_only(TABLES_V2),
]

# A run's search terms as one row per term: the run's row seqs holding it, packed (``_rows.pack_seqs``).
# A delta re-screen reads every row holding a word near a fresh word (1.3 M (term, row) pairs at
# 1,000,000 generated parties): one blob per term instead of one SQLite row per pair. Runs recorded
# before schema 3 keep theirs in ``party_terms``; both are read.
_V3 = [
    """CREATE TABLE term_postings (
        term TEXT NOT NULL,
        run_seq INTEGER NOT NULL REFERENCES runs(seq),
        seqs BLOB NOT NULL,
        PRIMARY KEY (term, run_seq)
    ) WITHOUT ROWID""",
    *_append_only(TABLES_V3),
]

# The reading of each party-file row's name (``matching.query.Reading``: its variants' folded texts, its
# dotted and qualifying words; ``_rows.reading_text``), recorded with its terms, so that a delta
# re-screen bounds a row's query (``ledger.qbound``) without reading the name again (~15 us a row, 43,000
# rows at 1,000,000 generated parties). A name the matcher refuses has none; runs recorded before
# schema 4 have none (their names are read again).
_V4 = [
    """CREATE TABLE term_readings (
        run_seq INTEGER NOT NULL REFERENCES runs(seq),
        seq INTEGER NOT NULL,
        reading TEXT NOT NULL,
        PRIMARY KEY (run_seq, seq)
    ) WITHOUT ROWID""",
    *_append_only(TABLES_V4),
]

#: version n -> the statements that take a version n - 1 ledger to n.
MIGRATIONS: dict[int, list[str]] = {1: _V1, 2: _V2, 3: _V3, 4: _V4}


def migrate(conn: sqlite3.Connection, current: int) -> None:
    """Run the migrations from ``current`` to ``LEDGER_SCHEMA_VERSION`` inside the caller's transaction."""
    for version in range(current + 1, LEDGER_SCHEMA_VERSION + 1):
        for statement in MIGRATIONS[version]:
            conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {LEDGER_SCHEMA_VERSION}")
