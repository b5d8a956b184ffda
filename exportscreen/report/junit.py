"""JUnit XML report of ``exportscreen check``: one test case per order.

An order with a finding that is not cleared is a ``failure`` (type: its most severe category) whose
text lists the findings as ``path:line: ORDER-ID category rule-id: message``; cleared findings are
listed in ``system-out``. An input that could not be screened is a test case with an ``error``.
Strings are made spreadsheet-safe and characters XML 1.0 cannot carry are escaped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from exportscreen.baseline import Finding, InputProblem, OrderResult
from exportscreen.models import Category
from exportscreen.orders_csv import spreadsheet_safe

__all__ = ["finding_line", "format_junit"]

_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", spreadsheet_safe(text))


def finding_line(result: OrderResult, finding: Finding) -> str:
    """``path:line: ORDER-ID category rule-id: message [note]``."""
    order_id = spreadsheet_safe(result.decision.transaction_id)
    text = (
        f"{result.path}:{result.line}: {order_id} {finding.category.value} {finding.rule_id}: {finding.reason.message}"
    )
    if finding.note:
        text += f" [{finding.note}]"
    return text


def format_junit(results: Sequence[OrderResult], problems: Sequence[InputProblem]) -> str:
    import xml.etree.ElementTree as ET  # imported here: the text report of check needs only finding_line

    failures = sum(1 for r in results if r.failing)
    suites = ET.Element(
        "testsuites",
        name="exportscreen check",
        tests=str(len(results) + len(problems)),
        failures=str(failures),
        errors=str(len(problems)),
    )
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="exportscreen check",
        tests=str(len(results) + len(problems)),
        failures=str(failures),
        errors=str(len(problems)),
        skipped="0",
    )
    for r in results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=_clean(str(r.path)),
            name=_clean(r.decision.transaction_id),
            file=_clean(str(r.path)),
            line=str(r.line),
        )
        failing = r.failing
        if failing:
            worst = max(f.category for f in failing)
            failure = ET.SubElement(
                case,
                "failure",
                type=worst.value,
                message=_clean(f"{worst.value}: " + ", ".join(f.rule_id for f in failing)),
            )
            failure.text = _clean("\n".join(finding_line(r, f) for f in failing))
        cleared = [f for f in r.findings if f.cleared]
        if cleared:
            out = ET.SubElement(case, "system-out")
            out.text = _clean("\n".join(finding_line(r, f) for f in cleared))
        elif not failing:
            out = ET.SubElement(case, "system-out")
            out.text = (
                f"{Category.LESS_RISKY.value}: {_clean(r.decision.reasons[0].message) if r.decision.reasons else ''}"
            )
    for p in problems:
        case = ET.SubElement(
            suite, "testcase", classname=_clean(str(p.path)), name=_clean(p.where), file=_clean(str(p.path))
        )
        if p.line is not None:
            case.set("line", str(p.line))
        error = ET.SubElement(case, "error", type="input-error", message=_clean(p.message))
        error.text = _clean(f"{p.where}: error: {p.message}")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
