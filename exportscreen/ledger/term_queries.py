"""The ledger's queries over the search terms of party-file rows (``matching.terms``), for delta
re-screening: which runs have terms, the distinct terms, and the rows holding some, or gathering
enough weight towards one fresh name (summed over each term's rows, read from the term index)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from exportscreen.ledger import _rows
from exportscreen.ledger.models import LedgerError, StoredMatch

if TYPE_CHECKING:
    from exportscreen.ledger.delta import Probe

__all__ = ["MATCH_COLS", "StoredName", "TermQueries"]

MATCH_COLS = "run_seq, seq, ref, name, country, matches_json, recorded_at"


class StoredName(NamedTuple):
    """What a delta re-screen tests a party-file row by (``TermQueries.names_at``)."""

    name: str
    country: str | None
    had_match: bool
    #: the stored reading of the name (``_rows.reading_text``; checked well formed where it is decoded)
    reading: str | None


#: terms read per statement (``postings_of``; SQLite allows 32,766 parameters)
_BATCH = 500
#: a row's shares summed in another order than their bound may exceed it in the last bits
_REST_SLACK = 1e-9


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
        conn = self._conn
        try:
            conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({columns}{', ' + key if key else ''})")
            # one transaction: in autocommit each row would be one (0.6 s for 43,000 rows)
            own = not conn.in_transaction
            if own:
                conn.execute("BEGIN")
            try:
                conn.execute(f"DELETE FROM temp.{name}")
                width = columns.count(",") + 1
                conn.executemany(f"INSERT INTO temp.{name} VALUES ({', '.join('?' * width)})", rows)
            except BaseException:
                if own and conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            if own:
                conn.execute("COMMIT")
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

    def postings(self, term: str) -> list[int]:
        """The party-file rows holding ``term``, each as ``run_seq << 32 | seq``: the packed postings of
        the runs recorded since schema 3 (``term_postings``), the rows of ``party_terms`` of those before."""
        found = [int(r[0]) for r in self._query("SELECT run_seq << 32 | seq FROM party_terms WHERE term = ?", (term,))]
        for run_seq, blob in self._query("SELECT run_seq, seqs FROM term_postings WHERE term = ?", (term,)):
            base = int(run_seq) << 32
            seqs = _rows.unpack_seqs(blob, f"the postings of term {term!r} in run seq {run_seq}", self.path)
            found += [base | seq for seq in seqs]
        return found

    def postings_of(self, terms: Iterable[str]) -> dict[str, list[int]]:
        """``postings`` of each of ``terms``, read in batches (one statement per 500 terms, not two per
        term: 7,000 statements for the 3,500 terms near fresh words at 1,000,000 parties)."""
        wanted = sorted(set(terms))
        found: dict[str, list[int]] = {t: [] for t in wanted}
        old = bool(list(self._query("SELECT 1 FROM party_terms LIMIT 1")))  # runs recorded before schema 3
        for i in range(0, len(wanted), _BATCH):
            batch = wanted[i : i + _BATCH]
            marks = ", ".join("?" * len(batch))
            if old:
                sql = f"SELECT term, run_seq << 32 | seq FROM party_terms WHERE term IN ({marks})"
                for term, row in self._query(sql, batch):
                    found[str(term)].append(int(row))
            sql = f"SELECT term, run_seq, seqs FROM term_postings WHERE term IN ({marks})"
            for term, run_seq, blob in self._query(sql, batch):
                base = int(run_seq) << 32
                seqs = _rows.unpack_seqs(blob, f"the postings of term {term!r} in run seq {run_seq}", self.path)
                found[str(term)] += [base | seq for seq in seqs]
        return found

    def rows_with_terms(self, terms: Iterable[str]) -> set[tuple[int, int]]:
        """The (run seq, row seq) of the party-file rows holding any of ``terms``."""
        out: set[int] = set()
        for rows in self.postings_of(terms).values():
            out.update(rows)
        return {(row >> 32, row & 0xFFFFFFFF) for row in out}

    def rows_admitted(self, probe: Probe) -> set[tuple[int, int]]:
        """The (run seq, row seq) of the party-file rows whose terms ``probe`` admits: what
        ``Probe.admits`` decides for one row, asked of every row at once (a test holds the two equal)."""
        direct, covered = self.rows_admitted_by(probe)
        return direct | covered

    def rows_admitted_by(self, probe: Probe) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
        """``rows_admitted`` in two: the rows admitted directly or through a stub, and the others (admitted
        through their terms' coverage only)."""
        rows = self.rows_with_terms(probe.direct)
        if probe.stubs and probe.near:
            rows |= self.rows_with_terms(probe.stubs) & self.rows_with_terms(probe.near)
        return rows, self.rows_covering(probe.sims, probe.words, probe.cover) - rows

    def rows_covering(
        self,
        sims: Mapping[str, Mapping[int, float]],
        words: Mapping[int, Sequence[tuple[int, int, float]]],
        cover: Mapping[int, float],
    ) -> set[tuple[int, int]]:
        """The (run seq, row seq) of the rows whose word terms cover ``cover[k]`` of some name ``k``'s
        ``words`` (position, word id, weight): per position the weight times the best similarity
        ``sims[term][word id]`` of the row's terms, summed.

        Summed here over each term's rows (``postings_of``, read once per term), positions with the fewest
        postings first: a row first met where the remaining positions' best shares cannot reach the need
        is never added (it cannot pass), so such a position (most often a common word: "systems" is in
        125,000 of 1,000,000 generated parties) is only looked up for the rows met before, from a set of
        its term's rows (built once per term), not summed over all of them (0.97 s -> 0.45 s at 1,000,000).
        SQLite grouping the join of every row holding a common word took 6x as long for the same rows."""
        near_terms: dict[int, list[tuple[str, float]]] = {}
        for term, near in sims.items():
            for vid, sim in near.items():
                near_terms.setdefault(vid, []).append((term, sim))
        postings = self.postings_of(sims)
        posting_sets: dict[str, frozenset[int]] = {}
        rows_of = postings.__getitem__

        def set_of(term: str) -> frozenset[int]:
            found = posting_sets.get(term)
            if found is None:
                found = posting_sets[term] = frozenset(rows_of(term))
            return found

        out: set[int] = set()
        for k, positions in words.items():
            by_position: dict[int, list[tuple[int, float]]] = {}
            for pos, vid, weight in positions:
                by_position.setdefault(pos, []).append((vid, weight))
            # per position its terms in ascending order of share (a larger one overwrites a row's share),
            # the most it gives, and how many postings it has
            steps: list[tuple[int, float, list[tuple[float, str]]]] = []
            for pairs in by_position.values():
                shares = sorted((weight * sim, term) for vid, weight in pairs for term, sim in near_terms.get(vid, ()))
                size = sum(len(rows_of(term)) for _x, term in shares)
                if size:
                    steps.append((size, shares[-1][0], shares))
            steps.sort(key=lambda step: step[0])
            need = cover[k]
            rest = sum(top for _n, top, _shares in steps)
            covered: dict[int, float] = {}
            for _n, top, shares in steps:
                best: dict[int, float] = {}
                if rest + _REST_SLACK >= need:
                    # the best share of each row holding a term near the position's word (whole postings, in C)
                    for x, term in shares:
                        best.update(dict.fromkeys(rows_of(term), x))
                    if not covered:
                        covered = best
                    else:
                        for row, x in best.items():
                            covered[row] = covered.get(row, 0.0) + x
                elif not covered:
                    break  # no row was met where it could still pass
                else:
                    for x, term in shares:
                        best.update(dict.fromkeys(set_of(term).intersection(covered), x))
                    for row, x in best.items():
                        covered[row] += x
                rest -= top
            out.update(row for row, x in covered.items() if x >= need)
        return {(row >> 32, row & 0xFFFFFFFF) for row in out}

    def names_at(self, positions: Iterable[tuple[int, int]]) -> dict[tuple[int, int], StoredName]:
        """Per (run seq, row seq) of ``positions``: the row's name, country, whether it had a match, and
        its stored reading (``term_readings``: None in a run recorded before schema 4, or for a name the
        matcher refuses); every row, the newest of its ref or not (``latest_matches_at`` reads the rest)."""
        self._temp_table(
            "probe_rows", "run_seq INTEGER, seq INTEGER", sorted(set(positions)), key="PRIMARY KEY (run_seq, seq)"
        )
        sql = (
            "SELECT m.run_seq, m.seq, m.name, m.country, m.matches_json <> '[]', r.reading FROM temp.probe_rows p "
            "CROSS JOIN matches m ON m.run_seq = p.run_seq AND m.seq = p.seq "
            "LEFT JOIN term_readings r ON r.run_seq = p.run_seq AND r.seq = p.seq"
        )
        out: dict[tuple[int, int], StoredName] = {}
        for run_seq, seq, name, country, had, reading in self._query(sql):
            if (
                not isinstance(name, str)
                or (country is not None and not isinstance(country, str))
                or (reading is not None and not isinstance(reading, str))
            ):
                raise LedgerError(
                    f"match row {seq} of run seq {run_seq} does not validate (corrupted or edited ledger): "
                    "its name, country or reading is not a text",
                    path=self.path,
                )
            out[int(run_seq), int(seq)] = StoredName(name, country, bool(had), reading)
        return out

    def latest_matches_at(self, positions: Iterable[tuple[int, int]]) -> Iterator[StoredMatch]:
        """The rows at ``positions`` that are the newest of their ref (as ``latest_matches`` has them), by position.
        (``CROSS JOIN``: the few positions first, each looked up by primary key; with a plain join SQLite,
        without statistics on the temporary table, scanned every row of ``matches``: 0.7 s for 43,000 rows
        of 1,000,000 instead of 0.15 s.)"""
        ids = self._run_ids()
        self._temp_table(
            "probe_rows", "run_seq INTEGER, seq INTEGER", sorted(set(positions)), key="PRIMARY KEY (run_seq, seq)"
        )
        cols = ", ".join("m." + c.strip() for c in MATCH_COLS.split(","))
        sql = (
            f"SELECT {cols} FROM temp.probe_rows p CROSS JOIN matches m ON m.run_seq = p.run_seq AND m.seq = p.seq "
            "WHERE NOT EXISTS (SELECT 1 FROM matches n WHERE n.ref = m.ref AND (n.run_seq > m.run_seq "
            "OR (n.run_seq = m.run_seq AND n.seq > m.seq))) ORDER BY m.run_seq, m.seq"
        )
        for row in list(self._query(sql)):
            yield _rows.read_match(row, ids.get(row[0], f"#{row[0]}"), self.path)
