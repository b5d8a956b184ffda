"""The fuzz targets: bytes in, and either a clean result or an ``ExportscreenError`` out."""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

from exportscreen._errors import ExportscreenError
from exportscreen.models import Transaction
from exportscreen.orders import load_orders
from exportscreen.registry import load_registry
from exportscreen.rules import _load_pack_cached, evaluate_pack, load_pack
from exportscreen.rules.facts import Facts
from exportscreen.screener import Screener

REPO = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 3, 1)
_WORK = Path(tempfile.mkdtemp(prefix="exportscreen-fuzz-"))


@cache
def _screener() -> Screener:
    return Screener()


@cache
def _facts() -> Facts:
    tx = {
        "id": "FUZZ-1",
        "destination": "CN",
        "parties": [
            {"role": "end_user", "name": "SMIC Beijing", "owners": [{"name": "Huawei Technologies", "percent": 60}]}
        ],
        "items": [{"description": "GPU", "kind": "ic", "tpp": 5000, "die_area_mm2": 800, "datacenter": True}],
        "end_use_tags": ["military"],
    }
    return _screener().facts(Transaction.model_validate(tx), AS_OF)


def _write(data: bytes, suffix: str) -> Path:
    path = _WORK / f"input{suffix}"
    path.write_bytes(data)
    return path


def _looks_json(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


def orders(data: bytes) -> None:
    """An order file (YAML, or JSON when it starts like JSON), loaded and every order screened."""
    path = _write(data, ".json" if _looks_json(data) else ".yaml")
    try:
        loaded = load_orders(path)
    except ExportscreenError:
        return
    for order in loaded:
        with contextlib.suppress(ExportscreenError):
            _screener().screen(order.data, as_of=AS_OF)


def lists(data: bytes) -> None:
    """A list file: CSV when its first line has commas (CSL), JSON or YAML otherwise."""
    first = data.split(b"\n", 1)[0]
    suffix = ".json" if _looks_json(data) else ".csv" if b"," in first and b":" not in first else ".yaml"
    path = _write(data, suffix)
    try:
        registry = load_registry(path)
    except ExportscreenError:
        return
    for entry in registry.entries:
        assert entry.name.strip(), f"entry {entry.id!r} has an empty name"


def packs(data: bytes) -> None:
    """A rule pack, loaded (validated and cross-checked) and evaluated against fixed facts."""
    path = _write(data, ".yaml")
    # load_pack caches every file content it loaded: cleared each time, so a long run stays small.
    _load_pack_cached.cache_clear()
    try:
        pack = load_pack(path)
    except ExportscreenError:
        return
    evaluate_pack(pack, _facts())


TARGETS: dict[str, Callable[[bytes], None]] = {"orders": orders, "lists": lists, "packs": packs}

#: Seed files per target: the examples, the bundled data and the hostile corpus.
SEEDS: dict[str, list[str]] = {
    "orders": ["examples/transactions/*", "tests/data/good/*", "tests/data/bad/*", "tests/hostile/orders/*"],
    "lists": ["lists/registry/*.yaml", "tests/registry/data/*", "tests/hostile/lists/*"],
    "packs": ["lists/packs/*/rules.yaml", "tests/hostile/packs/*"],
}


def seed_files(target: str) -> list[Path]:
    out: list[Path] = []
    for pattern in SEEDS[target]:
        out += sorted(p for p in REPO.glob(pattern) if p.is_file())
    return out
