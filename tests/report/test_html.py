"""The HTML audit report of ``check`` and ``screen``: content, well-formedness, self-containment, determinism."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from exportscreen.cli import main

from .conftest import AS_OF, EXAMPLES, Render, order_sections, parse, table, text_of

ORDER_IDS = [
    "SO-5001", "SO-5002", "SO-5003", "SO-5004", "SO-5005", "SO-5006", "SO-5007",
    "PO-2026-0301", "PO-2026-0201", "PO-2026-0101", "PO-2026-0102",
]  # fmt: skip


def _categories(capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """Order id -> category, from ``check --format json`` (the same screening, another reporter)."""
    main(["check", str(EXAMPLES), "--format", "json", "--quiet", "--as-of", AS_OF])
    return {o["transaction_id"]: o["category"] for o in json.loads(capsys.readouterr().out)["orders"]}


def test_examples_report_lists_every_order_with_counts_citations_and_the_clearance(
    render: Render, baseline: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    categories = _categories(capsys)
    assert categories["PO-2026-0201"] == "review"  # cleared by the baseline: less risky after clearances
    screened = Counter(categories.values())
    after = screened + Counter(less_risky=1) - Counter(review=1)
    code, html = render("check", EXAMPLES, "--baseline", baseline)
    assert code == 1
    root = parse(html)
    sections = order_sections(root)
    assert list(sections) == ORDER_IDS == list(categories)
    assert table(root, "Orders per category")[1:] == [
        ["sensitive", str(screened["sensitive"]), str(after["sensitive"])],
        ["review", str(screened["review"]), str(after["review"])],
        ["less risky", str(screened["less_risky"]), str(after["less_risky"])],
        ["all orders", "11", "11"],
    ]
    for oid, section in sections.items():
        assert text_of(section.find("h3")).endswith(categories[oid].replace("_", " "))  # type: ignore[arg-type]
    # the Entity List finding of the Huawei order, with its citations and the help of every sensitive reason
    huawei = text_of(sections["PO-2026-0101"])
    assert "entity-list-hit" in huawei
    assert "15 CFR 744.11" in huawei and "FR" in huawei
    assert "What to do:" in huawei
    rules = {row[0]: row for row in table(root, "Orders per rule")[1:]}
    # fired in 3 orders (the Huawei order also resembles Huawei's rows under other countries), cleared in 1
    assert rules["potential-list-match"][2:4] == ["3", "1"]
    # the clearance, as recorded by `exportscreen review`
    recorded = yaml.safe_load(baseline.read_text(encoding="utf-8"))["clearances"]
    assert len(recorded) == 2  # Hikvision is on the Entity List and the NS-CMIC list: one clearance each
    header, *rows = table(root, "Reviewed matches that clear a finding")
    assert header[:2] == ["order", "party"] and len(rows) == len(recorded)
    cleared = text_of(sections["PO-2026-0201"])
    for clearance in recorded:
        (row,) = [r for r in rows if r[2].endswith(f"cleared entry hash {clearance['entry_hash']}")]
        assert row[0] == "PO-2026-0201" and row[1] == "Hikvision Digital"
        reviewed = str(clearance["reviewed_on"])
        assert row[4:8] == ["J. Doe", "US reseller, not Hangzhou Hikvision", reviewed, "2099-12-31"]
        assert "cleared" in cleared and "J. Doe" in cleared and clearance["entry_hash"] in cleared
    # the baseline file and every input file are named with their SHA-256
    inputs = {row[0]: row[3] for row in table(root, "Input files")[1:]}
    assert len(inputs) == 4
    for name, digest in inputs.items():
        assert hashlib.sha256(Path(name).read_bytes()).hexdigest() == digest
    assert hashlib.sha256(baseline.read_bytes()).hexdigest() in html


def test_each_order_without_a_match_says_so_against_the_lists_and_date(render: Render) -> None:
    _, html = render("check", EXAMPLES)
    root = parse(html)
    sources = table(root, "List sources screened against")[1:]
    assert sorted(row[0] for row in sources) == ["1260H", "CMIC", "DPL", "EL", "MEU"]
    clean = {oid: s for oid, s in order_sections(root).items() if "List matches None." in text_of(s)}
    assert {"SO-5001", "SO-5006", "PO-2026-0301"} <= set(clean)
    for oid, section in order_sections(root).items():
        statement = [text_of(p) for p in section.iter("p") if "clean" in (p.get("class") or "")]
        if oid in clean:
            (line,) = statement
            assert re.fullmatch(
                r"No potential match against (?:[A-Z0-9-]+ \(as of \d{4}-\d\d-\d\d\)(?:, )?){5} on "
                r"2026-03-02, at the review threshold 70\.",
                line,
            ), line
            assert all(f"{code} (as of" in line for code in ("EL", "MEU", "DPL", "CMIC", "1260H")), line
        else:
            assert statement == []


def test_the_report_is_well_formed_accessible_and_self_contained(
    render: Render, capsys: pytest.CaptureFixture[str]
) -> None:
    screened = Counter(_categories(capsys).values())
    _, html = render("check", EXAMPLES)
    root = parse(html)
    assert root.get("lang") == "en"
    # nothing is fetched or run: no script, no external reference, a CSP that allows only our own style
    assert not list(root.iter("script")) and not list(root.iter("link")) and not list(root.iter("img"))
    for el in root.iter():
        assert el.get("src") is None
        assert (el.get("href") or "#").startswith("#")
    (style,) = list(root.iter("style"))
    css = style.text or ""
    assert "url(" not in css and "@import" not in css and "@font-face" not in css
    csp = next(m.get("content") for m in root.iter("meta") if m.get("http-equiv") == "Content-Security-Policy")
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode()
    assert csp is not None and "default-src 'none'" in csp and f"style-src 'sha256-{digest}'" in csp
    # headings: one h1, and no level skipped on the way down
    levels = [int(el.tag[1]) for el in root.iter() if isinstance(el.tag, str) and re.fullmatch(r"h[1-6]", el.tag)]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels))
    # every data table has a caption and scoped header cells
    for t in root.iter("table"):
        if "records" in (t.get("class") or ""):
            continue
        assert t.find("caption") is not None
        assert all(th.get("scope") in {"col", "row"} for th in t.iter("th"))
    # the pictures are SVG with a text equivalent
    svgs = [el for el in root.iter() if el.tag == "{http://www.w3.org/2000/svg}svg"]
    assert len(svgs) == 2
    for svg in svgs:
        assert svg.get("role") == "img"
        desc = svg.find("{http://www.w3.org/2000/svg}desc")
        assert desc is not None and desc.text
    counts = f"sensitive: {screened['sensitive']}, review: {screened['review']}, less risky: {screened['less_risky']}"
    assert counts in "".join(svgs[0].itertext())
    assert "21 list match(es)" in "".join(svgs[1].itertext())  # against the complete bundled lists
    assert "@media print" in css and "break-before: page" in css
    assert "15 CFR Part 762" in text_of(root.find("body/footer"))  # type: ignore[arg-type]


def test_same_inputs_give_the_same_bytes_and_only_the_time_moves(render: Render, baseline: Path) -> None:
    _, first = render("check", EXAMPLES, "--baseline", baseline)
    _, second = render("check", EXAMPLES, "--baseline", baseline)
    assert first == second
    _, later = render("check", EXAMPLES, "--baseline", baseline, epoch="1772449200")
    assert later != first
    run_id = re.compile(r"\b[0-9a-f]{16}\b")
    stamp = re.compile(r"2026-03-02T1[01]:00:00\+00:00")

    def scrub(text: str) -> str:
        return run_id.sub("RUN", stamp.sub("TIME", text))

    assert scrub(later) == scrub(first)


def test_screen_writes_the_same_report(render: Render) -> None:
    code, html = render("screen", EXAMPLES / "sensitive-entity-list.yaml")
    assert code == 1
    root = parse(html)
    assert list(order_sections(root)) == ["PO-2026-0101", "PO-2026-0102"]
    assert "exportscreen screen" in text_of(root.find("body/header"))  # type: ignore[arg-type]
    assert "none (no clearance applied)" in text_of(root)


def test_an_input_that_could_not_be_screened_is_in_the_report(render: Render, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: X-1\ndestination: CN\nparties: []\nitems: []\ncolour: red\n", encoding="utf-8")
    code, html = render("check", EXAMPLES / "less-risky-mcu.json", bad)
    assert code == 2
    root = parse(html)
    assert "Incomplete: 1 input(s) could not be screened" in text_of(root.find("body/header"))  # type: ignore[arg-type]
    ((where, message),) = table(root, "Inputs that could not be screened")[1:]
    assert where.startswith(str(bad)) and "colour" in message


def test_check_html_goes_to_stdout_without_output(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert main(["check", str(EXAMPLES / "less-risky-mcu.json"), "--format", "html", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<!DOCTYPE html>") and "1970-01-01T00:00:00+00:00" in out
    parse(out)
