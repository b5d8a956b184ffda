"""Human-readable text for a Decision."""

from __future__ import annotations

from exportscreen.models import Decision, PartyMatch

__all__ = ["format_decision", "format_match"]


def format_match(m: PartyMatch) -> str:
    via = f" via {m.matched_field} {m.matched_name!r}" if m.matched_name != m.entry_name else ""
    line = f"{m.query_name!r} ({m.role}) ~ {m.entry_name!r} [{m.list}, {m.entry_id}]{via}"
    line += f": score {m.score:g}, {m.strength}"
    summary = m.explanation.get("summary")
    # what matched: both texts and the rule that linked each pair of words (the matcher's summary)
    return f"{line}\n      {summary}" if isinstance(summary, str) else line


def format_decision(decision: Decision, *, where: str = "") -> str:
    head = f"{where}: " if where else ""
    lines = [f"{head}{decision.transaction_id}: {decision.category.value.upper()} (as of {decision.as_of.isoformat()})"]
    for r in decision.reasons:
        cites = f" [{'; '.join(r.citations)}]" if r.citations else ""
        lines.append(f"  - {r.category.value} {r.rule_id}: {r.message}{cites}")
    for m in decision.matches:
        lines.append(f"  match: {format_match(m)}")
    for t in decision.item_tiers:
        tiers = ", ".join(t.tiers) if t.tiers else "unclassified"
        lines.append(f"  item {t.item_index + 1} ({t.description}): {tiers}")
    return "\n".join(lines)
