"""``exportscreen match NAME``: look a name up in the lists."""

from __future__ import annotations

import argparse
import json

from exportscreen.commands._common import EXIT_FINDINGS, EXIT_OK, add_screening_options, build_screener
from exportscreen.geo import resolve_country
from exportscreen.report.text import format_match

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "match",
        help="look a party name up in the lists",
        description="Exit 0: no match at review strength or above; 1: matches found.",
    )
    p.add_argument("name")
    p.add_argument("--country", help="ISO code or English name of the party's country")
    p.add_argument("--limit", type=int, default=5)
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_screening_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    screener = build_screener(args)
    country = None
    if args.country:
        try:
            country = resolve_country(args.country)
        except ValueError as exc:
            from exportscreen._errors import InputError

            raise InputError(str(exc), location="--country") from None
    matches = screener.match_name(args.name, country=country, limit=args.limit, as_of=args.as_of)
    if args.format == "json":
        print(json.dumps([m.model_dump(mode="json") for m in matches], indent=2, sort_keys=True, ensure_ascii=False))
    elif not matches:
        print(f"no match for {args.name!r} at review strength or above")
    else:
        for m in matches:
            print(format_match(m))
    return EXIT_FINDINGS if matches else EXIT_OK
