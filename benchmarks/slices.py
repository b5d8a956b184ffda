"""Build held-out perturbation slices: ``python -m benchmarks.slices OUT_DIR [--data DIR]``.

The two development slices in ``../shared/eval/ssb`` (seed 0, the first 250 China entries of the
July 2026 Entity List and the first 250 SDN individuals of the 2022 CSL) are looked at while the
matcher is developed. These slices are built the same way (``sanctions-screening-benchmark``'s
``build``: its 18 perturbation classes over each entity's primary name, two variants per class,
its three negative classes) from *other* entities, *other* lists and *other* seeds, and are only
measured, never tuned on. Needs the optional extra ``bench`` (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: name -> (seed, how many entities of the pool to skip, pool builder name, individuals only)
HELD_OUT: dict[str, tuple[int, int, str, bool]] = {
    "el-china-next250-seed1": (1, 250, "el_china", False),
    "el-russia-seed2": (2, 0, "el_russia", False),
    "sdn-individuals-next250-seed3": (3, 250, "sdn_individuals", True),
    "sdn-entities-seed4": (4, 0, "sdn_entities", False),
    "nsfreg-other-lists-seed5": (5, 0, "other_lists", False),
}
POOL_SIZE = 250


def _entity(sources: Any, eid: str, name: str, kind: str, aliases: list[str]) -> Any:
    return sources.Entity(
        entity_id=eid, primary_name=name.strip(), entity_type=kind, aliases=[a.strip() for a in aliases if a.strip()]
    )


def _nsfreg(data: Path, sources: Any, file: str, prefix: str, country: str | None = None) -> list[Any]:
    d = json.loads((data / "nsfreg_2026-07" / file).read_text(encoding="utf-8"))
    return [
        _entity(sources, f"{prefix}-{i:05d}", e["name"], "entity", e.get("aliases", []))
        for i, e in enumerate(d["entities"])
        if (country is None or e.get("country") == country) and e["name"].strip()
    ]


def _csl(data: Path, sources: Any, individuals: bool) -> list[Any]:
    out = []
    with (data / "csl" / "consolidated_2022-05.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if not r["source"].startswith("Specially Designated") or (r["type"] == "Individual") != individuals:
                continue
            if not individuals and r["type"] not in ("Entity", ""):
                continue  # vessels and aircraft are no party names
            # ``sdn-*`` ids are individuals when a slice is scored (the slices' README): entities get ``sdnent-*``
            kind, prefix = ("individual", "sdn") if individuals else ("entity", "sdnent")
            out.append(_entity(sources, f"{prefix}-{r['_id']}", r["name"], kind, r["alt_names"].split(";")))
    return out


def _pools(data: Path, sources: Any) -> dict[str, Callable[[], list[Any]]]:
    return {
        "el_china": lambda: _nsfreg(data, sources, "bis_entity_list.json", "el", "China"),
        "el_russia": lambda: _nsfreg(data, sources, "bis_entity_list.json", "el", "Russia"),
        "sdn_individuals": lambda: _csl(data, sources, True),
        "sdn_entities": lambda: _csl(data, sources, False),
        "other_lists": lambda: (
            _nsfreg(data, sources, "bis_meu.json", "meu")
            + _nsfreg(data, sources, "dow_1260h.json", "dod")
            + _nsfreg(data, sources, "ofac_nscmic.json", "cmic")
        ),
    }


def build_held_out(out_dir: Path, data: Path) -> list[Path]:
    """Write every ``HELD_OUT`` slice into ``out_dir`` (kept when already there); their paths."""
    return build_slices(out_dir, data, HELD_OUT)


def build_slices(out_dir: Path, data: Path, specs: dict[str, tuple[int, int, str, bool]]) -> list[Path]:
    """Write every slice of ``specs`` (as ``HELD_OUT``) into ``out_dir`` (kept when already there)."""
    from ssb import benchmark, sources

    out_dir.mkdir(parents=True, exist_ok=True)
    pools = _pools(data, sources)
    written: list[Path] = []
    for name, (seed, skip, pool, individuals) in specs.items():
        path = out_dir / f"{name}.json"
        written.append(path)
        if path.is_file():
            continue
        entities = pools[pool]()
        entities = [e for e in entities if len(e.primary_name.split()) >= 2]
        entities.sort(key=lambda e: e.entity_id)
        snapshot = sources.ListSnapshot(
            source=pool, retrieved_at="held-out", entities=entities[skip:], endpoint=pool
        )
        b = benchmark.build(
            snapshot, limit=POOL_SIZE, seed=seed, max_per_class=2, individuals_only=individuals, negatives_per_class=2
        )
        b.to_json(str(path))
    return written


def main(argv: list[str] | None = None) -> int:
    from exportscreen.commands.eval import shared_data_dir

    parser = argparse.ArgumentParser(prog="python -m benchmarks.slices", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--data", type=Path, default=shared_data_dir())
    args = parser.parse_args(argv)
    for path in build_held_out(args.out, args.data):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
