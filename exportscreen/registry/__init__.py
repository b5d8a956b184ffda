"""Restricted-party registries: loading list files of every supported format into one ``Registry``."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from exportscreen._data import bundled_dir
from exportscreen._errors import ListError
from exportscreen._io import read_text
from exportscreen.registry.model import Entry, Registry, Source

__all__ = ["FORMATS", "Entry", "Registry", "Source", "bundled_list_paths", "load_registry"]

Loader = Callable[[Path], tuple[list[Source], list[Entry]]]
Detector = Callable[[Path], bool]


def _detector(module: str) -> Detector:
    """``exportscreen.registry.<module>.detect``, imported on first call (a cached registry needs no parser)."""

    def detect(path: Path) -> bool:
        found: bool = importlib.import_module(f"exportscreen.registry.{module}").detect(path)
        return found

    return detect


def _loader(module: str) -> Loader:
    """``exportscreen.registry.<module>.load``, imported on first call."""

    def load(path: Path) -> tuple[list[Source], list[Entry]]:
        loaded: tuple[list[Source], list[Entry]] = importlib.import_module(f"exportscreen.registry.{module}").load(path)
        return loaded

    return load


#: Known formats, in detection order: name -> (detector, loader).
FORMATS: dict[str, tuple[Detector, Loader]] = {
    name: (_detector(module), _loader(module))
    for name, module in (("exportscreen", "yamlfmt"), ("custom", "custom"), ("csl", "csl"), ("ofac", "ofac"))
}


def bundled_list_paths() -> list[Path]:
    """The curated list files shipped in ``lists/registry/``."""
    return sorted((bundled_dir() / "registry").glob("*.yaml"))


def _detect(path: Path) -> str:
    for name, (detector, _loader) in FORMATS.items():
        if detector(path):
            return name
    if path.is_file():
        with path.open("rb") as fh:
            gzipped = fh.read(2) == b"\x1f\x8b"
        # Say why a file is unreadable (encoding, binary, empty) before calling its format unknown.
        if not gzipped and not read_text(path, error=ListError).strip():
            raise ListError("file is empty", path=path)
    raise ListError(
        f"unrecognised list format; known formats: {', '.join(FORMATS)} (pass format= to choose one)", path=path
    )


def _check_list_codes(entries: list[Entry], path: Path) -> None:
    """Every entry's list code is one rule packs can name: a known code or a custom ``X-`` code."""
    from exportscreen.registry.codes import known_list_codes

    codes = known_list_codes()
    for entry in entries:
        if entry.list not in codes and not entry.list.startswith("X-"):
            raise ListError(
                f"unknown list code {entry.list!r} (entry {entry.id!r}); known: {', '.join(sorted(codes))}, "
                "or X-... for a list of your own",
                path=path,
                location="list",
            )


def load_registry(*paths: str | Path, format: str | None = None) -> Registry:
    """Load and merge list files into one Registry (the bundled lists when no path is given).

    Each path is a file (or, for multi-file formats, a directory). The format is detected from the
    content unless ``format`` names one of ``FORMATS``. Any failure raises ``ListError``.
    """
    targets = [Path(p) for p in paths] if paths else bundled_list_paths()
    if not targets:
        raise ListError("no list files given and no bundled lists found")
    if format is not None and format not in FORMATS:
        raise ListError(f"unknown list format {format!r}; known formats: {', '.join(FORMATS)}")
    sources: list[Source] = []
    entries: list[Entry] = []
    for path in targets:
        if not path.exists():
            raise ListError("list file not found", path=path)
        name = format or _detect(path)
        try:
            srcs, ents = FORMATS[name][1](path)
        except ListError as exc:
            raise exc.with_path(path) from None
        except (OSError, UnicodeError, ValueError) as exc:
            raise ListError(f"cannot load {name} list: {exc}", path=path) from exc
        if not ents:
            raise ListError("list file holds no entries", path=path)
        _check_list_codes(ents, path)
        ids = {s.id for s in sources}
        for s in srcs:
            if s.id in ids:
                raise ListError(f"source id {s.id!r} is loaded twice", path=path)
        sources.extend(srcs)
        entries.extend(ents)
    return Registry(sources, entries)
