"""Fixtures of the ledger tests: one Screener over the bundled lists, the example transactions screened."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from exportscreen.models import Decision, Transaction
from exportscreen.screener import Screener, validate_transaction

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


@pytest.fixture(scope="session")
def screener() -> Screener:
    return Screener()


@pytest.fixture(scope="session")
def transactions() -> list[Transaction]:
    out: list[Transaction] = []
    for path in sorted((EXAMPLES / "transactions").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out += [validate_transaction(d) for d in (data if isinstance(data, list) else [data])]
    return out


@pytest.fixture(scope="session")
def pairs(screener: Screener, transactions: list[Transaction]) -> list[tuple[Transaction, Decision]]:
    return [(tx, screener.screen(tx)) for tx in transactions]
