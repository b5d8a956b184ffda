"""The audit report (``report.html``) of a re-screen and of a ledger period, as ``AuditReport`` data.

A re-screen's report holds every order it re-screened, with its new Decision, and a "changes since"
section: one line per transition. A party of a party file has no rules; its transition is shown
with the category its outcome stands for (no match: less risky, review: review, hit: sensitive)
under the id ``party REF``. A period report holds every decision the ledger recorded between two
dates (inclusive, by the time each run finished), run by run, and the period in its header.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from exportscreen import __version__
from exportscreen.baseline import Baseline, OrderResult, assess
from exportscreen.ledger.transitions import Transition
from exportscreen.models import Category, RegistryInfo
from exportscreen.report.html_model import (
    AuditReport,
    ChangeSet,
    Command,
    InputFile,
    OrderChange,
    RunInfo,
    derive_run_id,
    input_file,
)

if TYPE_CHECKING:
    from exportscreen.ledger import Ledger
    from exportscreen.ledger.rescreen import RescreenReport
    from exportscreen.rules import RulePack
    from exportscreen.screener import Screener

__all__ = ["period_report", "rescreen_report"]

_PARTY_CATEGORY = {"none": Category.LESS_RISKY, "review": Category.REVIEW, "hit": Category.SENSITIVE}


def _category(t: Transition, value: str) -> Category:
    return Category(value) if t.kind == "order" else _PARTY_CATEGORY[value]


def _change(t: Transition, rules_before: Sequence[str]) -> OrderChange:
    before = {m.id for m in t.matches_before}
    after = {m.id for m in t.matches_after}
    return OrderChange(
        order_id=t.key if t.kind == "order" else f"party {t.key}",
        before=_category(t, t.before),
        after=_category(t, t.after),
        rules_added=tuple(sorted(set(t.rule_ids) - set(rules_before))),
        rules_removed=tuple(sorted(set(rules_before) - set(t.rule_ids))),
        entries_added=tuple(sorted(after - before)),
        entries_removed=tuple(sorted(before - after)),
    )


def _run_info(
    command: Command,
    *,
    when: dt.datetime,
    inputs: tuple[InputFile, ...],
    registry: RegistryInfo | None,
    packs: Sequence[RulePack],
    thresholds: tuple[float, float],
    as_of: dt.date | None,
    baseline: InputFile | None,
    run_by: str,
    period: tuple[dt.date, dt.date] | None = None,
) -> RunInfo:
    run_id = derive_run_id(
        tool_version=__version__,
        generated_at=when,
        inputs=inputs,
        registry=registry,
        packs=packs,
        thresholds=thresholds,
        as_of=as_of,
        baseline=baseline,
    )
    return RunInfo(
        command=command,
        tool_version=__version__,
        run_id=run_id,
        run_by=run_by,
        generated_at=when,
        as_of=as_of,
        inputs=inputs,
        registry=registry,
        packs=tuple(packs),
        review_threshold=thresholds[0],
        hit_threshold=thresholds[1],
        baseline=baseline,
        period=period,
    )


def rescreen_report(
    report: RescreenReport,
    screener: Screener,
    *,
    ledger_path: Path,
    baseline: Baseline | None,
    baseline_path: Path | None,
    run_by: str,
    when: dt.datetime,
) -> AuditReport:
    """The audit report of a re-screen (an order's change shows the rules its stored decision fired)."""
    results = tuple(
        OrderResult(ledger_path, 0, d, tuple(assess(d, baseline, today=report.stats.as_of)))
        for _key, d in sorted(report.decisions.items())
    )
    since = sorted({t.stored_registry for t in report.transitions}) or [report.stats.registry]
    changes = ChangeSet(
        since=", ".join(v[:16] for v in since),
        since_date=None,
        orders=tuple(
            _change(t, report.stored_rules.get(t.key, []) if t.kind == "order" else []) for t in report.transitions
        ),
    )
    run = _run_info(
        "rescreen",
        when=when,
        inputs=(input_file(ledger_path),),
        registry=screener.registry_info,
        packs=screener.packs,
        thresholds=(screener.settings.review, screener.settings.hit),
        as_of=report.stats.as_of,
        baseline=input_file(baseline_path) if baseline_path else None,
        run_by=run_by,
    )
    return AuditReport(run=run, results=results, changes=changes)


def period_report(
    ledger: Ledger,
    start: dt.date,
    end: dt.date,
    *,
    packs: Sequence[RulePack],
    thresholds: tuple[float, float],
    baseline: Baseline | None,
    baseline_path: Path | None,
    run_by: str,
    when: dt.datetime,
) -> AuditReport:
    """Every decision recorded by a run that finished between ``start`` and ``end`` (inclusive)."""
    results: list[OrderResult] = []
    registry: RegistryInfo | None = None
    for run in ledger.runs():
        if not start <= run.finished_at.date() <= end:
            continue
        for stored in ledger.decisions(run.run_id):
            d = stored.decision
            registry = d.registry
            results.append(OrderResult(ledger.path, stored.seq + 1, d, tuple(assess(d, baseline)), stored.transaction))
    info = _run_info(
        "report",
        when=when,
        inputs=(input_file(ledger.path),),
        registry=registry,
        packs=packs,
        thresholds=thresholds,
        as_of=None,
        baseline=input_file(baseline_path) if baseline_path else None,
        run_by=run_by,
        period=(start, end),
    )
    return AuditReport(run=info, results=tuple(results))
