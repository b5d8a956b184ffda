"""The bundled EAR tables: rebuilt from ../shared/data/ear byte for byte, complete, and strictly read."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from exportscreen._data import bundled_dir
from exportscreen._errors import PackError
from exportscreen.licensing.build import build, main
from exportscreen.licensing.embargoes import load_part746
from exportscreen.licensing.end_use import load_end_use_words
from exportscreen.licensing.sections import load_sections
from exportscreen.licensing.tables import CHART_COLUMNS, load_ccl, load_chart
from exportscreen.tiers import load_tiers

EAR = bundled_dir() / "ear"
ON = dt.date(2026, 7, 23)


@pytest.fixture(scope="module")
def ear_dir(shared_data: Path) -> Path:
    return shared_data / "ear"


def test_build_reproduces_the_bundled_files(ear_dir: Path) -> None:
    files = build(ear_dir, EAR / "overlay.yaml")
    bundled = {f"ccl/{p.name}" for p in (EAR / "ccl").glob("*.yaml")} | {"country_chart.yaml"}
    assert set(files) == bundled
    for name, text in files.items():
        assert (EAR / name).read_text("utf-8") == text, f"lists/ear/{name} is stale: rerun the build"


@pytest.mark.slow
def test_build_check_mode(ear_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "overlay.yaml").write_text((EAR / "overlay.yaml").read_text("utf-8"), "utf-8")
    assert main(["--ear", str(ear_dir), "--out", str(tmp_path), "--check"]) == 1
    assert "rerun the build" in capsys.readouterr().err
    assert main(["--ear", str(ear_dir), "--out", str(tmp_path)]) == 0
    assert main(["--ear", str(ear_dir), "--out", str(tmp_path), "--check"]) == 0


def test_every_source_row_and_destination_is_bundled(ear_dir: Path) -> None:
    with (ear_dir / "ccl_reasons.csv").open(encoding="utf-8") as fh:
        source = list(csv.DictReader(fh))
    rows = [r for r in load_ccl().rows() if not r.source.startswith("lists/ear/overlay")]
    assert len(rows) == len(source) == 1581
    assert {r.eccn for r in rows} == {s["eccn"] for s in source}
    assert len({r.eccn for r in rows}) == 589
    with (ear_dir / "country_chart.csv").open(encoding="utf-8") as fh:
        chart_src = list(csv.DictReader(fh))
    chart = load_chart()
    assert len(chart.rows) == len(chart_src) == 200
    for src in chart_src:
        row = chart.row(src["iso2"], ON)
        assert row is not None
        assert row.marks == [c for c in CHART_COLUMNS if src[c] == "X"]


def test_every_row_says_where_its_requirement_comes_from() -> None:
    for row in load_ccl().rows():
        assert row.citations and row.confidence in ("V", "S", "U")
        assert row.column or row.scope or row.delegate or row.unmodelled, row


def test_empty_embargo_rows_point_to_part_746() -> None:
    chart = load_chart()
    part746 = load_part746()
    for code in ("CU", "IR", "KP", "SY"):
        row = chart.row(code, ON)
        assert row is not None and row.marks == [] and row.pointer
        assert part746.for_country(code, ON), f"{code}: the Country Chart points to Part 746 and no entry is in force"


def test_delegations_name_real_tiers_and_sections() -> None:
    sections = load_sections()
    tiers = load_tiers()
    for name, target in sections.delegated.items():
        assert set(target.tiers) <= tiers.ids, f"{name}: unknown tiers {set(target.tiers) - tiers.ids}"
    delegates = {r.delegate for r in load_ccl().rows() if r.delegate}
    assert delegates <= set(sections.delegated)
    exceptions = {x for e in load_part746().embargoes for x in e.exceptions}
    assert exceptions <= {e.id for e in sections.exceptions}


def test_end_use_words_load() -> None:
    words = load_end_use_words()
    assert {"military", "missile", "nuclear", "diversion"} <= set(words.categories)


@pytest.mark.parametrize(
    ("name", "loader"),
    [("part746.yaml", load_part746), ("sections.yaml", load_sections), ("end_use_words.yaml", load_end_use_words)],
)
def test_an_unknown_field_is_a_load_error(tmp_path: Path, name: str, loader: object) -> None:
    text = (EAR / name).read_text("utf-8")
    bad = tmp_path / name
    bad.write_text(text + "colour: blue\n", "utf-8")
    with pytest.raises(PackError, match="colour"):
        loader(bad)  # type: ignore[operator]


def test_an_unknown_field_in_the_ccl_is_a_load_error(tmp_path: Path) -> None:
    text = (EAR / "ccl" / "3A.yaml").read_text("utf-8").replace("{eccn: 3A991,", "{eccn: 3A991, colour: blue,", 1)
    (tmp_path / "3A.yaml").write_text(text, "utf-8")
    with pytest.raises(PackError, match="colour"):
        load_ccl(tmp_path).rows_for("3A991", ON)


def test_every_rule_of_the_pack_fires_in_one_of_its_cases() -> None:
    from exportscreen.rules import load_pack, load_pack_cases

    pack_dir = bundled_dir() / "packs" / "ear-licensing"
    rules = {r.id for r in load_pack(pack_dir / "rules.yaml").rules}
    fired = {rule for case in load_pack_cases(pack_dir / "cases.yaml").cases for rule in case.must_fire}
    assert rules == fired, f"rules no case makes fire: {sorted(rules - fired)}"
