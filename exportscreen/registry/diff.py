"""What changed between two registries (``diff_registries``): entries added, removed and changed.

Entries are compared by key, ``(source id, entry id)``, and content hash (``Entry.content_hash``):
same key and another hash is a change, and ``EntryChange.fields`` names the fields that differ. Whether
an edit of a listing keeps its key depends on where the id comes from: the CSL carries one per record
(``entity_number`` for Treasury rows, ``_id`` for the others) and OFAC its ``uid``, so any edit is a
change; the bundled Entity List, MEU, NS-CMIC and 1260H files and custom CSV lists without an id
column derive it from the list code, country and name (``registry.ids.stable_id``), so a new address
or citation is a change but a renamed entry is one removed and one added; the DPL's ids (and those of
rows that would otherwise share one) also hash the address, so there a new address is removed + added
too. Your own YAML lists use the ids you give. A source on one side only is all added or all removed, and is named
in ``sources_added`` / ``sources_removed``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import JsonValue

from exportscreen.registry.model import Entry, Registry

__all__ = ["EntryChange", "RegistryDiff", "diff_registries"]


@dataclass(frozen=True)
class EntryChange:
    old: Entry
    new: Entry
    fields: tuple[str, ...]


def _brief(e: Entry) -> dict[str, JsonValue]:
    return {"source": e.source, "id": e.id, "list": e.list, "name": e.name, "content_hash": e.content_hash}


@dataclass(frozen=True)
class RegistryDiff:
    old_version: str
    new_version: str
    added: tuple[Entry, ...]
    removed: tuple[Entry, ...]
    changed: tuple[EntryChange, ...]
    sources_added: tuple[str, ...] = ()
    sources_removed: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def per_list(self) -> dict[str, dict[str, int]]:
        """Per list code: how many entries were added, removed and changed (codes with any)."""
        out: dict[str, dict[str, int]] = {}

        def bump(code: str, what: str) -> None:
            out.setdefault(code, {"added": 0, "removed": 0, "changed": 0})[what] += 1

        for e in self.added:
            bump(e.list, "added")
        for e in self.removed:
            bump(e.list, "removed")
        for c in self.changed:
            bump(c.new.list, "changed")
        return dict(sorted(out.items()))

    def to_dict(self) -> dict[str, JsonValue]:
        """Stable JSON: versions, per-list counts, and the entries by key."""
        return {
            "old_version": self.old_version,
            "new_version": self.new_version,
            "sources_added": list(self.sources_added),
            "sources_removed": list(self.sources_removed),
            "per_list": {k: dict(v) for k, v in self.per_list().items()},
            "added": [_brief(e) for e in self.added],
            "removed": [_brief(e) for e in self.removed],
            "changed": [
                {
                    **_brief(c.new),
                    "old_content_hash": c.old.content_hash,
                    "fields": list(c.fields),
                }
                for c in self.changed
            ],
        }


def _fields(old: Entry, new: Entry) -> tuple[str, ...]:
    a, b = old.model_dump(mode="json"), new.model_dump(mode="json")
    return tuple(f for f in Entry.model_fields if a.get(f) != b.get(f))


def diff_registries(old: Registry, new: Registry) -> RegistryDiff:
    """Entries of ``new`` not in ``old`` (added), of ``old`` not in ``new`` (removed), and in both
    under one key with other content (changed); each sorted by key, so the order of loading is moot."""
    before = {e.key: e for e in old.entries}
    after = {e.key: e for e in new.entries}
    added = tuple(after[k] for k in sorted(after.keys() - before.keys()))
    removed = tuple(before[k] for k in sorted(before.keys() - after.keys()))
    changed = tuple(
        EntryChange(before[k], after[k], _fields(before[k], after[k]))
        for k in sorted(before.keys() & after.keys())
        if before[k].content_hash != after[k].content_hash
    )
    old_sources, new_sources = {s.id for s in old.sources}, {s.id for s in new.sources}
    return RegistryDiff(
        old_version=old.version,
        new_version=new.version,
        added=added,
        removed=removed,
        changed=changed,
        sources_added=tuple(sorted(new_sources - old_sources)),
        sources_removed=tuple(sorted(old_sources - new_sources)),
    )
