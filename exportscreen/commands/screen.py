"""``exportscreen screen FILE...``: screen transactions in YAML or JSON files and print each Decision."""

from __future__ import annotations

import argparse
import json
import sys

from exportscreen._errors import ExportscreenError
from exportscreen.commands._common import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_OK,
    add_screening_options,
    build_screener,
    coverage_note,
)
from exportscreen.models import Category
from exportscreen.orders import expand_paths, iter_orders
from exportscreen.report.text import format_decision

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "screen",
        help="screen transaction files and print each decision",
        description="Screen transactions (YAML or JSON, one or a list per file). "
        "Exit 0: all less risky; 1: some sensitive or review; 2: some input could not be screened.",
    )
    p.add_argument("paths", nargs="+", metavar="FILE", help="files, directories or globs")
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_screening_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    screener = build_screener(args)
    files = expand_paths(args.paths)
    worst = Category.LESS_RISKY
    errors = 0
    decisions = []
    missing: set[str] = set()
    for path, loaded in iter_orders(files):
        if isinstance(loaded, ExportscreenError):
            errors += 1
            print(f"exportscreen: error: {loaded}", file=sys.stderr)
            continue
        for order in loaded:
            try:
                decision = screener.screen(order.data, as_of=args.as_of)
            except ExportscreenError as exc:
                errors += 1
                print(f"exportscreen: error: {path}:{order.line}: {exc}", file=sys.stderr)
                continue
            worst = max(worst, decision.category)
            missing.update(decision.lists_missing)
            if args.format == "json":
                decisions.append(decision.to_dict())
            else:
                print(format_decision(decision, where=f"{path}:{order.line}"))
    if args.format == "json":
        print(json.dumps(decisions, indent=2, sort_keys=True, ensure_ascii=False))
    print(coverage_note(screener, missing), file=sys.stderr)
    if errors:
        return EXIT_ERROR
    return EXIT_OK if worst is Category.LESS_RISKY else EXIT_FINDINGS
