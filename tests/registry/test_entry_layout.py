"""Entries built by the loaders (``Entry.trusted``) and read back from the registry cache are the
same Entry a validated one would be, stored compactly (the memory target of issue 6)."""

from __future__ import annotations

import pickle
import subprocess
import sys

import pytest
from pydantic import ValidationError

from exportscreen.registry.model import Entry

VALUES = {
    "id": "E1",
    "source": "csl",
    "list": "EL",
    "name": "Semiconductor Manufacturing International Corporation",
    "type": "entity",
    "aliases": ("SMIC",),
    "addresses": ("18 Zhangjiang Road, Shanghai",),
    "country": "CN",
    "federal_register": ("85 FR 83416",),
}


def test_trusted_equals_validated() -> None:
    trusted = Entry.trusted(VALUES)
    validated = Entry.model_validate(VALUES)
    assert trusted == validated
    assert trusted.model_dump() == validated.model_dump()
    assert trusted.content_hash == validated.content_hash
    assert trusted.model_fields_set == set(VALUES)


def test_trusted_fills_defaults() -> None:
    entry = Entry.trusted({"id": "E2", "name": "Huawei"})
    assert entry.aliases == () and entry.country is None and entry.remarks is None


def test_trusted_and_unpickled_entries_share_one_key_table() -> None:
    # A dict with its own key table for 23 fields takes over 800 bytes; a shared-key one under 400.
    entries = [Entry.trusted({**VALUES, "id": f"E{i}"}) for i in range(3)]
    _ = entries[0].content_hash  # a cached property stored on the instance
    for entry in (*entries, *pickle.loads(pickle.dumps(entries))):
        assert sys.getsizeof(entry.__dict__) < 400, sys.getsizeof(entry.__dict__)
    restored = pickle.loads(pickle.dumps(entries))
    assert restored == entries
    assert restored[0].content_hash == entries[0].content_hash
    assert restored[0].model_fields_set == entries[0].model_fields_set


def test_unpickled_entries_share_one_field_name_set() -> None:
    """The registry cache holds each distinct field-name set once, and the entries it restores share it
    (a set per entry was a third of the cache's load time); a copy with an update gets its own."""
    entries = [Entry.trusted({**VALUES, "id": f"E{i}"}) for i in range(3)]
    entries.append(Entry.model_validate({**VALUES, "id": "E3"}))  # validated: a field-name set of its own
    restored = pickle.loads(pickle.dumps(entries))
    assert len({id(e.__pydantic_fields_set__) for e in restored}) == 1
    assert [e.model_fields_set for e in restored] == [set(VALUES)] * 4
    copied = restored[0].model_copy(update={"remarks": "x"})
    assert "remarks" in copied.model_fields_set and "remarks" not in restored[1].model_fields_set


def test_entries_stay_frozen() -> None:
    entry = Entry.trusted(VALUES)
    with pytest.raises(ValidationError):
        entry.name = "other"  # type: ignore[misc]
    assert entry.name == VALUES["name"]
    assert entry.model_fields_set == set(VALUES)


def test_compact_even_after_validated_entries_came_first() -> None:
    """In a fresh interpreter, entries validated from YAML (the bundled lists) before any trusted one
    must not leave the shared key table unusable (found when the API tests ran first)."""
    script = (
        "import sys\n"
        "from exportscreen.registry import load_registry\n"
        "from exportscreen.registry.model import Entry\n"
        "load_registry().version\n"
        "print(sys.getsizeof(Entry.trusted({'id': 'E1', 'name': 'X'}).__dict__))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert int(out) < 400, out
