"""JSON report of ``exportscreen check``: the list of Decisions, in file order.

Every string passes through ``spreadsheet_safe``, so a value that a spreadsheet would run as a
formula (an order id or item description such as ``=HYPERLINK(...)``) comes out with a leading
apostrophe instead of being re-emitted as it was read.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from exportscreen.baseline import OrderResult
from exportscreen.orders_csv import spreadsheet_safe

__all__ = ["format_json", "safe_json"]


def safe_json(value: Any) -> Any:
    """``value`` with every string made spreadsheet-safe (recursively through lists and dicts)."""
    if isinstance(value, str):
        return spreadsheet_safe(value)
    if isinstance(value, list):
        return [safe_json(v) for v in value]
    if isinstance(value, dict):
        return {k: safe_json(v) for k, v in value.items()}
    return value


def format_json(results: Sequence[OrderResult]) -> str:
    """A JSON array of the Decisions, with deterministic key order."""
    return json.dumps([safe_json(r.decision.to_dict()) for r in results], indent=2, sort_keys=True, ensure_ascii=False)
