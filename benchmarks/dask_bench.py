"""Dask against the local process pool, measured in one run.

``python -m benchmarks.dask_bench [--names N] [--smoke]``

N generated party names (deterministic; ``benchmarks.rescreen_bench.party_names``), each with a
country, matched against the bundled lists: by ``exportscreen.dask.match_parties`` on a
``distributed.LocalCluster`` of 2 worker processes (one thread each; partitions of 10,000 names,
the cluster and its plugin started inside the timing), and by ``Screener.match_many(workers=2)``.
Both outputs are compared row for row (``matches_json``). Prints names/s and the ratio.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

from benchmarks.rescreen_bench import party_names


def main(argv: list[str] | None = None) -> int:
    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client, LocalCluster

    from exportscreen.dask import match_parties
    from exportscreen.screener import Screener

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--names", type=int, default=1_000_000)
    ap.add_argument("--smoke", action="store_true", help="5,000 names: checks it runs")
    args = ap.parse_args(argv)
    n = 5000 if args.smoke else args.names
    parties = party_names(n, seed=99)
    names, countries = [p[0] for p in parties], [p[1] for p in parties]
    screener = Screener()

    started = time.perf_counter()
    local = party_rows_pool(screener, names, countries)
    local_s = time.perf_counter() - started

    started = time.perf_counter()
    frame = pd.DataFrame({"name": names, "country": countries})
    ddf = dd.from_pandas(frame, chunksize=10_000)
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        out = match_parties(ddf, client=client, country_column="country").compute()
    dask_s = time.perf_counter() - started
    same = out["matches_json"].tolist() == local
    cpu = platform.processor() or platform.machine()
    print(f"machine: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}; {n:,} names")
    print(f"local pool (match_many, 2 workers): {local_s:.1f} s, {n / local_s:,.0f} names/s")
    print(f"dask LocalCluster (2 workers, start-up included): {dask_s:.1f} s, {n / dask_s:,.0f} names/s")
    print(f"ratio dask / local: {local_s / dask_s:.2f}x the local speed; same output: {same}")
    return 0 if same else 1


def party_rows_pool(screener: object, names: list[str], countries: list[str | None]) -> list[str]:
    """``matches_json`` of every name through ``match_many`` with 2 workers (the local baseline)."""
    import json

    from exportscreen.screener import Screener

    assert isinstance(screener, Screener)
    found = screener.match_many(zip(names, countries, strict=True), workers=2, return_errors=True)
    out = []
    for r in found:
        matches = r if isinstance(r, list) else []
        out.append(json.dumps([m.model_dump(mode="json") for m in matches], sort_keys=True, ensure_ascii=False))
    return out


if __name__ == "__main__":
    raise SystemExit(main())
