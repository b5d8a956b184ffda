"""The licence determination of one ECCN and one destination, as data and as text (``exportscreen
explain``): every CCL row of the ECCN in force, what it says for the destination and why, the Country
Chart row read, Part 746, and the licence exceptions a person may confirm."""

from __future__ import annotations

import datetime as dt

from pydantic import JsonValue

from exportscreen.geo import CountryGroups, country_name, load_country_groups
from exportscreen.licensing.conditions import requirement_json
from exportscreen.licensing.determine import Determiner, Place
from exportscreen.licensing.embargoes import load_part746
from exportscreen.licensing.sections import load_sections
from exportscreen.licensing.tables import heading_of, load_ccl, load_chart, paragraph_parts

__all__ = ["explain", "format_explanation"]

#: What each status means, for the summary line.
_OUTCOME = {
    "required": "licence required",
    "possible": "a licence may be required: a person must check",
    "delegated": "decided by another rule pack",
    "unmodelled": "not modelled: a person must read the entry",
}


def explain(
    eccn: str, country: str, on: dt.date, *, determiner: Determiner | None = None, groups: CountryGroups | None = None
) -> dict[str, JsonValue]:
    """The determination for ``eccn`` (an ECCN, a paragraph or EAR99) to ``country`` on ``on``."""
    det = determiner or Determiner(load_ccl(), load_chart(), load_part746(), load_sections())
    grp = groups or load_country_groups()
    effective, _ = grp.effective_country(country, on)
    place = Place(country, effective, tuple(grp.groups_of(country, on)), "destination")
    known = det.known(eccn, on)
    requirements = det.item(index=0, eccn=eccn, eccn_basis="given", hts=None, place=place, on=on)
    others: list[JsonValue] = [
        {"reason": r.reason, "control": r.control, "paragraphs": r.scope_text}
        for r in (det.ccl.rows_for(heading_of(eccn), on) if eccn != "EAR99" else ())
        if r.applies_to(paragraph_parts(eccn)) == "no"
    ]
    chart = det.chart.row(effective, on)
    statuses = {r.status for r in requirements}
    if not known:
        result = "unknown ECCN: classify"
    else:
        found = [_OUTCOME[s] for s in ("required", "possible", "delegated", "unmodelled") if s in statuses]
        result = "; ".join(found) or "no licence required by the Country Chart or Part 746"
    return {
        "eccn": eccn,
        "country": country,
        "treated_as": effective,
        "country_groups": list(place.groups),
        "as_of": on.isoformat(),
        "known_eccn": known,
        "chart_row": None
        if chart is None
        else {
            "country": chart.country,
            "iso2": chart.iso2,
            "marks": list(chart.marks),
            "footnotes": list(chart.footnotes),
            "pointer": chart.pointer,
        },
        "chart_citation": f"{det.chart.citation} (eCFR {det.chart.ecfr_issue.isoformat()})",
        "requirements": [requirement_json(r) for r in requirements],
        "rows_not_for_this_paragraph": others,
        "result": result,
    }


def format_explanation(data: dict[str, JsonValue]) -> str:
    """The text of ``explain``'s data, one line per row."""
    where = f"{country_name(str(data['country']))} ({data['country']})"
    if data["treated_as"] != data["country"]:
        where += f", treated as {data['treated_as']}"
    lines = [f"{data['eccn']} to {where} as of {data['as_of']}: {data['result']}"]
    chart = data["chart_row"]
    if isinstance(chart, dict):
        marks = chart.get("marks")
        notes = chart.get("footnotes")
        lines.append(
            f"  Country Chart row {chart.get('country')} ({chart.get('iso2')}): "
            f"{' '.join(map(str, marks)) if isinstance(marks, list) and marks else 'no marks'}"
            + (f"; footnotes {', '.join(map(str, notes))}" if isinstance(notes, list) and notes else "")
            + (f"; {chart.get('pointer')}" if chart.get("pointer") else "")
            + f" [{data['chart_citation']}]"
        )
    else:
        lines.append(f"  no Country Chart row for {data['treated_as']}")
    if not data["known_eccn"]:
        lines.append("  the CCL data holds no entry of this ECCN on that date")
    reqs = data["requirements"]
    for req in reqs if isinstance(reqs, list) else []:
        if not isinstance(req, dict):
            continue
        status = str(req.get("status", "")).replace("_", " ").upper()
        citations = req.get("citations")
        cite = "; ".join(map(str, citations)) if isinstance(citations, list) else ""
        line = f"  {status:<13} {req.get('reason')} {req.get('control')}: {req.get('detail')}"
        if req.get("reading"):
            line += f" ({req.get('reading')})"
        lines.append(f"{line} [{cite}]")
        exceptions = req.get("exceptions_to_confirm")
        if isinstance(exceptions, list) and exceptions:
            lines.append(f"                licence exceptions a person may confirm: {'; '.join(map(str, exceptions))}")
    others = data["rows_not_for_this_paragraph"]
    if isinstance(others, list) and others:
        listed = "; ".join(
            f"{o.get('reason')} {o.get('control')} ({o.get('paragraphs')})" for o in others if isinstance(o, dict)
        )
        lines.append(f"  rows of {str(data['eccn'])[:5]} that do not cover {data['eccn']}: {listed}")
    return "\n".join(lines)
