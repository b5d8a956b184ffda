"""Helpers for the HTML report tests: render through the real CLI, parse strictly, look things up."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import html5lib
import pytest

from exportscreen.cli import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "orders"
#: 2026-03-02T10:00:00Z: the injected time of every rendered report.
EPOCH = "1772445600"
#: The examples' order date: ``check`` and ``screen`` renders and the baseline screen as of it unless a
#: test names another, so the report does not move with the clock (an earlier order date is otherwise today).
AS_OF = "2026-03-02"

Render = Callable[..., tuple[int, str]]


@pytest.fixture
def render(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Render:
    """``render("check", path, ..., epoch=EPOCH)`` -> (exit code, the HTML written with --output)."""
    count = 0

    def _render(*argv: str | Path, epoch: str = EPOCH) -> tuple[int, str]:
        nonlocal count
        count += 1
        out = tmp_path / f"report-{count}.html"
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        args = [str(a) for a in argv]
        if args[0] in ("check", "screen") and "--as-of" not in args:
            args += ["--as-of", AS_OF]
        code = main([*args, "--format", "html", "--output", str(out), "--run-by", "CI Tester"])
        capsys.readouterr()
        return code, out.read_text(encoding="utf-8")

    return _render


@pytest.fixture
def baseline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A baseline clearing the potential match of PO-2026-0201 (Hikvision Digital), made by ``review``."""
    path = tmp_path / "baseline.yaml"
    code = main(
        [
            "review",
            str(EXAMPLES / "review-potential-match.yaml"),
            "--reviewer",
            "J. Doe",
            "--reason",
            "US reseller, not Hangzhou Hikvision",
            "--order",
            "PO-2026-0201",
            "--expires",
            "2099-12-31",
            "--baseline",
            str(path),
            "--as-of",
            AS_OF,
        ]
    )
    capsys.readouterr()
    assert code == 0
    return path


def parse(text: str) -> ET.Element:
    """Parse with the WHATWG HTML algorithm, failing on any parse error; also as XML (every element closed)."""
    ET.fromstring(text.removeprefix("<!DOCTYPE html>\n"))
    parser = html5lib.HTMLParser(strict=True, tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False)
    root: ET.Element = parser.parse(text)
    return root


def text_of(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def order_sections(root: ET.Element) -> dict[str, ET.Element]:
    """Order id -> its section, from the ``Order ID`` heading of each order section."""
    out: dict[str, ET.Element] = {}
    for section in root.iter("section"):
        if "order" in (section.get("class") or "").split():
            heading = section.find("h3")
            assert heading is not None
            bdi = heading.find("bdi")
            assert bdi is not None
            out["".join(bdi.itertext())] = section
    return out


def table(root: ET.Element, caption_start: str) -> list[list[str]]:
    """The rows (header and body cells as text) of the table whose caption starts with ``caption_start``."""
    for t in root.iter("table"):
        cap = t.find("caption")
        if cap is not None and text_of(cap).startswith(caption_start):
            return [[text_of(c) for c in tr if c.tag in {"th", "td"}] for tr in t.iter("tr")]
    raise AssertionError(f"no table captioned {caption_start!r}")
