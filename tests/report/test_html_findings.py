"""What the report says per finding: the list matches a reason rests on (typed ``Reason.matches``),
how each matched, the licence determinations of each order, and the coverage of the lists."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from exportscreen.cli import main

from .conftest import AS_OF, EXAMPLES, REPO, Render, order_sections, parse, text_of

TRANSACTIONS = REPO / "examples" / "transactions"
BLOCKED = REPO / "examples" / "lists" / "blocked_customers.csv"
REGISTER = REPO / "examples" / "licences" / "register.yaml"


def _decisions(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> dict[str, dict[str, Any]]:
    """Order id -> Decision (``screen --format json``: the same screening the report renders)."""
    main(["screen", *map(str, argv), "--format", "json", "--as-of", AS_OF])
    return {d["transaction_id"]: d for d in json.loads(capsys.readouterr().out)}


def _reason(section: ET.Element, rule_id: str) -> ET.Element:
    for article in section.iter("article"):
        heading = article.find("h5")
        if heading is not None and text_of(heading).startswith(rule_id + " "):
            return article
    raise AssertionError(f"no reason {rule_id} in the section")


def table(root: ET.Element, caption_start: str) -> list[list[str]]:
    """The rows of the table captioned ``caption_start``, its own rows only (not those of tables inside)."""
    for t in root.iter("table"):
        cap = t.find("caption")
        if cap is not None and text_of(cap).startswith(caption_start):
            rows = [tr for part in t if part.tag in {"thead", "tbody"} for tr in part if tr.tag == "tr"]
            return [[text_of(c) for c in tr if c.tag in {"th", "td"}] for tr in rows]
    raise AssertionError(f"no table captioned {caption_start!r}")


def _write(path: Path, order: dict[str, Any]) -> Path:
    path.write_text(json.dumps(order, ensure_ascii=False), encoding="utf-8")
    return path


def test_an_unread_list_match_finding_shows_the_entry_it_rests_on(
    render: Render, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``unread-list-match`` carries its matches only in ``Reason.matches``: the report shows each one."""
    order = _write(
        tmp_path / "po-fr.json",
        {
            "id": "PO-FR",
            "date": "2026-03-02",
            "destination": "FR",
            "parties": [{"role": "purchaser", "name": "Northwind Precision Trading Ltd.", "country": "FR"}],
            "items": [{"description": "Oscilloscope probe", "eccn": "EAR99"}],
        },
    )
    code, html = render("screen", order, "--lists", BLOCKED)
    assert code == 1
    (ref,) = next(r for r in _decisions(capsys, order, "--lists", BLOCKED)["PO-FR"]["reasons"])["matches"]
    section = order_sections(parse(html))["PO-FR"]
    article = _reason(section, "unread-list-match")
    ((match, party, entry, matched, score, strength),) = table(article, "List entries behind unread-list-match")[1:]
    assert match == "M1"
    assert party == "Northwind Precision Trading Ltd.purchaser"  # name, then role on its own line
    assert entry.startswith("X-BLOCKED-CUSTOMERS C-1001") and "Northwind Precision Trading Ltd." in entry
    assert matched == "name: Northwind Precision Trading Ltd."
    assert (score, strength) == (f"{ref['score']:g}", ref["strength"])
    # the order's match table names the finding that rests on the match, and says how it matched
    header, row, (explain,) = table(section, "List matches of order PO-FR (1)")
    assert header[-1] == "findings" and row[0] == "M1" and row[-1] == "unread-list-match"
    assert "the party's name “Northwind Precision Trading Ltd.” against the listed name" in explain
    assert "Linked by: method:" in explain
    assert "No potential match" not in text_of(section)


def test_each_reason_shows_its_matches_and_each_match_both_texts_compared(
    render: Render, capsys: pytest.CaptureFixture[str]
) -> None:
    decisions = _decisions(capsys, TRANSACTIONS)
    _, html = render("screen", TRANSACTIONS)
    sections = order_sections(parse(html))
    addresses = owners = 0
    for oid, d in decisions.items():
        refs = list(
            dict.fromkeys(
                (m["party"], m["role"], m["entry_source"], m["entry_id"], m["matched_field"], m["matched_name"])
                for r in d["reasons"]
                for m in r["matches"]
            )
        )
        for r in d["reasons"]:
            if not r["matches"]:
                continue
            rows = table(_reason(sections[oid], r["rule_id"]), f"List entries behind {r['rule_id']}")[1:]
            rows = [row for row in rows if len(row) == 6]  # the "as listed" rows span the table
            assert len(rows) == len(r["matches"])
            for row, m in zip(rows, r["matches"], strict=True):
                assert row[2].startswith(f"{m['list']} {m['entry_id']}") and m["entry_name"] in row[2]
        if not refs:
            continue
        rows = table(sections[oid], f"List matches of order {oid} ({len(refs)})")[1:]
        parties = {(p["name"], p["role"]): p for p in _parties(oid)}
        for (party, role, _, entry_id, field, matched), row, explain in zip(refs, rows[::2], rows[1::2], strict=True):
            assert entry_id in row[2] and row[-1] != "no finding names this match"
            own = parties[(party, role)]["address"] if field == "address" else party
            owners += role == "owner"
            who = "owner" if role == "owner" else "party"
            assert f"the {who}'s {'address' if field == 'address' else 'name'} “{own}”" in explain[0]
            assert f"against the listed {field} “{matched}”" in explain[0]
            addresses += field == "address"
    assert addresses >= 1  # an address match names the party's address, not its name
    assert owners >= 1  # an owner's match says so


def _parties(oid: str) -> list[dict[str, Any]]:
    import yaml

    for path in sorted(TRANSACTIONS.iterdir()):
        text = path.read_text(encoding="utf-8")
        for doc in yaml.safe_load_all(text):
            for order in doc if isinstance(doc, list) else [doc]:
                if isinstance(order, dict) and order.get("id") == oid:
                    return list(order["parties"])
    raise AssertionError(oid)


def test_each_order_shows_its_licence_determinations(render: Render, capsys: pytest.CaptureFixture[str]) -> None:
    path = TRANSACTIONS / "05-etch-tool-14nm.yaml"
    (d,) = _decisions(capsys, path).values()
    _, html = render("screen", path)
    section = order_sections(parse(html))[d["transaction_id"]]
    header, *rows = table(section, f"Licence determinations of order {d['transaction_id']}")
    assert header == [
        "#", "item", "ECCN", "reason for control", "Country Chart column or section", "place that counts",
        "determination",
    ]  # fmt: skip
    pairs = list(zip(rows[::2], rows[1::2], strict=True))
    assert len(pairs) == len(d["licence_requirements"]) >= 5
    for n, (req, (row, (explain,))) in enumerate(zip(d["licence_requirements"], pairs, strict=True), start=1):
        item = "whole order" if req["item_index"] < 0 else str(req["item_index"] + 1)
        assert row[:2] == [str(n), item]
        assert row[2].startswith(req["eccn"] or "none") and row[3] == req["reason"]
        assert row[4].startswith(req["control"]) and row[5].startswith(req["country"])
        status = {"required": "licence required", "delegated": "decided by"}[req["status"]]
        assert row[6].startswith(status)
        assert req["detail"] in explain and (req["chart_row"] or "") in explain
        for text in req["exceptions"] + req["citations"]:
            assert text in explain
        assert "Licence on file: none covers it" in explain
    chart = next(row for row, _ in pairs if row[4].startswith("NS2"))
    assert "strictest reading: the row is for 3B001.a.1" in chart[2]  # the paragraph the determination read
    # the reasons point to the rows instead of repeating them
    article = _reason(section, "ccl-licence-required")
    assert "Licence determinations: 3 (table above)." in text_of(article)
    assert "licence requirements:" not in text_of(article)


def test_a_licence_on_file_shows_as_covering_the_requirement(render: Render, tmp_path: Path) -> None:
    order = _write(
        tmp_path / "so-kr.json",
        {
            "id": "SO-KR-1",
            "date": "2026-03-02",
            "destination": "KR",
            "parties": [{"role": "ultimate_consignee", "name": "Gyeonggi Memory Fab Co., Ltd.", "country": "KR"}],
            "items": [{"description": "Deposition tool", "eccn": "3B001.c", "quantity": 1, "value_usd": 3000000}],
        },
    )
    code, html = render("screen", order, "--licences", REGISTER)
    assert code == 0
    section = order_sections(parse(html))["SO-KR-1"]
    rows = table(section, "Licence determinations of order SO-KR-1")[1:]
    assert rows and len(rows) % 2 == 0
    for row, (explain,) in zip(rows[::2], rows[1::2], strict=True):
        assert row[2].startswith("3B001.c") and row[5].startswith("KR")
        assert row[6] == "licence required covered by D1234567"
        assert "Licence on file: D1234567 covers it." in explain and "STA (15 CFR 740.20)" in explain
    assert "<dt>value usd</dt><dd>3000000</dd>" in html  # amounts as written, never 3e+06


def test_the_header_warns_of_the_lists_rules_read_but_no_source_gave(render: Render) -> None:
    code, html = render("screen", EXAMPLES / "less-risky-mcu.json", "--no-bundled", "--lists", BLOCKED)
    assert code == 1  # review (required-list-missing): the report must also say what that rests on
    root = parse(html)
    warning = text_of(root.find("body/header/div"))  # type: ignore[arg-type]
    assert warning.startswith("Lists not screened against: ")
    missing = warning.removeprefix("Lists not screened against: ").split(" (every order)")[0].split(", ")
    assert {"EL", "MEU"} <= set(missing)
    assert "cannot have matched" in warning
    coverage = table(root, "List coverage")[1:]
    assert coverage[0][:3] == ["X-BLOCKED-CUSTOMERS", "4", "1"]  # list, entries, sources
    assert [row[0] for row in coverage[1:]] == sorted(missing)
    assert all(row[1] == "not loaded: read by rules in force for 1 of 1 order(s)" for row in coverage[1:])
    # and each order says so under its "no potential match" line
    (section,) = order_sections(root).values()
    (line,) = [text_of(p) for p in section.iter("p") if "problem" in (p.get("class") or "")]
    assert line.startswith("Not screened against " + ", ".join(sorted(missing)) + ": rules in force read")


def test_no_warning_when_every_list_read_is_loaded(render: Render, capsys: pytest.CaptureFixture[str]) -> None:
    (d,) = _decisions(capsys, EXAMPLES / "less-risky-mcu.json").values()
    _, html = render("screen", EXAMPLES / "less-risky-mcu.json")
    root = parse(html)
    header = text_of(root.find("body/header"))  # type: ignore[arg-type]
    assert ("Lists not screened against" in header) == bool(d["lists_missing"])
    counts = {row[0]: row[1] for row in table(root, "List coverage")[1:] if not row[1].startswith("not loaded")}
    assert counts == {code: f"{n:,}" for code, n in d["registry"]["lists"].items()}


def test_a_rule_row_gives_every_citation_the_rule_gave(render: Render, capsys: pytest.CaptureFixture[str]) -> None:
    """The citations of a list rule name the entry's Federal Register notice: they differ per order."""
    decisions = _decisions(capsys, EXAMPLES)
    _, html = render("check", EXAMPLES)
    rows = {row[0]: row for row in table(parse(html), "Orders per rule")[1:]}
    for d in decisions.values():
        for r in d["reasons"]:
            for citation in r["citations"]:
                assert citation in rows[r["rule_id"]][4], (r["rule_id"], citation)


def _big_lists(tmp_path: Path, lists: int, per_list: int) -> list[Path]:
    """``lists`` fictional CSV lists of ``per_list`` entries each, with their mappings beside them."""
    paths = []
    for n in range(1, lists + 1):
        data = tmp_path / f"big{n}.csv"
        names = (f"B{n}-{i:05d},Veltrano Quisk {n} Oyster Works {i:05d},NO" for i in range(per_list))
        rows = ["id,name,country", *names]
        data.write_text("\n".join(rows) + "\n", encoding="utf-8")
        (tmp_path / f"big{n}.mapping.yaml").write_text(
            "format: exportscreen-mapping/1\n"
            f"source: {{id: 'test:big-{n}', name: 'Fictional list {n}', list: X-BIG-{n}, as_of: 2026-01-0{n}}}\n"
            "id: id\nfields: {name: name, country: country}\n",
            encoding="utf-8",
        )
        paths.append(data)
    return paths


def test_the_report_grows_with_the_sources_not_with_their_entries(render: Render, tmp_path: Path) -> None:
    """About 4,200 entries in five more lists (the size of the complete bundled lists): one row per
    list and per source, one mention per list in the no-match line, and no entry anywhere."""
    order = EXAMPLES / "less-risky-mcu.json"
    _, plain = render("screen", order)
    _, big = render("screen", order, "--lists", *_big_lists(tmp_path, 5, 840))
    root = parse(big)
    sources = table(root, "List sources screened against")
    assert sum(row[0].startswith("X-BIG-") for row in sources) == 5
    assert sources[0] == ["list", "source", "as of", "entries", "content hash (SHA-256)"]
    assert [row for row in table(root, "List coverage") if row[0].startswith("X-BIG-")] == [
        [f"X-BIG-{n}", "840", "1", f"2026-01-0{n}"] for n in range(1, 6)
    ]
    (line,) = [text_of(p) for p in root.iter("p") if "clean" in (p.get("class") or "")]
    assert all(line.count(f"X-BIG-{n} (as of 2026-01-0{n})") == 1 for n in range(1, 6))
    assert "Veltrano" not in big and "B1-00000" not in big
    assert len(big) - len(plain) < 6_000  # five source rows, five coverage rows, five names in one line
