"""Bundled data files kept validated in the user cache (``bundled_model``).

A bundled data file (under ``lists/``, outside ``lists/registry/``, whose entries have their own
cache) validated into its model is pickled into the user cache and unpickled on the next start
instead of being parsed and validated again: most of that cost is pydantic building each model's
validator, about a tenth of a cold ``exportscreen check``.

The key holds everything validation can depend on: the bytes of every bundled data file and of
every module of the package, hashed once per process (a validator may read another file, such as
the named dates or the country table), the file's own bytes, hashed on every load, where they
are, the versions of the libraries that parse and validate (pydantic, pydantic-core, PyYAML,
pycountry), the limits in force, the model and the loader. A blob that is missing, damaged,
foreign or of another type is a miss: the file is validated as before and the blob rewritten.
Errors are never cached.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from exportscreen._cache import cached
from exportscreen._data import bundled_dir
from exportscreen._errors import ExportscreenError
from exportscreen._iso3166 import data_digest as pycountry_data_digest
from exportscreen.limits import LIMITS

__all__ = ["bundled_model", "environment_digest"]

ModelT = TypeVar("ModelT", bound=BaseModel)

#: The part of ``lists/`` this cache leaves alone: list entries are cached by the registry loader.
_OWN_CACHE = "registry"


def _bundled_relative(path: Path) -> str | None:
    """``path`` relative to the bundled ``lists/`` directory (POSIX form), or None outside it."""
    try:
        rel = path.resolve().relative_to(bundled_dir())
    except (ValueError, OSError, ExportscreenError):
        return None
    if not rel.parts or rel.parts[0] == _OWN_CACHE:
        return None
    return rel.as_posix()


def _tree_digest(h: hashlib._Hash, root: Path, *, suffix: str | None, skip: str) -> None:
    """Names and bytes of the files under ``root`` (``skip``: a top-level directory left out)."""
    for top, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not (d == skip and top == str(root)))
        for name in sorted(files):
            if suffix is not None and not name.endswith(suffix):
                continue
            path = os.path.join(top, name)
            with open(path, "rb") as fh:
                data = fh.read()
            h.update(os.path.relpath(path, root).encode("utf-8", "surrogateescape") + b"\0")
            h.update(hashlib.sha256(data).digest())


@functools.cache
def environment_digest() -> str:
    """sha256 over what validating a bundled file depends on besides the file itself."""
    import pydantic
    import pydantic_core
    import yaml

    h = hashlib.sha256(b"exportscreen-validated/1\0")
    versions = [
        f"pydantic={pydantic.VERSION}",
        f"pydantic-core={pydantic_core.__version__}",
        f"pyyaml={yaml.__version__}",
    ]
    versions.append(f"pycountry-data={pycountry_data_digest()}")
    h.update("\n".join(versions).encode() + b"\0")
    h.update(repr(sorted(asdict(LIMITS).items())).encode() + b"\0")
    lists = bundled_dir()
    package = Path(__file__).resolve().parent
    h.update(str(lists).encode("utf-8", "surrogateescape") + b"\0" + str(package).encode("utf-8", "surrogateescape"))
    _tree_digest(h, lists, suffix=None, skip=_OWN_CACHE)
    _tree_digest(h, package, suffix=".py", skip="_bundled")
    return h.hexdigest()


def bundled_model(path: Path, model: type[ModelT], loader: str, build: Callable[[], ModelT]) -> ModelT:
    """``build()`` (which reads and validates ``path`` into ``model``), from the cache when ``path``
    is a bundled data file validated before under the same environment; other paths always build."""
    rel = _bundled_relative(path)
    if rel is None:
        return build()
    try:
        env = environment_digest()
        own = hashlib.sha256(path.read_bytes()).hexdigest()  # this file as it is now, even mid-process
    except OSError:
        return build()
    key = hashlib.sha256(f"{env}\0{own}\0{loader}\0{model.__module__}.{model.__qualname__}\0{rel}".encode()).hexdigest()
    return cached("validated", key, build, lambda hit: hit if isinstance(hit, model) and type(hit) is model else None)
