"""``exportscreen explain ECCN COUNTRY``: the licence determination for one ECCN and one destination."""

from __future__ import annotations

import argparse
import datetime as dt
import json

from pydantic import ValidationError

from exportscreen._errors import InputError, format_validation_errors
from exportscreen.commands._common import EXIT_FINDINGS, EXIT_OK, parse_date
from exportscreen.geo import resolve_country
from exportscreen.models import Item

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "explain",
        help="the licence determination for one ECCN and destination",
        description="Print what every CCL row of ECCN says for COUNTRY: the Country Chart row, the sections "
        "that replace the chart, Part 746 and the licence exceptions a person may confirm. Exit 0: no "
        "licence required; 1: a licence is or may be required, another pack decides, or the ECCN is unknown.",
    )
    p.add_argument("eccn", metavar="ECCN", help="an ECCN or paragraph (3B001.c.1.a), or EAR99")
    p.add_argument("country", metavar="COUNTRY", help="ISO alpha-2 code or English name")
    p.add_argument("--as-of", type=parse_date, metavar="DATE", help="date of the determination (default: today)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from exportscreen.licensing.explain import explain, format_explanation

    try:
        eccn = Item(description="explain", eccn=args.eccn).eccn
    except ValidationError as exc:
        raise InputError(format_validation_errors(exc.errors())[1], location="ECCN") from None
    try:
        country = resolve_country(args.country)
    except ValueError as exc:
        raise InputError(str(exc), location="COUNTRY") from None
    assert eccn is not None
    data = explain(eccn, country, args.as_of or dt.date.today())
    if args.format == "json":
        print(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))
    else:
        print(format_explanation(data))
    return EXIT_OK if str(data["result"]).startswith("no licence") else EXIT_FINDINGS
