"""Screener.match_many: input order, the same matches as match_name, errors in place, worker pools."""

from __future__ import annotations

import datetime as dt
import gc

import pytest

from exportscreen import InputError
from exportscreen.screener import default_screener

ON = dt.date(2026, 3, 1)
NAMES = ["Huawei Technologies Co., Ltd.", "Lyon Capteurs SARL", "SMIC", "Hikvision Digital", "Sugon"] * 7


@pytest.mark.parametrize("workers", [1, 2])
def test_match_many_keeps_input_order_and_matches_single_calls(workers: int) -> None:
    screener = default_screener()
    results = list(screener.match_many(NAMES, as_of=ON, workers=workers))
    assert len(results) == len(NAMES)
    for name, found in zip(NAMES, results, strict=True):
        assert found == screener.match_name(name, as_of=ON), name


@pytest.mark.parametrize("workers", [1, 2])
def test_match_many_errors_in_place(workers: int) -> None:
    screener = default_screener()
    names = ["Huawei Technologies", "...", "Sugon"]
    results = list(screener.match_many(names, as_of=ON, workers=workers, return_errors=True))
    assert isinstance(results[1], InputError)
    assert results[0] and results[2]
    with pytest.raises(InputError):
        list(screener.match_many(names, as_of=ON, workers=workers))


def test_worker_pool_leaves_the_collector_as_it_found_it() -> None:
    """A pool freezes the heap while it runs; afterwards nothing stays frozen, and a freeze made
    before it (the command line freezes its loaded lists) is not undone."""
    screener = default_screener()
    gc.unfreeze()
    list(screener.match_many(NAMES[:6], as_of=ON, workers=2))
    assert gc.get_freeze_count() == 0
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        list(screener.match_many(NAMES[:6], as_of=ON, workers=2))
        assert gc.get_freeze_count() >= 0.9 * frozen  # objects freed meanwhile leave the frozen set
    finally:
        gc.unfreeze()
