"""exportscreen.dask on a real distributed.LocalCluster with 2 spawned worker processes: the output
equals Screener.match_many / Screener.screen row for row, carries the registry version, and a worker
whose lists differ from the client's is refused."""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from exportscreen.orders import load_orders
from exportscreen.screener import Screener

HAVE_DASK = importlib.util.find_spec("distributed") is not None
# CI installs the extra ('.[dev,dask]'): there a missing dask fails these tests instead of skipping them
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not HAVE_DASK and os.environ.get("CI", "").lower() != "true", reason="the dask extra is not installed"
    ),
]
REPO = Path(__file__).resolve().parents[2]
NAMES = [
    "Semiconductor Manufacturing International Corporation",
    "Huawei Technologies Co., Ltd.",
    "Taiwan Semiconductor Manufacturing Company",
    "Acme Widgets GmbH",
    "Lyon Capteurs SARL",
    "SMIC",
    "Hua Wei Technologies",
    "Yangtze Memory Technologies Co., Ltd.",
]


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    import dask
    from distributed import Client, LocalCluster

    assert dask.config.get("distributed.worker.multiprocessing-method") == "spawn"
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def local() -> Screener:
    return Screener()


def _parties() -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for i in range(200):
        name = NAMES[i % len(NAMES)]
        out.append((name if i < len(NAMES) else f"{name} {i}", ["CN", None, "DE", "TW"][i % 4]))
    return out


# dask 2026.8's read_parquet calls reset_index(inplace=True), deprecated by pandas 3.1: theirs, not ours
@pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame")
@pytest.mark.filterwarnings("ignore:An error occurred while calling the read_parquet method")
def test_match_parties_equals_match_many(client: Any, local: Screener, tmp_path: Path) -> None:
    import dask.dataframe as dd
    import pandas as pd

    from exportscreen.dask import ScreenerSpec, match_parties, party_rows, read_parties

    parties = _parties()
    frame = pd.DataFrame({"name": [n for n, _ in parties], "country": [c for _, c in parties]})
    frame.to_parquet(tmp_path / "parties.parquet")
    ddf = read_parties(tmp_path / "parties.parquet").repartition(npartitions=4)
    assert isinstance(ddf, dd.DataFrame)
    out = match_parties(ddf, client=client, spec=ScreenerSpec(), country_column="country").compute()
    expected = pd.DataFrame(party_rows(local, [n for n, _ in parties], [c for _, c in parties], limit=5, as_of=None))
    assert list(out["matches_json"]) == list(expected["matches_json"])
    assert out["match_count"].tolist() == expected["match_count"].tolist()
    assert set(out["registry_version"]) == {local.registry.version}
    smic = out[out["name"] == NAMES[0]].iloc[0]
    assert smic["best_strength"] == "hit" and smic["best_list"] == "EL"
    tsmc = out[out["name"] == NAMES[2]].iloc[0]
    assert str(tsmc["best_strength"]) != "hit"  # TSMC is not SMIC
    # the same through Parquet out and back
    match_parties(ddf, client=client, country_column="country").to_parquet(str(tmp_path / "out"))
    back = dd.read_parquet(str(tmp_path / "out")).compute()
    assert back["matches_json"].tolist() == out["matches_json"].tolist()


def test_screen_orders_equals_screen(client: Any, local: Screener) -> None:
    import dask.bag as db

    from exportscreen.dask import screen_orders

    txs = [o.data for p in sorted((REPO / "examples" / "transactions").iterdir()) for o in load_orders(p)]
    out = screen_orders(db.from_sequence(txs, npartitions=3), client=client).compute()
    expected = [local.screen(tx).to_json(indent=None) for tx in txs]
    assert out["decision_json"].tolist() == expected
    assert out["error"].isna().all() and set(out["registry_version"]) == {local.registry.version}
    assert {json.loads(d)["category"] for d in expected} >= {"sensitive", "less_risky"}


def test_a_worker_with_other_lists_is_refused(client: Any) -> None:
    from exportscreen.dask import ScreenerSpec, register

    with pytest.raises(Exception, match="the list files differ"):
        register(client, ScreenerSpec(), registry_version="0" * 64)


@pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame")
@pytest.mark.filterwarnings("ignore:An error occurred while calling the read_parquet method")
def test_a_missing_name_is_an_error_row_never_a_clean_one(client: Any, tmp_path: Path) -> None:
    import pandas as pd

    from exportscreen.dask import match_parties, read_parties

    names = pd.array([NAMES[1], None, NAMES[0]], dtype="string")
    pd.DataFrame({"name": names}).to_parquet(tmp_path / "gaps.parquet")
    out = match_parties(read_parties(tmp_path / "gaps.parquet"), client=client).compute()
    assert out["error"].isna().tolist() == [True, False, True]
    gap = out.iloc[1]
    assert "missing" in gap["error"] and gap["match_count"] == 0 and pd.isna(gap["name"])
    assert out.iloc[0]["best_strength"] == "hit" and out.iloc[2]["best_strength"] == "hit"


def test_two_specs_on_one_client_each_screen_with_their_own_packs(client: Any) -> None:
    """Specs that differ only in their packs load the same registry version: each graph must still
    screen with its own spec's Screener, not with the one registered last."""
    import dask.bag as db

    from exportscreen.dask import ScreenerSpec, screen_orders
    from exportscreen.rules import bundled_pack_paths

    one_pack = str(bundled_pack_paths()[0])
    txs = [o.data for p in sorted((REPO / "examples" / "transactions").iterdir())[:3] for o in load_orders(p)]
    narrow = screen_orders(db.from_sequence(txs, npartitions=2), client=client, spec=ScreenerSpec(packs=(one_pack,)))
    full = screen_orders(db.from_sequence(txs, npartitions=2), client=client, spec=ScreenerSpec())
    got_narrow, got_full = narrow.compute(), full.compute()
    narrow_local, full_local = Screener(packs=[one_pack]), Screener()
    assert got_narrow["decision_json"].tolist() == [narrow_local.screen(t).to_json(indent=None) for t in txs]
    assert got_full["decision_json"].tolist() == [full_local.screen(t).to_json(indent=None) for t in txs]
    assert got_narrow["decision_json"].tolist() != got_full["decision_json"].tolist()
