"""``exportscreen screen FILE...``: screen the transactions in order files and print each Decision.

It reads what ``check`` reads (YAML, JSON and CSV order files, ``--csv-mapping`` for an ERP export),
goes on past a file that cannot be read (a missing path too) and ends with a summary line. Text
output is for display (formula-looking ids neutralised, control characters escaped); ``--format
json`` is the list of Decisions, as read; ``--format html`` the audit report. A reader that stops
early (``| head``) ends nothing: the rest of the output is dropped and the exit code still says what
was found.

Exit codes: 0 all less risky; 1 some sensitive or review; 2 some input could not be screened.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from exportscreen._errors import ExportscreenError
from exportscreen.commands._common import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_OK,
    add_ledger_option,
    add_licence_option,
    add_screening_options,
    build_screener,
    coverage_note,
    open_ledger,
    record_run,
    write_out,
)
from exportscreen.commands._html import add_report_options
from exportscreen.models import Category
from exportscreen.orders import collect_paths, load_orders
from exportscreen.orders_csv import load_csv_mapping
from exportscreen.report.text import format_decision, terminal_safe

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "screen",
        help="screen transaction files and print each decision",
        description="Screen transactions in order files: YAML or JSON (one or a list per file) and CSV "
        "(one row per line item; --csv-mapping for an ERP export). "
        "Exit 0: all less risky; 1: some sensitive or review; 2: some input could not be screened.",
    )
    p.add_argument("paths", nargs="+", metavar="FILE", help="files, directories or globs")
    p.add_argument(
        "--format", choices=("text", "json", "html"), default="text", help="html: the audit report (one file)"
    )
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE (atomically) instead of stdout")
    p.add_argument("--csv-mapping", metavar="YAML", help="column mapping for CSV order files exported from an ERP")
    add_screening_options(p)
    add_licence_option(p)
    add_ledger_option(p)
    add_report_options(p)
    p.set_defaults(func=run)


def _error(text: str) -> None:
    print(terminal_safe(f"exportscreen: error: {text}"), file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from exportscreen.baseline import InputProblem, OrderResult, assess, write_atomic
    from exportscreen.screener import validate_transaction

    started = dt.datetime.now(dt.UTC)
    mapping = load_csv_mapping(Path(args.csv_mapping)) if args.csv_mapping else None
    ledger = open_ledger(args)
    screener = build_screener(args)
    own = [p for p in (args.csv_mapping, args.output, args.ledger, *(args.lists or ()), *(args.pack or ())) if p]
    files, bad_paths = collect_paths(args.paths, exclude=own)
    problems = [InputProblem(exc.path or "", None, exc.message) for exc in bad_paths]
    for exc in bad_paths:
        _error(str(exc))
    counts = dict.fromkeys(Category, 0)
    missing: set[str] = set()
    decisions = []
    lines: list[str] = []
    results: list[OrderResult] = []
    screened = []
    places: list[str] = []
    for path in files:
        try:
            orders = load_orders(path, csv_mapping=mapping)
        except ExportscreenError as exc:
            problems.append(InputProblem(path, None, exc.message))
            _error(str(exc))
            continue
        for order in orders:
            try:
                tx = validate_transaction(order.data)
                decision = screener.screen(tx, as_of=args.as_of)
            except ExportscreenError as exc:
                problems.append(InputProblem(path, order.line, str(exc)))
                _error(f"{path}:{order.line}: {exc}")
                continue
            counts[decision.category] += 1
            screened.append((tx, decision))
            places.append(f"{path}:{order.line}")
            missing.update(decision.lists_missing)
            if args.format == "json":
                decisions.append(decision.to_dict())
            elif args.format == "html":
                results.append(OrderResult(path, order.line, decision, tuple(assess(decision, None)), tx))
            else:
                lines.append(format_decision(decision, where=f"{path}:{order.line}") + "\n")
    summary = (
        f"exportscreen screen: {sum(counts.values())} order(s) in {len(files)} file(s): "
        f"{counts[Category.SENSITIVE]} sensitive, {counts[Category.REVIEW]} review, "
        f"{counts[Category.LESS_RISKY]} less risky"
    )
    if problems:
        summary += f"; {len(problems)} input(s) could not be screened"
    if args.format == "text":
        report = "".join(lines) + summary + "\n"
    elif args.format == "json":
        report = json.dumps(decisions, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    else:
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
    record_run(
        ledger, screened, command="screen", screener=screener, as_of=args.as_of, started_at=started, places=places
    )
    if args.output:
        write_atomic(Path(args.output), report)
    else:
        write_out(report)
    if args.format != "text" or args.output:
        print(summary, file=sys.stderr)
    print(coverage_note(screener, missing), file=sys.stderr)
    if problems:
        return EXIT_ERROR
    return EXIT_FINDINGS if counts[Category.SENSITIVE] or counts[Category.REVIEW] else EXIT_OK
