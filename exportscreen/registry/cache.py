"""The loaded-lists cache: a registry loaded from list files, kept pickled in the user cache."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from exportscreen._cache import cache_dir, file_digest, read_blob, write_blob
from exportscreen.registry.codes import known_list_codes
from exportscreen.registry.model import Registry

__all__ = ["load_registry_cached"]

#: Bumped whenever the pickled registry's layout changes.
REGISTRY_FORMAT = "exportscreen-registry-cache/2"


def _list_file_digest(path: Path) -> str:
    """sha256 over a list file (or directory) and the column mappings beside it (``*.mapping.yaml``):
    a custom list is read through its mapping, so an edited mapping is another list."""
    parts = [file_digest(path)]
    if path.is_file():
        parts += [
            f"{m.name}={file_digest(m)}"
            for m in sorted(path.parent.iterdir())
            if m.is_file() and m.name.lower().endswith((".mapping.yaml", ".mapping.yml"))
        ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@functools.cache
def _loader_version() -> str:
    """The code that turns list files into a registry (the loaders, strict reading, country names)."""
    from exportscreen import _io, _json_io, geo
    from exportscreen._data import bundled_dir
    from exportscreen.registry import model as registry_model

    sources = sorted(Path(registry_model.__file__).parent.glob("*.py"))
    sources += [Path(_io.__file__), Path(_json_io.__file__), Path(geo.__file__), bundled_dir() / "countries.yaml"]
    return hashlib.sha256("\n".join(f"{p.name}={file_digest(p)}" for p in sources).encode()).hexdigest()


def load_registry_cached(*paths: str | Path) -> Registry:
    """``registry.load_registry(*paths)`` through the user cache: keyed by the sha256 of the list files'
    bytes and of the column mappings beside them, the loaders' code and the list codes the rule packs
    know, so a changed file, mapping or loader loads again; the cached registry is used only from a
    directory and file only we can write, after its sha256 check. A list that fails to load raises as
    ``load_registry`` does and is never cached."""
    import pydantic

    from exportscreen import __version__
    from exportscreen.registry import bundled_list_paths, list_inputs, load_registry

    targets = [Path(p) for p in paths] if paths else bundled_list_paths()
    try:
        # the loaders' code and pydantic version too: a pickled registry is only read by the code that wrote it
        parts = [REGISTRY_FORMAT, __version__, pydantic.VERSION, _loader_version()]
        parts.append(",".join(sorted(known_list_codes())))
        # and the files a path reads besides itself (an OFAC set's companions and date file)
        parts += [f"{p.resolve()}={_list_file_digest(p)}" for t in targets for p in (t, *list_inputs(t))]
    except OSError:
        return load_registry(*paths)
    key = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    path = cache_dir() / f"registry-{key[:32]}.bin"
    cached = read_blob(path, key)
    if isinstance(cached, Registry):
        return cached
    registry = load_registry(*paths)
    _ = registry.version  # computed once, stored with the registry
    write_blob(path, key, registry)
    return registry
