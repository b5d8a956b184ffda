"""Scale-out on Dask (the ``dask`` extra): screen a Dask DataFrame of parties or orders on a cluster.

The Screener is built once per worker process by ``ScreenerPlugin``, a ``distributed.WorkerPlugin``
registered with ``Client.register_plugin``: it carries a picklable ``ScreenerSpec`` (list files,
whether the bundled lists are in, rule packs), never a Screener, and loads the lists in ``setup``.
The client loads the same lists once first and passes their registry version; a worker whose lists
give another version refuses to start (``ListError``), so one cluster never mixes list versions, and
every output row carries ``registry_version``. Work runs by ``map_partitions`` with a fixed ``meta``;
each partition goes through ``Screener.match_many`` / ``Screener.screen`` on the worker, so the
output equals the local result row for row (``tests/dask``).

    from distributed import Client, LocalCluster
    from exportscreen.dask import ScreenerSpec, match_parties, read_parties

    with LocalCluster(n_workers=2, threads_per_worker=1) as cluster, Client(cluster) as client:
        out = match_parties(read_parties("customers.parquet"), client=client, spec=ScreenerSpec())
        out.to_parquet("matches.parquet")
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exportscreen._errors import ConfigError, ExportscreenError, InputError, ListError
from exportscreen._json_io import parse_json
from exportscreen.matching.words import nobody_named

try:
    import dask.bag as db
    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client, Worker, WorkerPlugin, get_worker
except ImportError as exc:
    raise ConfigError("exportscreen.dask needs the dask extra: pip install 'exportscreen[dask]'") from exc

if TYPE_CHECKING:
    from exportscreen.screener import Screener

__all__ = [
    "ORDER_COLUMNS",
    "PARTY_COLUMNS",
    "PLUGIN_NAME",
    "ScreenerPlugin",
    "ScreenerSpec",
    "match_parties",
    "read_parties",
    "register",
    "screen_orders",
]

#: the prefix of each spec's plugin name (``ScreenerSpec.plugin_name``)
PLUGIN_NAME = "exportscreen-screener"
#: the output columns and their dtypes (``meta``); text is pandas' string dtype (missing: ``pd.NA``), as
#: Parquet stores it
PARTY_COLUMNS: dict[str, str] = {
    "name": "string",
    "country": "string",
    "match_count": "int64",
    "best_score": "float64",
    "best_entry_id": "string",
    "best_list": "string",
    "best_strength": "string",
    "matches_json": "string",
    "error": "string",
    "registry_version": "string",
}
ORDER_COLUMNS: dict[str, str] = {
    "transaction_id": "string",
    "category": "string",
    "decision_json": "string",
    "error": "string",
    "registry_version": "string",
}


@dataclass(frozen=True)
class ScreenerSpec:
    """What a worker loads: list files (``--lists``), the bundled lists or not, rule packs (None: bundled)."""

    lists: tuple[str, ...] = ()
    bundled: bool = True
    packs: tuple[str, ...] | None = None

    @property
    def plugin_name(self) -> str:
        """The worker plugin of this spec: specs that differ only in their packs load the same registry
        version, so each has its own plugin and a graph never screens with another spec's Screener."""
        digest = hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()
        return f"{PLUGIN_NAME}-{digest[:16]}"

    def build(self) -> Screener:
        from exportscreen.registry import load_registry
        from exportscreen.screener import Screener

        if not self.bundled and not self.lists:
            raise ConfigError("a ScreenerSpec without the bundled lists needs list files")
        registry = load_registry() if self.bundled else load_registry(*self.lists)
        if self.bundled and self.lists:
            registry = registry + load_registry(*self.lists)
        return Screener(registry, packs=list(self.packs) if self.packs is not None else None)


class ScreenerPlugin(WorkerPlugin):
    """Builds the worker's Screener in ``setup`` and checks its registry version."""

    def __init__(self, spec: ScreenerSpec, registry_version: str) -> None:
        self.spec = spec
        self.registry_version = registry_version
        self.screener: Screener | None = None

    def setup(self, worker: Worker) -> None:
        screener = self.spec.build()
        if screener.registry.version != self.registry_version:
            raise ListError(
                f"worker {worker.address} loaded registry {screener.registry.version[:12]}, the client "
                f"{self.registry_version[:12]}: the list files differ between machines"
            )
        self.screener = screener


def register(client: Client, spec: ScreenerSpec, *, registry_version: str | None = None) -> str:
    """Load ``spec``'s lists here, register the plugin on every worker (now and joining), and return the
    registry version all of them screen against. ``registry_version`` overrides what is expected."""
    version = registry_version or spec.build().registry.version
    client.register_plugin(ScreenerPlugin(spec, version), name=spec.plugin_name)
    return version


def _worker_screener(spec: ScreenerSpec, version: str) -> Screener:
    plugin = get_worker().plugins.get(spec.plugin_name)
    screener = getattr(plugin, "screener", None)
    if screener is None or screener.registry.version != version:
        raise ListError(f"this worker has no Screener of registry {version[:12]}: call exportscreen.dask.register")
    return screener


def _text(value: Any) -> str | None:
    """A cell as text; missing (None, NaN, pandas' NA: a Parquet or Arrow-backed null) is None."""
    return None if value is None or bool(pd.isna(value)) else str(value)


def party_rows(
    screener: Screener,
    names: Sequence[str | None],
    countries: Sequence[str | None],
    *,
    limit: int,
    as_of: dt.date | None,
) -> dict[str, list[Any]]:
    """The output columns of ``match_many`` over (name, country) pairs (also what a worker computes). A
    missing name (None: an empty Parquet or Arrow cell) is an error row, never searched as text."""
    version = screener.registry.version
    cols: dict[str, list[Any]] = {c: [] for c in PARTY_COLUMNS}
    given = [(n, c) for n, c in zip(names, countries, strict=True) if n is not None]
    found = iter(screener.match_many(given, limit=limit, as_of=as_of, return_errors=True))
    missing = InputError("party name is missing")
    for name, country in zip(names, countries, strict=True):
        result = missing if name is None else next(found)
        nobody = None if name is None or isinstance(result, ExportscreenError) else nobody_named(name)
        if nobody is not None:
            result = InputError(nobody)
        matches = [] if isinstance(result, ExportscreenError) else result
        best = matches[0] if matches else None
        cols["name"].append(name)
        cols["country"].append(country)
        cols["match_count"].append(len(matches))
        cols["best_score"].append(best.score if best else 0.0)
        cols["best_entry_id"].append(best.entry_id if best else None)
        cols["best_list"].append(best.list if best else None)
        cols["best_strength"].append(best.strength if best else None)
        cols["matches_json"].append(
            json.dumps([m.model_dump(mode="json") for m in matches], sort_keys=True, ensure_ascii=False)
        )
        cols["error"].append(str(result) if isinstance(result, ExportscreenError) else None)
        cols["registry_version"].append(version)
    return cols


def _match_partition(
    df: pd.DataFrame,
    name_column: str,
    country_column: str | None,
    limit: int,
    as_of: dt.date | None,
    spec: ScreenerSpec,
    version: str,
) -> pd.DataFrame:
    names = [_text(n) for n in df[name_column]]
    countries: list[str | None] = [_text(c) for c in df[country_column]] if country_column else [None] * len(names)
    cols = party_rows(_worker_screener(spec, version), names, countries, limit=limit, as_of=as_of)
    return pd.DataFrame(cols, index=df.index).astype(PARTY_COLUMNS)


def match_parties(
    ddf: dd.DataFrame,
    *,
    client: Client,
    spec: ScreenerSpec | None = None,
    name_column: str = "name",
    country_column: str | None = None,
    limit: int = 5,
    as_of: dt.date | None = None,
) -> dd.DataFrame:
    """One row per party (the input's index kept): its best match, all matches as JSON, and the registry."""
    if name_column not in ddf.columns or (country_column and country_column not in ddf.columns):
        wanted = name_column if not country_column else f"{name_column!r} and {country_column!r}"
        raise ConfigError(f"the parties need the column(s) {wanted}")
    spec = spec or ScreenerSpec()
    version = register(client, spec)
    meta = pd.DataFrame({c: pd.Series(dtype=t) for c, t in PARTY_COLUMNS.items()})
    on = as_of or dt.date.today()  # one date on every worker, even across midnight
    return ddf.map_partitions(_match_partition, name_column, country_column, limit, on, spec, version, meta=meta)


def order_row(screener: Screener, text: str, as_of: dt.date | None) -> dict[str, Any]:
    """The output row of one order given as JSON text (``screen``; an error is a row, never dropped). The
    text is read as strictly as an order file: a repeated key or a NaN is an error, never the last value."""
    tx_id: object = None
    try:
        tx = parse_json(text)
        tx_id = tx.get("id") if isinstance(tx, dict) else None
        decision = screener.screen(tx, as_of=as_of)
    except (ExportscreenError, ValueError) as exc:
        return {
            "transaction_id": _text(tx_id),
            "category": None,
            "decision_json": None,
            "error": str(exc),
            "registry_version": screener.registry.version,
        }
    return {
        "transaction_id": decision.transaction_id,
        "category": decision.category.value,
        "decision_json": decision.to_json(indent=None),
        "error": None,
        "registry_version": screener.registry.version,
    }


def _screen_partition(
    df: pd.DataFrame, column: str, as_of: dt.date | None, spec: ScreenerSpec, version: str
) -> pd.DataFrame:
    screener = _worker_screener(spec, version)
    rows = [order_row(screener, str(t), as_of) for t in df[column]]
    cols = {c: [r[c] for r in rows] for c in ORDER_COLUMNS}
    return pd.DataFrame(cols, index=df.index).astype(ORDER_COLUMNS)


def screen_orders(
    orders: db.Bag | dd.DataFrame,
    *,
    client: Client,
    spec: ScreenerSpec | None = None,
    column: str = "transaction",
    as_of: dt.date | None = None,
) -> dd.DataFrame:
    """One row per order: a Bag of transaction mappings, or a DataFrame whose ``column`` holds each as JSON."""
    if isinstance(orders, db.Bag):
        frame = orders.map(lambda tx: {column: json.dumps(tx, default=str, ensure_ascii=False)}).to_dataframe(
            meta={column: "object"}
        )
    else:
        frame = orders
    if column not in frame.columns:
        raise ConfigError(f"the orders have no column {column!r} of transactions as JSON")
    spec = spec or ScreenerSpec()
    version = register(client, spec)
    meta = pd.DataFrame({c: pd.Series(dtype=t) for c, t in ORDER_COLUMNS.items()})
    return frame.map_partitions(_screen_partition, column, as_of, spec, version, meta=meta)


def read_parties(path: str | Path, **kwargs: Any) -> dd.DataFrame:
    """A party file as a Dask DataFrame: Parquet (a file or directory) or CSV (read as text)."""
    p = Path(path)
    if p.suffix.lower() == ".csv":
        return dd.read_csv(str(p), dtype=str, keep_default_na=False, **kwargs)
    return dd.read_parquet(str(p), **kwargs)
