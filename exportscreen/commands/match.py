"""``exportscreen match NAME`` / ``match --file PARTIES``: look one name or a whole party file up.

With ``--file`` every party of a CSV, YAML or JSON party file (see ``exportscreen.partyfile``) is
read and checked first (a bad row is exit 2 naming its line, before anything is screened), then
matched with its own country through ``Screener.match_many`` and written as each result is ready.

Exit codes: 0 no match at review strength or above; 1 some match; 2 something could not be screened
(a bad file, or a name the matcher refuses: the other parties are still written, and 2 wins over 1).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Never

from exportscreen._errors import InputError
from exportscreen.commands._common import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_OK,
    add_ledger_option,
    add_screening_options,
    build_screener,
    open_ledger,
)
from exportscreen.geo import resolve_country
from exportscreen.matching.words import nobody_named
from exportscreen.report.text import format_match, terminal_safe

if TYPE_CHECKING:
    from tqdm import tqdm

    from exportscreen.models import PartyMatch
    from exportscreen.partyfile import PartyResult, PartyRow
    from exportscreen.partyfile_output import Stream

__all__ = ["register"]

_FILE_ONLY = ("column", "country_column", "id_column", "output", "workers", "ledger")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "match",
        help="look a party name, or every party of a file, up in the lists",
        description="Exit 0: no match at review strength or above; 1: matches found; 2: could not screen.",
    )
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("name", nargs="?", help="the name to look up")
    what.add_argument("--file", metavar="PARTIES", help="a party file: CSV, YAML or JSON (see the README)")
    p.add_argument("--country", help="ISO code or English name of the party's country (with NAME)")
    p.add_argument("--column", metavar="HEADER", help="the party file's column of names (default: name)")
    p.add_argument("--country-column", metavar="HEADER", help="its column of countries (default: country)")
    p.add_argument("--id-column", metavar="HEADER", help="its column of party ids (default: id; else the line)")
    p.add_argument("--limit", type=int, default=5, help="most matches per name (default 5)")
    p.add_argument(
        "--format",
        choices=("text", "json", "csv", "jsonl"),
        help="output format (default text; csv and jsonl with --file only)",
    )
    p.add_argument("--output", "-o", metavar="FILE", help="with --file: write the results to FILE (atomically)")
    p.add_argument("--workers", type=int, help="with --file: processes matching names (default 1)")
    p.add_argument("--quiet", "-q", action="store_true", help="with --file: no progress bar and no summary")
    add_screening_options(p)
    add_ledger_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise InputError("--limit must be at least 1")
    if args.file is not None:
        if args.country:
            raise InputError("--country is for one NAME; a party file gives countries in a column (--country-column)")
        return _run_file(args)
    for option in _FILE_ONLY:
        if getattr(args, option) is not None:
            raise InputError(f"--{option.replace('_', '-')} needs --file")
    if args.format in ("csv", "jsonl"):
        raise InputError(f"--format {args.format} needs --file")
    nobody = nobody_named(args.name)
    if nobody is not None:
        raise InputError(nobody, location="NAME")
    screener = build_screener(args)
    country = None
    if args.country:
        try:
            country = resolve_country(args.country)
        except ValueError as exc:
            raise InputError(str(exc), location="--country") from None
    matches = screener.match_name(args.name, country=country, limit=args.limit, as_of=args.as_of)
    if args.format == "json":
        print(json.dumps([m.model_dump(mode="json") for m in matches], indent=2, sort_keys=True, ensure_ascii=False))
    elif not matches:
        print(f"no match for {args.name!r} at review strength or above")
    else:
        for m in matches:
            print("\n".join(terminal_safe(line) for line in format_match(m).split("\n")))
    return EXIT_FINDINGS if matches else EXIT_OK


def _run_file(args: argparse.Namespace) -> int:
    from exportscreen.partyfile import count_parties, read_parties, screen_parties
    from exportscreen.partyfile_output import open_writer

    workers = 1 if args.workers is None else args.workers
    if workers < 1:
        raise InputError("--workers must be at least 1")

    def parties() -> Iterator[PartyRow]:
        return read_parties(args.file, column=args.column, country_column=args.country_column, id_column=args.id_column)

    total = count_parties(parties())  # every row checked before anything is screened (fail closed)
    ledger = open_ledger(args)  # a ledger that cannot be opened stops the run before anything is screened
    screener = build_screener(args)
    counts = {"match": 0, "no match": 0, "error": 0}
    started = dt.datetime.now(dt.UTC)
    recorded: list[tuple[str, str, str | None, list[PartyMatch]]] = []
    source = str(Path(args.file).resolve())  # a row known by its line only is known by file and line
    with _output(args.output) as stream, _progress(total, args.quiet) as bar:
        writer = open_writer(args.format or "text", stream)
        results = screen_parties(screener, parties(), limit=args.limit, as_of=args.as_of, workers=workers)
        for result in _counted(results, counts):
            writer.write(result)
            if ledger is not None and result.status != "error":
                recorded.append(result.ledger_row(source))
            bar.update()
        writer.close()
    if ledger is not None:
        with ledger:
            ledger.record_matches(
                recorded,
                registry=screener.registry,
                as_of=args.as_of or started.date(),
                started_at=started,
                meta={"file": str(args.file)},
            )
    if not args.quiet:
        print(
            f"exportscreen match: {total} part{'y' if total == 1 else 'ies'} in {args.file}: {counts['match']} "
            f"matched, {counts['no match']} no match, {counts['error']} could not be screened",
            file=sys.stderr,
        )
    if counts["error"]:
        return EXIT_ERROR
    return EXIT_FINDINGS if counts["match"] else EXIT_OK


def _counted(results: Iterator[PartyResult], counts: dict[str, int]) -> Iterator[PartyResult]:
    for result in results:
        counts[result.status] += 1
        yield result


class _Stdout:
    """Stdout that, once the reader has gone (``... | head``), drops the rest like ``write_out``: the
    run goes on and its exit code still says what was found."""

    def __init__(self) -> None:
        self._gone = False

    def write(self, text: str, /) -> int:
        if not self._gone:
            try:
                sys.stdout.write(text)
            except BrokenPipeError:
                self._drop()
        return len(text)

    def flush(self) -> None:
        if not self._gone:
            try:
                sys.stdout.flush()
            except BrokenPipeError:
                self._drop()

    def _drop(self) -> None:
        self._gone = True
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


@contextlib.contextmanager
def _output(path: str | None) -> Iterator[Stream]:
    """Stdout, or a temporary file beside ``path`` that replaces it only once everything is written."""
    if path is None:
        out = _Stdout()
        yield out
        out.flush()
        return
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".", prefix=f".{target.name}.")
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
            yield stream
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class _NoProgress:
    def __enter__(self) -> _NoProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self) -> None:
        return None


def _progress(total: int, quiet: bool) -> tqdm[Never] | _NoProgress:
    """A progress bar on stderr when it is a terminal (and not ``--quiet``); else nothing."""
    if quiet or not sys.stderr.isatty():
        return _NoProgress()
    from tqdm import tqdm  # imported here: a run without a bar never loads it

    colour = None if os.environ.get("NO_COLOR") else "green"
    return tqdm(total=total, file=sys.stderr, leave=False, unit="name", colour=colour, desc="matching")
