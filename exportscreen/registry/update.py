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
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from exportscreen._errors import ConfigError, ListError
from exportscreen._io import load_model
from exportscreen.limits import LIMITS
from exportscreen.registry import FORMATS, Registry, load_registry
from exportscreen.registry.config import default_data_dir

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

#: The trade.gov Consolidated Screening List bulk CSV, the documented download.
CSL_URL = "https://api.trade.gov/static/consolidated_screening_list/consolidated.csv"
#: Largest share of entries a new file may lose against the current copy.
DEFAULT_MAX_SHRINK = 0.10
#: Seconds to wait for the connection and for each read.
DEFAULT_TIMEOUT = 60.0
#: Lists with at least this many entries in the current copy are also checked for shrinkage one by one.
MIN_LIST_SIZE_FOR_SHRINK = 100

_CHUNK = 1 << 16
_TMP_PREFIX = ".exportscreen-update-"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_HTML = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url_problem(url: str) -> str | None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and _is_loopback(parts.hostname):
        return None
    if parts.scheme == "http":
        return "plain http is only allowed for loopback addresses (127.0.0.1, ::1, localhost); use https"
    return "expected an https:// URL"


class SourceConfig(BaseModel):
    """One list file to keep up to date."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    name: str = Field(description="Short name used in messages")
    url: str = Field(description="https URL of the file (http only for loopback addresses)")
    dest: Path = Field(description="Destination file; a relative path is under the data directory")
    format: str = Field(description="Expected list format, one of exportscreen.registry.FORMATS")
    max_shrink: float | None = Field(default=None, ge=0.0, le=1.0, description="Largest share of entries lost")

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError("use letters, digits, '.', '_' and '-' only, starting with a letter or digit")
        return value

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        problem = _url_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("dest")
    @classmethod
    def _check_dest(cls, value: Path) -> Path:
        if not value.name or value.name in {".", ".."}:
            raise ValueError("expected a file path")
        return value.expanduser()

    @field_validator("format")
    @classmethod
    def _check_format(cls, value: str) -> str:
        if value not in FORMATS:
            raise ValueError(f"unknown list format {value!r}; known formats: {', '.join(FORMATS)}")
        return value


class UpdateConfig(BaseModel):
    """The sources ``lists update`` downloads."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    sources: tuple[SourceConfig, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> UpdateConfig:
        names = Counter(s.name for s in self.sources)
        dupes = sorted(n for n, c in names.items() if c > 1)
        if dupes:
            raise ValueError(f"source names must be unique: {', '.join(dupes)}")
        dests = Counter(str(s.dest) for s in self.sources)
        dupes = sorted(d for d, c in dests.items() if c > 1)
        if dupes:
            raise ValueError(f"two sources write to the same file: {', '.join(dupes)}")
        return self


def default_config() -> UpdateConfig:
    """The trade.gov CSL CSV into ``csl/consolidated.csv`` under the data directory."""
    return UpdateConfig(
        sources=(SourceConfig(name="csl", url=CSL_URL, dest=Path("csl/consolidated.csv"), format="csl"),)
    )


def load_update_config(path: str | Path) -> UpdateConfig:
    """Read and validate an update configuration file (YAML or JSON); raises ``ConfigError``."""
    return load_model(Path(path), UpdateConfig, error=ConfigError)


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


class _Failure(Exception):
    """Why a download was refused; the message is shown to the user."""


def _network_error(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, TimeoutError):
        return f"no response within the timeout of {timeout:g} s"
    if isinstance(exc, http.client.IncompleteRead):
        got = len(exc.partial)
        expected = f" of {got + exc.expected}" if exc.expected is not None else ""
        return f"the download was cut off after {got}{expected} bytes"
    if isinstance(exc, urllib.error.URLError):
        if isinstance(exc.reason, TimeoutError):
            return f"no response within the timeout of {timeout:g} s"
        return f"cannot connect: {exc.reason}"
    if isinstance(exc, OSError):
        return f"network error: {exc.strerror or exc}"
    return f"network error: {exc}"


def _download(url: str, target: Path, *, timeout: float, max_bytes: int) -> int:
    """Stream ``url`` into the new file ``target`` and fsync it; returns the byte count."""
    request = urllib.request.Request(
        url, headers={"User-Agent": "exportscreen (lists update)", "Accept-Encoding": "identity"}
    )
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise _Failure(f"the server answered HTTP {exc.code} {exc.reason}") from None
    except (OSError, http.client.HTTPException) as exc:
        raise _Failure(_network_error(exc, timeout)) from None
    with response:
        final = response.geturl()
        problem = _url_problem(final)
        if problem:
            raise _Failure(f"redirected to {final}: {problem}")
        if response.headers.get_content_type() in _HTML_TYPES:
            raise _Failure(f"the server sent an HTML page ({response.headers.get_content_type()}), not a list file")
        declared = response.headers.get("Content-Length")
        expected = int(declared) if declared and declared.isdigit() else None
        if expected is not None and expected > max_bytes:
            raise _Failure(f"the file is {expected} bytes, over the limit of {max_bytes} bytes")
        total = 0
        try:
            out = target.open("xb")
        except OSError as exc:
            raise _Failure(f"cannot create a temporary file in {target.parent}: {exc.strerror or exc}") from None
        with out:
            while True:
                try:
                    chunk = response.read(_CHUNK)
                except (OSError, http.client.HTTPException) as exc:
                    raise _Failure(_network_error(exc, timeout)) from None
                if not chunk:
                    break
                total += len(chunk)
                if total > max_bytes:
                    raise _Failure(f"the download is over the limit of {max_bytes} bytes")
                try:
                    out.write(chunk)
                except OSError as exc:
                    raise _Failure(f"cannot write the temporary file: {exc.strerror or exc}") from None
            try:
                out.flush()
                os.fsync(out.fileno())
            except OSError as exc:
                raise _Failure(f"cannot write the temporary file: {exc.strerror or exc}") from None
    if expected is not None and total != expected:
        raise _Failure(f"the download was cut off after {total} of {expected} bytes")
    return total


def _check_content(path: Path) -> None:
    with path.open("rb") as fh:
        head = fh.read(4096)
    if not head.strip():
        raise _Failure("the download is empty")
    if _HTML.match(head.removeprefix(b"\xef\xbb\xbf")):
        raise _Failure("the server sent an HTML page (an error or login page?), not a list file")


def _load(path: Path, fmt: str) -> Registry:
    try:
        return load_registry(path, format=fmt)
    except ListError as exc:
        where = f"{exc.location}: " if exc.location else ""
        raise _Failure(f"the new file is not a valid {fmt} list: {where}{exc.message}") from None


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
    except _Failure as exc:
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
    size = _download(source.url, tmp, timeout=timeout, max_bytes=max_bytes)
    _check_content(tmp)
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
            raise _Failure(problem)
        if _sha256(tmp) == _sha256(dest):
            return replace(result, status="unchanged")
    try:
        mode = dest.stat().st_mode & 0o777 if dest.exists() else 0o644
        os.chmod(tmp, mode)
        os.replace(tmp, dest)
    except OSError as exc:
        raise _Failure(f"cannot replace {dest}: {exc.strerror or exc}") from None
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
