"""Default list sources: the downloaded lists a team screens against without naming them each time.

The bundled snapshot is always screened (unless ``--no-bundled``); the sources named here are
**added** to it, and so are any ``--lists`` of a command. They come from, in this order:

* ``$EXPORTSCREEN_LISTS``: paths separated by ``os.pathsep`` (``:`` on POSIX); an empty value means
  "no default sources", whatever the configuration file says;
* the configuration file ``$EXPORTSCREEN_CONFIG`` (which must then exist: a typo there would drop
  every list it configures), else ``config.yaml`` in the user configuration
  directory (``$XDG_CONFIG_HOME/exportscreen``, default ``~/.config/exportscreen``; macOS
  ``~/Library/Application Support/exportscreen``; Windows ``%APPDATA%\\exportscreen``)::

      format: exportscreen-config/1
      lists:
        - path: csl/consolidated.csv     # relative: under the data directory (where `lists update` writes)
        - path: /srv/ofac/sdn            # an OFAC legacy set carries no date ...
          as_of: 2026-11-30              # ... declare it, so --max-list-age can accept it
        - path: blocked.csv
          required: true                 # missing -> exit 2 (default: skipped, and said so)

A configured list that is not there yet (before the first ``lists update``) is skipped and named in
``missing``; the commands say so on stderr and ``lists info`` shows it. A declared ``as_of`` only
fills a date the list does not carry: declaring one for a dated list is an error.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from exportscreen._errors import ConfigError
from exportscreen.registry.model import Registry

__all__ = [
    "ENV_CONFIG",
    "ENV_LISTS",
    "DefaultLists",
    "ListsConfig",
    "add_default_lists",
    "config_path",
    "declare_dates",
    "default_data_dir",
    "default_lists",
]

ENV_LISTS = "EXPORTSCREEN_LISTS"
ENV_CONFIG = "EXPORTSCREEN_CONFIG"


class ConfiguredList(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    path: Path = Field(description="List file or directory; a relative path is under the data directory")
    as_of: dt.date | None = Field(default=None, description="Declared date for a list that carries none")
    required: bool = Field(default=False, description="A missing file is an error instead of skipped")


class ListsConfig(BaseModel):
    """The configuration file (``format: exportscreen-config/1``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    format: Literal["exportscreen-config/1"]
    lists: tuple[ConfiguredList, ...] = ()


@dataclass(frozen=True)
class DefaultLists:
    """The default sources in force: where they were named, those present, those missing."""

    origin: str
    paths: tuple[Path, ...] = ()
    missing: tuple[Path, ...] = ()
    declared: Mapping[Path, dt.date] | None = None

    def describe(self) -> str:
        if not self.paths and not self.missing:
            return f"default list sources: none ({self.origin})"
        text = f"default list sources from {self.origin}: {len(self.paths)} in force"
        if self.missing:
            text += f"; not found, skipped: {', '.join(str(p) for p in self.missing)}"
        return text


def _user_dir(env: str, posix_default: Path, mac: str, windows_env: str) -> Path:
    home = Path.home()
    if sys.platform == "win32":
        base = os.environ.get(windows_env)
        fallback = home / "AppData" / ("Local" if windows_env == "LOCALAPPDATA" else "Roaming")
        return (Path(base) if base else fallback) / "exportscreen"
    if sys.platform == "darwin":
        return home / "Library" / mac / "exportscreen"
    xdg = os.environ.get(env)
    return (Path(xdg) if xdg and Path(xdg).is_absolute() else posix_default) / "exportscreen"


def config_path() -> Path:
    """``$EXPORTSCREEN_CONFIG``, else ``config.yaml`` in the user configuration directory."""
    env = os.environ.get(ENV_CONFIG)
    if env:
        return Path(env).expanduser()
    return _user_dir("XDG_CONFIG_HOME", Path.home() / ".config", "Application Support", "APPDATA") / "config.yaml"


def default_data_dir() -> Path:
    """Where downloaded lists go: ``$EXPORTSCREEN_DATA_DIR``, else the platform's user data directory.

    That is ``$XDG_DATA_HOME/exportscreen`` (default ``~/.local/share/exportscreen``) on Linux and
    other Unix systems, ``~/Library/Application Support/exportscreen`` on macOS and
    ``%LOCALAPPDATA%\\exportscreen`` on Windows.
    """
    env = os.environ.get("EXPORTSCREEN_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return _user_dir("XDG_DATA_HOME", Path.home() / ".local" / "share", "Application Support", "LOCALAPPDATA")


def _read_config(path: Path) -> ListsConfig:
    from exportscreen._io import load_model

    return load_model(path, ListsConfig, error=ConfigError, not_mapping="expected a mapping with format and lists")


def default_lists() -> DefaultLists:
    """The default list sources (see the module docstring); a malformed configuration raises ``ConfigError``."""
    env = os.environ.get(ENV_LISTS)
    if env is not None:
        named = [Path(p).expanduser() for p in env.split(os.pathsep) if p.strip()]
        if not named:
            return DefaultLists(origin=f"${ENV_LISTS} is empty")
        absent = [str(p) for p in named if not p.exists()]
        if absent:
            raise ConfigError(f"${ENV_LISTS} names list(s) that do not exist: {', '.join(absent)}")
        return DefaultLists(origin=f"${ENV_LISTS}", paths=tuple(named))
    path = config_path()
    if not path.is_file():
        if os.environ.get(ENV_CONFIG):
            # named on purpose: a typo or a directory must not drop every list it configures (fail closed)
            what = "a directory" if path.is_dir() else "no file"
            raise ConfigError(f"${ENV_CONFIG} names {str(path)!r}, which is {what}: give the configuration file")
        return DefaultLists(origin=f"no configuration file at {path}")
    config = _read_config(path)
    data_dir = default_data_dir()
    present: list[Path] = []
    missing: list[Path] = []
    declared: dict[Path, dt.date] = {}
    for i, item in enumerate(config.lists):
        target = item.path.expanduser()
        target = target if target.is_absolute() else data_dir / target
        if not target.exists():
            if item.required:
                raise ConfigError(f"required list {str(target)!r} not found", path=path, location=f"lists.{i}.path")
            missing.append(target)
            continue
        present.append(target)
        if item.as_of is not None:
            declared[target.resolve()] = item.as_of
    return DefaultLists(origin=str(path), paths=tuple(present), missing=tuple(missing), declared=declared or None)


def declare_dates(registry: Registry, declared: Mapping[Path, dt.date] | None) -> Registry:
    """``registry`` with the declared as-of dates on the sources loaded from those paths (by ``Source.path``,
    a file or a file inside a declared directory). Only an undated source takes one."""
    if not declared:
        return registry
    sources = list(registry.sources)
    used: set[Path] = set()
    for i, source in enumerate(sources):
        if source.path is None:
            continue
        loaded = Path(source.path).resolve()
        for where, date in declared.items():
            if loaded != where and where not in loaded.parents:
                continue
            used.add(where)
            if source.as_of is not None:
                raise ConfigError(
                    f"as_of {date} is declared for {where}, but its source {source.id!r} carries its own date "
                    f"({source.as_of}, {source.as_of_basis}); remove the declaration"
                )
            sources[i] = source.model_copy(update={"as_of": date, "as_of_basis": "declared"})
    unused = sorted(str(p) for p in set(declared) - used)
    if unused:
        raise ConfigError(f"as_of is declared for list(s) that loaded no source: {', '.join(unused)}")
    out = Registry(sources, registry.entries)
    if "source_versions" in registry.__dict__:
        out.__dict__["source_versions"] = registry.source_versions
    return out


def add_default_lists(
    registry: Registry, load: Callable[..., Registry], *, exclude: Iterable[str | Path] = ()
) -> tuple[Registry, DefaultLists]:
    """``registry`` plus the default sources in force (loaded with ``load``, e.g. the CLI's cached
    loader), with their declared dates; a default source also in ``exclude`` is not loaded twice."""
    defaults = default_lists()
    skip = {Path(p).resolve() for p in exclude}
    paths = [p for p in defaults.paths if p.resolve() not in skip]
    if not paths:
        return registry, defaults
    return registry + declare_dates(load(*paths), defaults.declared), defaults
