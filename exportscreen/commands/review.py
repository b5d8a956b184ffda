"""``exportscreen review ORDER-FILE...``: record reviewed matches as clearances in a baseline.

Screens the orders and, for every finding that rests on list matches in the scope given
(``--order`` and/or ``--entry``), records who cleared it, when, why and until when (``--expires``,
by default ``--expiry-days`` 365 days from today). Without a scope, the matches that would be
cleared are listed and cleared only after a confirmation typed at a terminal; without a terminal
it is an error (one command once cleared a misspelt SMIC order along with everything else).
Review-strength findings only, unless ``--allow-hit`` (the clearance is then marked as a cleared
hit). The baseline is created when missing and rewritten atomically; a malformed one is exit 2 and
is left untouched.

Exit codes: 0 at least one clearance written; 1 nothing could be cleared (or the confirmation was
declined); 2 bad input or baseline, or no scope without a terminal.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from exportscreen import __version__
from exportscreen._errors import ConfigError, InputError
from exportscreen.baseline import (
    DEFAULT_BASELINE,
    DEFAULT_EXPIRY_DAYS,
    Baseline,
    Clearance,
    clearance_refs,
    load_baseline,
    save_baseline,
)
from exportscreen.commands._common import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_OK,
    add_screening_options,
    build_screener,
    parse_date,
)
from exportscreen.commands.check import CheckRun, check_paths, own_files
from exportscreen.models import Category, PackRef
from exportscreen.orders_csv import load_csv_mapping

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "review",
        help="clear reviewed potential matches into a baseline file",
        description="Record that a person reviewed the list matches behind the findings of these orders. "
        "Give the scope with --order and/or --entry; without one, what would be cleared is listed and "
        "needs a confirmation at a terminal. "
        "Exit 0: clearances written; 1: nothing could be cleared; 2: bad input or baseline, or no scope.",
    )
    p.add_argument("paths", nargs="+", metavar="ORDER_FILE", help="order files, directories or globs")
    p.add_argument("--reviewer", required=True, help="who reviewed the matches")
    p.add_argument("--reason", required=True, help="why they are cleared")
    p.add_argument("--expires", type=parse_date, metavar="DATE", help="last day the clearance applies")
    p.add_argument(
        "--expiry-days",
        type=_days,
        default=DEFAULT_EXPIRY_DAYS,
        metavar="DAYS",
        help=f"without --expires, the clearance applies for DAYS days from today (default {DEFAULT_EXPIRY_DAYS})",
    )
    p.add_argument(
        "--allow-hit", action="store_true", help="also clear findings resting on hits (marked as cleared hits)"
    )
    p.add_argument("--baseline", default=DEFAULT_BASELINE, metavar="FILE", help=f"default {DEFAULT_BASELINE}")
    p.add_argument("--order", action="append", metavar="ID", help="only this order id (repeatable)")
    p.add_argument("--entry", action="append", metavar="ENTRY_ID", help="only matches with this list entry id")
    p.add_argument("--csv-mapping", metavar="YAML", help="column mapping for CSV order files")
    add_screening_options(p)
    p.set_defaults(func=run)


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days") from None
    if days < 1:
        raise argparse.ArgumentTypeError("the expiry is at least 1 day")
    return days


def _planned(
    checked: CheckRun, args: argparse.Namespace, today: dt.date, expires: dt.date
) -> list[tuple[str, Clearance]]:
    """The clearances the findings in scope allow, each with where its finding is (the refused ones
    are said on stderr)."""
    new: list[tuple[str, Clearance]] = []
    for r in checked.results:
        order_id = r.decision.transaction_id
        if args.order and order_id not in args.order:
            continue
        for f in r.findings:
            where = f"{r.path}:{r.line}: {order_id} {f.rule_id}"
            refs = [ref for ref in clearance_refs(f.reason) if not args.entry or ref.entry_id in args.entry]
            if not refs:
                if not args.entry:
                    print(f"{where}: not a list match, cannot be cleared", file=sys.stderr)
                continue
            is_hit = f.category is Category.SENSITIVE or any(ref.strength == "hit" for ref in refs)
            if is_hit and not args.allow_hit:
                print(f"{where}: rests on a hit; not cleared (give --allow-hit to clear a hit)", file=sys.stderr)
                continue
            for ref in refs:
                clearance = Clearance(
                    order_id=order_id,
                    party=ref.party,
                    entry_source=ref.entry_source,
                    entry_id=ref.entry_id,
                    entry_hash=ref.entry_hash,
                    entry_name=ref.entry_name,
                    rule_id=f.rule_id,
                    strength="hit" if ref.strength == "hit" else "review",
                    allow_hit=is_hit,
                    reviewer=args.reviewer.strip(),
                    reason=args.reason.strip(),
                    reviewed_on=today,
                    expires=expires,
                )
                new.append((where, clearance))
    return new


def _describe(where: str, c: Clearance) -> str:
    mark = " (HIT cleared)" if c.allow_hit else ""
    return f"{where}: {c.party!r} ~ {c.entry_id} ({c.entry_name}){mark}, until {c.expires}"


def _confirmed(new: list[tuple[str, Clearance]]) -> bool:
    """Without a scope: list what would be cleared and ask at the terminal (never without one)."""
    listing = "\n".join(f"  {_describe(where, c)}" for where, c in new)
    if not sys.stdin.isatty():
        raise ConfigError(
            f"review without --order or --entry would clear {len(new)} match(es):\n{listing}\n"
            "give the scope with --order ID and/or --entry ENTRY_ID (or run it at a terminal to confirm)"
        )
    print(f"exportscreen review would clear {len(new)} match(es):\n{listing}", file=sys.stderr)
    print("Clear all of them? [y/N] ", end="", file=sys.stderr, flush=True)
    return input().strip().lower() in {"y", "yes"}


def run(args: argparse.Namespace) -> int:
    if not args.reviewer.strip() or not args.reason.strip():
        raise InputError("--reviewer and --reason must not be blank")
    today = dt.date.today()
    if args.expires is not None and args.expires < today:
        raise InputError(f"--expires {args.expires.isoformat()} is in the past")
    expires = args.expires or today + dt.timedelta(days=args.expiry_days)
    path = Path(args.baseline)
    existing = load_baseline(path) if path.exists() else None
    mapping = load_csv_mapping(Path(args.csv_mapping)) if args.csv_mapping else None
    screener = build_screener(args)
    checked = check_paths(args.paths, screener, csv_mapping=mapping, as_of=args.as_of, exclude=own_files(args))
    if checked.problems:
        for p in checked.problems:
            print(f"{p.where}: error: {p.message}", file=sys.stderr)
        print("exportscreen review: nothing written, some input could not be screened", file=sys.stderr)
        return EXIT_ERROR
    new = _planned(checked, args, today, expires)
    if not new:
        print("exportscreen review: nothing to clear; baseline not written", file=sys.stderr)
        return EXIT_FINDINGS
    if not args.order and not args.entry and not _confirmed(new):
        print("exportscreen review: not confirmed; baseline not written", file=sys.stderr)
        return EXIT_FINDINGS
    baseline = Baseline(
        tool_version=__version__,
        registry_version=screener.registry.version,
        packs=[PackRef(id=p.id, version=p.version) for p in screener.packs],
        clearances=list(existing.clearances) if existing else [],
    )
    for where, c in new:
        baseline.add(c)
        mark = " (HIT cleared)" if c.allow_hit else ""
        print(f"{where}: cleared {c.party!r} ~ {c.entry_id}{mark}, until {c.expires}")
    save_baseline(baseline, path)
    print(f"exportscreen review: {len(new)} clearance(s) written to {path}")
    return EXIT_OK
