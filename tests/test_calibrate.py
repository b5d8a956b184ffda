"""``benchmarks.calibrate``: the experiment of a logistic name score (issue 16) measures what
``exportscreen eval`` measures, fits what it claims, and keeps the index's bound."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from benchmarks import calibrate as cal
from benchmarks.logistic import Samples, fit, solve
from exportscreen.commands.eval import run_slices
from exportscreen.matching import MatchSettings

SLICE = {
    "manifest": {},
    "candidates": {
        "el-00001": ["Beijing Sevenstar Flowmeter Co., Ltd.", "Sevenstar"],
        "el-00002": ["Sevenstar Electronics Trading Co., Ltd."],
        "sdn-1": ["KOZLOV, Dmitry Aleksandrovich"],
    },
    "cases": [
        {"query": "Beijing Sevenstar Flowmetre Co Ltd", "expected_entity_id": "el-00001", "perturbation": "typo"},
        {"query": "Dmitry Aleksandrovich KOZLOV", "expected_entity_id": "sdn-1", "perturbation": "name_order"},
        {"query": "Sevenstar Electronic Trading", "expected_entity_id": "el-00001", "perturbation": "typo"},
        {"query": "Nothing Alike Trading", "expected_entity_id": "sdn-1", "perturbation": "typo"},
        {"query": "Ivan KOZLOV", "expected_entity_id": None, "perturbation": "cross_pair"},
        {"query": "Beijing Sevenstar Flowmeter Co., Ltd.", "expected_entity_id": None, "perturbation": "token_swap"},
        {"query": "Sevenstar Flowmeter Holdings", "expected_entity_id": None, "perturbation": "token_swap"},
    ],
}


def test_the_hand_set_figures_are_those_of_eval(tmp_path: Path) -> None:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(SLICE), encoding="utf-8")
    settings = MatchSettings()
    ds = cal.slice_data(path)
    assert all(len(r.x) == len(cal.FEATURES) for c in ds.cases for r in c.rows)
    got = cal.measure(ds, lambda r: r.hand, settings.review, settings.hit)
    ref = run_slices([path], settings, baselines=False)[0]
    assert (got["recall"], got["false hit"], got["false rev"]) == (
        ref.recall,
        ref.false_hit_rate,
        ref.false_review_rate,
    )
    # the row of a positive's own entry is labelled; another entry's is not
    typo = ds.cases[0]
    assert any(r.target for r in typo.rows) and not any(r.target for r in ds.cases[4].rows)


def test_newton_recovers_the_weights_of_a_logistic() -> None:
    samples: Samples = {}
    for i in range(-8, 9):
        x = i / 4
        p = 1 / (1 + math.exp(-(-1.0 + 2.0 * x)))
        samples[((1.0, x), True)] = round(100_000 * p)
        samples[((1.0, x), False)] = round(100_000 * (1 - p))
    bias, slope = fit(samples, ridge=1e-6)
    assert bias == pytest.approx(-1.0, abs=1e-3) and slope == pytest.approx(2.0, abs=1e-3)
    # the penalty pulls the slope, never the bias term's column alone
    _, shrunk = fit(samples, ridge=1e6)
    assert abs(shrunk) < 0.5


def test_solve() -> None:
    assert solve([[0.0, 2.0], [4.0, 1.0]], [4.0, 6.0]) == pytest.approx([1.0, 2.0])


def test_thresholds_flag_as_many_negatives_as_allowed() -> None:
    flags = [5.0, 4.0, 3.0, 2.0, -math.inf]
    for allowed in range(5):
        t = cal._threshold(flags, allowed)
        assert sum(f >= t for f in flags) == allowed


def test_a_calibrated_fuzzy_name_stays_under_the_index_bound() -> None:
    d = len(cal.FEATURES)
    model = cal.Calibrated(((10.0,) + (0.0,) * (d - 1), (0.0,) * d), False, 0.0, 1.0)
    fuzzy = cal.Row(0, True, 60.0, (1.0,) + (0.0,) * (d - 1), bound=65.0)
    floored = cal.Row(0, True, 60.0, (1.0,) + (0.0,) * (d - 1), bound=math.inf)
    assert model.score(fuzzy, 70.0, 88.0) == 65.0  # the logit alone would give 100
    assert model.score(floored, 70.0, 88.0) == 100.0
    person = cal.Row(0, True, 60.0, tuple(1.0 if i in (0, cal._PERSON) else 0.0 for i in range(d)), math.inf)
    assert model.logit(person) == 0.0  # people have weights of their own
