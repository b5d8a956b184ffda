"""SARIF 2.1.0 report of ``exportscreen check``, for code-scanning views.

One ``result`` per finding, located at the order's file and line; one ``rule`` per rule of the
packs, with its message, help text, category and citations. A finding cleared by the baseline
carries an accepted ``suppression`` with the reviewer's note, so code-scanning views hide it while
keeping the record. A stable ``partialFingerprints`` key (order id, rule, list entries; no line)
lets a view follow a finding when the order moves. Inputs that could not be screened are
``toolExecutionNotifications`` of the invocation, which is then not successful.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from exportscreen.baseline import Finding, InputProblem, OrderResult, clearance_refs
from exportscreen.models import Category
from exportscreen.orders_csv import spreadsheet_safe
from exportscreen.rules import RulePack

__all__ = ["SARIF_SCHEMA", "SARIF_VERSION", "format_sarif"]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

_LEVEL = {Category.SENSITIVE: "error", Category.REVIEW: "warning", Category.LESS_RISKY: "note"}


def _uri(path: Path | str) -> str:
    p = Path(path)
    if p.is_absolute():
        return p.as_uri()
    return quote(p.as_posix(), safe="/")


def _location(path: Path | str, line: int | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(path)}}
    if line is not None:
        physical["region"] = {"startLine": max(line, 1)}
    return {"physicalLocation": physical}


def _rules(packs: Sequence[RulePack]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for pack in packs:
        for rule in pack.rules:
            if rule.category is Category.LESS_RISKY:
                continue
            cites = "; ".join(rule.citations)
            help_text = rule.help or f"A {rule.category.value} finding: check the evidence and the cited rules."
            out.append(
                {
                    "id": rule.id,
                    "name": "".join(part.capitalize() for part in rule.id.split("-")),
                    "shortDescription": {"text": f"{rule.id} ({rule.category.value})"},
                    "fullDescription": {"text": rule.message},
                    "help": {
                        "text": f"{help_text} Citations: {cites}.",
                        "markdown": f"{help_text}\n\n**Citations:** {cites}",
                    },
                    "defaultConfiguration": {"level": _LEVEL[rule.category]},
                    "properties": {
                        "category": rule.category.value,
                        "citations": list(rule.citations),
                        "pack": f"{pack.id}@{pack.version}",
                        "tags": ["export-control", rule.category.value],
                    },
                }
            )
    return out


def _fingerprint(order_id: str, finding: Finding) -> str:
    entries = sorted(f"{r.entry_source}:{r.entry_id}:{r.party}" for r in clearance_refs(finding.reason))
    blob = "\n".join([order_id, finding.rule_id, *entries])
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def format_sarif(
    results: Sequence[OrderResult],
    problems: Sequence[InputProblem],
    packs: Sequence[RulePack],
    *,
    tool_version: str,
) -> str:
    """The SARIF log (one run) as JSON text."""
    rules = _rules(packs)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    sarif_results: list[dict[str, Any]] = []
    for r in results:
        order_id = spreadsheet_safe(r.decision.transaction_id)
        for f in r.findings:
            text = f"{order_id}: {spreadsheet_safe(f.reason.message)}"
            if f.note and not f.cleared:
                text += f" ({f.note})"
            res: dict[str, Any] = {
                "ruleId": f.rule_id,
                "level": _LEVEL[f.category],
                "message": {"text": text},
                "locations": [_location(r.path, r.line)],
                "partialFingerprints": {"exportscreenFinding/v1": _fingerprint(r.decision.transaction_id, f)},
                "properties": {
                    "orderId": order_id,
                    "category": f.category.value,
                    "citations": list(f.reason.citations),
                    "asOf": r.decision.as_of.isoformat(),
                },
            }
            if f.rule_id in index:
                res["ruleIndex"] = index[f.rule_id]
            if f.cleared:
                res["suppressions"] = [
                    {"kind": "external", "status": "accepted", "justification": spreadsheet_safe(f.note or "cleared")}
                ]
            sarif_results.append(res)
    notifications = [
        {
            "level": "error",
            "message": {"text": spreadsheet_safe(p.message)},
            "locations": [_location(p.path, p.line)],
        }
        for p in problems
    ]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "exportscreen",
                        "version": tool_version,
                        "rules": rules,
                    }
                },
                "invocations": [{"executionSuccessful": not problems, "toolExecutionNotifications": notifications}],
                "results": sarif_results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)
