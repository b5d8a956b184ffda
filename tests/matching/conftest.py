"""Registries for matching tests: a small hand-built one, and the full CSL plus bundled lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from exportscreen.matching import MatchSettings
from exportscreen.matching.engine import NameMatcher
from exportscreen.registry import load_registry
from exportscreen.registry.model import Entry, Registry, Source


def _entry(i: int, name: str, **kw: object) -> Entry:
    return Entry(id=str(i), source="t", list="EL", name=name, **kw)  # type: ignore[arg-type]


SMALL = [
    _entry(
        1,
        "Semiconductor Manufacturing International Corporation (SMIC)",
        country="CN",
        type="entity",
        other_names=("中芯国际",),
        addresses=("18 Zhangjiang Road, Pudong New Area, Shanghai, CN",),
    ),
    _entry(
        2,
        "Semiconductor Manufacturing International (Beijing) Corporation",
        country="CN",
        type="entity",
        aliases=("SMIC Beijing",),
        addresses=("18 Wenchang Avenue, Beijing Economic-Technological Development Area, Beijing, CN",),
    ),
    _entry(3, "11420 CORP.", type="entity"),
    _entry(4, "George HABBASH", type="individual"),
    _entry(5, "EMMA LLC", type="entity"),
    _entry(
        6,
        "Huawei Technologies Co., Ltd.",
        country="CN",
        type="entity",
        addresses=("Bantian Huawei Base, Longgang District, Shenzhen, CN",),
    ),
    _entry(7, "Sugon", aliases=("Dawning Information Industry Co., Ltd.",), country="CN", type="entity"),
    _entry(8, "Yangtze Memory Technologies Co., Ltd.", country="CN", type="entity"),
    _entry(9, "Shanghai Micro Electronics Equipment (Group) Co., Ltd.", country="CN", type="entity"),
    _entry(10, "Beijing University of Technology", country="CN", type="entity"),
]


@pytest.fixture(scope="session")
def small_registry() -> Registry:
    return Registry([Source(id="t", name="test", list="EL")], SMALL)


@pytest.fixture(scope="session")
def small_matcher(small_registry: Registry) -> NameMatcher:
    return NameMatcher(small_registry, floor=MatchSettings().review, use_cache=False)


@pytest.fixture(scope="session")
def csl_registry(shared_data: Path) -> Registry:
    return load_registry(shared_data / "csl" / "consolidated_2022-05.csv") + load_registry()


@pytest.fixture(scope="session")
def csl_matcher(csl_registry: Registry) -> NameMatcher:
    return NameMatcher(csl_registry, floor=MatchSettings().review, use_cache=False)
