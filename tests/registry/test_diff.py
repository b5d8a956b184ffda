"""diff_registries: added, removed and changed entries by key and content hash, independent of order."""

from __future__ import annotations

from pathlib import Path

from exportscreen.registry import Registry, load_registry
from exportscreen.registry.diff import diff_registries

HEAD = "format: exportscreen-registry/1\nsource: {id: %s, name: S, list: X-MINE}\nentries:\n"


def _reg(tmp_path: Path, name: str, rows: list[str], source: str = "s") -> Registry:
    path = tmp_path / f"{name}.yaml"
    path.write_text(HEAD % source + "\n".join(rows) + "\n", encoding="utf-8")
    return load_registry(path)


OLD = [
    "  - {id: a, name: Blocked Customer Ltd}",
    "  - {id: b, name: Other Blocked GmbH, country: DE}",
    "  - {id: c, name: Gone Trading Co}",
]
NEW = [
    "  - {id: b, name: Other Blocked GmbH, country: DE, addresses: ['Hafenstrasse 1, Hamburg']}",
    "  - {id: a, name: Blocked Customer Ltd}",
    "  - {id: d, name: New Listing SA}",
]


def test_added_removed_changed(tmp_path: Path) -> None:
    d = diff_registries(_reg(tmp_path, "old", OLD), _reg(tmp_path, "new", NEW))
    assert [e.id for e in d.added] == ["d"]
    assert [e.id for e in d.removed] == ["c"]
    assert [(c.new.id, c.fields) for c in d.changed] == [("b", ("addresses",))]
    assert d.per_list() == {"X-MINE": {"added": 1, "removed": 1, "changed": 1}}
    assert not d.is_empty()
    doc = d.to_dict()
    assert doc["changed"][0]["old_content_hash"] != doc["changed"][0]["content_hash"]  # type: ignore[index]


def test_identical_and_permuted_registries(tmp_path: Path) -> None:
    old = _reg(tmp_path, "old", OLD)
    assert diff_registries(old, _reg(tmp_path, "same", list(reversed(OLD)))).is_empty()
    forward = diff_registries(old, _reg(tmp_path, "new", NEW)).to_dict()
    backward = diff_registries(_reg(tmp_path, "old2", list(reversed(OLD))), _reg(tmp_path, "new2", NEW[::-1]))
    assert backward.to_dict() == forward


def test_a_source_on_one_side_only(tmp_path: Path) -> None:
    old = _reg(tmp_path, "old", OLD)
    both = old + _reg(tmp_path, "extra", ["  - {id: z, name: Extra Listing Ltd}"], source="t")
    d = diff_registries(old, both)
    assert d.sources_added == ("t",) and [e.id for e in d.added] == ["z"]
    assert diff_registries(both, old).sources_removed == ("t",)
