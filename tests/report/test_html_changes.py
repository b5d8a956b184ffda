"""The documented input of the renderer (``AuditReport``) for a re-screen or a ledger period."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from exportscreen.baseline import OrderResult, assess
from exportscreen.models import Category
from exportscreen.orders import load_orders
from exportscreen.report.html import format_html
from exportscreen.report.html_model import AuditReport, ChangeSet, OrderChange, RunInfo, input_file
from exportscreen.screener import Screener, validate_transaction

from .conftest import EXAMPLES, parse, table, text_of


def test_a_rescreen_report_has_the_changes_since_the_earlier_version_and_its_period() -> None:
    screener = Screener()
    path = EXAMPLES / "sensitive-entity-list.yaml"
    results = []
    for order in load_orders(path):
        tx = validate_transaction(order.data)
        decision = screener.screen(tx)
        results.append(OrderResult(Path(path.name), order.line, decision, tuple(assess(decision, None)), tx))
    run = RunInfo(
        command="rescreen",
        tool_version="0.1.0",
        run_id="r1",
        run_by="ledger",
        generated_at=dt.datetime(2026, 7, 10, 8, 0, tzinfo=dt.UTC),
        as_of=dt.date(2026, 7, 10),
        inputs=(input_file(path),),
        registry=screener.registry_info,
        packs=screener.packs,
        hit_threshold=screener.settings.hit,
        review_threshold=screener.settings.review,
        period=(dt.date(2026, 7, 1), dt.date(2026, 7, 10)),
    )
    changes = ChangeSet(
        since="5f0c0ffee",
        since_date=dt.date(2026, 3, 2),
        orders=(
            OrderChange("PO-2026-0101", Category.LESS_RISKY, Category.SENSITIVE, rules_added=("entity-list-hit",),
                        entries_added=("EL-CN-HUAWEI",)),
            OrderChange("PO-9", None, Category.REVIEW),
        ),
    )  # fmt: skip
    html = format_html(AuditReport(run=run, results=tuple(results), changes=changes))
    root = parse(html)
    assert [r[:4] for r in table(root, "Orders whose screening changed")[1:]] == [
        ["PO-2026-0101", "less risky", "sensitive", "entity-list-hit"],
        ["PO-9", "not screened", "review", "none"],
    ]
    heading = next(h for h in root.iter("h2") if text_of(h).startswith("Changes since"))
    assert text_of(heading) == "Changes since 5f0c0ffee"
    header = text_of(root.find("body/header"))  # type: ignore[arg-type]
    assert "exportscreen rescreen" in header and "period 2026-07-01 to 2026-07-10" in header
    assert "2026-07-10 (given for every order)" in text_of(root)
    assert format_html(AuditReport(run=run, results=tuple(results), changes=changes)) == html
