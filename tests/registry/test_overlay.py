"""The curated overlays on the bundled official lists: nothing curated is lost, nothing is applied blindly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exportscreen._data import bundled_dir
from exportscreen._errors import ListError
from exportscreen.matching import MatchSettings, build_matcher
from exportscreen.registry import Registry, load_registry
from exportscreen.registry.overlay import read_overlay

CAPTURE = Path(__file__).parent / "data" / "curated_matches_f6dbcea.json"
OVERLAYS = sorted((bundled_dir() / "registry").glob("*.overlay.yaml"))
RANK = {"review": 1, "hit": 2}


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def _former_ids() -> dict[str, str]:
    out: dict[str, str] = {}
    for path in OVERLAYS:
        for key, add in read_overlay(path).entries.items():
            for former in add.former_ids:
                assert former not in out, f"{former} is the former id of two entries"
                out[former] = key
    return out


def test_every_curated_entry_has_a_new_home() -> None:
    # 112 EL + 70 MEU curated entries; Huawei Terminal (Shenzhen) joined the Huawei entry.
    former = _former_ids()
    assert len(former) == 182
    assert former["EL-CN-HUAWEI-TERMINAL-SHENZHEN"] == former["EL-CN-HUAWEI"] == "EL-CN-HUAWEI-TECHNOLOGIES-CO-LTD"
    assert former["EL-CN-SMIC"] == "EL-CN-SEMICONDUCTOR-MANUFACTURING-INTERNATIONAL-CORPORATION-SMIC"


def test_every_curated_name_that_matched_still_matches(registry: Registry) -> None:
    """Each name, alias and address that reached its curated entry before the change (captured at
    f6dbcea) reaches the same entry now, at least as strongly."""
    settings = MatchSettings()
    matcher = build_matcher(registry, settings=settings)
    index = {e.id: i for i, e in enumerate(registry.entries)}
    former = _former_ids()
    rows = json.loads(CAPTURE.read_text(encoding="utf-8"))["rows"]
    assert len(rows) == 1472
    lost: list[tuple[str, str, str, str | None]] = []
    for old_id, field, query, country, strength in rows:
        target = index[former[old_id]]
        if field == "address":
            found = matcher.search_address(query, limit=None, min_score=settings.review)
        else:
            found = matcher.search(query, country=country, limit=None, min_score=settings.review)
        best = next((settings.strength(c.score) for c in found if c.entry_index == target), None)
        if best is None or RANK[best] < RANK[strength]:
            lost.append((old_id, field, query, best))
    assert lost == []


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


LIST = """format: exportscreen-registry/1
source: {id: t, name: Test, list: EL, as_of: 2026-07-09}
entries:
  - {id: EL-CN-ACME, name: Acme Co., country: CN, license_requirement: "For all items subject to b..."}
  - {id: EL-CN-BETA, name: Beta Co., country: CN, start_date: 2024-01-02}
"""


def test_overlay_adds_names_and_fills_empty_fields(tmp_path: Path) -> None:
    lst = _write(tmp_path, "t.yaml", LIST)
    ov = _write(
        tmp_path,
        "t.overlay.yaml",
        """format: exportscreen-overlay/1
source: t
entries:
  EL-CN-ACME:
    other_names: ["艾克姆"]
    aliases: ["Acme Co."]
    start_date: 2020-01-01
    license_requirement: "For all items subject to both rules"
    remarks: curated
""",
    )
    (acme, beta) = load_registry(lst, ov).entries
    assert acme.other_names == ("艾克姆",) and acme.aliases == ()  # the printed name is not repeated
    assert acme.start_date is not None and acme.license_requirement == "For all items subject to both rules"
    assert acme.remarks == "curated" and beta.start_date is not None
    notes = load_registry(lst, ov).sources[0].notes
    assert any("t.overlay.yaml: 1 entries annotated" in n for n in notes)


def test_overlay_key_whose_entry_is_gone_is_an_error(tmp_path: Path) -> None:
    lst = _write(tmp_path, "t.yaml", LIST)
    ov = _write(
        tmp_path,
        "t.overlay.yaml",
        "format: exportscreen-overlay/1\nsource: t\nentries:\n"
        "  EL-CN-ACMEE: {other_names: [x]}\n  EL-CN-GONE: {tags: [y]}\n",
    )
    with pytest.raises(ListError) as err:
        load_registry(lst, ov)
    message = str(err.value)
    assert "EL-CN-ACMEE (the list now has EL-CN-ACME?)" in message
    assert "EL-CN-GONE (removed from the list, or renamed)" in message


def test_overlay_that_contradicts_the_list_is_an_error(tmp_path: Path) -> None:
    lst = _write(tmp_path, "t.yaml", LIST)
    ov = _write(
        tmp_path,
        "t.overlay.yaml",
        "format: exportscreen-overlay/1\nsource: t\nentries:\n  EL-CN-BETA: {start_date: 2023-01-01}\n",
    )
    with pytest.raises(ListError, match="contradicts the list's"):
        load_registry(lst, ov)


def test_overlay_of_a_source_not_loaded_is_an_error(tmp_path: Path) -> None:
    lst = _write(tmp_path, "t.yaml", LIST)
    ov = _write(
        tmp_path, "o.overlay.yaml", "format: exportscreen-overlay/1\nsource: other\nentries:\n  X: {tags: [y]}\n"
    )
    with pytest.raises(ListError, match="annotates source 'other', which is not loaded"):
        load_registry(lst, ov)
    with pytest.raises(ListError, match="only overlay files given"):
        load_registry(ov)


def test_overlay_unknown_field_is_an_error(tmp_path: Path) -> None:
    lst = _write(tmp_path, "t.yaml", LIST)
    ov = _write(
        tmp_path, "t.overlay.yaml", "format: exportscreen-overlay/1\nsource: t\nentries:\n  EL-CN-ACME: {nmae: x}\n"
    )
    with pytest.raises(ListError, match="nmae"):
        load_registry(lst, ov)
