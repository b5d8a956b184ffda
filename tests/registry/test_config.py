"""Default list sources (config file / $EXPORTSCREEN_LISTS) join the bundled lists; dates for undated lists.

Every test points the configuration and data directories at its own temporary directory (the session
fixture already keeps them away from the user's real ones).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from exportscreen._errors import ConfigError, ListError
from exportscreen.cli import main
from exportscreen.registry import load_registry
from exportscreen.registry.config import config_path, declare_dates, default_lists

DATA = Path(__file__).parent / "data"
CSL_SMALL = DATA / "csl_small.csv"
ORDER = {
    "id": "CFG-1",
    "date": "2026-11-02",
    "destination": "CN",
    "parties": [{"role": "ultimate_consignee", "name": "Example Optics Co., Ltd.", "country": "CN"}],
    "items": [{"description": "Network cable", "eccn": "EAR99"}],
}


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """(config file, data directory), both empty, in this test's temporary directory."""
    config = tmp_path / "config" / "config.yaml"
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("EXPORTSCREEN_CONFIG", str(config))
    monkeypatch.setenv("EXPORTSCREEN_DATA_DIR", str(data))
    monkeypatch.delenv("EXPORTSCREEN_LISTS", raising=False)
    return config, data


def _write_config(config: Path, body: str) -> None:
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("format: exportscreen-config/1\n" + body, encoding="utf-8")


def _order(tmp_path: Path) -> Path:
    path = tmp_path / "order.json"
    path.write_text(json.dumps(ORDER), encoding="utf-8")
    return path


def _info(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["lists", "info", "--format", "json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert isinstance(info, dict)
    return info


def test_without_configuration_only_the_bundled_lists_are_in_force(
    dirs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # no $EXPORTSCREEN_CONFIG and no file at the default path (one the variable names must exist: below)
    monkeypatch.delenv("EXPORTSCREEN_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    config = tmp_path / "xdg" / "exportscreen" / "config.yaml"
    assert config_path() == config
    assert default_lists().paths == ()
    info = _info(capsys)
    assert f"default list sources: none (no configuration file at {config})" in info["in_force"]  # type: ignore[operator]
    assert info["entries_per_list"] == {"1260H": 80, "CMIC": 68, "DPL": 562, "EL": 3409, "MEU": 70}
    assert main(["check", "-q", str(_order(tmp_path))]) == 0  # Example Optics is only on the CSL sample


@pytest.mark.parametrize("named", ["confg.yaml", "."])
def test_a_configuration_file_the_variable_names_must_exist(
    dirs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    named: str,
) -> None:  # fmt: skip
    """$EXPORTSCREEN_CONFIG with a typo (or naming a directory) was read as 'no configuration': every list
    it configured, a required one too, was dropped and a blocked customer's order passed, exit 0."""
    config, _ = dirs
    blocked = tmp_path / "blocked.yaml"
    blocked.write_text(
        "format: exportscreen-registry/1\nsource: {id: blocked, name: Blocked, list: X-BLOCKED, as_of: 2026-11-01}\n"
        "entries:\n  - {id: B-1, name: 'Example Optics Co., Ltd.', country: CN}\n",
        encoding="utf-8",
    )
    _write_config(config, f"lists:\n  - {{path: {blocked}, required: true}}\n")
    order = _order(tmp_path)
    assert main(["check", "-q", str(order)]) == 1  # the blocked customer
    capsys.readouterr()
    monkeypatch.setenv("EXPORTSCREEN_CONFIG", str(config.parent / named))
    assert main(["check", "-q", str(order)]) == 2
    assert "$EXPORTSCREEN_CONFIG names" in capsys.readouterr().err
    with pytest.raises(ConfigError, match="EXPORTSCREEN_CONFIG"):
        default_lists()


def test_a_downloaded_list_named_in_the_configuration_is_screened_by_default(
    dirs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, data = dirs
    (data / "csl").mkdir()
    shutil.copy(CSL_SMALL, data / "csl" / "consolidated.csv")  # where `lists update` puts the CSL
    _write_config(config, "lists:\n  - path: csl/consolidated.csv\n")
    info = _info(capsys)
    assert f"default list sources from {config}: 1 in force" in info["in_force"]  # type: ignore[operator]
    ids = {s["id"] for s in info["sources"]}  # type: ignore[attr-defined]
    assert {"bis-entity-list", "csl:EL"} <= ids  # added to the bundled snapshot
    assert main(["check", "-q", str(_order(tmp_path))]) == 1
    assert "Example Optics" in capsys.readouterr().out


def test_a_configured_list_not_downloaded_yet_is_skipped_and_said(
    dirs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, data = dirs
    _write_config(config, "lists:\n  - path: csl/consolidated.csv\n")
    assert main(["check", "-q", str(_order(tmp_path))]) == 0
    err = capsys.readouterr().err
    assert f"not found, skipped: {data / 'csl' / 'consolidated.csv'}" in err


def test_a_required_list_that_is_missing_is_exit_2(
    dirs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, _ = dirs
    _write_config(config, "lists:\n  - {path: csl/consolidated.csv, required: true}\n")
    assert main(["check", "-q", str(_order(tmp_path))]) == 2
    assert "required list" in capsys.readouterr().err


def test_environment_variable_names_the_sources_and_empty_means_none(
    dirs: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config, _ = dirs
    _write_config(config, "lists:\n  - path: nowhere.csv\n")
    monkeypatch.setenv("EXPORTSCREEN_LISTS", str(CSL_SMALL))
    assert default_lists().paths == (CSL_SMALL,)
    assert main(["check", "-q", str(_order(tmp_path))]) == 1
    monkeypatch.setenv("EXPORTSCREEN_LISTS", "")
    assert default_lists().paths == () and default_lists().missing == ()
    capsys.readouterr()
    assert main(["check", "-q", str(_order(tmp_path))]) == 0
    monkeypatch.setenv("EXPORTSCREEN_LISTS", str(tmp_path / "missing.csv"))
    with pytest.raises(ConfigError, match="do not exist"):
        default_lists()


def test_malformed_configuration_is_exit_2(
    dirs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, _ = dirs
    _write_config(config, "lists:\n  - {path: a.csv, colour: red}\n")
    assert main(["check", "-q", str(_order(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert str(config) in err and "colour" in err


def test_declared_date_lets_max_list_age_accept_an_ofac_legacy_set(
    dirs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, _ = dirs
    ofac = tmp_path / "ofac"
    shutil.copytree(DATA / "ofac_small", ofac)
    order = _order(tmp_path)
    today = dt.date.today().isoformat()
    _write_config(config, "lists: []\n")
    assert main(["check", "-q", str(order), "--lists", str(ofac), "--with-bundled", "--max-list-age", "100000"]) == 2
    assert "undated" in capsys.readouterr().err
    _write_config(config, f"lists:\n  - {{path: {ofac}, as_of: {today}}}\n")
    registry = declare_dates(load_registry(ofac), default_lists().declared)
    assert {s.as_of_basis for s in registry.sources} == {"declared"}
    # 10000 days: the bundled snapshot must pass too; the OFAC set passes only with its declared date
    assert main(["check", "-q", str(order), "--max-list-age", "10000"]) == 0


def test_ofac_date_file_declares_the_set_date(tmp_path: Path) -> None:
    ofac = tmp_path / "ofac"
    shutil.copytree(DATA / "ofac_small", ofac)
    (ofac / "ofac.yaml").write_text("format: exportscreen-ofac-date/1\nas_of: 2026-11-30\n", encoding="utf-8")
    for target in (ofac, ofac / "sdn.csv"):
        sources = load_registry(target).sources
        assert {(s.as_of, s.as_of_basis) for s in sources} == {(dt.date(2026, 11, 30), "declared")}
    (ofac / "ofac.yaml").write_text("format: exportscreen-ofac-date/1\nas_of: 30.11.2026\n", encoding="utf-8")
    with pytest.raises(ListError, match=r"ofac\.yaml"):
        load_registry(ofac)


def test_a_date_declared_for_a_dated_list_is_refused(dirs: tuple[Path, Path]) -> None:
    config, _ = dirs
    _write_config(config, f"lists:\n  - {{path: {CSL_SMALL}, as_of: 2026-01-01}}\n")
    with pytest.raises(ConfigError, match="carries its own date"):
        declare_dates(load_registry(CSL_SMALL), default_lists().declared)


def test_cached_registry_sees_a_changed_date_file_or_companion(tmp_path: Path) -> None:
    from exportscreen.registry.cache import load_registry_cached

    ofac = tmp_path / "ofac"
    shutil.copytree(DATA / "ofac_small", ofac)
    assert {s.as_of for s in load_registry_cached(ofac / "sdn.csv").sources} == {None}
    (ofac / "ofac.yaml").write_text("format: exportscreen-ofac-date/1\nas_of: 2026-11-30\n", encoding="utf-8")
    assert {s.as_of for s in load_registry_cached(ofac / "sdn.csv").sources} == {dt.date(2026, 11, 30)}
    before = len(load_registry_cached(ofac / "sdn.csv").entries[0].aliases)
    alt = ofac / "alt.csv"
    alt.write_bytes(b'306,99,"aka","EXTRA EXAMPLE NAME",-0- \r\n' + alt.read_bytes())
    assert len(load_registry_cached(ofac / "sdn.csv").entries[0].aliases) == before + 1
