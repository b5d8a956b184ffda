"""The on-disk cache of pickled objects (compiled indexes, loaded registries) in the user cache.

A blob is written atomically with its key and sha256, and read back only when both check out,
from a directory and a file that only this user can write (POSIX); anything else counts as a miss.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TypeVar

T = TypeVar("T")

__all__ = ["cache_dir", "cached", "file_digest", "read_blob", "write_blob"]

_MAGIC = b"exportscreen-index\n"


def cache_dir() -> Path:
    """The user cache directory for compiled indexes (``$EXPORTSCREEN_CACHE_DIR`` overrides)."""
    env = os.environ.get("EXPORTSCREEN_CACHE_DIR")
    if env:
        return Path(env)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "exportscreen"


def _trusted_stat(st: os.stat_result) -> bool:
    if not hasattr(os, "getuid"):
        return True
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _trusted(path: Path) -> bool:
    """A path we may unpickle from: ours, and writable by nobody else (POSIX)."""
    try:
        return _trusted_stat(path.stat())
    except OSError:
        return False


def read_blob(path: Path, key: str) -> object | None:
    """The object cached at ``path`` under ``key``, or None when missing, foreign or damaged."""
    if not _trusted(path.parent):
        return None
    try:
        # the trust check is made on the open file itself, so it cannot be swapped after the check
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    header_len = len(_MAGIC) + 64 + 1 + 64 + 1
    # Without the cyclic garbage collector, which would walk the growing object graph again and again.
    enabled = gc.isenabled()
    gc.disable()
    try:
        with os.fdopen(fd, "rb") as fh:
            if not _trusted_stat(os.fstat(fh.fileno())):
                return None
            header = fh.read(header_len)
            if len(header) < header_len or not header.startswith(_MAGIC):
                return None
            stored_key = header[len(_MAGIC) : len(_MAGIC) + 64].decode("ascii", "replace")
            digest = header[len(_MAGIC) + 65 : len(_MAGIC) + 129].decode("ascii", "replace")
            if stored_key != key or _payload_digest(fh) != digest:
                return None
            # Unpickled only after the key and sha256 checks, from a directory and file only we can
            # write, streamed from the same open file (so the blob's bytes are never all in memory
            # beside the objects: a cache is replaced by a rename, never rewritten in place).
            fh.seek(header_len)
            obj: object = pickle.load(fh)
            return obj
    except Exception:
        return None
    finally:
        if enabled:
            gc.enable()


def _payload_digest(fh: BinaryIO) -> str:
    h = hashlib.sha256()
    while chunk := fh.read(1 << 20):
        h.update(chunk)
    return h.hexdigest()


def write_blob(path: Path, key: str, obj: object) -> None:
    """Cache ``obj`` at ``path`` under ``key`` (atomically; silently not when the directory is not ours)."""
    directory = path.parent
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not _trusted(directory):
            return
        payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        header = _MAGIC + key.encode() + b"\n" + hashlib.sha256(payload).hexdigest().encode() + b"\n"
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".index-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(header)
                fh.write(payload)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return


def file_digest(path: Path) -> str:
    """sha256 over a list file's bytes, or over a directory's files (names and bytes, sorted)."""
    h = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for f in files:
        h.update(str(f.relative_to(path) if path.is_dir() else f.name).encode() + b"\0")
        h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()


def cached(prefix: str, key: str, build: Callable[[], T], accept: Callable[[object], T | None]) -> T:
    """The object cached under ``key`` (a sha256 hex digest) in ``<prefix>-<key[:32]>.bin`` when
    ``accept`` takes it (returning it typed, or None), else ``build()``, cached for the next time.
    An object that cannot be pickled is built again each time; a damaged blob is a miss."""
    blob = cache_dir() / f"{prefix}-{key[:32]}.bin"
    hit = accept(read_blob(blob, key))
    if hit is not None:
        return hit
    obj = build()
    with contextlib.suppress(pickle.PicklingError, TypeError, AttributeError):
        write_blob(blob, key, obj)
    return obj
