"""``exportscreen lists info [PATHS]``: what list data would be screened against."""

from __future__ import annotations

import argparse
import datetime as dt
import json

from pydantic import JsonValue

from exportscreen.commands._common import EXIT_OK
from exportscreen.registry import load_registry

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("lists", help="inspect restricted-party list data")
    sub = p.add_subparsers(dest="lists_command", required=True, metavar="ACTION")
    info = sub.add_parser("info", help="sources, entry counts per list, as-of dates, versions and age")
    info.add_argument("paths", nargs="*", metavar="PATH", help="list files (default: the bundled lists)")
    info.add_argument("--format", choices=("text", "json"), default="text")
    info.set_defaults(func=run_info)


def run_info(args: argparse.Namespace) -> int:
    registry = load_registry(*args.paths)
    today = dt.date.today()
    counts = registry.counts()
    versions = registry.source_versions
    rows: list[dict[str, JsonValue]] = []
    lines = [f"registry version {registry.version}  ({len(registry)} entries, {len(registry.sources)} sources)"]
    for src in registry.sources:
        per_list = dict(sorted(counts.get(src.id, {}).items()))
        age = (today - src.as_of).days if src.as_of else None
        as_of = src.as_of.isoformat() if src.as_of else None
        rows.append(
            {
                "id": src.id,
                "name": src.name,
                "format": src.format,
                "path": src.path,
                "as_of": as_of,
                "as_of_basis": src.as_of_basis,
                "age_days": age,
                "entries": dict(per_list),
                "version": versions.get(src.id),
            }
        )
        age_text = "undated" if age is None else f"{age} days old"
        lines.append(f"- {src.id}: {src.name}")
        lines.append(
            f"    {', '.join(f'{k} {v}' for k, v in per_list.items())}; as of {as_of or '?'} "
            f"({src.as_of_basis}, {age_text}); version {versions.get(src.id, '')[:16]}"
        )
        lines.append(f"    {src.format}: {src.path}")
    if args.format == "json":
        out = {"version": registry.version, "entries": len(registry), "sources": rows}
        print(json.dumps(out, indent=2, sort_keys=True, ensure_ascii=False))
    else:
        print("\n".join(lines))
    return EXIT_OK
