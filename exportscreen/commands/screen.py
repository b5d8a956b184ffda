"""``exportscreen screen FILE...``: screen transactions in YAML or JSON files and print each Decision."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from exportscreen._errors import ExportscreenError
from exportscreen.commands._common import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_OK,
    add_screening_options,
    build_screener,
)
from exportscreen.commands._html import add_report_options
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
    p.add_argument(
        "--format", choices=("text", "json", "html"), default="text", help="html: the audit report (one file)"
    )
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE (atomically) instead of stdout")
    add_screening_options(p)
    add_report_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from exportscreen.baseline import InputProblem, OrderResult, assess, write_atomic
    from exportscreen.screener import validate_transaction

    screener = build_screener(args)
    files = expand_paths(args.paths)
    worst = Category.LESS_RISKY
    errors = 0
    decisions = []
    lines: list[str] = []
    results: list[OrderResult] = []
    problems: list[InputProblem] = []
    for path, loaded in iter_orders(files):
        if isinstance(loaded, ExportscreenError):
            errors += 1
            problems.append(InputProblem(path, None, loaded.message))
            print(f"exportscreen: error: {loaded}", file=sys.stderr)
            continue
        for order in loaded:
            try:
                tx = validate_transaction(order.data)
                decision = screener.screen(tx, as_of=args.as_of)
            except ExportscreenError as exc:
                errors += 1
                problems.append(InputProblem(path, order.line, str(exc)))
                print(f"exportscreen: error: {path}:{order.line}: {exc}", file=sys.stderr)
                continue
            worst = max(worst, decision.category)
            if args.format == "json":
                decisions.append(decision.to_dict())
            elif args.format == "html":
                results.append(OrderResult(path, order.line, decision, tuple(assess(decision, None)), tx))
            else:
                lines.append(format_decision(decision, where=f"{path}:{order.line}") + "\n")
    if args.format == "text":
        report = "".join(lines)
    elif args.format == "json":
        report = json.dumps(decisions, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    elif args.format == "html":
        from exportscreen.commands._html import html_report

        report = html_report(
            "screen",
            screener,
            paths=files,
            results=results,
            problems=problems,
            as_of=args.as_of,
            baseline_path=None,
            run_by=args.run_by,
        )
    if args.output:
        write_atomic(Path(args.output), report)
    else:
        sys.stdout.write(report)
    if errors:
        return EXIT_ERROR
    return EXIT_OK if worst is Category.LESS_RISKY else EXIT_FINDINGS
