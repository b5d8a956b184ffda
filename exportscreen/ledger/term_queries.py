"""The ledger's queries over the search terms of party-file rows (``matching.terms``), for delta
re-screening: which runs have terms, the distinct terms, and the rows holding some, or gathering
enough weight towards one fresh name (summed by SQLite over temporary tables)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exportscreen.ledger import _rows
from exportscreen.ledger.models import LedgerError, StoredMatch

if TYPE_CHECKING:
    from exportscreen.ledger.delta import Probe

__all__ = ["MATCH_COLS", "TermQueries"]

MATCH_COLS = "run_seq, seq, ref, name, country, matches_json, recorded_at"
#: terms per ``IN (...)`` list
_BATCH = 500


class TermQueries:
    """Mixed into ``Ledger``: the term queries over its connection."""

    path: Path
    _conn: sqlite3.Connection

    def _query(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Sequence[Any]]:
        try:
            cur = self._conn.execute(sql, params)
            while rows := cur.fetchmany(500):
                yield from rows
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot read the ledger: {exc}", path=self.path) from exc

    def _run_ids(self) -> dict[int, str]:
        return {int(seq): str(rid) for seq, rid in self._query("SELECT seq, run_id FROM runs")}

    def _temp_table(self, name: str, columns: str, rows: Iterable[Sequence[Any]], key: str = "") -> None:
        """(Re)fill the connection's temporary table ``name`` (never the ledger file); ``key``: its
        primary key clause."""
        try:
            self._conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({columns}{', ' + key if key else ''})")
            self._conn.execute(f"DELETE FROM temp.{name}")
            width = columns.count(",") + 1
            self._conn.executemany(f"INSERT INTO temp.{name} VALUES ({', '.join('?' * width)})", rows)
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot read the ledger: {exc}", path=self.path) from exc

    def match_runs(self) -> list[int]:
        """The seqs of the runs of party-file rows."""
        return [int(r[0]) for r in self._query("SELECT seq FROM runs WHERE kind = 'matches' ORDER BY seq")]

    def party_count(self) -> int:
        """How many party refs the ledger holds."""
        return sum(int(r[0]) for r in self._query("SELECT count(DISTINCT ref) FROM matches"))

    def term_schemes(self) -> dict[int, str]:
        """Per party-file run that has search terms, their scheme."""
        return {int(seq): str(scheme) for seq, scheme in self._query("SELECT run_seq, scheme FROM term_runs")}

    def term_vocabulary(self) -> Iterator[str]:
        """The distinct search terms of the ledger's party-file rows of the kinds a re-screen looks at
        one by one (``matching.terms.VOCABULARY_KINDS``)."""
        for (term,) in self._query("SELECT term FROM term_vocab"):
            yield str(term)

    def rows_with_terms(self, terms: Iterable[str]) -> set[tuple[int, int]]:
        """The (run seq, row seq) of the party-file rows holding any of ``terms``."""
        out: set[tuple[int, int]] = set()
        batch = sorted(terms)
        for lo in range(0, len(batch), _BATCH):
            part = batch[lo : lo + _BATCH]
            sql = f"SELECT run_seq, seq FROM party_terms WHERE term IN ({', '.join('?' * len(part))})"
            out.update((int(a), int(b)) for a, b in self._query(sql, part))
        return out

    def rows_admitted(self, probe: Probe) -> set[tuple[int, int]]:
        """The (run seq, row seq) of the party-file rows whose terms ``probe`` admits: what
        ``Probe.admits`` decides for one row, asked of every row at once (a test holds the two equal)."""
        rows = self.rows_with_terms(probe.direct)
        if probe.stubs and probe.near:
            rows |= self.rows_with_terms(probe.stubs) & self.rows_with_terms(probe.near)
        return rows | self.rows_covering(probe.sims, probe.words, probe.cover)

    def rows_covering(
        self,
        sims: Mapping[str, Mapping[int, float]],
        words: Mapping[int, Sequence[tuple[int, int, float]]],
        cover: Mapping[int, float],
    ) -> set[tuple[int, int]]:
        """The (run seq, row seq) of the rows whose word terms cover ``cover[k]`` of some name ``k``'s
        ``words`` (position, word id, weight): per position the weight times the best similarity
        ``sims[term][word id]`` of the row's terms, summed."""
        if not sims:
            return set()
        self._temp_table(
            "probe_sim",
            "term TEXT, vid INTEGER, sim REAL",
            ((t, v, x) for t, near in sims.items() for v, x in near.items()),
        )
        self._temp_table(
            "probe_word",
            "name INTEGER, pos INTEGER, vid INTEGER, weight REAL",
            ((k, j, v, w) for k, ws in words.items() for j, v, w in ws),
        )
        self._temp_table("probe_cover", "name INTEGER PRIMARY KEY, cover REAL", cover.items())
        try:
            self._conn.execute("CREATE INDEX IF NOT EXISTS temp.probe_word_vid ON probe_word (vid)")
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot read the ledger: {exc}", path=self.path) from exc
        sql = (
            "SELECT DISTINCT c.run_seq, c.seq FROM (SELECT run_seq, seq, name, sum(best) AS covered FROM "
            "(SELECT t.run_seq, t.seq, w.name, w.pos, max(w.weight * s.sim) AS best FROM temp.probe_sim s "
            "JOIN party_terms t ON t.term = s.term JOIN temp.probe_word w ON w.vid = s.vid "
            "GROUP BY t.run_seq, t.seq, w.name, w.pos) GROUP BY run_seq, seq, name) c "
            "JOIN temp.probe_cover v ON v.name = c.name WHERE c.covered >= v.cover"
        )
        return {(int(a), int(b)) for a, b in self._query(sql)}

    def latest_matches_at(self, positions: Iterable[tuple[int, int]]) -> Iterator[StoredMatch]:
        """The rows at ``positions`` that are the newest of their ref (as ``latest_matches`` has them), by position."""
        ids = self._run_ids()
        self._temp_table(
            "probe_rows", "run_seq INTEGER, seq INTEGER", sorted(set(positions)), key="PRIMARY KEY (run_seq, seq)"
        )
        cols = ", ".join("m." + c.strip() for c in MATCH_COLS.split(","))
        sql = (
            f"SELECT {cols} FROM temp.probe_rows p JOIN matches m ON m.run_seq = p.run_seq AND m.seq = p.seq "
            "WHERE NOT EXISTS (SELECT 1 FROM matches n WHERE n.ref = m.ref AND (n.run_seq > m.run_seq "
            "OR (n.run_seq = m.run_seq AND n.seq > m.seq))) ORDER BY m.run_seq, m.seq"
        )
        for row in list(self._query(sql)):
            yield _rows.read_match(row, ids.get(row[0], f"#{row[0]}"), self.path)
