"""The compiled-index cache: ``load_or_compile`` reads a compiled registry from the user cache when
its key and hash check out and it serves the registry at hand, else compiles (and caches) it.

The key covers everything the index depends on: the compiled format, the package version and the
source of the matching modules, the registry's content *and its entry order* (the index refers to
entries by position: ``registry_fingerprint``), the word lists, the tunables
(``lists/matching.yaml``) and the thresholds it serves. A loaded index is checked against the
registry before use (``serves``), whatever its key says (issue 12.1: "Yangtze Memory" reported as
ALFA-BANK after another list order filled the cache).
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from exportscreen._cache import cache_dir, read_blob, write_blob
from exportscreen._iso3166 import data_digest as pycountry_data_digest
from exportscreen.matching.index import CompiledNames, compile_registry
from exportscreen.matching.tuning import tuning
from exportscreen.matching.words import WordLists
from exportscreen.registry.model import Registry

__all__ = ["FORMAT_VERSION", "compile_key", "load_or_compile", "registry_fingerprint", "serves"]

#: Bumped whenever the compiled layout or the scoring-relevant preprocessing changes.
FORMAT_VERSION = "exportscreen-compiled/29"


def registry_fingerprint(registry: Registry) -> str:
    """sha256 over the registry's content version and its entries' ``(source, id)`` in order.

    ``Registry.version`` does not depend on the order of the entries, but the index refers to them by
    position: the same lists loaded in another order need another index.
    """
    h = hashlib.sha256(registry.version.encode())
    for e in registry.entries:
        h.update(f"\n{e.source}\0{e.id}".encode())
    return h.hexdigest()


@functools.cache
def _code_version() -> str:
    """The package version, the source of the matching modules and the versions of the libraries
    whose tables the compiler reads (country names, transliteration): a changed compiler, even one
    that forgot to bump ``FORMAT_VERSION``, never reads an index another one wrote."""
    import anyascii

    from exportscreen import __version__

    h = hashlib.sha256(__version__.encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    h.update(f"\npycountry-data={pycountry_data_digest()}\nanyascii={anyascii.__version__}".encode())
    return h.hexdigest()


def compile_key(registry: Registry, words: WordLists, floor: float, theta: float) -> str:
    """The cache key of an index: everything it depends on (entries in order, word lists, tunables,
    thresholds, code)."""
    parts = (
        FORMAT_VERSION,
        _code_version(),
        registry_fingerprint(registry),
        words.digest_source(),
        tuning().digest,
        f"floor={floor!r}",
        f"theta={theta!r}",
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def serves(compiled: CompiledNames, registry: Registry) -> bool:
    """Whether ``compiled`` was built from exactly ``registry``'s entries, in its order: each entry at
    its position, and every listed name pointing at an entry of that name."""
    entries = registry.entries
    if compiled.entry_keys != [e.key for e in entries] or len(compiled.address_words) != len(entries):
        return False
    return all(
        fld != 0 or entries[i].name == text
        for i, fld, text in zip(compiled.entry, compiled.name_field, compiled.text, strict=True)
    )


def _path(key: str, directory: Path) -> Path:
    return directory / f"index-{key[:32]}.bin"


def write_cache(compiled: CompiledNames, directory: Path) -> None:
    """Cache ``compiled`` under its key in ``directory``."""
    write_blob(_path(compiled.key, directory), compiled.key, compiled)


def load_or_compile(
    registry: Registry, words: WordLists, *, floor: float, theta: float, use_cache: bool = True
) -> CompiledNames:
    """The compiled registry: from the user cache when its key and hash check out and it serves
    ``registry`` (``serves``), else built (and cached)."""
    key = compile_key(registry, words, floor, theta)
    directory = cache_dir()
    if use_cache:
        cached = read_blob(_path(key, directory), key)
        if (
            isinstance(cached, CompiledNames)
            and cached.key == key
            and cached.floor == floor
            and cached.theta == theta
            and serves(cached, registry)
        ):
            return cached
    compiled = compile_registry(registry, words, floor=floor, theta=theta, key=key)
    if use_cache:
        write_cache(compiled, directory)
    return compiled
