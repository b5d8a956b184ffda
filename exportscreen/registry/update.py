"""Safe updating of downloaded list files (``exportscreen lists update``).

Each configured source is downloaded with a timeout into a private temporary directory beside its
destination, then validated: not an HTML page, not empty, loads with ``load_registry(format=...)``,
and has not lost more than ``max_shrink`` of its entries (overall, or of any list holding at least
``MIN_LIST_SIZE_FOR_SHRINK`` entries) against the current copy. Only then is the current copy
replaced, with ``fsync`` and ``os.replace``; on any failure the current copy is left byte-for-byte
as it was and nothing half-written remains.

The configuration is a small YAML (or JSON) file::

    sources:
      - name: csl
        url: https://api.trade.gov/static/consolidated_screening_list/consolidated.csv
        dest: csl/consolidated.csv     # relative paths are under the data directory
        format: csl                    # one of exportscreen.registry.FORMATS
        max_shrink: 0.10               # optional, default DEFAULT_MAX_SHRINK

The configuration is in ``registry.update_config``, the download and its content check in
``registry.update_download``; this module validates a download against the current copy and
replaces it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from exportscreen._errors import ListError
from exportscreen.limits import LIMITS
from exportscreen.registry import Registry, load_registry
from exportscreen.registry.config import default_data_dir
from exportscreen.registry.update_config import (
    CSL_URL,
    SourceConfig,
    UpdateConfig,
    default_config,
    load_update_config,
)
from exportscreen.registry.update_download import UpdateFailed, check_content, download

__all__ = [
    "CSL_URL",
    "DEFAULT_MAX_SHRINK",
    "DEFAULT_TIMEOUT",
    "MIN_LIST_SIZE_FOR_SHRINK",
    "SourceConfig",
    "SourceUpdate",
    "UpdateConfig",
    "UpdateReport",
    "default_config",
    "default_data_dir",
    "load_update_config",
    "update_lists",
]

#: Largest share of entries a new file may lose against the current copy.
DEFAULT_MAX_SHRINK = 0.10
#: Seconds to wait for the connection and for each read.
DEFAULT_TIMEOUT = 60.0
#: Lists with at least this many entries in the current copy are also checked for shrinkage one by one.
MIN_LIST_SIZE_FOR_SHRINK = 100

_TMP_PREFIX = ".exportscreen-update-"


@dataclass(frozen=True)
class SourceUpdate:
    """What happened to one source."""

    name: str
    url: str
    dest: Path
    status: Literal["updated", "unchanged", "failed"]
    reason: str | None = None
    size: int | None = None
    old_counts: Mapping[str, int] | None = None
    new_counts: Mapping[str, int] | None = None
    old_version: str | None = None
    new_version: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status != "failed"

    @property
    def old_total(self) -> int | None:
        return None if self.old_counts is None else sum(self.old_counts.values())

    @property
    def new_total(self) -> int | None:
        return None if self.new_counts is None else sum(self.new_counts.values())


@dataclass(frozen=True)
class UpdateReport:
    """The outcome of ``update_lists``: one ``SourceUpdate`` per configured source, in order."""

    sources: tuple[SourceUpdate, ...]

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.sources)

    @property
    def failures(self) -> tuple[SourceUpdate, ...]:
        return tuple(s for s in self.sources if not s.ok)


def _load(path: Path, fmt: str) -> Registry:
    try:
        return load_registry(path, format=fmt)
    except ListError as exc:
        where = f"{exc.location}: " if exc.location else ""
        raise UpdateFailed(f"the new file is not a valid {fmt} list: {where}{exc.message}") from None


def _per_list(registry: Registry) -> dict[str, int]:
    return dict(sorted(Counter(e.list for e in registry.entries).items()))


def _shrink_problem(old: Mapping[str, int], new: Mapping[str, int], max_shrink: float) -> str | None:
    allowed = f"more than the allowed {max_shrink:.0%} (max_shrink)"
    old_total, new_total = sum(old.values()), sum(new.values())
    if old_total and new_total < old_total * (1 - max_shrink):
        lost = old_total - new_total
        return (
            f"the new file has {new_total} entries against {old_total} in the current copy: "
            f"{lost} ({lost / old_total:.1%}) fewer, {allowed}"
        )
    for code, count in old.items():
        now = new.get(code, 0)
        if count >= MIN_LIST_SIZE_FOR_SHRINK and now < count * (1 - max_shrink):
            lost = count - now
            return f"list {code} has {now} entries against {count} in the current copy: {lost} fewer, {allowed}"
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_dir(directory: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _update_one(source: SourceConfig, dest: Path, *, timeout: float, max_shrink: float, max_bytes: int) -> SourceUpdate:
    base = SourceUpdate(name=source.name, url=source.url, dest=dest, status="failed")
    if dest.is_dir():
        return replace(base, reason=f"the destination {dest} is a directory")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix=_TMP_PREFIX, dir=dest.parent))
    except OSError as exc:
        return replace(base, reason=f"cannot create a temporary directory in {dest.parent}: {exc.strerror or exc}")
    try:
        return _fetch_and_replace(source, dest, workdir / dest.name, base, timeout, max_shrink, max_bytes)
    except UpdateFailed as exc:
        return replace(base, reason=str(exc))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _fetch_and_replace(
    source: SourceConfig,
    dest: Path,
    tmp: Path,
    base: SourceUpdate,
    timeout: float,
    max_shrink: float,
    max_bytes: int,
) -> SourceUpdate:
    size = download(source.url, tmp, timeout=timeout, max_bytes=max_bytes)
    check_content(tmp)
    new = _load(tmp, source.format)
    new_counts = _per_list(new)
    notes: list[str] = []
    old_counts: dict[str, int] | None = None
    old_version: str | None = None
    if dest.exists():
        try:
            old = load_registry(dest, format=source.format)
        except ListError as exc:
            notes.append(f"the current copy could not be loaded ({exc.message}); it is replaced without a shrink check")
        else:
            old_counts, old_version = _per_list(old), old.version
    result = replace(
        base,
        size=size,
        old_counts=old_counts,
        new_counts=new_counts,
        old_version=old_version,
        new_version=new.version,
        notes=tuple(notes),
    )
    if old_counts is not None:
        problem = _shrink_problem(old_counts, new_counts, max_shrink)
        if problem:
            raise UpdateFailed(problem)
        if _sha256(tmp) == _sha256(dest):
            return replace(result, status="unchanged")
    try:
        mode = dest.stat().st_mode & 0o777 if dest.exists() else 0o644
        os.chmod(tmp, mode)
        os.replace(tmp, dest)
    except OSError as exc:
        raise UpdateFailed(f"cannot replace {dest}: {exc.strerror or exc}") from None
    try:
        _fsync_dir(dest.parent)
    except OSError as exc:
        notes.append(f"the file is replaced but its directory could not be synced: {exc.strerror or exc}")
    return replace(result, status="updated", notes=tuple(notes))


def update_lists(
    config: UpdateConfig | str | Path | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_shrink: float | None = None,
    dest_dir: str | Path | None = None,
    max_bytes: int | None = None,
) -> UpdateReport:
    """Download, validate and atomically install every configured source.

    ``config`` is an ``UpdateConfig``, the path of a config file, or None for ``default_config()``.
    ``timeout`` bounds the connection and each read, in seconds. ``max_shrink`` (0–1) overrides every
    source's own value; otherwise a source's ``max_shrink`` applies, else ``DEFAULT_MAX_SHRINK``.
    Relative destinations are under ``dest_dir``, else ``default_data_dir()``. ``max_bytes`` caps a
    download (default ``LIMITS.max_file_bytes``).

    A failing source never raises: it is reported with its reason and its current copy is untouched.
    A bad config file raises ``ConfigError``.
    """
    if timeout <= 0:
        raise ValueError("timeout must be positive")
    if max_shrink is not None and not 0.0 <= max_shrink <= 1.0:
        raise ValueError("max_shrink must be between 0 and 1")
    if config is None:
        config = default_config()
    elif not isinstance(config, UpdateConfig):
        config = load_update_config(config)
    root = Path(dest_dir).expanduser() if dest_dir is not None else default_data_dir()
    limit = LIMITS.max_file_bytes if max_bytes is None else max_bytes
    results: list[SourceUpdate] = []
    for source in config.sources:
        dest = source.dest if source.dest.is_absolute() else root / source.dest
        shrink = max_shrink if max_shrink is not None else source.max_shrink
        results.append(
            _update_one(
                source,
                dest,
                timeout=timeout,
                max_shrink=DEFAULT_MAX_SHRINK if shrink is None else shrink,
                max_bytes=limit,
            )
        )
    return UpdateReport(tuple(results))
