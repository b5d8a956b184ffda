"""The registry snapshots of a ledger (mixed into ``Ledger``): each registry a run was screened against,
stored once (its entries by content hash, shared between versions), and rebuilt from them, validated."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exportscreen._errors import ExportscreenError
from exportscreen.ledger import _rows
from exportscreen.ledger.models import LedgerError
from exportscreen.registry import Registry

__all__ = ["Snapshots"]

_MIN_PREFIX = 8


class Snapshots:
    """Mixed into ``Ledger``: storing and reading registry snapshots over its connection."""

    path: Path
    _conn: sqlite3.Connection

    if TYPE_CHECKING:

        def _query(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Sequence[Any]]: ...  # TermQueries

    def _store_registry(self, registry: Registry, snapshot: list[tuple[str, str]]) -> None:
        conn = self._conn
        version = registry.version
        if conn.execute("SELECT 1 FROM registries WHERE version = ?", (version,)).fetchone():
            return  # another writer stored it meanwhile
        stored = int(conn.execute("SELECT coalesce(max(stored_seq), 0) + 1 FROM registries").fetchone()[0])
        sources = _rows.canonical_json([s.model_dump(mode="json") for s in registry.sources])
        conn.execute(
            "INSERT INTO registries (version, stored_seq, sources_json, source_versions, entries, stored_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                version,
                stored,
                sources,
                _rows.canonical_json(registry.source_versions),
                len(snapshot),
                _rows.iso_now().isoformat(),
            ),
        )
        conn.executemany("INSERT OR IGNORE INTO entries (hash, entry_json) VALUES (?, ?)", snapshot)
        conn.executemany(
            "INSERT INTO registry_entries (version, pos, hash) VALUES (?, ?, ?)",
            ((version, pos, h) for pos, (h, _) in enumerate(snapshot)),
        )

    def registry_versions(self) -> list[str]:
        return [str(r[0]) for r in self._query("SELECT version FROM registries ORDER BY stored_seq")]

    def has_registry(self, version: str) -> bool:
        return bool(list(self._query("SELECT 1 FROM registries WHERE version = ?", (version,))))

    def _resolve(self, version: str) -> str:
        if self.has_registry(version):
            return version
        low = version.lower()
        if len(low) < _MIN_PREFIX or any(c not in "0123456789abcdef" for c in low):
            raise LedgerError(
                f"no registry version {version!r} in the ledger (a prefix needs >= 8 hex digits)", path=self.path
            )
        found = [v for v in self.registry_versions() if v.startswith(low)]
        if len(found) != 1:
            what = "no" if not found else f"{len(found)} registry versions match"
            raise LedgerError(f"{what} registry version {version!r} in the ledger", path=self.path)
        return found[0]

    def registry(self, version: str, *, known: Registry | None = None) -> Registry:
        """The registry of ``version`` (or a unique prefix of >= 8 hex digits), rebuilt from its snapshot.
        ``known``: a registry at hand (the lists in force now); a stored entry whose text hashes to its
        content hash and that hash is one of ``known``'s entries' is that entry (validated by the hash:
        not parsed again, 0.2 s for the 4,189 bundled entries)."""
        version = self._resolve(version)
        same = {e.content_hash: e for e in known.entries} if known is not None else {}
        head = list(self._query("SELECT sources_json, entries FROM registries WHERE version = ?", (version,)))
        sources = _rows.read_sources(head[0][0], version, self.path)
        sql = (
            "SELECT r.pos, r.hash, e.entry_json FROM registry_entries r LEFT JOIN entries e ON e.hash = r.hash "
            "WHERE r.version = ? ORDER BY r.pos"
        )
        entries = [
            _rows.read_entry(h, text, version, pos, self.path, same) for pos, h, text in self._query(sql, (version,))
        ]
        if len(entries) != head[0][1]:
            raise LedgerError(f"registry {version} holds {len(entries)} entries, not {head[0][1]}", path=self.path)
        try:
            registry = Registry(sources, entries)
        except ExportscreenError as exc:
            raise LedgerError(f"registry {version} does not rebuild: {exc.message}", path=self.path) from exc
        if registry.version != version:
            raise LedgerError(
                f"registry {version} rebuilds as version {registry.version} (corrupted or edited ledger)",
                path=self.path,
            )
        return registry
