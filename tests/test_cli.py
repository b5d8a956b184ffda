"""The command line: exit codes and messages that name file and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exportscreen.cli import main

DATA = Path(__file__).parent / "data"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

BAD = [
    ("unknown_field.yaml", "colour"),
    ("misspelt_field.yaml", "items.0.datacentre"),
    ("unknown_country.yaml", "destination"),
    ("negative_tpp.yaml", "items.0.tpp"),
    ("missing_party_name.yaml", "parties.0.name"),
    ("malformed.yaml", "line "),
    ("duplicate_key.yaml", "duplicate key 'destination'"),
    ("node_zero.yaml", "items.0.node_nm"),
    ("owner_over_100.yaml", "parties.0.owners.0.percent"),
    ("density_contradiction.yaml", "performance_density"),
    ("python_tag.yaml", "python/object"),
    ("no_parties.yaml", "parties"),
    ("wrong_type.yaml", "items.0.tpp"),
    ("bad_role.yaml", "parties.0.role"),
    ("empty.yaml", "empty"),
]


@pytest.mark.parametrize(("name", "needle"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_exits_2_naming_file_and_field(name: str, needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["screen", str(DATA / "bad" / name)])
    err = capsys.readouterr().err
    assert code == 2
    assert name in err
    assert needle in err


def test_bad_file_does_not_hide_other_findings(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "screen",
            str(DATA / "bad" / "unknown_field.yaml"),
            str(EXAMPLES / "transactions" / "03-printer-to-huawei.yaml"),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 2
    assert "EX-03: SENSITIVE" in out
    assert "unknown_field.yaml" in err


def test_less_risky_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["screen", str(DATA / "good" / "less_risky.json"), str(DATA / "good" / "norway.yaml")]) == 0
    out = capsys.readouterr().out
    assert "GOOD-1: LESS_RISKY" in out
    assert "GOOD-NO: LESS_RISKY" in out


def test_examples_exit_1_and_cover_three_categories(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["screen", str(EXAMPLES / "transactions"), "--format", "json"]) == 1
    decisions = json.loads(capsys.readouterr().out)
    assert len(decisions) >= 12
    assert {d["category"] for d in decisions} == {"sensitive", "review", "less_risky"}


def test_missing_file_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["screen", str(DATA / "nope.yaml")]) == 2
    assert "nope.yaml" in capsys.readouterr().err


def test_as_of_option(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    order = tmp_path / "smic.yaml"
    order.write_text(
        "id: S-1\ndestination: CN\nparties: [{role: end_user, name: SMIC Beijing, country: CN}]\n"
        "items: [{description: cable, eccn: EAR99}]\n",
        encoding="utf-8",
    )
    assert main(["screen", str(order), "--as-of", "2020-11-01"]) == 0
    assert main(["screen", str(order), "--as-of", "2021-01-15"]) == 1
    out = capsys.readouterr().out
    assert "entity-list-hit" in out


def test_bad_as_of_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["screen", str(DATA / "good" / "less_risky.json"), "--as-of", "yesterday"])
    assert exc.value.code == 2


def test_match_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["match", "SMIC Beijing", "--country", "CN"]) == 1
    out = capsys.readouterr().out
    assert "Semiconductor Manufacturing International (Beijing) Corporation" in out
    assert main(["match", "Lyon Capteurs SARL"]) == 0


@pytest.mark.parametrize("name", ["TBD", "N/A", "Customer 1", "未知", "100234"])
def test_match_of_a_placeholder_name_exits_2_never_no_match(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["match", name]) == 2
    assert f"the name {name!r} names nobody" in capsys.readouterr().err


def test_match_unknown_country_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["match", "SMIC", "--country", "Atlantis"]) == 2
    assert "--country" in capsys.readouterr().err


def test_broken_list_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lst = tmp_path / "list.yaml"
    lst.write_text("format: exportscreen-registry/1\nsource: {id: x, name: x, list: EL}\nentries:\n  - {id: a}\n")
    assert main(["screen", str(DATA / "good" / "less_risky.json"), "--lists", str(lst)]) == 2
    err = capsys.readouterr().err
    assert "list.yaml" in err
    assert "entries.0.name" in err


def test_broken_pack_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pack = tmp_path / "rules.yaml"
    pack.write_text(
        "format: exportscreen-pack/1\nid: p\nversion: '1'\ndescription: d\nrules:\n"
        "  - {id: r, category: sensitive, when: {item_tier: [3A999.z]}, message: m, citations: [c]}\n"
    )
    assert main(["screen", str(DATA / "good" / "less_risky.json"), "--pack", str(pack)]) == 2
    assert "unknown tier '3A999.z'" in capsys.readouterr().err


def test_lists_info(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lists", "info", "--format", "json"]) == 0
    info = json.loads(capsys.readouterr().out)
    by_id = {s["id"]: s for s in info["sources"]}
    assert by_id["bis-entity-list"]["entries"] == {"EL": 3409}
    assert by_id["bis-meu-list"]["entries"] == {"MEU": 70}
    assert by_id["bis-entity-list"]["as_of"] == "2026-07-09"
    assert len(info["version"]) == 64


def test_os_error_and_crash_exit_2_not_1(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from exportscreen.commands import screen as screen_cmd

    def disk_full(args: object) -> int:
        raise OSError(28, "No space left on device")

    def bug(args: object) -> int:
        raise KeyError("unexpected")

    monkeypatch.setattr(screen_cmd, "run", disk_full)
    assert main(["screen", str(DATA / "good" / "less_risky.json")]) == 2
    assert "No space left" in capsys.readouterr().err
    monkeypatch.setattr(screen_cmd, "run", bug)
    assert main(["screen", str(DATA / "good" / "less_risky.json")]) == 2
    assert "internal error" in capsys.readouterr().err
