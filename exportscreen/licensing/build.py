"""Build ``lists/ear/ccl/<group>.yaml`` (one per category and product group: ``3A``) and
``lists/ear/country_chart.yaml`` from the EAR tables in ``../shared/data/ear`` and the curated
``lists/ear/overlay.yaml``.

    python -m exportscreen.licensing.build [--ear DIR] [--out DIR] [--check]

The output depends only on the inputs (rows in source order, fixed key order, one row per line), so
a rebuild is byte-identical; ``--check`` compares instead of writing (exit 1 when a file differs).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from exportscreen._data import bundled_dir
from exportscreen._errors import PackError
from exportscreen._io import load_model, parse_yaml, read_text
from exportscreen.licensing.tables import CHART_COLUMNS, CclGroup, CountryChart, Scope

__all__ = ["build", "main"]

_STRICT = ConfigDict(extra="forbid", frozen=True, defer_build=True)
Confidence = Literal["V", "S", "U"]
_ECCN_REF = re.compile(r"\b[0-9][A-E][0-9]{3}\b")
_RANK = {"U": 0, "S": 1, "V": 2}


class _ScopeRule(BaseModel):
    model_config = _STRICT
    contains: str
    scope: Scope


class _ColumnRule(BaseModel):
    model_config = _STRICT
    scope: Scope
    reasons: list[str] = Field(default_factory=list)
    confidence: Confidence
    note: str | None = None


class _Delegate(BaseModel):
    model_config = _STRICT
    section: str | None = None
    section_prefix: str | None = None
    eccns: list[str] = Field(default_factory=list)
    to: str

    def matches(self, eccn: str, section: str | None) -> bool:
        if section is None or (self.eccns and eccn not in self.eccns):
            return False
        return section == self.section or bool(self.section_prefix and section.startswith(self.section_prefix))


class _Unmodelled(BaseModel):
    model_config = _STRICT
    column: str
    reasons: list[str] = Field(default_factory=list)
    why: str


class _RfcScope(BaseModel):
    model_config = _STRICT
    eccns: list[str]
    scope: Scope
    citation: str
    confidence: Confidence


class _DatedRule(BaseModel):
    model_config = _STRICT
    eccn: str | None = None
    eccns: list[str] = Field(default_factory=list)
    reason: str | None = None
    column: str | None = None
    paragraphs: str | None = None
    z_only: bool = False
    valid_from: dt.date
    citation: str
    confidence: Confidence

    def matches(self, src: dict[str, str], paragraphs: list[str]) -> bool:
        return (
            (self.eccn is None or src["eccn"] == self.eccn)
            and (not self.eccns or src["eccn"] in self.eccns)
            and (self.reason is None or src["reason"] == self.reason)
            and (self.column is None or src["column"] == self.column)
            and (self.paragraphs is None or src["paragraph_scope"] == self.paragraphs)
            and (not self.z_only or (bool(paragraphs) and all(p.startswith(".z") for p in paragraphs)))
        )


class _Historic(BaseModel):
    model_config = _STRICT
    eccn: str
    paragraph_scope: str
    reason: str
    column: str
    text: str
    scope: Scope | None = None
    delegate: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    citation: str
    confidence: Confidence


class _ChartNote(BaseModel):
    model_config = _STRICT
    note: str


class _Overlay(BaseModel):
    model_config = _STRICT
    format: Literal["exportscreen-ear-overlay/1"]
    ecfr_issue: dt.date
    table_citation: str
    chart_citation: str
    origin: str
    scopes: list[_ScopeRule]
    columns: dict[str, _ColumnRule]
    delegate: list[_Delegate]
    unmodelled: list[_Unmodelled]
    rfc_only_scopes: list[_RfcScope]
    dated: list[_DatedRule]
    historic: list[_Historic]
    chart: _ChartNote


def _paragraphs(scope_text: str) -> tuple[list[str], list[str], bool]:
    """The source's paragraph_scope -> (paragraphs, excepted paragraphs, qualified)."""
    qualified = "(qualified; see text)" in scope_text or "(see text)" in scope_text
    text = scope_text.replace("(qualified; see text)", "").replace("(see text)", "").strip()
    if text.startswith("entire entry"):
        rest = text.removeprefix("entire entry").strip()
        excepted = _expand(rest.removeprefix("except").strip()) if rest.startswith("except") else []
        return [], excepted, qualified
    if text in ("", "(not parsed)"):
        return [], [], qualified
    return _expand(text), [], qualified


def _expand(text: str) -> list[str]:
    """``.a.1-.a.3;.k-.n`` -> ``.a.1 .a.2 .a.3 .k .l .m .n``."""
    out: list[str] = []
    for part in (p.strip() for p in text.split(";") if p.strip()):
        if "-" not in part:
            out.append(part)
            continue
        lo, hi = part.split("-", 1)
        head, first = lo.rsplit(".", 1)
        head_hi, last = hi.rsplit(".", 1)
        if head_hi and head_hi != head:
            raise PackError(f"paragraph range {part!r} spans two parents")
        if first.isdigit() and last.isdigit():
            out += [f"{head}.{n}" for n in range(int(first), int(last) + 1)]
        else:
            out += [f"{head}.{chr(c)}" for c in range(ord(first), ord(last) + 1)]
    return out


def _cross_reference(src: dict[str, str], qualified: bool, paragraphs: list[str]) -> bool:
    """A software/technology row whose paragraphs are those of other entries' items (3D992 "for 3B001.c.1.a")."""
    if not (qualified and paragraphs and src["eccn"][1] in "DE"):
        return False
    controls = src["text"].split(" | ", 1)[0]
    refs = set(_ECCN_REF.findall(controls))
    return bool(refs - {src["eccn"]}) and src["eccn"] not in refs


def _ccl_row(src: dict[str, str], ov: _Overlay) -> dict[str, Any]:
    paragraphs, excepted, qualified = _paragraphs(src["paragraph_scope"])
    column = src["column"]
    cell = src["text"].split(" | ", 1)[1] if " | " in src["text"] else src["text"]
    row: dict[str, Any] = {"eccn": src["eccn"], "paragraphs": paragraphs, "except": excepted}
    row["cross_reference"] = _cross_reference(src, qualified, paragraphs)
    row["qualified"] = qualified
    row["reason"] = src["reason"]
    section = column[4:] if column.startswith("see ") and column != "see text" else None
    row["column"] = column if column in CHART_COLUMNS else None
    row["section"] = section
    confidence = src["certainty"]
    scope: Scope | None = None
    unmodelled: str | None = None
    if row["column"] is None:
        rule = ov.columns.get(column)
        if rule is not None and (not rule.reasons or src["reason"] in rule.reasons):
            scope = rule.scope
        scope = scope or next((s.scope for s in ov.scopes if s.contains in cell), None)
        rfc = next((r for r in ov.rfc_only_scopes if src["eccn"] in r.eccns and not column), None)
        if rfc is not None:
            scope, row["section"], confidence = rfc.scope, rfc.citation.removeprefix("15 CFR "), rfc.confidence
        if scope is None:
            hit = next(
                (u for u in ov.unmodelled if u.column == column and (not u.reasons or src["reason"] in u.reasons)), None
            )
            unmodelled = hit.why if hit else "the destinations of the printed cell are not recognised"
    row["scope"] = scope.model_dump(exclude_defaults=True) if scope else None
    delegate = next((d.to for d in ov.delegate if d.matches(src["eccn"], section)), None)
    row["delegate"] = delegate
    row["unmodelled"] = unmodelled
    row["text"] = src["text"]
    dated = next((d for d in ov.dated if d.matches(src, paragraphs)), None)
    row["valid_from"] = dated.valid_from if dated else None
    row["valid_to"] = None
    row["citations"] = [
        *([dated.citation] if dated else []),
        f"{ov.table_citation}, ECCN {src['eccn']} (eCFR {ov.ecfr_issue.isoformat()})",
    ]
    row["confidence"] = min(confidence, dated.confidence if dated else confidence, key=_RANK.__getitem__)
    row["source"] = src["source"]
    return row


def _historic_row(h: _Historic) -> dict[str, Any]:
    paragraphs, excepted, qualified = _paragraphs(h.paragraph_scope)
    return {
        "eccn": h.eccn,
        "paragraphs": paragraphs,
        "except": excepted,
        "cross_reference": False,
        "qualified": qualified,
        "reason": h.reason,
        "column": h.column if h.column in CHART_COLUMNS else None,
        "section": h.column[4:] if h.column.startswith("see ") else None,
        "scope": h.scope.model_dump(exclude_defaults=True) if h.scope else None,
        "delegate": h.delegate,
        "unmodelled": None,
        "text": h.text,
        "valid_from": h.valid_from,
        "valid_to": h.valid_to,
        "citations": [h.citation],
        "confidence": h.confidence,
        "source": "lists/ear/overlay.yaml historic",
    }


def _line(row: dict[str, Any]) -> str:
    """One row as a one-line YAML flow mapping, without empty or default fields."""
    kept = {k: v for k, v in row.items() if v not in (None, [], False)}
    return yaml.safe_dump(kept, default_flow_style=True, width=1 << 20, allow_unicode=True, sort_keys=False).strip()


def _csv(path: Path) -> tuple[list[dict[str, str]], dict[str, Any]]:
    text = read_text(path, error=PackError)
    rows = list(csv.DictReader(io.StringIO(text)))
    ref = {"file": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "rows": len(rows)}
    return rows, ref


def _document(header: str, head: dict[str, Any], lists: dict[str, list[dict[str, Any]]]) -> str:
    out = [header.rstrip()]
    out.append(yaml.safe_dump(head, sort_keys=False, allow_unicode=True, width=1 << 20).rstrip())
    for key, rows in lists.items():
        out.append(f"{key}:")
        out += [f"  - {_line(r)}" for r in rows]
    return "\n".join(out) + "\n"


_HEADER = (
    "# Generated by `python -m exportscreen.licensing.build` from ../shared/data/ear/{src} and\n"
    "# lists/ear/overlay.yaml: do not edit by hand (edit the overlay and rebuild; a test checks this file).\n"
)


def build(ear_dir: Path, overlay_path: Path) -> dict[str, str]:
    """The generated files' names and texts (validated against the models that read them)."""
    ov = load_model(overlay_path, _Overlay, error=PackError)
    src_rows, src_ref = _csv(ear_dir / "ccl_reasons.csv")
    rows = [_ccl_row(r, ov) for r in src_rows] + [_historic_row(h) for h in ov.historic]
    order = {e: i for i, e in enumerate(dict.fromkeys(r["eccn"] for r in sorted(rows, key=lambda r: r["eccn"])))}
    rows.sort(key=lambda r: order[r["eccn"]])
    files: dict[str, str] = {}
    for group in sorted({r["eccn"][:2] for r in rows}):
        head = {
            "format": "exportscreen-ccl/1",
            "group": group,
            "ecfr_issue": ov.ecfr_issue,
            "citation": ov.table_citation,
            "source": {**src_ref, "origin": ov.origin},
        }
        mine = [r for r in rows if r["eccn"][:2] == group]
        files[f"ccl/{group}.yaml"] = _document(_HEADER.format(src="ccl_reasons.csv"), head, {"rows": mine})

    chart_rows, chart_ref = _csv(ear_dir / "country_chart.csv")
    note_rows, note_ref = _csv(ear_dir / "country_chart_footnotes.csv")
    footnotes = [
        {
            "number": int(n["number"]),
            "text": n["text"],
            "applies_to": [c for c in n["applies_to"].split(";") if c],
            "source": n["source"],
            "confidence": n["certainty"],
            "note": n["note"] or None,
        }
        for n in note_rows
    ]
    chart = [
        {
            "country": r["country"],
            "iso2": r["iso2"],
            "marks": [c for c in CHART_COLUMNS if r[c] == "X"],
            "footnotes": [int(f) for f in r["footnotes"].split(";") if f],
            "pointer": r["pointer"] or None,
        }
        for r in chart_rows
    ]
    chart_head = {
        "format": "exportscreen-country-chart/1",
        "ecfr_issue": ov.ecfr_issue,
        "citation": ov.chart_citation,
        "note": ov.chart.note,
        "source": {**chart_ref, "origin": ov.origin},
        "footnotes_source": {**note_ref, "origin": ov.origin},
    }
    chart_text = _document(
        _HEADER.format(src="country_chart.csv and country_chart_footnotes.csv"),
        chart_head,
        {"footnotes": footnotes, "rows": chart},
    )
    files["country_chart.yaml"] = chart_text
    for name, text in files.items():
        model: type[BaseModel] = CountryChart if name == "country_chart.yaml" else CclGroup
        model.model_validate(parse_yaml(text, error=PackError))
    return files


def _default_ear_dir() -> Path:
    shared = os.environ.get("EXPORTSCREEN_SHARED_DATA")
    return Path(shared) / "ear" if shared else bundled_dir().parent.parent / "shared" / "data" / "ear"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m exportscreen.licensing.build", description=__doc__)
    parser.add_argument("--ear", type=Path, default=None, help="the EAR tables (default ../shared/data/ear)")
    parser.add_argument("--out", type=Path, default=None, help="where to write (default lists/ear)")
    parser.add_argument("--check", action="store_true", help="compare with the files in --out instead of writing")
    args = parser.parse_args(argv)
    out = args.out or bundled_dir() / "ear"
    try:
        files = build(args.ear or _default_ear_dir(), out / "overlay.yaml")
    except PackError as exc:
        print(f"build: error: {exc}", file=sys.stderr)
        return 2
    stale = [
        name for name, text in files.items() if not (out / name).is_file() or (out / name).read_text("utf-8") != text
    ]
    if args.check:
        for name in stale:
            print(f"build: {out / name} is not what the build makes; rerun the build", file=sys.stderr)
        return 1 if stale else 0
    for name in stale:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(files[name], encoding="utf-8")
        print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
