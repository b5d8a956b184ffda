"""``exportscreen report --ledger PATH --from DATE --to DATE``: the audit report (one HTML file) of every
decision a ledger recorded in a period, run by run (``report.ledger_html.period_report``).

Exit codes: 0 the report was written (whatever it holds); 2 the ledger or baseline could not be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from exportscreen.commands._common import EXIT_OK, parse_date, write_out
from exportscreen.commands._html import add_report_options

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "report",
        help="the audit report (HTML) of what a ledger recorded in a period",
        description="Render every decision recorded in --ledger by runs that finished from --from to --to "
        "(inclusive, UTC dates) as one self-contained HTML file. Exit 0: written; 2: could not read the ledger.",
    )
    p.add_argument("--ledger", required=True, metavar="PATH")
    p.add_argument("--from", dest="start", required=True, type=parse_date, metavar="DATE")
    p.add_argument("--to", dest="end", required=True, type=parse_date, metavar="DATE")
    p.add_argument("--format", choices=("html",), default="html", help="html (the only format)")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE (atomically) instead of stdout")
    p.add_argument("--baseline", metavar="YAML", help="clearances to show on the findings they cover")
    p.add_argument("--pack", nargs="+", metavar="RULES_YAML", help="rule packs for the rule help (default: bundled)")
    add_report_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from exportscreen._errors import ConfigError
    from exportscreen.baseline import load_baseline, write_atomic
    from exportscreen.commands._html import _login, run_time
    from exportscreen.ledger import Ledger
    from exportscreen.matching import MatchSettings
    from exportscreen.report.html import format_html
    from exportscreen.report.ledger_html import period_report
    from exportscreen.rules import bundled_pack_paths, load_pack

    if args.end < args.start:
        raise ConfigError(f"--to {args.end.isoformat()} is before --from {args.start.isoformat()}")
    path = Path(args.ledger)
    if not path.exists():
        raise ConfigError(f"ledger {path} does not exist")
    baseline = load_baseline(Path(args.baseline)) if args.baseline else None
    packs = [load_pack(p) for p in (args.pack or bundled_pack_paths())]
    settings = MatchSettings()
    with Ledger(path, create=False) as ledger:
        audit = period_report(
            ledger,
            args.start,
            args.end,
            packs=packs,
            thresholds=(settings.review, settings.hit),
            baseline=baseline,
            baseline_path=Path(args.baseline) if args.baseline else None,
            run_by=args.run_by or _login(),
            when=run_time(),
        )
    text = format_html(audit)
    if args.output:
        write_atomic(Path(args.output), text)
    else:
        write_out(text)
    print(f"exportscreen report: {len(audit.results)} decision(s) recorded {args.start} to {args.end}", file=sys.stderr)
    return EXIT_OK
