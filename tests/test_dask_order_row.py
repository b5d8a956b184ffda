"""exportscreen.dask.order_row reads an order's JSON text as strictly as an order file: a repeated key
is an error row, never a row screened on whichever value came last; party_rows reads a placeholder name
as match --file does (no cluster needed)."""

from __future__ import annotations

import pytest

pytest.importorskip("distributed")

from exportscreen.dask import order_row, party_rows
from exportscreen.screener import Screener

_HUAWEI_THEN_ACME = (
    '{"id": "T1", "destination": "CN", "parties": [{"role": "ultimate_consignee",'
    ' "name": "Huawei Technologies Co., Ltd.", "name": "Acme Trading Ltd.", "country": "CN"}],'
    ' "items": [{"description": "Office chair", "eccn": "EAR99"}]}'
)


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener()


def test_a_repeated_key_in_an_order_row_is_an_error_not_the_last_value(screener: Screener) -> None:
    row = order_row(screener, _HUAWEI_THEN_ACME, None)
    assert row["category"] is None, row
    assert "duplicate key 'name'" in row["error"]
    assert row["transaction_id"] is None or row["transaction_id"] == "T1"


def test_a_placeholder_name_is_an_error_row_as_in_match_file(screener: Screener) -> None:
    names = ["TBD", "Customer 1", "100234", "Lyon Capteurs SARL"]
    cols = party_rows(screener, names, [None] * len(names), limit=5, as_of=None)
    assert [e is not None and "names nobody" in e for e in cols["error"]] == [True, True, True, False]
    assert cols["match_count"][:3] == [0, 0, 0]
