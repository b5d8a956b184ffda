"""Attacker-controlled text (party names, ids, addresses, file names) reaches the report only as text."""

from __future__ import annotations

import json
from pathlib import Path

from exportscreen.report.html import visible_text

from .conftest import Render, order_sections, parse, table, text_of

SCRIPT = '<script>alert("owned")</script>'
QUOTES = "O'Brien \"Trading\" & Sons"
# RIGHT-TO-LEFT ISOLATE: would flip the text after it (an override, U+202E, is refused as input)
RLI = "\u2067"
ARABIC = "شركة هواوي"
HEBREW = "חברת בדיקה"
LONG = "Unbroken" * 30 + " Logistics"  # must wrap, not widen the printed page


def hostile_order(directory: Path) -> Path:
    path = directory / '<img src=x onerror="alert(1)">.json'
    order = {
        "id": "PO-<b>1</b>",
        "date": "2026-03-02",
        "destination": "DE",
        "parties": [
            {"role": "ultimate_consignee", "name": f"{SCRIPT} Ltd", "country": "DE"},
            {"role": "purchaser", "name": QUOTES, "country": "DE", "address": "</td></tr></table><h1>fake</h1>"},
            {"role": "end_user", "name": f"{RLI}live GmbH{RLI} {ARABIC}", "country": "DE", "aliases": [HEBREW]},
            {"role": "freight_forwarder", "name": LONG, "country": "DE"},
        ],
        "items": [{"description": "<iframe src=https://example.com></iframe> widgets", "eccn": "EAR99"}],
        "end_use": "civil <style>body{display:none}</style>",
    }
    path.write_text(json.dumps(order, ensure_ascii=False), encoding="utf-8")
    return path


def test_markup_quotes_and_bidi_controls_in_inputs_render_as_text(render: Render, tmp_path: Path) -> None:
    path = hostile_order(tmp_path)
    code, html = render("check", path)
    assert code == 0
    root = parse(html)
    # none of the injected elements exists: the only elements are the report's own
    tags = {el.tag for el in root.iter() if isinstance(el.tag, str)}
    assert not tags & {"script", "img", "iframe", "b"}
    assert len(list(root.iter("h1"))) == 1 and len(list(root.iter("style"))) == 1
    assert SCRIPT not in html and RLI not in html
    (section,) = order_sections(root).values()
    assert section.find("h3/bdi") is not None and text_of(section.find("h3/bdi")) == "PO-<b>1</b>"  # type: ignore[arg-type]
    parties = table(section, "Parties of order")
    names = [row[1] for row in parties[1:]]
    assert names == [f"{SCRIPT} Ltd", QUOTES, f"U+2067live GmbHU+2067 {ARABIC}", LONG]
    assert HEBREW in text_of(section)
    assert "</td></tr></table><h1>fake</h1>" in text_of(section)
    assert "<iframe src=https://example.com></iframe> widgets" in text_of(section)
    assert "civil <style>body{display:none}</style>" in text_of(section)
    (row,) = table(root, "Input files")[1:]
    assert row[0] == str(path)
    # every untrusted value is isolated from the text around it
    assert any(text_of(b) == f"{SCRIPT} Ltd" for b in section.iter("bdi"))


def test_visible_text_escapes_and_marks_each_bidi_control() -> None:
    assert str(visible_text('<a href="x">&')) == "&lt;a href=&#34;x&#34;&gt;&amp;"
    marked = str(visible_text("a\u2066b\u202cc"))
    assert "\u2066" not in marked and "\u202c" not in marked
    assert marked.count('class="ctl"') == 2 and "U+2066" in marked and "U+202C" in marked
    assert str(visible_text(ARABIC)) == ARABIC
