"""``exportscreen lists info [PATHS]``: what list data would be screened against.

``exportscreen lists diff OLD NEW``: entries added, removed and changed (``exportscreen.registry.diff``).

``exportscreen lists update``: download the configured list files, validate them and replace the
current copies atomically (see ``exportscreen.registry.update``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Mapping

from pydantic import JsonValue

from exportscreen.commands._common import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from exportscreen.registry import Registry
from exportscreen.registry.update import DEFAULT_MAX_SHRINK, DEFAULT_TIMEOUT, SourceUpdate, update_lists

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("lists", help="inspect restricted-party list data")
    sub = p.add_subparsers(dest="lists_command", required=True, metavar="ACTION")
    info = sub.add_parser("info", help="sources, entry counts per list, as-of dates, versions and age")
    info.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="list files (default: what screening uses: the bundled lists plus the configured default sources)",
    )
    info.add_argument("--format", choices=("text", "json"), default="text")
    info.set_defaults(func=run_info)
    update = sub.add_parser(
        "update",
        help="download the configured lists (default: the trade.gov CSL), validate them, replace atomically",
    )
    update.add_argument(
        "--config", metavar="FILE", help="YAML file naming the sources (default: the trade.gov CSL CSV)"
    )
    update.add_argument(
        "--timeout",
        type=_positive_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="S",
        help=f"seconds to wait for the connection and each read (default {DEFAULT_TIMEOUT:g})",
    )
    update.add_argument(
        "--max-shrink",
        type=_fraction,
        metavar="FRACTION",
        help="largest share of entries a new file may lose, 0-1, for every source "
        f"(default: each source's max_shrink, else {DEFAULT_MAX_SHRINK:g})",
    )
    update.add_argument(
        "--dest",
        metavar="DIR",
        help="directory for relative destinations (default: $EXPORTSCREEN_DATA_DIR, else the user data directory)",
    )
    update.set_defaults(func=run_update)
    diff = sub.add_parser(
        "diff",
        help="entries added, removed and changed between two list versions (files or ledger registry versions)",
        description="OLD and NEW are each a list file or directory, or, with --ledger, a registry version "
        "(or a unique prefix of 8 or more hex digits) the ledger holds. "
        "Exit 0: no difference; 1: differences; 2: could not load one side.",
    )
    diff.add_argument("old", metavar="OLD")
    diff.add_argument("new", metavar="NEW")
    diff.add_argument("--ledger", metavar="PATH", help="a ledger holding registry versions named as OLD or NEW")
    diff.add_argument("--format", choices=("text", "json"), default="text")
    diff.add_argument("--limit", type=int, default=20, metavar="N", help="entries printed per section (text)")
    diff.set_defaults(func=run_diff)


def _side(text: str, ledger_path: str | None) -> Registry:
    """A list file or directory, else a registry version held in the ledger."""
    from pathlib import Path

    from exportscreen._errors import ConfigError
    from exportscreen.registry import load_registry

    if Path(text).exists():
        return load_registry(text)
    if ledger_path is None:
        raise ConfigError(f"{text!r} is no list file or directory (a registry version needs --ledger PATH)")
    from exportscreen.ledger import Ledger

    if not Path(ledger_path).exists():
        raise ConfigError(f"ledger {ledger_path} does not exist")
    with Ledger(ledger_path, create=False) as ledger:
        return ledger.registry(text)


def run_diff(args: argparse.Namespace) -> int:
    from exportscreen.registry.diff import diff_registries
    from exportscreen.report.text import terminal_safe

    result = diff_registries(_side(args.old, args.ledger), _side(args.new, args.ledger))
    if args.format == "json":
        print(json.dumps(result.to_dict(), indent=2, sort_keys=True, ensure_ascii=False))
        return EXIT_FINDINGS if not result.is_empty() else EXIT_OK
    print(f"registry {result.old_version[:12]} -> {result.new_version[:12]}")
    for label, ids in (("sources added", result.sources_added), ("sources removed", result.sources_removed)):
        if ids:
            print(f"{label}: {', '.join(ids)}")
    if result.is_empty():
        print("no entry added, removed or changed")
        return EXIT_OK
    print(f"{'list':<12} {'added':>7} {'removed':>8} {'changed':>8}")
    for code, n in result.per_list().items():
        print(f"{code:<12} {n['added']:>7} {n['removed']:>8} {n['changed']:>8}")
    limit = max(args.limit, 0)
    sections: list[tuple[str, list[str]]] = [
        ("added", [f"{e.list} {e.source}:{e.id} {e.name}" for e in result.added]),
        ("removed", [f"{e.list} {e.source}:{e.id} {e.name}" for e in result.removed]),
        (
            "changed",
            [f"{c.new.list} {c.new.source}:{c.new.id} {c.new.name} ({', '.join(c.fields)})" for c in result.changed],
        ),
    ]
    for title, lines in sections:
        if not lines:
            continue
        print(f"{title} ({len(lines)}):")
        for line in lines[:limit]:
            print("  " + terminal_safe(line))
        if len(lines) > limit:
            print(f"  ... and {len(lines) - limit} more")
    return EXIT_FINDINGS


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r}: the timeout must be a positive number of seconds")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number between 0 and 1") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a fraction between 0 and 1 (0.1 = 10 %)")
    return value


def _in_force(args: argparse.Namespace) -> tuple[Registry, list[str]]:
    """The registry a screening command would use (the bundled lists plus the default sources), or just
    ``PATHS``; and where each part came from."""
    from exportscreen.registry import bundled_list_paths
    from exportscreen.registry.cache import load_registry_cached
    from exportscreen.registry.config import add_default_lists

    if args.paths:
        return load_registry_cached(*args.paths), [f"the lists given: {' '.join(args.paths)}"]
    paths = bundled_list_paths()
    origin = [f"bundled snapshot: {paths[0].parent if paths else 'none'} ({len(paths)} files)"]
    registry, defaults = add_default_lists(load_registry_cached(), load_registry_cached)
    return registry, [*origin, defaults.describe()]


def run_info(args: argparse.Namespace) -> int:
    registry, origin = _in_force(args)
    today = dt.date.today()
    counts = registry.counts()
    versions = registry.source_versions
    rows: list[dict[str, JsonValue]] = []
    per_list: dict[str, int] = {}
    for e in registry.entries:
        per_list[e.list] = per_list.get(e.list, 0) + 1
    lines = [f"registry version {registry.version}  ({len(registry)} entries, {len(registry.sources)} sources)"]
    lines += [f"in force: {o}" for o in origin]
    lines.append("entries per list: " + ", ".join(f"{k} {v:,}" for k, v in sorted(per_list.items())))
    for src in registry.sources:
        entries = dict(sorted(counts.get(src.id, {}).items()))
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
                "entries": dict(entries),
                "version": versions.get(src.id),
                "publication": src.publication,
                "extracted": src.extracted.isoformat() if src.extracted else None,
                "input_sha256": src.input_sha256,
                "notes": list(src.notes),
                "missing_parts": list(src.missing_parts),
            }
        )
        age_text = "undated" if age is None else f"{age} days old"
        lines.append(f"- {src.id}: {src.name}")
        lines.append(
            f"    {', '.join(f'{k} {v:,}' for k, v in entries.items())}; as of {as_of or '?'} "
            f"({src.as_of_basis}, {age_text}); version {versions.get(src.id, '')[:16]}"
        )
        if src.publication:
            extracted = f"; read {src.extracted.isoformat()}" if src.extracted else ""
            lines.append(f"    publication: {src.publication}{extracted}")
        lines.extend(f"    note: {note}" for note in src.notes)
        lines.extend(f"    MISSING: {part}; every decision is a review (incomplete-list)" for part in src.missing_parts)
        lines.append(f"    {src.format}: {src.path}")
    if args.format == "json":
        out = {
            "version": registry.version,
            "entries": len(registry),
            "entries_per_list": dict(sorted(per_list.items())),
            "in_force": list(origin),
            "sources": rows,
        }
        print(json.dumps(out, indent=2, sort_keys=True, ensure_ascii=False))
    else:
        print("\n".join(lines))
    return EXIT_OK


def _count_changes(old: Mapping[str, int], new: Mapping[str, int]) -> str:
    changed = [
        f"{code} {old.get(code, 0)} -> {new.get(code, 0)}"
        for code in sorted(set(old) | set(new))
        if old.get(code, 0) != new.get(code, 0)
    ]
    return "; ".join(changed) if changed else "no list changed size"


def _describe(result: SourceUpdate) -> list[str]:
    lines = [f"{result.name}: {result.status} {result.dest}" + (f" ({result.size} bytes)" if result.size else "")]
    old_total = "none" if result.old_total is None else str(result.old_total)
    lines.append(f"    entries {old_total} -> {result.new_total}")
    if result.old_counts is not None and result.new_counts is not None:
        lines.append(f"    per list: {_count_changes(result.old_counts, result.new_counts)}")
    lines.append(f"    version {result.old_version or 'none'} -> {result.new_version}")
    lines.extend(f"    note: {note}" for note in result.notes)
    return lines


def run_update(args: argparse.Namespace) -> int:
    from exportscreen.registry.config import config_path, default_lists

    report = update_lists(args.config, timeout=args.timeout, max_shrink=args.max_shrink, dest_dir=args.dest)
    in_force = {p.resolve() for p in default_lists().paths}
    for result in report.sources:
        if result.ok:
            print("\n".join(_describe(result)))
            if result.dest.resolve() not in in_force:
                print(f"    not a default source: add it to the lists of {config_path()} to screen with it by default")
        else:
            kept = (
                f"the current copy {result.dest} is unchanged"
                if result.dest.exists()
                else f"nothing was written to {result.dest}"
            )
            print(
                f"exportscreen: error: source {result.name!r} ({result.url}): {result.reason}; {kept}", file=sys.stderr
            )
    return EXIT_OK if report.ok else EXIT_ERROR
