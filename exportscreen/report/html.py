"""The HTML audit report: one self-contained file a compliance officer can read, print and keep.

``format_html(report)`` renders an ``AuditReport`` (``exportscreen.report.html_model``) through the
Jinja2 template ``templates/report.html.j2`` with autoescaping on for every value: party names, file
paths and list texts are attacker-controlled and only ever reach the page as escaped text. Bidi
controls (U+202E and its kin) in such text are shown as visible code points and every untrusted
value sits in a ``<bdi>``, so a name cannot reorder the line around it. The file has inline CSS, no
script, font or image from anywhere (a Content-Security-Policy with the style's hash says so to the
browser), and prints one order per page.

Sections: header (tool, run, who, when, inputs with hashes, as-of date, list sources, packs,
thresholds), summary by category and rule with two SVG pictures, inputs that could not be screened,
clearances, changes since an earlier screening (re-screen), then one section per order and the
recordkeeping note of 15 CFR Part 762. Output is a pure function of the report: the same report
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
from exportscreen.models import Category, Decision, Item, Party, Reason
from exportscreen.report.html_model import AuditReport
from exportscreen.report.html_svg import category_chart, score_chart

__all__ = ["format_html", "visible_text"]

#: Bidirectional formatting characters: shown as code points, never applied to the page.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CATEGORIES = (Category.SENSITIVE, Category.REVIEW, Category.LESS_RISKY)
#: Reason evidence keys whose records are list matches (rendered as such, not as generic evidence).
_MATCH_KEYS = ("matches", "owners")


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
    env.filters["num"] = lambda x: f"{x:g}" if isinstance(x, float) else str(x)
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


# ------------------------------------------------------------------------------------- views


@dataclass(frozen=True)
class ReasonView:
    reason: Reason
    help: str | None
    pack: str | None
    finding: Finding | None
    records: tuple[dict[str, Any], ...]
    evidence: dict[str, Any]


@dataclass(frozen=True)
class ItemView:
    number: int
    item: Item | None
    details: dict[str, Any]
    tiers: tuple[str, ...]
    classified: bool
    evidence: tuple[dict[str, Any], ...]
    description: str


@dataclass(frozen=True)
class OrderView:
    anchor: str
    result: OrderResult
    outcome: Category
    cleared: int
    parties: tuple[Party, ...]
    party_details: tuple[dict[str, Any], ...]
    screened_names: tuple[str, ...]
    order_details: dict[str, Any]
    items: tuple[ItemView, ...]
    reasons: tuple[ReasonView, ...]
    lists: tuple[tuple[str, str], ...]

    @property
    def decision(self) -> Decision:
        return self.result.decision


def _outcome(result: OrderResult) -> Category:
    """The category once clearances are applied: the worst finding not cleared."""
    return max((f.category for f in result.failing), default=Category.LESS_RISKY)


def _rule_help(report: AuditReport) -> dict[str, tuple[str | None, str]]:
    out: dict[str, tuple[str | None, str]] = {}
    for pack in report.run.packs:
        for rule in pack.rules:
            out.setdefault(rule.id, (rule.help, f"{pack.id}@{pack.version}"))
    return out


def _details(model: BaseModel | None, skip: Iterable[str]) -> dict[str, Any]:
    """A model's fields that are set, in declaration order, as JSON-like values."""
    if model is None:
        return {}
    data = model.model_dump(mode="json", exclude=set(skip))
    return {k: v for k, v in data.items() if v not in (None, [], {}, "")}


def _reason_view(reason: Reason, finding: Finding | None, helps: dict[str, tuple[str | None, str]]) -> ReasonView:
    help_text, pack = helps.get(reason.rule_id, (None, None))
    records: list[dict[str, Any]] = []
    for key in _MATCH_KEYS:
        found = reason.evidence.get(key)
        if isinstance(found, list):
            records += [rec for rec in found if isinstance(rec, dict)]
    evidence = {k: v for k, v in reason.evidence.items() if k not in _MATCH_KEYS}
    return ReasonView(reason, help_text, pack, finding, tuple(records), evidence)


def _lists(decision: Decision) -> tuple[tuple[str, str], ...]:
    seen: dict[str, set[str]] = {}
    for s in decision.registry.sources:
        seen.setdefault(s.list, set()).add(s.as_of.isoformat() if s.as_of else "undated")
    return tuple((code, ", ".join(sorted(dates))) for code, dates in sorted(seen.items()))


def _order_view(n: int, result: OrderResult, helps: dict[str, tuple[str | None, str]]) -> OrderView:
    d = result.decision
    tx = result.transaction
    reasons = tuple(
        _reason_view(r, next((f for f in result.findings if f.reason == r), None), helps) for r in d.reasons
    )
    tiers = {t.item_index: t for t in d.item_tiers}
    count = max(len(tx.items) if tx else 0, len(d.item_tiers))
    items = []
    for i in range(count):
        item = tx.items[i] if tx and i < len(tx.items) else None
        tier = tiers.get(i)
        items.append(
            ItemView(
                number=i + 1,
                item=item,
                details=_details(item, ("description",)),
                tiers=tuple(tier.tiers) if tier else (),
                classified=tier.classified if tier else False,
                evidence=tuple(tier.evidence) if tier else (),
                description=item.description if item else (tier.description if tier else ""),
            )
        )
    names = tuple(dict.fromkeys(m.query_name for m in d.matches))
    return OrderView(
        anchor=f"order-{n}",
        result=result,
        outcome=_outcome(result),
        cleared=sum(1 for f in result.findings if f.cleared),
        parties=tuple(tx.parties) if tx else (),
        party_details=tuple(_details(p, ("role", "name", "country")) for p in tx.parties) if tx else (),
        screened_names=names,
        order_details=_details(tx, ("id", "parties", "items")),
        items=tuple(items),
        reasons=reasons,
        lists=_lists(d),
    )


@dataclass(frozen=True)
class RuleRow:
    rule_id: str
    category: Category
    orders: int
    cleared: int
    citations: tuple[str, ...]


def _rule_rows(results: Iterable[OrderResult]) -> list[RuleRow]:
    fired: Counter[str] = Counter()
    cleared: Counter[str] = Counter()
    meta: dict[str, Reason] = {}
    for r in results:
        for reason in r.decision.reasons:
            meta.setdefault(reason.rule_id, reason)
            fired[reason.rule_id] += 1
        for f in r.findings:
            cleared[f.rule_id] += f.cleared
    return sorted(
        (RuleRow(rid, meta[rid].category, n, cleared[rid], tuple(meta[rid].citations)) for rid, n in fired.items()),
        key=lambda row: (-row.category.severity, row.rule_id),
    )


def _clearances(results: Iterable[OrderResult]) -> list[tuple[OrderResult, Finding, Clearance]]:
    return [(r, f, c) for r in results for f in r.findings for c in f.clearances]


def _style_hash(css: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")


def format_html(report: AuditReport) -> str:
    """The report as one HTML document (text; write it as UTF-8)."""
    env = _environment()
    css = env.get_template("report.css").render()
    helps = _rule_help(report)
    orders = [_order_view(n, r, helps) for n, r in enumerate(report.results, start=1)]
    by_decision = Counter(r.decision.category for r in report.results)
    by_outcome = Counter(o.outcome for o in orders)
    scores = [m.score for r in report.results for m in r.decision.matches]
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
    )
