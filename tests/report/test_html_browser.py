"""The HTML report in a real browser: headless Chromium loads it with no console error and no request
but the file itself, and prints it to PDF, one order per page.

Chromium is the Debian package ``chromium`` (``.ci/run`` installs it). Without it these tests fail
under ``CI=true`` and skip elsewhere.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pypdf
import pytest

from exportscreen.report.html_print import find_chromium, open_in_chromium

from .conftest import EXAMPLES, Render
from .test_html import ORDER_IDS
from .test_html_hostile import SCRIPT, hostile_order

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def chromium() -> str:
    executable = find_chromium()
    if executable is None:
        reason = "Chromium not found (Debian package chromium, installed by .ci/run; or set CHROMIUM)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and {reason}")
        pytest.skip(reason)
    return executable


def test_chromium_loads_the_report_quietly_offline_and_prints_one_order_per_page(
    render: Render, baseline: Path, tmp_path: Path
) -> None:
    hostile = hostile_order(tmp_path)
    _, html = render("check", EXAMPLES, hostile, "--baseline", baseline)
    page_file = tmp_path / "report.html"
    page_file.write_text(html, encoding="utf-8")
    page = open_in_chromium(page_file, pdf=True, png=True)
    assert page.errors == [], page.console
    assert page.requests == [page_file.resolve().as_uri()]
    assert page.png.startswith(b"\x89PNG")
    assert page.print_overflow == 0  # laid out for print on A4, nothing is wider than the page
    pdf = pypdf.PdfReader(io.BytesIO(page.pdf))
    texts = [p.extract_text() for p in pdf.pages]
    starts = {oid: i for i, text in enumerate(texts) for oid in [*ORDER_IDS, "PO-<b>1</b>"] if f"Order {oid}" in text}
    assert len(starts) == len(ORDER_IDS) + 1  # every order is printed ...
    assert len(set(starts.values())) == len(starts)  # ... each from a page of its own
    assert len(pdf.pages) > len(starts)
    cleared = " ".join(texts[starts["PO-2026-0201"] :][:3])
    assert "Hikvision Digital" in cleared and "J. Doe" in cleared and "US reseller, not Hangzhou Hikvision" in cleared
    assert SCRIPT in " ".join(texts).replace("\n", "")


def test_the_browser_check_sees_console_errors_and_requests(tmp_path: Path) -> None:
    page_file = tmp_path / "noisy.html"
    page_file.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>noisy</title></head><body>'
        '<img src="missing.png" alt=""><script>console.error("boom")</script>'
        '<pre>a line far wider than a printed A4 page: ' + "x" * 300 + "</pre></body></html>",
        encoding="utf-8",
    )
    page = open_in_chromium(page_file, pdf=False)
    assert page.print_overflow > 0
    assert any("boom" in e for e in page.errors)
    assert [Path(u).name for u in page.foreign_requests] == ["missing.png"]
