"""Restricted-party registries: loading list files of every supported format into one ``Registry``."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from exportscreen._data import bundled_dir
from exportscreen._errors import ListError
from exportscreen._io import read_text
from exportscreen.registry.model import Entry, Registry, Source
from exportscreen.registry.overlay import Overlay, apply_overlays, read_overlay
from exportscreen.registry.overlay import detect as is_overlay

__all__ = ["FORMATS", "Entry", "Registry", "Source", "bundled_list_paths", "list_inputs", "load_registry"]

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
    for name, module in (
        ("exportscreen", "yamlfmt"),
        ("custom", "custom"),
        ("bis-dpl", "bisdpl"),
        ("ofac-xml", "ofacxml"),
        ("un-xml", "unxml"),
        ("csl", "csl"),
        ("ofac", "ofac"),
        ("nsfreg", "nsfreg"),
    )
}


_OFAC_FILES = frozenset(
    {"sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv", "cons_prim.csv", "cons_add.csv", "cons_alt.csv"}
    | {"cons_comments.csv", "ofac.yaml"}
)


def list_inputs(path: Path) -> list[Path]:
    """The files loading ``path`` reads besides itself, so a cache keyed on files sees them change: the
    companions and date file of an OFAC set given by its primary file, a custom list's mapping or data.
    Cheap checks of the file names come first: a bundled list or a CSL file imports no loader here."""
    if not path.is_file():
        return []
    name = path.name.lower()
    siblings = {p.name.lower() for p in path.parent.iterdir()} if name.endswith(".csv") else set()
    candidates = []
    if name.endswith(".csv") and siblings & _OFAC_FILES:
        candidates.append("ofac")
    stem = name.split(".", 1)[0]
    if name.endswith((".mapping.yaml", ".mapping.yml")) or any(
        (path.parent / f"{stem}{suffix}").is_file() for suffix in (".mapping.yaml", ".mapping.yml")
    ):
        candidates.append("custom")
    for module in candidates:
        if FORMATS[module][0](path):
            found: list[Path] = importlib.import_module(f"exportscreen.registry.{module}").inputs(path)
            return found
    return []


def bundled_list_paths() -> list[Path]:
    """The bundled list files in ``lists/registry/``: the official lists (``*.json``, written by
    ``exportscreen.registry.build``) and the curated overlays on them (``*.overlay.yaml``)."""
    directory = bundled_dir() / "registry"
    return sorted([*directory.glob("*.json"), *directory.glob("*.overlay.yaml")])


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
    content unless ``format`` names one of ``FORMATS``. Overlay files (``exportscreen-overlay/1``,
    see ``registry.overlay``) are applied to the entries of the files loaded with them. Any failure
    raises ``ListError``.
    """
    targets = [Path(p) for p in paths] if paths else bundled_list_paths()
    if not targets:
        raise ListError("no list files given and no bundled lists found")
    if format is not None and format not in FORMATS:
        raise ListError(f"unknown list format {format!r}; known formats: {', '.join(FORMATS)}")
    sources: list[Source] = []
    entries: list[Entry] = []
    overlays: list[Overlay] = []
    for path in targets:
        if not path.exists():
            raise ListError("list file not found", path=path)
        if format is None and is_overlay(path):
            overlays.append(read_overlay(path))
            continue
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
    if not sources:
        raise ListError("only overlay files given: an overlay needs the list it annotates", path=targets[0])
    if overlays:
        entries = apply_overlays(overlays, entries, {s.id for s in sources})
        sources = [_with_overlay_note(s, [o for o in overlays if o.source == s.id]) for s in sources]
    return Registry(sources, entries)


def _with_overlay_note(source: Source, overlays: list[Overlay]) -> Source:
    if not overlays:
        return source
    notes = [f"curated overlay {Path(o.path or '').name}: {len(o.entries)} entries annotated" for o in overlays]
    return source.model_copy(update={"notes": (*source.notes, *notes)})
