"""Scoring perturbation slices as their README says, and the benchmark's own baseline reproduced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exportscreen.commands.eval import run_slices
from exportscreen.matching import MatchSettings
from exportscreen.matching.slices import _ssb_similarity, _ssb_tokens, load_slice

SLICE = {
    "manifest": {},
    "candidates": {
        "el-00001": ["Beijing Sevenstar Flowmeter Co., Ltd.", "Sevenstar"],
        "sdn-1": ["KOZLOV, Dmitry Aleksandrovich"],
    },
    "cases": [
        {"query": "Beijing Sevenstar Flowmetre Co Ltd", "expected_entity_id": "el-00001", "perturbation": "typo"},
        {"query": "Dmitry Aleksandrovich KOZLOV", "expected_entity_id": "sdn-1", "perturbation": "name_order"},
        {"query": "Nothing Alike Trading", "expected_entity_id": "sdn-1", "perturbation": "typo"},
        {"query": "Ivan KOZLOV", "expected_entity_id": None, "perturbation": "cross_pair"},
        {"query": "Beijing Sevenstar Flowmeter Co., Ltd.", "expected_entity_id": None, "perturbation": "token_swap"},
    ],
}


def test_slice_scoring(tmp_path: Path) -> None:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(SLICE), encoding="utf-8")
    results = run_slices([path], MatchSettings())
    mine = results[0]
    assert [r.matcher for r in results] == ["exportscreen", "wratio", "ssb_jw"]
    assert mine.classes["typo"].n == 2 and mine.classes["typo"].found == 1
    assert mine.class_rate("name_order") == 1.0
    assert mine.negative_classes == {"cross_pair", "token_swap"}
    assert mine.false_hit_rate == 0.5  # the listed name itself, labelled negative, is a hit
    assert 0 < mine.recall < 1


def test_ssb_baseline_is_the_benchmarks_own() -> None:
    matching = pytest.importorskip("ssb.matching", reason="optional extra bench")
    from rapidfuzz.distance import JaroWinkler

    pairs = [("Dr. Ayman AL-ZAWAHIRI", "AL-ZAWAHIRI, Ayman"), ("Sevenstar Flowmeter", "Beijing Sevenstar Flowmeter Co")]
    for q, c in pairs:
        expected = matching.token_set_similarity(q, c)
        assert _ssb_similarity(_ssb_tokens(q), _ssb_tokens(c), JaroWinkler.similarity) == pytest.approx(expected)


def test_slice_file_that_is_no_slice(tmp_path: Path) -> None:
    from exportscreen._errors import InputError

    bad = tmp_path / "bad.json"
    bad.write_text('{"cases": 3}', encoding="utf-8")
    with pytest.raises(InputError):
        load_slice(bad)
