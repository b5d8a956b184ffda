"""``exportscreen rescreen --ledger PATH``: re-screen a ledger's stored orders and parties against the
lists in force now and report what changed (``exportscreen.ledger.rescreen``).

Exit codes: 0 nothing got worse (improvements are reported); 1 some order or party got worse
(less risky -> review or sensitive, no match -> match); 2 could not re-screen (a ledger that cannot
be read, a list, pack or stored order that cannot be loaded or screened).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from exportscreen.commands._common import (
    EXIT_FINDINGS,
    EXIT_OK,
    add_licence_option,
    add_screening_options,
    build_screener,
    write_out,
)
from exportscreen.commands._html import add_report_options

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "rescreen",
        help="re-screen the orders and parties of a ledger against the lists in force now",
        description="Re-screen what a list update can change (orders and parties recorded with --ledger) "
        "and print the transitions. Exit 0: nothing got worse; 1: something got worse; 2: could not re-screen.",
    )
    p.add_argument("--ledger", required=True, metavar="PATH", help="the ledger (SQLite) to re-screen")
    p.add_argument(
        "--format",
        choices=("text", "json", "sarif", "junit", "html"),
        default="text",
        help="output format (default text; html: the audit report with a changes section)",
    )
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE (atomically) instead of stdout")
    p.add_argument("--baseline", metavar="YAML", help="clearances (exportscreen review): cleared findings do not count")
    p.add_argument("--full", action="store_true", help="re-screen every stored record, not only what can change")
    p.add_argument("--dry-run", action="store_true", help="report only: record nothing in the ledger")
    p.add_argument("--workers", type=int, default=1, metavar="N", help="processes to screen in (default 1)")
    add_screening_options(p)
    add_licence_option(p)
    add_report_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from exportscreen._errors import ConfigError
    from exportscreen.baseline import load_baseline, write_atomic
    from exportscreen.ledger import Ledger
    from exportscreen.ledger.rescreen import rescreen
    from exportscreen.report import transitions as fmt

    if args.workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {args.workers}")
    path = Path(args.ledger)
    if not path.exists():
        raise ConfigError(f"ledger {path} does not exist: record runs into it with screen/check --ledger {path}")
    baseline = load_baseline(Path(args.baseline)) if args.baseline else None
    with Ledger(path, create=False) as ledger:
        screener = build_screener(args)
        report = rescreen(
            screener,
            ledger,
            as_of=args.as_of,
            baseline=baseline,
            full=args.full,
            record=not args.dry_run,
            workers=args.workers,
        )
    ts, stats = report.transitions, report.stats
    if args.format == "json":
        text = fmt.format_json(ts, stats)
    elif args.format == "sarif":
        text = fmt.format_sarif(ts, stats, path.as_posix())
    elif args.format == "junit":
        text = fmt.format_junit(ts, stats)
    elif args.format == "html":
        from exportscreen.commands._html import _login, run_time
        from exportscreen.report.html import format_html
        from exportscreen.report.ledger_html import rescreen_report

        audit = rescreen_report(
            report,
            screener,
            ledger_path=path,
            baseline=baseline,
            baseline_path=Path(args.baseline) if args.baseline else None,
            run_by=args.run_by or _login(),
            when=run_time(),
        )
        text = format_html(audit)
    else:
        text = fmt.format_text(ts, stats)
    if args.output:
        write_atomic(Path(args.output), text)
    else:
        write_out(text)
    if args.format != "text" or args.output:
        print(fmt.format_text([], stats).strip(), file=sys.stderr)
    return EXIT_FINDINGS if stats.worse else EXIT_OK
