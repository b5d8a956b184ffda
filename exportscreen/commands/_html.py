"""``--format html`` of the screening commands: the audit report of one run (``exportscreen.report.html``).

The time of the run is ``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC) when that is set, as in
reproducible builds, else now: the same inputs at the same time give a byte-identical report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from exportscreen import __version__
from exportscreen._errors import ConfigError

if TYPE_CHECKING:
    from exportscreen.baseline import InputProblem, OrderResult
    from exportscreen.report.html_model import Command
    from exportscreen.screener import Screener

__all__ = ["add_report_options", "html_report", "run_time"]


def add_report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--run-by",
        metavar="NAME",
        help="who ran the screening, for the header of --format html (default: the login name)",
    )


def run_time() -> dt.datetime:
    """When the run happened: ``SOURCE_DATE_EPOCH`` if set, else now (UTC, whole seconds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise ConfigError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since 1970") from None
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def html_report(
    command: Command,
    screener: Screener,
    *,
    paths: Sequence[Path],
    results: Sequence[OrderResult],
    problems: Sequence[InputProblem],
    as_of: dt.date | None,
    baseline_path: str | None,
    run_by: str | None,
) -> str:
    """Render the audit report of one screening run."""
    # imported here: Jinja2 and the report models load only when a report is asked for
    from exportscreen.report.html import format_html
    from exportscreen.report.html_model import AuditReport, RunInfo, derive_run_id, input_file

    inputs = tuple(input_file(p) for p in paths)
    baseline = input_file(Path(baseline_path)) if baseline_path else None
    when = run_time()
    thresholds = (screener.settings.review, screener.settings.hit)
    run = RunInfo(
        command=command,
        tool_version=__version__,
        run_id=derive_run_id(
            tool_version=__version__,
            generated_at=when,
            inputs=inputs,
            registry=screener.registry_info,
            packs=screener.packs,
            thresholds=thresholds,
            as_of=as_of,
            baseline=baseline,
        ),
        run_by=run_by or _login(),
        generated_at=when,
        as_of=as_of,
        inputs=inputs,
        registry=screener.registry_info,
        packs=screener.packs,
        review_threshold=thresholds[0],
        hit_threshold=thresholds[1],
        baseline=baseline,
    )
    return format_html(AuditReport(run=run, results=tuple(results), problems=tuple(problems)))
