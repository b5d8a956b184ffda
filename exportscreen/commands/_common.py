"""Options and helpers shared by subcommands."""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from exportscreen.ledger import Ledger
    from exportscreen.models import Decision, Transaction
    from exportscreen.registry import Registry
    from exportscreen.screener import Screener

__all__ = [
    "EXIT_ERROR",
    "EXIT_FINDINGS",
    "EXIT_OK",
    "add_ledger_option",
    "add_licence_option",
    "add_screening_options",
    "build_screener",
    "coverage_note",
    "open_ledger",
    "parse_date",
    "record_run",
    "write_out",
]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date (YYYY-MM-DD)") from None


def add_screening_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lists",
        nargs="+",
        metavar="PATH",
        help="list files to screen against as well as the bundled lists (CSL, OFAC, custom, own YAML)",
    )
    parser.add_argument(
        "--no-bundled",
        action="store_true",
        help="leave the bundled lists out: screen against --lists only",
    )
    parser.add_argument(
        "--with-bundled",
        action="store_true",
        help="accepted for old scripts and ignored: the bundled lists are always screened unless --no-bundled",
    )
    parser.add_argument(
        "--require-lists",
        type=_list_codes,
        metavar="CODES",
        default=[],
        help="comma-separated list codes (EL,MEU,SDN,...) that must be loaded, else exit 2",
    )
    parser.add_argument("--pack", nargs="+", metavar="RULES_YAML", help="rule packs instead of the bundled packs")
    parser.add_argument(
        "--max-list-age",
        type=int,
        metavar="DAYS",
        help="fail (exit 2) when a list source is older than DAYS on the screening date",
    )
    parser.add_argument(
        "--as-of",
        type=parse_date,
        metavar="DATE",
        help="screening date (default: each order's date when later than today, else today)",
    )


def add_licence_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--licences",
        metavar="YAML",
        help="licence register: licence requirements a valid licence on file covers are reported as covered",
    )


def add_ledger_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ledger",
        metavar="PATH",
        help="append this invocation as one run to the decision ledger PATH (SQLite; created when missing); "
        "a ledger that cannot be opened or written is exit 2",
    )


def open_ledger(args: argparse.Namespace) -> Ledger | None:
    """The ``--ledger`` of the command line, opened (before anything is screened), or None."""
    path = getattr(args, "ledger", None)
    if not path:
        return None
    from exportscreen.ledger import Ledger

    return Ledger(path)


def record_run(
    ledger: Ledger | None,
    pairs: list[tuple[Transaction, Decision]],
    *,
    command: str,
    screener: Screener,
    as_of: dt.date | None,
    started_at: dt.datetime,
    places: Sequence[str] | None = None,
) -> None:
    """Record what one invocation screened as one ledger run (nothing without ``--ledger``); ``places``
    (``file:line`` per pair) name two orders of one id, which the ledger refuses."""
    if ledger is None:
        return
    ledger.record(
        pairs,
        command=command,
        registry=screener.registry,
        as_of=as_of,
        packs=screener.pack_refs,
        started_at=started_at,
        places=places,
    )


def _list_codes(text: str) -> list[str]:
    codes = [c.strip() for c in text.split(",") if c.strip()]
    if not codes:
        raise argparse.ArgumentTypeError("give list codes separated by commas, e.g. EL,MEU")
    return codes


def _registry(args: argparse.Namespace) -> Registry:
    """The bundled lists plus ``--lists`` (a bundled file named again is loaded once) plus the configured
    default sources (``registry.config``); ``--no-bundled`` leaves the bundled lists and the defaults out."""
    from exportscreen._errors import ConfigError
    from exportscreen.registry import bundled_list_paths
    from exportscreen.registry.cache import load_registry_cached
    from exportscreen.registry.config import add_default_lists

    if args.no_bundled:
        if not args.lists:
            raise ConfigError("--no-bundled leaves no list to screen against: give --lists PATH...")
        return load_registry_cached(*args.lists)
    bundled = {p.resolve() for p in bundled_list_paths()}
    extra = [p for p in args.lists or () if Path(p).resolve() not in bundled]
    registry = load_registry_cached()
    registry = registry + load_registry_cached(*extra) if extra else registry
    registry, defaults = add_default_lists(registry, load_registry_cached, exclude=extra)
    if defaults.missing:
        print(f"exportscreen: {defaults.describe()}", file=sys.stderr)
    return registry


def build_screener(args: argparse.Namespace) -> Screener:
    """The Screener of the command line: lists loaded through the user cache (``load_registry_cached``)."""
    from exportscreen.licensing.register import load_register
    from exportscreen.screener import Screener

    # The cyclic GC would walk the freshly loaded lists and index (hundreds of thousands of objects)
    # again and again while they are built; they live as long as the command, so they are frozen
    # (never scanned again) once built. Collection of everything made later is unchanged.
    enabled = gc.isenabled()
    gc.disable()
    try:
        licences_path = getattr(args, "licences", None)
        licences = load_register(licences_path) if licences_path else None
        screener = Screener(
            registry=_registry(args),
            packs=args.pack,
            max_list_age=args.max_list_age,
            require_lists=args.require_lists,
            licences=licences,
        )
    finally:
        if enabled:
            gc.freeze()
            gc.enable()
    return screener


def coverage_note(screener: Screener, lists_missing: set[str]) -> str:
    """One line for stderr: the lists screened against (entries per list code) and the list codes that
    rules in force read but that were not loaded (``Decision.lists_missing``, over every order)."""
    against = ", ".join(f"{code} {n:,}" for code, n in screener.registry_info.lists.items())
    note = f"exportscreen: screened against {against} ({len(screener.registry.sources)} source(s))"
    if lists_missing:
        note += (
            f"; NOT loaded, though rules in force read them: {', '.join(sorted(lists_missing))} "
            "(add them with --lists; with --require-lists a missing list is exit 2)"
        )
    return note


def write_out(text: str) -> None:
    """Write ``text`` to stdout. Once the reader has gone (``exportscreen screen ... | head``), stdout
    is pointed at the null device: the rest of the output is dropped, the run goes on and its exit code
    still says what was found (no "[Errno 32] Broken pipe", no exit 2 for it)."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
