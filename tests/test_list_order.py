"""A Decision does not depend on the order in which the lists were loaded, nor on the compiled-index cache.

The compiled index refers to entries by position. Its cache key once came from ``Registry.version``,
which does not depend on the entry order, so the index of "CSL + bundled" was served for "bundled +
CSL" and hits pointed at other entries ("Yangtze Memory Technologies" reported as ALFA-BANK). Here
the same lists, in any order of files and of entries, cold or warm cache, in this process or another,
give byte-identical Decision JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from exportscreen import Screener
from exportscreen.matching import cache as compiled
from exportscreen.registry import Registry, bundled_list_paths, load_registry

REPO = Path(__file__).resolve().parent.parent
#: Each part is loaded on its own; the bundled lists load together, as the overlays need their lists.
LIST_FILES: list[Path | tuple[Path, ...]] = [
    tuple(bundled_list_paths()),
    REPO / "examples" / "lists" / "blocked_customers.csv",
    REPO / "tests" / "registry" / "data" / "csl_small.csv",
    REPO / "tests" / "registry" / "data" / "ofac_small",
]
AS_OF = dt.date(2026, 3, 1)


def _combined(parts: Sequence[Registry], order: Sequence[int], shuffle: random.Random | None = None) -> Registry:
    sources = [s for i in order for s in parts[i].sources]
    entries = [e for i in order for e in parts[i].entries]
    if shuffle is not None:
        shuffle.shuffle(entries)
    return Registry(sources, entries)


def _transactions(registry: Registry) -> list[dict[str, object]]:
    """One order per sampled entry listed on AS_OF: its own name (and address), so every result names a
    definite entry."""
    active = sorted((e for e in registry.entries if e.active(AS_OF)), key=lambda e: e.key)
    sampled = active[::9] + [e for e in active if not e.source.startswith("bis-")]
    out: list[dict[str, object]] = []
    unique = {e.key: e for e in sampled}
    for n, e in enumerate(unique[k] for k in sorted(unique)):
        party: dict[str, object] = {"role": "ultimate_consignee", "name": e.name}
        if e.addresses:
            party["address"] = e.addresses[0]
        out.append(
            {
                "id": f"ORDER-{n}",
                "destination": e.country or "CN",
                "parties": [party],
                "items": [{"description": "Office printer", "eccn": "EAR99"}],
            }
        )
    return out


def _decisions_json(registry: Registry, transactions: list[dict[str, object]]) -> str:
    screener = Screener(registry=registry)
    return "[" + ",".join(screener.screen(tx, as_of=AS_OF).to_json() for tx in transactions) + "]"


def _assert_same(got: str, expected: str, what: str) -> None:
    """Byte-identical, or a short message naming the first order whose Decision differs."""
    if got == expected:
        return
    for mine, theirs in zip(json.loads(got), json.loads(expected), strict=True):
        if mine != theirs:
            raise AssertionError(
                f"{what}: {mine['transaction_id']} differs: matches {[m['entry_name'] for m in mine['matches']]} "
                f"instead of {[m['entry_name'] for m in theirs['matches']]}"
            )
    raise AssertionError(f"{what}: same Decisions but not byte-identical JSON")


@pytest.fixture(scope="module")
def parts() -> list[Registry]:
    return [_load(p) for p in LIST_FILES]


def _load(part: Path | tuple[Path, ...]) -> Registry:
    return load_registry(*part) if isinstance(part, tuple) else load_registry(part)


@pytest.fixture(scope="module")
def reference(parts: list[Registry], tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, object]], str]:
    """The orders and their Decisions from the lists in file order, built without any cache."""
    registry = _combined(parts, range(len(parts)))
    transactions = _transactions(registry)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EXPORTSCREEN_CACHE_DIR", str(tmp_path_factory.mktemp("reference-cache")))
        return transactions, _decisions_json(registry, transactions)


def test_the_reference_orders_find_their_entries(reference: tuple[list[dict[str, object]], str]) -> None:
    transactions, text = reference
    decisions = json.loads(text)
    assert len(decisions) == len(transactions) >= 25
    found = sum(1 for tx, d in zip(transactions, decisions, strict=True) if d["matches"])
    assert found == len(transactions), "every order names a listed entry and must match it"


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # a failure is clear as drawn: no slow shrinking
)
@given(order=st.permutations(range(len(LIST_FILES))), seed=st.integers(0, 2**32 - 1), shuffle=st.booleans())
def test_any_list_order_cold_or_warm_cache_gives_the_same_decisions(
    parts: list[Registry],
    reference: tuple[list[dict[str, object]], str],
    tmp_path_factory: pytest.TempPathFactory,
    order: list[int],
    seed: int,
    shuffle: bool,
) -> None:
    transactions, expected = reference
    registry = _combined(parts, order, random.Random(seed) if shuffle else None)
    shared = tmp_path_factory.getbasetemp() / "shared-order-cache"  # holds the indexes of the earlier examples
    cold = tmp_path_factory.mktemp("cold-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EXPORTSCREEN_CACHE_DIR", str(shared))
        _assert_same(_decisions_json(registry, transactions), expected, "cache holding other orders' indexes")
        mp.setenv("EXPORTSCREEN_CACHE_DIR", str(cold))
        _assert_same(_decisions_json(registry, transactions), expected, "cold cache")
        built: list[str] = []
        real = compiled.compile_registry
        mp.setattr(compiled, "compile_registry", lambda *a, **k: built.append("built") or real(*a, **k))
        _assert_same(_decisions_json(registry, transactions), expected, "warm cache")
        assert built == [], "the second screener of the same lists in the same order reads the cache"


_CHILD = """
import json, sys
from exportscreen import Screener
from exportscreen.registry import Registry
sys.path.insert(0, {tests!r})
from test_list_order import AS_OF, LIST_FILES, _combined, _load, _transactions
parts = [_load(p) for p in LIST_FILES]
transactions = _transactions(_combined(parts, range(len(parts))))
texts = []
for order in json.loads(sys.argv[1]):
    screener = Screener(registry=_combined(parts, order))
    texts.append("[" + ",".join(screener.screen(tx, as_of=AS_OF).to_json() for tx in transactions) + "]")
print(json.dumps(texts))
"""


def test_another_process_in_another_order_over_the_same_cache_gives_the_same_decisions(
    parts: list[Registry], reference: tuple[list[dict[str, object]], str], tmp_path: Path
) -> None:
    transactions, expected = reference
    cache = tmp_path / "cache"
    forward = list(range(len(parts)))
    backward = forward[::-1]
    env = {**os.environ, "EXPORTSCREEN_CACHE_DIR": str(cache), "PYTHONHASHSEED": "random"}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EXPORTSCREEN_CACHE_DIR", str(cache))
        assert _decisions_json(_combined(parts, forward), transactions) == expected
    script = _CHILD.format(tests=str(Path(__file__).parent))
    orders = [backward, forward]  # the other order over a cache holding this one's index, then a warm read
    out = subprocess.run(
        [sys.executable, "-c", script, json.dumps(orders)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    ).stdout
    for order, text in zip(orders, json.loads(out), strict=True):
        _assert_same(text, expected, f"another process, list order {order}")
