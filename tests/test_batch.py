"""Batch screening: input order, worker pools, errors in place."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from exportscreen import Decision, ExportscreenError, InputError
from exportscreen.screener import default_screener

ON = dt.date(2026, 3, 1)


def _tx(i: int) -> dict[str, Any]:
    name = "Huawei Technologies Co., Ltd." if i % 3 == 0 else f"Lyon Capteurs {i} SARL"
    return {
        "id": f"B-{i}",
        "destination": "CN",
        "parties": [{"role": "purchaser", "name": name}],
        "items": [{"description": "cable", "eccn": "EAR99"}],
    }


@pytest.mark.parametrize("workers", [1, 2])
def test_screen_many_keeps_input_order_and_matches_single_calls(workers: int) -> None:
    screener = default_screener()
    txs = [_tx(i) for i in range(30)]
    results = list(screener.screen_many(txs, as_of=ON, workers=workers, chunksize=4))
    assert [r.transaction_id for r in results if isinstance(r, Decision)] == [t["id"] for t in txs]
    assert [r.to_json() for r in results if isinstance(r, Decision)] == [
        screener.screen(t, as_of=ON).to_json() for t in txs
    ]


@pytest.mark.parametrize("workers", [1, 2])
def test_screen_many_errors(workers: int) -> None:
    screener = default_screener()
    txs = [_tx(0), {"id": "bad", "destination": "Narnia"}, _tx(2)]
    results = list(screener.screen_many(txs, as_of=ON, workers=workers, return_errors=True))
    assert isinstance(results[0], Decision) and isinstance(results[2], Decision)
    assert isinstance(results[1], InputError) and "destination" in str(results[1])
    with pytest.raises(ExportscreenError):
        list(screener.screen_many(txs, as_of=ON, workers=workers))
