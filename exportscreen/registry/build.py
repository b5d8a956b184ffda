"""Build the bundled lists from the official files: ``python -m exportscreen.registry.build SOURCE_DIR``.

``SOURCE_DIR`` is a directory holding the nsfreg extractions of the official publications
(``bis_entity_list.json``, ``bis_meu.json``, ``bis_dpl.json``, ``ofac_nscmic.json``,
``dow_1260h.json``, and optionally ``lists.json`` with the publications' descriptions), or a
directory with one such ``nsfreg_*`` subdirectory (``../shared/data``; the newest by name is taken).
Each list becomes ``lists/registry/<name>.json`` (format ``exportscreen-registry/1``): the source
with its publication, extraction date and as-of date, a ``build`` block with the input file's
sha256, record and entry counts, merged repeats, repaired extraction slips and the entries' content
hash, then one entry per line, sorted by id. The output is a pure function of the input files:
running the build twice writes the same bytes.

The curated overlays (``lists/registry/*.overlay.yaml``) are checked against the new entries before
anything is written: an overlay key whose entry is gone, or an overlay value the new list
contradicts, stops the build (exit 2) with the keys to fix; nothing is written then.

``--check`` writes nothing and exits 1 when the bundled files differ from a fresh build.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exportscreen._data import bundled_dir
from exportscreen._errors import ExportscreenError, ListError
from exportscreen.registry.model import Entry
from exportscreen.registry.nsfreg import Converted, convert, entry_from_json
from exportscreen.registry.overlay import apply_overlays, read_overlay

__all__ = ["OUTPUTS", "BuiltFile", "build", "main", "resolve_source_dir"]

COMMAND = "python -m exportscreen.registry.build"
#: Official input file -> bundled output file.
OUTPUTS: dict[str, str] = {
    "bis_entity_list.json": "bis_entity_list.json",
    "bis_meu.json": "bis_meu_list.json",
    "bis_dpl.json": "bis_denied_persons_list.json",
    "ofac_nscmic.json": "ofac_ns_cmic_list.json",
    "dow_1260h.json": "dod_1260h_list.json",
}
_ENTRY_FIELDS = tuple(Entry.model_fields)


@dataclass(frozen=True)
class BuiltFile:
    name: str
    text: str
    converted: Converted


def resolve_source_dir(source: Path) -> Path:
    """The directory holding the nsfreg files: ``source`` itself, or its newest ``nsfreg_*`` subdirectory."""
    if (source / "bis_entity_list.json").is_file():
        return source
    candidates = sorted(p for p in source.glob("nsfreg_*") if (p / "bis_entity_list.json").is_file())
    if not candidates:
        raise ListError("no nsfreg extraction (bis_entity_list.json) here or in an nsfreg_* subdirectory", path=source)
    return candidates[-1]


def _publications(directory: Path) -> dict[str, str]:
    meta = directory / "lists.json"
    if not meta.is_file():
        return {}
    doc = json.loads(meta.read_text(encoding="utf-8"))
    return {str(item["id"]): str(item.get("snapshot") or "") for item in doc.get("lists", []) if "id" in item}


def _line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _render(converted: Converted, input_rel: str, input_sha256: str, publication: str) -> str:
    kind = converted.kind
    lines = [_line({k: e[k] for k in _ENTRY_FIELDS if k in e}) for e in converted.entries]
    content = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    printed = f"{publication} ({converted.source_file})" if publication else converted.source_file
    source = {
        "id": kind.source_id,
        "name": kind.name,
        "list": kind.code,
        "as_of": converted.as_of.isoformat(),
        "url": kind.url,
        "authority": kind.authority,
        "derived_from": f"phagehunter/nsfreg data/{Path(input_rel).name}: JSON extraction of the official publication",
        "publication": printed,
        "extracted": converted.extracted.isoformat(),
    }
    build_info = {
        "command": COMMAND,
        "input": input_rel,
        "input_sha256": input_sha256,
        "records": converted.records,
        "entries": len(converted.entries),
        "merged": converted.merged,
        "repairs": converted.repairs,
        "content_sha256": content,
    }
    head = [
        "{",
        '"format": "exportscreen-registry/1",',
        f'"source": {_line(source)},',
        f'"build": {_line(build_info)},',
    ]
    return "\n".join([*head, '"entries": [', ",\n".join(lines), "]", "}"]) + "\n"


def build(source_dir: Path) -> list[BuiltFile]:
    """Every bundled list file, rendered from the official files in ``source_dir`` (nothing written)."""
    directory = resolve_source_dir(source_dir)
    publications = _publications(directory)
    out: list[BuiltFile] = []
    for input_name, output_name in OUTPUTS.items():
        path = directory / input_name
        if not path.is_file():
            raise ListError(f"official list file {input_name} not found", path=directory)
        converted = convert(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        text = _render(
            converted, f"{directory.name}/{input_name}", digest, publications.get(converted.kind.list_id, "")
        )
        out.append(BuiltFile(output_name, text, converted))
    return out


def check_overlays(built: Sequence[BuiltFile], overlay_paths: Sequence[Path]) -> None:
    """Apply every overlay to the new entries; a missing key or a contradiction raises ``ListError``."""
    entries: list[Entry] = []
    for b in built:
        kind = b.converted.kind
        entries.extend(
            entry_from_json(e, source=kind.source_id, list_code=kind.code, path=Path(b.name), location=e["id"])
            for e in b.converted.entries
        )
    overlays = [read_overlay(p) for p in overlay_paths]
    apply_overlays(overlays, entries, {b.converted.kind.source_id for b in built})


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("source", type=Path, metavar="SOURCE_DIR", help="directory of the official list files")
    parser.add_argument("--out", type=Path, help="output directory (default: the bundled lists/registry)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if the bundled files are stale")
    args = parser.parse_args(argv)
    out_dir: Path = args.out or bundled_dir() / "registry"
    try:
        built = build(args.source)
        check_overlays(built, sorted(out_dir.glob("*.overlay.yaml")))
    except ExportscreenError as exc:
        print(f"exportscreen build: error: {exc}", file=sys.stderr)
        return 2
    stale = [
        b.name for b in built if not (out_dir / b.name).is_file() or (out_dir / b.name).read_text("utf-8") != b.text
    ]
    for b in built:
        c = b.converted
        repairs = ", ".join(f"{k} {v}" for k, v in c.repairs.items()) or "none"
        print(
            f"{b.name}: {c.kind.code} {len(c.entries)} entries from {c.records} records "
            f"(merged {c.merged}; repairs: {repairs}); as of {c.as_of}" + (" [changed]" if b.name in stale else "")
        )
    if args.check:
        if stale:
            print(f"stale bundled lists: {', '.join(stale)}; run {COMMAND} {args.source}", file=sys.stderr)
        return 1 if stale else 0
    out_dir.mkdir(parents=True, exist_ok=True)
    for b in built:
        if b.name in stale:
            (out_dir / b.name).write_text(b.text, encoding="utf-8", newline="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
