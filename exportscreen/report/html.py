"""The HTML audit report: one self-contained file a compliance officer can read, print and keep.

``format_html(report)`` renders an ``AuditReport`` (``exportscreen.report.html_model``) through the
Jinja2 template ``templates/report.html.j2`` with autoescaping on for every value: party names, file
paths and list texts are attacker-controlled and only ever reach the page as escaped text. Bidi
controls (U+202E and its kin) in such text are shown as visible code points and every untrusted
value sits in a ``<bdi>``, so a name cannot reorder the line around it. The file has inline CSS, no
script, font or image from anywhere (a Content-Security-Policy with the style's hash says so to the
browser), and prints one order per page.

Sections: header (tool, run, who, when, inputs with hashes, as-of date, list coverage per list code
with the lists rules read but no source gave as a warning, list sources, packs, thresholds), summary
by category and rule with two SVG pictures, inputs that could not be screened, clearances, changes
since an earlier screening (re-screen), then one section per order (``html_views``: parties, items,
licence determinations, reasons with the matches they rest on, the order's matches and how each
matched) and the recordkeeping note of 15 CFR Part 762. Output is a pure function of the report: the same report
(time included) gives the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from pydantic import BaseModel, ConfigDict, Field

from exportscreen._data import bundled_dir
from exportscreen._errors import ConfigError
from exportscreen._io import load_model
from exportscreen.baseline import Clearance, Finding, OrderResult
from exportscreen.models import Category, SourceInfo
from exportscreen.report.html_model import AuditReport
from exportscreen.report.html_svg import category_chart, score_chart
from exportscreen.report.html_views import order_view

__all__ = ["format_html", "visible_text"]

#: Bidirectional formatting characters: shown as code points, never applied to the page.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CATEGORIES = (Category.SENSITIVE, Category.REVIEW, Category.LESS_RISKY)


class _Retention(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    years: int = Field(gt=0)
    citations: list[str] = Field(min_length=1)
    note: str = Field(min_length=1)


class _Records(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    format: str = Field(pattern=r"^exportscreen-records/1$")
    retention: _Retention


@cache
def _retention() -> _Retention:
    return load_model(bundled_dir() / "records.yaml", _Records, error=ConfigError).retention


def visible_text(value: object) -> Markup:
    """``value`` as escaped text, with each bidi control shown as a visible ``U+XXXX`` mark."""
    if isinstance(value, Markup):
        return value
    text = str(value)
    parts: list[Markup] = []
    last = 0
    for m in _BIDI.finditer(text):
        parts.append(escape(text[last : m.start()]))
        code = f"U+{ord(m.group()):04X}"
        parts.append(Markup('<span class="ctl" title="bidirectional control {0}">{0}</span>').format(code))
        last = m.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def number(x: object) -> str:
    """A number as a person writes it: 25000000 (never 2.5e+07), 19.4496, 90."""
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    if isinstance(x, float):
        text = repr(x)
        return f"{x:.15f}".rstrip("0").rstrip(".") if "e" in text else text
    return str(x)


def _finalize(value: object) -> object:
    if value is None or isinstance(value, Markup | int | float):
        return value
    return visible_text(value)


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("exportscreen.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["num"] = number
    env.filters["count"] = lambda n: f"{n:,}"
    env.filters["label"] = lambda c: c.value.replace("_", " ") if isinstance(c, Category) else str(c)
    env.filters["columns"] = _columns
    env.tests["record"] = lambda v: isinstance(v, dict)
    env.tests["seq"] = lambda v: isinstance(v, list | tuple)
    env.tests["flat_records"] = _flat_records
    return env


def _flat_records(value: object) -> bool:
    """A list of records whose values are all scalars or lists of scalars (shown as one table)."""
    if not isinstance(value, list | tuple) or not value:
        return False
    for rec in value:
        if not isinstance(rec, dict):
            return False
        for v in rec.values():
            if isinstance(v, dict) or (isinstance(v, list | tuple) and any(isinstance(x, dict | list) for x in v)):
                return False
    return True


def _columns(records: Iterable[dict[str, Any]]) -> list[str]:
    """The keys of ``records``, in the order they first appear."""
    return list(dict.fromkeys(k for rec in records for k in rec))


def _rule_help(report: AuditReport) -> dict[str, tuple[str | None, str]]:
    """Rule id -> (its help text, ``pack@version``), from the packs of the run."""
    out: dict[str, tuple[str | None, str]] = {}
    for pack in report.run.packs:
        for rule in pack.rules:
            out.setdefault(rule.id, (rule.help, f"{pack.id}@{pack.version}"))
    return out


@dataclass(frozen=True)
class RuleRow:
    rule_id: str
    category: Category
    orders: int
    cleared: int
    citations: tuple[str, ...]


def _rule_rows(results: Iterable[OrderResult]) -> list[RuleRow]:
    """One row per rule that fired, with every citation it gave in any order (they name list entries)."""
    fired: Counter[str] = Counter()
    cleared: Counter[str] = Counter()
    category: dict[str, Category] = {}
    citations: dict[str, dict[str, None]] = {}
    for r in results:
        for reason in r.decision.reasons:
            category[reason.rule_id] = max(category.get(reason.rule_id, reason.category), reason.category)
            citations.setdefault(reason.rule_id, {}).update(dict.fromkeys(reason.citations))
            fired[reason.rule_id] += 1
        for f in r.findings:
            cleared[f.rule_id] += f.cleared
    return sorted(
        (RuleRow(rid, category[rid], n, cleared[rid], tuple(citations[rid])) for rid, n in fired.items()),
        key=lambda row: (-row.category.severity, row.rule_id),
    )


@dataclass(frozen=True)
class ListRow:
    """One list code: its entries and sources, or (``loaded`` False) a list rules read but no source gave."""

    code: str
    loaded: bool
    entries: int
    sources: int
    as_of: str
    orders_missing: int


def _coverage(report: AuditReport) -> list[ListRow]:
    """Entries per list code screened against, then the codes missing for some order (``lists_missing``)."""
    registry = report.run.registry
    rows: list[ListRow] = []
    if registry is not None:
        by_code: dict[str, list[SourceInfo]] = {}
        for s in registry.sources:
            by_code.setdefault(s.list, []).append(s)
        for code in sorted(set(by_code) | set(registry.lists)):
            sources = by_code.get(code, [])
            entries = registry.lists.get(code, sum(s.entries for s in sources))
            dates = sorted({s.as_of.isoformat() if s.as_of else "undated" for s in sources})
            rows.append(ListRow(code, True, entries, len(sources), ", ".join(dates), 0))
    missing: Counter[str] = Counter(code for r in report.results for code in dict.fromkeys(r.decision.lists_missing))
    rows += [ListRow(code, False, 0, 0, "", n) for code, n in sorted(missing.items())]
    return rows


def _missing_groups(coverage: Iterable[ListRow]) -> list[tuple[list[str], int]]:
    """The lists not loaded, grouped by how many orders they were missing for (most first)."""
    groups: dict[int, list[str]] = {}
    for row in coverage:
        if not row.loaded:
            groups.setdefault(row.orders_missing, []).append(row.code)
    return [(codes, n) for n, codes in sorted(groups.items(), reverse=True)]


def _clearances(results: Iterable[OrderResult]) -> list[tuple[OrderResult, Finding, Clearance]]:
    return [(r, f, c) for r in results for f in r.findings for c in f.clearances]


def _style_hash(css: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")


def format_html(report: AuditReport) -> str:
    """The report as one HTML document (text; write it as UTF-8)."""
    env = _environment()
    css = env.get_template("report.css").render()
    helps = _rule_help(report)
    orders = [order_view(n, r, helps) for n, r in enumerate(report.results, start=1)]
    by_decision = Counter(r.decision.category for r in report.results)
    by_outcome = Counter(o.outcome for o in orders)
    scores = [m.ref.score for o in orders for m in o.matches]
    coverage = _coverage(report)
    per_file = Counter(str(r.path) for r in report.results)
    run = report.run
    return env.get_template("report.html.j2").render(
        report=report,
        run=run,
        css=Markup(css),
        style_hash=_style_hash(css),
        orders=orders,
        categories=_CATEGORIES,
        by_decision=by_decision,
        by_outcome=by_outcome,
        cleared_findings=sum(o.cleared for o in orders),
        rules=_rule_rows(report.results),
        clearances=_clearances(report.results),
        per_file=per_file,
        matches=len(scores),
        category_svg=category_chart(by_decision),
        score_svg=score_chart(scores, review=run.review_threshold, hit=run.hit_threshold),
        retention=_retention(),
        failing=sum(1 for r in report.results if r.failing),
        coverage=coverage,
        missing=_missing_groups(coverage),
        entries=sum(s.entries for s in run.registry.sources) if run.registry else 0,
    )
