"""The cache of validated bundled data files (``exportscreen._validated``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import exportscreen._validated as validated
from exportscreen._errors import PackError
from exportscreen._io import load_model
from exportscreen.geo import CountryGroups
from exportscreen.named_dates import load_dated_model
from exportscreen.tier_defs import TierFile as _TierFile

LISTS = Path(__file__).parent.parent / "lists"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EXPORTSCREEN_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _blobs(cache: Path) -> list[Path]:
    return sorted(cache.glob("validated-*.bin"))


def test_a_bundled_file_is_validated_once_then_read_from_the_cache(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = LISTS / "country_groups.yaml"
    first = load_dated_model(path, CountryGroups, error=PackError)
    written = _blobs(cache)
    assert written  # the groups, and the country table and named dates they read

    def no_validation(*_a: object, **_k: object) -> object:
        raise AssertionError("validated again")

    with monkeypatch.context() as m:
        m.setattr(CountryGroups, "model_validate", classmethod(no_validation))
        again = load_dated_model(path, CountryGroups, error=PackError)
    assert again == first and again is not first
    assert _blobs(cache) == written
    # a damaged blob is a miss: validated again, never trusted
    for blob in written:
        blob.write_bytes(blob.read_bytes()[:-9] + b"damaged!!")
    assert load_dated_model(path, CountryGroups, error=PackError) == first


def test_each_loader_and_model_has_its_own_entry(cache: Path) -> None:
    path = LISTS / "tiers.yaml"
    dated = load_dated_model(path, _TierFile, error=PackError)
    written = _blobs(cache)
    # the same file through the other loader (date names not resolved) is another entry
    with pytest.raises(PackError):
        load_model(path, _TierFile, error=PackError)
    assert _blobs(cache) == written  # an error is never cached
    assert load_dated_model(path, _TierFile, error=PackError) == dated


def test_files_outside_the_bundled_lists_are_never_cached(cache: Path, tmp_path: Path) -> None:
    copy = tmp_path / "country_groups.yaml"
    shutil.copy(LISTS / "country_groups.yaml", copy)
    load_dated_model(copy, CountryGroups, error=PackError)
    assert _blobs(cache) == []


def _bundled_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of ``lists/`` (without the registry) standing in for the bundled directory."""
    lists = tmp_path / "lists"
    shutil.copytree(LISTS, lists, ignore=shutil.ignore_patterns("registry"))
    monkeypatch.setattr(validated, "bundled_dir", lambda: lists)
    validated.environment_digest.cache_clear()
    monkeypatch.setattr(validated, "environment_digest", validated.environment_digest)
    return lists


def test_an_edited_bundled_file_is_validated_again_and_its_error_raised(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lists = _bundled_copy(tmp_path, monkeypatch)
    try:
        path = lists / "country_groups.yaml"
        load_dated_model(path, CountryGroups, error=PackError)
        assert _blobs(cache)
        # within the same process too: the file's own bytes are part of the key
        path.write_text(path.read_text(encoding="utf-8") + "\nunknown_field: 1\n", encoding="utf-8")
        with pytest.raises(PackError, match="unknown_field"):
            load_dated_model(path, CountryGroups, error=PackError)
    finally:
        validated.environment_digest.cache_clear()


def test_another_bundled_file_or_module_changes_every_key(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lists = _bundled_copy(tmp_path, monkeypatch)
    try:
        before = validated.environment_digest()
        (lists / "dates.yaml").write_text(
            (lists / "dates.yaml").read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8"
        )
        validated.environment_digest.cache_clear()
        assert validated.environment_digest() != before
        # the registry's files have a cache of their own and are not part of the key
        registry = lists / "registry"
        registry.mkdir()
        (registry / "x.json").write_text("{}", encoding="utf-8")
        after = validated.environment_digest()
        validated.environment_digest.cache_clear()
        assert validated.environment_digest() == after
        # only the top-level registry: a folder of that name elsewhere is data like any other
        (lists / "packs" / "registry").mkdir()
        (lists / "packs" / "registry" / "x.yaml").write_text("a: 1\n", encoding="utf-8")
        validated.environment_digest.cache_clear()
        assert validated.environment_digest() != after
    finally:
        validated.environment_digest.cache_clear()


def test_every_bundled_file_a_screener_loads_is_cached(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each bundled model the default Screener validates pickles (none silently skips the cache)."""
    import subprocess
    import sys

    code = (
        "import exportscreen._validated as v\n"
        "seen = []\n"
        "orig = v.bundled_model\n"
        "def spy(path, model, loader, build):\n"
        "    out = orig(path, model, loader, build)\n"
        "    if v._bundled_relative(path) is not None:\n"
        "        seen.append(path)\n"
        "    return out\n"
        "v.bundled_model = spy\n"
        "import exportscreen._io, exportscreen.named_dates, exportscreen.rules\n"
        "for mod in (exportscreen._io, exportscreen.named_dates, exportscreen.rules):\n"
        "    mod.bundled_model = spy\n"
        "from exportscreen.screener import Screener\n"
        "Screener()\n"
        "print(len(seen))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = int(out.stdout.strip())
    assert loaded >= 8
    assert len(_blobs(cache)) == loaded
