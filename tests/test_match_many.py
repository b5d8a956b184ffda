"""Screener.match_many: input order, the same matches as match_name, errors in place, worker pools."""

from __future__ import annotations

import datetime as dt

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
