"""Human-readable text for a Decision: for a terminal, or pasted into a spreadsheet.

Control characters are shown escaped (``\\x1b``), and an order id a spreadsheet would run as a formula
gets a leading apostrophe, as in every report meant for display (JSON, which is data, keeps it as read).
"""

from __future__ import annotations

import re

from exportscreen.models import Decision, PartyMatch
from exportscreen.orders_csv import spreadsheet_safe

__all__ = ["format_decision", "format_match", "terminal_safe"]

#: C0 and C1 controls (ESC, CSI U+009B, NEL U+0085), DEL and the line and paragraph separators
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def _escaped(ch: str) -> str:
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def terminal_safe(text: str) -> str:
    """``text`` (one line) with control characters, newlines included, written as ``\\xNN`` (a line or
    paragraph separator as ``\\u2028``)."""
    return _CONTROL.sub(lambda m: _escaped(m.group()), text)


def format_match(m: PartyMatch) -> str:
    via = f" via {m.matched_field} {m.matched_name!r}" if m.matched_name != m.entry_name else ""
    line = f"{m.query_name!r} ({m.role}) ~ {m.entry_name!r} [{m.list}, {m.entry_id}]{via}"
    line += f": score {m.score:g}, {m.strength}"
    summary = m.explanation.get("summary")
    # what matched: both texts and the rule that linked each pair of words (the matcher's summary)
    return f"{line}\n      {summary}" if isinstance(summary, str) else line


def format_decision(decision: Decision, *, where: str = "") -> str:
    head = f"{where}: " if where else ""
    tx_id = spreadsheet_safe(decision.transaction_id)
    lines = [f"{head}{tx_id}: {decision.category.value.upper()} (as of {decision.as_of.isoformat()})"]
    for r in decision.reasons:
        cites = f" [{'; '.join(r.citations)}]" if r.citations else ""
        lines.append(f"  - {r.category.value} {r.rule_id}: {r.message}{cites}")
    for m in decision.matches:
        lines.append(f"  match: {format_match(m)}")
    for t in decision.item_tiers:
        tiers = ", ".join(t.tiers) if t.tiers else "unclassified"
        lines.append(f"  item {t.item_index + 1} ({t.description}): {tiers}")
    return "\n".join(terminal_safe(line) for line in lines)
