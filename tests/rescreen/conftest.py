"""A generated ledger: orders and party rows screened against the bundled lists plus a customer block
list (version 1), and version 2 of that list - entries added (exact and misspelt names, an address),
one changed, one removed."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from exportscreen.ledger import Ledger
from exportscreen.registry import Registry, load_registry
from exportscreen.screener import Screener

ON = dt.date(2026, 11, 2)
LATER = dt.date(2026, 11, 6)

_HEAD = "format: exportscreen-registry/1\nsource: {id: blocked, name: Blocked customers, list: X-BLOCKED, as_of: %s}\n"
V1_ENTRIES = [
    "  - {id: B-1, name: Northwind Precision Trading Ltd, country: HK}",
    "  - {id: B-2, name: Blue Delta Components GmbH, country: DE}",
    "  - {id: B-3, name: Kestrel Optoelectronics Co Ltd, country: CN}",
]
V2_ENTRIES = [
    V1_ENTRIES[0],
    # changed: an alias added (a party cleared against B-2 must be reviewed again)
    "  - {id: B-2, name: Blue Delta Components GmbH, aliases: [Blue Delta Hamburg], country: DE}",
    # B-3 removed: its orders go back to less risky
    "  - {id: B-4, name: Marlowe Vacuum Systems Ltd, country: GB}",
    "  - {id: B-5, name: Quillfeather Semiconductor Equipment Co, country: CN}",
    "  - {id: B-6, name: Ostrava Lithography Services s.r.o., country: CZ, "
    "addresses: ['Prumyslova 1123, 70030 Ostrava, Czech Republic']}",
]

#: names parties in the ledger carry: clean ones, listed ones (bundled and block list) and near misses
CLEAN = [
    "Lyon Capteurs SARL",
    "Taiwan Semiconductor Manufacturing Company Limited",
    "Acme Widgets GmbH",
    "Nordic Pump Systems AB",
    "Sunrise Electronics Trading Co., Ltd.",
    "Meridian Analytical Instruments Inc.",
    "Harbour Logistics Pte Ltd",
    "Polaris Optics BV",
]
LISTED = [
    "Semiconductor Manufacturing International Corporation",
    "Northwind Precision Trading Ltd",
    "Blue Delta Components GmbH",
    "Kestrel Optoelectronics Co Ltd",
]
NEWLY_LISTED = [
    "Marlowe Vacuum Systems Ltd",
    "Marlow Vacuum Systems Limited",
    "Quillfeather Semiconductor Equipment Co., Ltd.",
    "Quilfeather Semiconductor Equipment",
    "Blue Delta Hamburg",
]


def write_list(path: Path, entries: list[str], as_of: dt.date) -> Path:
    path.write_text(_HEAD % as_of.isoformat() + "entries:\n" + "\n".join(entries) + "\n", encoding="utf-8")
    return path


def generated_orders(n: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    names = CLEAN * 3 + LISTED + NEWLY_LISTED
    orders: list[dict[str, Any]] = []
    for i in range(n):
        role = rng.choice(["end_user", "purchaser", "ultimate_consignee"])
        party: dict[str, Any] = {"role": role, "name": rng.choice(names)}
        if i % 11 == 0:
            party["address"] = "Prumyslova 1123, 70030 Ostrava, Czech Republic"
        if i % 13 == 0:
            party["aliases"] = [rng.choice(NEWLY_LISTED + CLEAN)]
        orders.append(
            {
                "id": f"PO-{i:04d}",
                "date": ON.isoformat(),
                "destination": rng.choice(["FR", "DE", "CN", "JP", "GB"]),
                "parties": [party, {"role": "purchaser", "name": rng.choice(CLEAN)}],
                "items": [{"description": "industrial pump", "eccn": "EAR99"}],
            }
        )
        for p in orders[-1]["parties"]:  # every party in the destination: a party without one is a review
            p["country"] = orders[-1]["destination"]
    return orders


def party_rows(seed: int = 11) -> list[tuple[str, str, str | None]]:
    rng = random.Random(seed)
    names = CLEAN * 2 + LISTED + NEWLY_LISTED
    return [(f"C-{i:04d}", rng.choice(names), rng.choice([None, "CN", "DE"])) for i in range(60)]


@pytest.fixture(scope="session")
def bundled() -> Registry:
    return load_registry()


@pytest.fixture(scope="session")
def list_versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("lists")
    return write_list(d / "v1.yaml", V1_ENTRIES, ON), write_list(d / "v2.yaml", V2_ENTRIES, LATER)


@pytest.fixture(scope="session")
def screener_v1(bundled: Registry, list_versions: tuple[Path, Path]) -> Screener:
    return Screener(bundled + load_registry(list_versions[0]))


@pytest.fixture(scope="session")
def screener_v2(bundled: Registry, list_versions: tuple[Path, Path]) -> Screener:
    return Screener(bundled + load_registry(list_versions[1]))


def fill(ledger: Ledger, screener: Screener, orders: list[dict[str, Any]]) -> None:
    """Screen ``orders`` and the party rows into ``ledger`` (one run each)."""
    from exportscreen.screener import validate_transaction

    txs = [validate_transaction(o) for o in orders]
    packs = [p for d in [screener.screen(txs[0], as_of=ON)] for p in d.packs]
    ledger.record(
        ((tx, screener.screen(tx, as_of=ON)) for tx in txs),
        command="check",
        registry=screener.registry,
        as_of=ON,
        packs=packs,
    )
    rows = party_rows()
    found = [screener.match_name(name, country=country, as_of=ON) for _ref, name, country in rows]
    ledger.record_matches(
        ((ref, name, country, m) for (ref, name, country), m in zip(rows, found, strict=True)),
        registry=screener.registry,
        as_of=ON,
    )


@pytest.fixture
def ledger_v1(tmp_path: Path, screener_v1: Screener) -> Iterator[Ledger]:
    with Ledger(tmp_path / "ledger.db") as ledger:
        fill(ledger, screener_v1, generated_orders(80))
        yield ledger
