"""The outputs of ``exportscreen rescreen``: its transitions as text, JSON, SARIF 2.1.0 and JUnit XML.

JSON is ``{"stats": ..., "transitions": [...]}`` with sorted keys (stable, diffable). SARIF has one
result per transition, ``error`` when it got worse to sensitive or hit, ``warning`` when worse to
review, ``note`` when it got better; JUnit one test case per transition, failed when it got worse.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree as ET

from exportscreen import __version__
from exportscreen.ledger.transitions import RescreenStats, Transition
from exportscreen.report.text import terminal_safe

__all__ = ["format_json", "format_junit", "format_sarif", "format_text"]

_SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _line(t: Transition) -> str:
    arrow = "WORSE" if t.worse else "better"
    found = ", ".join(f"{m.list} {m.name} ({m.score:g}, {m.strength})" for m in t.matches_after) or "no match"
    rules = f" [{', '.join(t.rule_ids)}]" if t.rule_ids else ""
    note = f" ({t.note})" if t.note else ""
    return terminal_safe(f"{arrow:6} {t.kind} {t.key}: {t.before} -> {t.after}{rules}; now: {found}{note}")


def format_text(transitions: Sequence[Transition], stats: RescreenStats) -> str:
    lines = [_line(t) for t in transitions]
    mode = "full re-screen" if stats.full else "delta re-screen"
    why = f" ({'; '.join(stats.full_reasons)})" if stats.full_reasons else ""
    lines.append(
        f"{mode}{why} as of {stats.as_of.isoformat()} against registry {stats.registry[:12]}: "
        f"{stats.orders_rescreened} of {stats.orders_stored} orders and {stats.parties_rescreened} of "
        f"{stats.parties_stored} parties re-screened ({stats.fresh_entries} fresh entries); "
        f"{stats.transitions} transitions, {stats.worse} worse"
    )
    return "\n".join(lines) + "\n"


def format_json(transitions: Sequence[Transition], stats: RescreenStats) -> str:
    doc = {"stats": stats.model_dump(mode="json"), "transitions": [t.model_dump(mode="json") for t in transitions]}
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _level(t: Transition) -> str:
    if not t.worse:
        return "note"
    return "error" if t.after in ("sensitive", "hit") else "warning"


def format_sarif(transitions: Sequence[Transition], stats: RescreenStats, ledger: str) -> str:
    results: list[dict[str, Any]] = []
    for t in transitions:
        results.append(
            {
                "ruleId": "rescreen-transition",
                "level": _level(t),
                "message": {"text": f"{t.kind} {t.key}: {t.before} -> {t.after}"},
                "locations": [
                    {
                        "physicalLocation": {"artifactLocation": {"uri": ledger}},
                        "logicalLocations": [{"name": t.key, "kind": "object"}],
                    }
                ],
                "partialFingerprints": {"transition/v1": f"{t.kind}:{t.key}:{t.before}:{t.after}:{t.registry}"},
                "properties": t.model_dump(mode="json"),
            }
        )
    log = {
        "$schema": _SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "exportscreen",
                        "version": __version__,
                        "rules": [
                            {
                                "id": "rescreen-transition",
                                "shortDescription": {"text": "A stored outcome changed under the lists in force now"},
                            }
                        ],
                    }
                },
                "results": results,
                "properties": {"rescreen": stats.model_dump(mode="json")},
            }
        ],
    }
    return json.dumps(log, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def format_junit(transitions: Sequence[Transition], stats: RescreenStats) -> str:
    suite = ET.Element(
        "testsuite",
        name="exportscreen rescreen",
        tests=str(len(transitions)),
        failures=str(stats.worse),
        errors="0",
    )
    for t in transitions:
        case = ET.SubElement(suite, "testcase", classname=f"rescreen.{t.kind}", name=t.key)
        if t.worse:
            failure = ET.SubElement(case, "failure", message=f"{t.before} -> {t.after}", type="transition")
            failure.text = _line(t)
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
