"""Options and helpers shared by subcommands."""

from __future__ import annotations

import argparse
import datetime as dt
import gc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from exportscreen.screener import Screener

__all__ = ["EXIT_ERROR", "EXIT_FINDINGS", "EXIT_OK", "add_screening_options", "build_screener", "parse_date"]

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
        help="list files to screen against instead of the bundled lists (CSL, OFAC, custom, own YAML)",
    )
    parser.add_argument(
        "--with-bundled", action="store_true", help="screen against the bundled lists as well as --lists"
    )
    parser.add_argument("--pack", nargs="+", metavar="RULES_YAML", help="rule packs instead of the bundled packs")
    parser.add_argument(
        "--max-list-age",
        type=int,
        metavar="DAYS",
        help="fail (exit 2) when a list source is older than DAYS on the screening date",
    )
    parser.add_argument(
        "--as-of", type=parse_date, metavar="DATE", help="screening date (default: each order's date, else today)"
    )


def build_screener(args: argparse.Namespace) -> Screener:
    """The Screener of the command line: lists loaded through the user cache (``load_registry_cached``)."""
    from exportscreen.registry.cache import load_registry_cached
    from exportscreen.screener import Screener

    # The cyclic GC would walk the freshly loaded lists and index (hundreds of thousands of objects)
    # again and again while they are built; they live as long as the command, so they are frozen
    # (never scanned again) once built. Collection of everything made later is unchanged.
    enabled = gc.isenabled()
    gc.disable()
    try:
        registry = load_registry_cached(*args.lists) if args.lists else load_registry_cached()
        if args.lists and args.with_bundled:
            registry = load_registry_cached() + registry
        screener = Screener(registry=registry, packs=args.pack, max_list_age=args.max_list_age)
    finally:
        if enabled:
            gc.freeze()
            gc.enable()
    return screener
