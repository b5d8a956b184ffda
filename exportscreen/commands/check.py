"""``exportscreen check PATH...``: the pre-commit and CI gate over order files.

Reads YAML, JSON and CSV order files (files, directories searched recursively by extension, or
globs), screens every order with one Screener, applies an optional baseline of reviewed matches
and prints one line per finding, ``path:line: ORDER-ID category rule-id: message``, then a summary.
A file that cannot be read or an order that cannot be screened is reported and the run goes on.

Exit codes: 0 no finding that fails (nothing sensitive or unreviewed); 1 a sensitive or review
finding not cleared by the baseline; 2 some input could not be screened (this wins over 1, and both
are reported).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Never

from exportscreen import __version__
from exportscreen._errors import ExportscreenError, InputError
from exportscreen.baseline import (
    DEFAULT_BASELINE,
    Baseline,
    InputProblem,
    OrderResult,
    assess,
    load_baseline,
    summary_counts,
    write_atomic,
)
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
from exportscreen.orders import collect_paths, load_orders
from exportscreen.orders_csv import CsvMapping, load_csv_mapping
from exportscreen.report.junit import finding_line, format_junit
from exportscreen.report.text import terminal_safe
from exportscreen.screener import Screener, validate_transaction

if TYPE_CHECKING:
    from tqdm import tqdm

__all__ = ["PROGRESS_MIN_FILES", "CheckRun", "check_paths", "register"]

#: The progress bar appears from this many files on (and only on a terminal, without --quiet).
PROGRESS_MIN_FILES = 10

_LINE = re.compile(r"^line (\d+)(?:, (.*))?$")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "check",
        help="gate order files (pre-commit, CI): one line per finding, exit 1 on findings",
        description="Screen order files (YAML, JSON, CSV) and report each finding as "
        "'path:line: ORDER-ID category rule-id: message'. Exit 0: nothing sensitive or unreviewed; "
        "1: a sensitive or review finding not cleared by the baseline; 2: some input could not be screened.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="order files, directories (recursive) or globs")
    p.add_argument(
        "--format",
        choices=("text", "json", "sarif", "junit", "html"),
        default="text",
        help="report format (html: the audit report, one self-contained file)",
    )
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE (atomically) instead of stdout")
    p.add_argument(
        "--baseline",
        nargs="?",
        const=DEFAULT_BASELINE,
        metavar="FILE",
        help=f"apply the reviewed-match baseline FILE (default {DEFAULT_BASELINE}); a malformed baseline is exit 2",
    )
    p.add_argument("--csv-mapping", metavar="YAML", help="column mapping for CSV order files exported from an ERP")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary on stderr")
    add_screening_options(p)
    add_licence_option(p)
    add_ledger_option(p)
    add_report_options(p)
    p.set_defaults(func=run)


class CheckRun:
    """What one check produced: the screened orders, the inputs that failed and the files read."""

    def __init__(self) -> None:
        self.results: list[OrderResult] = []
        self.problems: list[InputProblem] = []
        self.paths: list[Path] = []

    @property
    def files(self) -> int:
        return len(self.paths)

    @property
    def exit_code(self) -> int:
        if self.problems:
            return EXIT_ERROR
        return EXIT_FINDINGS if any(r.failing for r in self.results) else EXIT_OK


def _problem(path: Path | str, exc: ExportscreenError, line: int | None = None) -> InputProblem:
    message = exc.message
    loc = exc.location or ""
    m = _LINE.match(loc)
    if m:
        line = line if line is not None else int(m.group(1))
        if m.group(2):
            message = f"{m.group(2)}: {message}"
    elif loc and f"'{loc}'" not in message:
        message = f"{loc}: {message}"
    return InputProblem(path, line, message)


def _expand(raw_paths: list[str], run: CheckRun, exclude: Iterable[str | Path]) -> list[Path]:
    files, errors = collect_paths(raw_paths, exclude=exclude)
    run.problems += [_problem(exc.path or "", exc) for exc in errors]
    return files


class _NoProgress:
    """The progress bar when none is shown: tqdm (and the lock it creates) is never loaded."""

    def __enter__(self) -> _NoProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self) -> None:
        return None


def _progress(total: int, quiet: bool) -> tqdm[Never] | _NoProgress:
    if quiet or total < PROGRESS_MIN_FILES or not sys.stderr.isatty():
        return _NoProgress()
    from tqdm import tqdm  # imported here: a cold start of a check without a bar never loads it

    colour = None if os.environ.get("NO_COLOR") else "green"
    return tqdm(total=total, file=sys.stderr, leave=False, unit="file", colour=colour, desc="checking")


def check_paths(
    paths: list[str],
    screener: Screener,
    *,
    baseline: Baseline | None = None,
    csv_mapping: CsvMapping | None = None,
    as_of: dt.date | None = None,
    quiet: bool = True,
    exclude: Iterable[str | Path] = (),
) -> CheckRun:
    """Screen every order in ``paths``; bad inputs are recorded and the run goes on. Directories leave
    out hidden files and ``exclude`` (the run's own baseline, mapping, lists and packs)."""
    run = CheckRun()
    files = _expand(paths, run, exclude)
    run.paths = files
    with _progress(len(files), quiet) as bar:
        for path in files:
            bar.update()
            try:
                orders = load_orders(path, csv_mapping=csv_mapping)
            except InputError as exc:
                run.problems.append(_problem(path, exc))
                continue
            for order in orders:
                try:
                    tx = validate_transaction(order.data)
                    decision = screener.screen(tx, as_of=as_of)
                except InputError as exc:
                    run.problems.append(_problem(path, exc, order.line))
                    continue
                run.results.append(OrderResult(path, order.line, decision, tuple(assess(decision, baseline)), tx))
    return run


def summary(run: CheckRun, baseline_path: str | None) -> str:
    counts = summary_counts(run.results)
    parts = [
        f"{len(run.results)} order(s) in {run.files} file(s): {counts['sensitive']} sensitive, "
        f"{counts['review']} review, {counts['less_risky']} passed"
    ]
    if baseline_path:
        parts.append(f"{counts['cleared']} finding(s) cleared by {baseline_path}")
    if run.problems:
        parts.append(f"{len(run.problems)} input(s) could not be screened")
    verdict = {EXIT_OK: "passed", EXIT_FINDINGS: "FAILED", EXIT_ERROR: "ERROR"}[run.exit_code]
    return f"exportscreen check {verdict}: " + "; ".join(parts)


def format_text(run: CheckRun, baseline_path: str | None) -> str:
    lines: list[str] = []
    for r in run.results:
        lines += [terminal_safe(finding_line(r, f)) for f in r.findings]
    lines += [terminal_safe(f"{p.where}: error: {p.message}") for p in run.problems]
    lines.append(summary(run, baseline_path))
    return "\n".join(lines) + "\n"


def _emit(text: str, output: str | None) -> None:
    if output:
        write_atomic(Path(output), text)
    else:
        write_out(text)


def own_files(args: argparse.Namespace) -> list[str]:
    """The files a run reads as its configuration, never as orders: baseline, mapping, lists, packs."""
    names = [
        getattr(args, "baseline", None),
        args.csv_mapping,
        getattr(args, "ledger", None),
        *(args.lists or ()),
        *(args.pack or ()),
    ]
    return [n for n in names if n]


def _baseline(args: argparse.Namespace) -> Baseline | None:
    """The baseline given, an empty one (with a note) when its file does not exist yet, else None."""
    if not args.baseline:
        return None
    path = Path(args.baseline)
    if not path.exists():
        if not args.quiet:
            print(
                f"exportscreen: note: baseline {path} does not exist yet: nothing is cleared "
                "(exportscreen review writes it)",
                file=sys.stderr,
            )
        return Baseline(tool_version=__version__, registry_version="", packs=[])
    return load_baseline(path)


def run(args: argparse.Namespace) -> int:
    started = dt.datetime.now(dt.UTC)
    baseline = _baseline(args)
    mapping = load_csv_mapping(Path(args.csv_mapping)) if args.csv_mapping else None
    ledger = open_ledger(args)
    screener = build_screener(args)
    result = check_paths(
        args.paths,
        screener,
        baseline=baseline,
        csv_mapping=mapping,
        as_of=args.as_of,
        quiet=args.quiet,
        exclude=own_files(args),
    )
    kept = [r for r in result.results if r.transaction is not None]
    pairs = [(r.transaction, r.decision) for r in kept if r.transaction is not None]
    places = [f"{r.path}:{r.line}" for r in kept]
    record_run(ledger, pairs, command="check", screener=screener, as_of=args.as_of, started_at=started, places=places)
    _report(args, screener, result)
    if not args.quiet:
        missing = {code for r in result.results for code in r.decision.lists_missing}
        print(coverage_note(screener, missing), file=sys.stderr)
    return result.exit_code


def _report(args: argparse.Namespace, screener: Screener, result: CheckRun) -> None:
    if args.format == "text":
        _emit(format_text(result, args.baseline), args.output)
        if args.output and not args.quiet:
            print(summary(result, args.baseline), file=sys.stderr)
        return
    if args.format == "json":
        from exportscreen.report.json import format_json

        report = format_json(result.results, result.problems, files=result.files, exit_code=result.exit_code) + "\n"
    elif args.format == "sarif":
        from exportscreen.report.sarif import format_sarif

        report = format_sarif(result.results, result.problems, screener.packs, tool_version=__version__) + "\n"
    elif args.format == "html":
        from exportscreen.commands._html import html_report

        report = html_report(
            "check",
            screener,
            paths=result.paths,
            results=result.results,
            problems=result.problems,
            as_of=args.as_of,
            baseline_path=args.baseline,
            run_by=args.run_by,
        )
    else:
        report = format_junit(result.results, result.problems)
    _emit(report, args.output)
    for p in result.problems:
        print(terminal_safe(f"{p.where}: error: {p.message}"), file=sys.stderr)
    if not args.quiet:
        print(summary(result, args.baseline), file=sys.stderr)
