"""The compiled-index cache: ``load_or_compile`` reads a compiled registry from the user cache when
its key and hash check out, else compiles (and caches) it.

The key covers everything the index depends on: the compiled format, the package version, the
registry's content *and its entry order* (the index refers to entries by position), the word lists,
the tunables (``lists/matching.yaml``) and the floor it serves.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from exportscreen._cache import cache_dir, read_blob, write_blob
from exportscreen.matching.index import CompiledNames, compile_registry
from exportscreen.matching.tuning import tuning
from exportscreen.matching.words import WordLists
from exportscreen.registry.model import Registry

__all__ = ["FORMAT_VERSION", "compile_key", "load_or_compile"]

#: Bumped whenever the compiled layout or the scoring-relevant preprocessing changes.
FORMAT_VERSION = "exportscreen-compiled/25"


def _entry_order(registry: Registry) -> str:
    h = hashlib.sha256()
    for e in registry.entries:
        h.update(e.source.encode() + b"\0" + e.id.encode() + b"\n")
    return h.hexdigest()


def compile_key(registry: Registry, words: WordLists, floor: float) -> str:
    from exportscreen import __version__

    blob = "\n".join(
        (
            FORMAT_VERSION,
            __version__,
            registry.version,
            _entry_order(registry),
            words.digest_source(),
            tuning().digest,
            f"{floor:.3f}",
        )
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def _path(key: str, directory: Path) -> Path:
    return directory / f"index-{key[:32]}.bin"


def load_or_compile(
    registry: Registry, words: WordLists, *, floor: float, theta: float, use_cache: bool = True
) -> CompiledNames:
    """The compiled registry: from the user cache when its key and hash check out, else built (and cached)."""
    key = compile_key(registry, words, floor)
    directory = cache_dir()
    if use_cache:
        cached = read_blob(_path(key, directory), key)
        if isinstance(cached, CompiledNames) and cached.key == key and len(cached.entry_words) == len(registry):
            return cached
    compiled = compile_registry(registry, words, floor=floor, theta=theta, key=key)
    if use_cache:
        write_blob(_path(key, directory), key, compiled)
    return compiled
