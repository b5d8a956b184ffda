"""JSON report of ``exportscreen check``: every order with its file, line, findings and Decision, and
every input that could not be screened.

A CI consumer sees what the SARIF and JUnit reports show::

    {"format": "exportscreen-check/1", "exit_code": 1,
     "summary": {"orders": 5, "files": 3, "sensitive": 2, "review": 1, "less_risky": 2, "cleared": 0,
                 "not_screened": 0},
     "orders": [{"file": "orders/po-1.yaml", "line": 2, "transaction_id": "PO-1", "category": "review",
                 "failing": true,
                 "findings": [{"rule_id": "potential-list-match", "category": "review", "message": "...",
                               "cleared": false, "allow_hit": false, "note": null, "clearances": []}],
                 "decision": {...}}],
     "problems": [{"file": "orders/bad.yaml", "line": 3, "message": "..."}]}

A cleared finding lists its clearances (reviewer, reason, reviewed_on, expires, the party and entry).
JSON is data: strings are written exactly as read (a formula-looking order id stays as it is; the
reports meant for display neutralise it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from exportscreen.baseline import Finding, InputProblem, OrderResult, summary_counts

__all__ = ["REPORT_FORMAT", "format_json"]

REPORT_FORMAT = "exportscreen-check/1"


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "rule_id": f.rule_id,
        "category": f.category.value,
        "message": f.reason.message,
        "cleared": f.cleared,
        "allow_hit": f.allow_hit,
        "note": f.note,
        "clearances": [c.model_dump(mode="json") for c in f.clearances],
    }


def format_json(results: Sequence[OrderResult], problems: Sequence[InputProblem], *, files: int, exit_code: int) -> str:
    """The report, with deterministic key order."""
    counts = summary_counts(results)
    report = {
        "format": REPORT_FORMAT,
        "exit_code": exit_code,
        "summary": {
            "orders": len(results),
            "files": files,
            **counts,
            "not_screened": len(problems),
        },
        "orders": [
            {
                "file": str(r.path),
                "line": r.line,
                "transaction_id": r.decision.transaction_id,
                "category": r.decision.category.value,
                "failing": bool(r.failing),
                "findings": [_finding(f) for f in r.findings],
                "decision": r.decision.to_dict(),
            }
            for r in results
        ],
        "problems": [{"file": str(p.path), "line": p.line, "message": p.message} for p in problems],
    }
    return json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False)
