"""Screen every example transaction with the library and print a one-line verdict for each.

Run from the repository root:  python examples/compliance_script.py [FILE_OR_DIR ...]
Exit status: 0 all less risky, 1 something sensitive or needing review, 2 something could not be screened.
"""

from __future__ import annotations

import sys
from pathlib import Path

from exportscreen import Category, ExportscreenError, screen
from exportscreen.orders import expand_paths, load_orders

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    targets = argv or [str(HERE / "transactions")]
    worst = Category.LESS_RISKY
    failed = False
    for path in expand_paths(targets):
        try:
            orders = load_orders(path)
        except ExportscreenError as exc:
            print(f"could not read: {exc}", file=sys.stderr)
            failed = True
            continue
        for order in orders:
            try:
                decision = screen(order.data)
            except ExportscreenError as exc:
                print(f"could not screen {path.name}:{order.line}: {exc}", file=sys.stderr)
                failed = True
                continue
            worst = max(worst, decision.category)
            top = decision.reasons[0]
            print(f"{decision.transaction_id:8} {decision.category.value:10} {top.rule_id}: {top.message}")
    if failed:
        return 2
    return 0 if worst is Category.LESS_RISKY else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
