"""The bounds derived from ``lists/matching.yaml`` follow the file, not a hand-kept constant."""

from __future__ import annotations

from pathlib import Path

import yaml

from exportscreen._data import bundled_dir
from exportscreen.matching.tuning import tuning


def _matching_yaml() -> Path:
    return bundled_dir() / "matching.yaml"


def test_max_bonus_is_the_sum_of_the_positive_feature_points(tmp_path: Path) -> None:
    text = _matching_yaml().read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    raw["features"].update(country_match=3.5, lone_word=1.25, rarest_missing_ratio=0.9)
    changed = tmp_path / "matching.yaml"
    changed.write_text(yaml.safe_dump(raw), encoding="utf-8")
    loaded = tuning(changed)
    not_points = {"rarest_missing_ratio", "same_country_as"}
    positive = {k: v for k, v in raw["features"].items() if k not in not_points and v > 0}
    assert loaded.max_bonus == sum(positive.values())
    assert loaded.max_bonus >= 3.5 + 1.25  # the ratio (a share, not points) is never counted
