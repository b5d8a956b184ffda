"""The compiled-index cache: used only when its key and content hash check out, from a directory only we can write."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from exportscreen.matching import MatchSettings
from exportscreen.matching import cache as compiled
from exportscreen.matching.cache import load_or_compile
from exportscreen.matching.index import CompiledNames
from exportscreen.matching.prune import coverage_floor
from exportscreen.matching.words import word_lists
from exportscreen.registry import cache as registry_cache
from exportscreen.registry.model import Entry, Registry

FLOOR = MatchSettings().review


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("EXPORTSCREEN_CACHE_DIR", str(directory))
    return directory


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys of the registries compiled (not read from the cache) during a test."""
    seen: list[str] = []
    real = compiled.compile_registry

    def counting(*args: object, **kwargs: object) -> CompiledNames:
        out = real(*args, **kwargs)  # type: ignore[arg-type]
        seen.append(out.key)
        return out

    monkeypatch.setattr(compiled, "compile_registry", counting)
    return seen


def _load(registry: Registry) -> CompiledNames:
    return load_or_compile(registry, word_lists(), floor=FLOOR, theta=coverage_floor(FLOOR))


def _cache_file(directory: Path) -> Path:
    files = [p for p in directory.iterdir() if not p.name.startswith(".")]
    assert len(files) == 1, files
    return files[0]


def _same(a: CompiledNames, b: CompiledNames) -> None:
    assert a.key == b.key
    assert a.vocab.words == b.vocab.words and a.tokens == b.tokens and a.text == b.text and a.postings == b.postings


def test_second_load_comes_from_the_cache(small_registry: Registry, cache: Path, builds: list[str]) -> None:
    first = _load(small_registry)
    second = _load(small_registry)
    assert len(builds) == 1
    _same(first, second)


@pytest.mark.parametrize("damage", ["flip_last_byte", "flip_middle_byte", "truncate", "empty", "garbage"])
def test_damaged_cache_is_detected_and_rebuilt(
    small_registry: Registry, cache: Path, builds: list[str], damage: str
) -> None:
    good = _load(small_registry)
    path = _cache_file(cache)
    blob = bytearray(path.read_bytes())
    if damage == "flip_last_byte":
        blob[-1] ^= 0xFF
    elif damage == "flip_middle_byte":
        blob[len(blob) // 2] ^= 0x01
    elif damage == "truncate":
        del blob[len(blob) // 2 :]
    elif damage == "empty":
        blob = bytearray()
    else:
        blob = bytearray(os.urandom(4096))
    path.write_bytes(bytes(blob))
    rebuilt = _load(small_registry)
    assert len(builds) == 2
    _same(good, rebuilt)
    # the rebuilt cache was written back and is used again
    _load(small_registry)
    assert len(builds) == 2


def test_changed_list_is_rebuilt(small_registry: Registry, cache: Path, builds: list[str]) -> None:
    _load(small_registry)
    extra = Entry(id="99", source="t", list="EL", name="Brand New Trading Co., Ltd.")
    changed = Registry(small_registry.sources, [*small_registry.entries, extra])
    out = _load(changed)
    assert len(builds) == 2 and builds[0] != builds[1]
    assert "Brand New Trading Co., Ltd." in out.text


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
@pytest.mark.parametrize("mode", [0o777, 0o775])
def test_cache_dir_writable_by_others_is_not_trusted(
    small_registry: Registry, cache: Path, builds: list[str], mode: int
) -> None:
    _load(small_registry)
    cache.chmod(mode)
    try:
        _load(small_registry)
        assert len(builds) == 2
    finally:
        cache.chmod(0o700)


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_cache_file_writable_by_others_is_not_trusted(small_registry: Registry, cache: Path, builds: list[str]) -> None:
    _load(small_registry)
    _cache_file(cache).chmod(0o666)
    _load(small_registry)
    assert len(builds) == 2


def test_registry_cache_reloads_a_changed_or_damaged_list(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exportscreen import registry as registry_pkg
    from exportscreen.registry import bundled_list_paths

    loads: list[tuple[str | Path, ...]] = []
    real = registry_pkg.load_registry

    def counting(*paths: str | Path, **kwargs: str | None) -> Registry:
        loads.append(paths)
        return real(*paths, **kwargs)

    monkeypatch.setattr(registry_pkg, "load_registry", counting)
    listed = tmp_path / "list.yaml"
    listed.write_bytes(bundled_list_paths()[0].read_bytes())
    first = registry_cache.load_registry_cached(listed)
    again = registry_cache.load_registry_cached(listed)
    assert len(loads) == 1 and again.version == first.version
    for f in cache.glob("registry-*.bin"):
        f.write_bytes(f.read_bytes()[:-10])
    assert registry_cache.load_registry_cached(listed).version == first.version
    assert len(loads) == 2
    listed.write_text(listed.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    registry_cache.load_registry_cached(listed)
    assert len(loads) == 3


def test_same_lists_in_another_order_get_their_own_index(
    small_registry: Registry, cache: Path, builds: list[str]
) -> None:
    """The index refers to entries by position: another entry order is another index (issue 12.1)."""
    forward = _load(small_registry)
    backward = Registry(small_registry.sources, small_registry.entries[::-1])
    out = _load(backward)
    assert len(builds) == 2 and builds[0] != builds[1]
    assert out.entry_keys == [e.key for e in backward.entries] != forward.entry_keys
    assert compiled.serves(out, backward) and not compiled.serves(out, small_registry)
    assert _load(small_registry).entry_keys == forward.entry_keys and len(builds) == 2  # both stay cached


def test_an_index_of_other_entries_under_the_right_key_is_not_used(
    small_registry: Registry, cache: Path, builds: list[str]
) -> None:
    """A loaded index is checked against the registry it serves, whatever its key says."""
    backward = Registry(small_registry.sources, small_registry.entries[::-1])
    wrong = _load(backward)
    key = compiled.compile_key(small_registry, word_lists(), FLOOR, coverage_floor(FLOOR))
    wrong.key = key
    compiled.write_cache(wrong, cache)
    out = _load(small_registry)
    assert len(builds) == 2, "the foreign index was rebuilt, not used"
    assert compiled.serves(out, small_registry)


def test_the_key_covers_thresholds_order_and_word_lists(small_registry: Registry) -> None:
    words = word_lists()
    theta = coverage_floor(FLOOR)
    base = compiled.compile_key(small_registry, words, FLOOR, theta)
    backward = Registry(small_registry.sources, small_registry.entries[::-1])
    assert backward.version == small_registry.version  # the content version ignores the order ...
    others = {
        compiled.compile_key(backward, words, FLOOR, theta),  # ... the index key does not
        compiled.compile_key(small_registry, words, FLOOR + 1, theta),
        compiled.compile_key(small_registry, words, FLOOR, theta + 0.01),
    }
    assert base not in others and len(others) == 3


def test_registry_cache_reloads_a_custom_list_whose_mapping_changed(tmp_path: Path, cache: Path) -> None:
    """A custom list is read through the mapping beside it: an edited mapping is another list (issue 12 audit)."""
    examples = Path(__file__).resolve().parents[2] / "examples" / "lists"
    for name in ("blocked_customers.csv", "blocked_customers.mapping.yaml"):
        (tmp_path / name).write_bytes((examples / name).read_bytes())
    data = tmp_path / "blocked_customers.csv"
    assert registry_cache.load_registry_cached(data).lists == {"X-BLOCKED-CUSTOMERS"}
    mapping = tmp_path / "blocked_customers.mapping.yaml"
    renamed = mapping.read_text(encoding="utf-8").replace("X-BLOCKED-CUSTOMERS", "X-RENAMED")
    mapping.write_text(renamed, encoding="utf-8")
    assert registry_cache.load_registry_cached(data).lists == {"X-RENAMED"}
