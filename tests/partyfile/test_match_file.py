"""``exportscreen match --file``: outputs, exit codes, input order, workers, and ``match NAME``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from exportscreen.cli import main
from exportscreen.partyfile import PartyResult, PartyRow, read_parties, screen_parties
from exportscreen.partyfile_output import CSV_COLUMNS, open_writer
from exportscreen.screener import default_screener

ON = "2026-03-01"
PARTIES = "id,name,country\nC1,Huawei Technologies Co Ltd,CN\nC2,Lyon Capteurs SARL,FR\nC3,SMIC Beijing,\n"


def _file(tmp_path: Path, text: str = PARTIES, name: str = "parties.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["match", *argv, "--as-of", ON])
    out, err = capsys.readouterr()
    return code, out, err


def test_csv_output_has_every_party_and_exit_1_on_a_match(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "--file", str(_file(tmp_path)), "--format", "csv")
    assert code == 1
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == list(CSV_COLUMNS)
    by_ref: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_ref.setdefault(row["ref"], []).append(row)
    assert list(by_ref) == ["C1", "C2", "C3"]  # input order
    assert [r["match_rank"] for r in by_ref["C1"]] == [str(i) for i in range(1, len(by_ref["C1"]) + 1)]
    assert {r["status"] for r in by_ref["C1"]} == {"match"}
    assert by_ref["C1"][0]["entry_name"] == "Huawei Technologies Co., Ltd."
    assert by_ref["C2"] == [{**by_ref["C2"][0], "status": "no match", "match_count": "0", "entry_id": ""}]
    assert "3 parties" in err and "1 could not" not in err


def test_no_match_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--file", str(_file(tmp_path, "name\nLyon Capteurs SARL\n")), "--format", "jsonl")
    assert code == 0
    assert json.loads(out)["status"] == "no match"


def test_a_name_the_matcher_refuses_is_reported_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "--file", str(_file(tmp_path, "name\nSMIC\n...\nSugon\n")), "--format", "jsonl")
    assert code == 2
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["status"] for r in results] == ["match", "error", "match"]
    assert "no letters" in results[1]["error"] and results[1]["line"] == 3
    assert "1 could not be screened" in err


@pytest.mark.parametrize("name", ["TBD", "N/A", "Customer 1", "未知", "100234"])
def test_a_name_that_names_nobody_is_an_error_row_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """A customer master row named by a placeholder or a customer number was screened as a name: 'no
    match', exit 0, for a customer nobody screened (the orders' party-unnamed reads the same names)."""
    text = f"name,country\nLyon Capteurs SARL,FR\n{name},CN\n"
    code, out, err = _run(capsys, "--file", str(_file(tmp_path, text)), "--format", "jsonl")
    assert code == 2
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["status"] for r in results] == ["no match", "error"]
    assert results[1]["line"] == 3 and f"the name {name!r} names nobody" in results[1]["error"]
    assert "1 could not be screened" in err


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("name,country\nSMIC,CN\nSugon,Atlantis\n", "line 3: unknown country 'Atlantis'"),
        ("name,country\nSMIC,CN\n,CN\n", "line 3: the name is blank"),
        ("customer,country\nSMIC,CN\n", "line 1: unknown column 'customer'"),
    ],
)
def test_bad_rows_exit_2_before_anything_is_screened(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, where: str
) -> None:
    path = _file(tmp_path, text)
    code, out, err = _run(capsys, "--file", str(path), "--format", "csv")
    assert code == 2
    assert out == ""  # no partial report that could pass for a complete one
    assert f"{path}: {where}" in err


def test_missing_mapped_column_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "--file", str(_file(tmp_path)), "--column", "Customer Name")
    assert code == 2 and "'Customer Name'" in err


def test_column_mapping_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(tmp_path, "Kunnr,Customer Name,Land\nK9,Lyon Capteurs SARL,France\n")
    argv = ["--file", str(path), "--column", "Customer Name", "--country-column", "Land", "--id-column", "kunnr"]
    code, out, _ = _run(capsys, *argv, "--format", "json")
    assert code == 0
    assert json.loads(out) == [
        {"ref": "K9", "line": 2, "name": "Lyon Capteurs SARL", "country": "FR", "status": "no match",
         "matches": [], "error": None}
    ]


@pytest.mark.parametrize("lead", ["=", "+", "-", "@"])
def test_csv_output_neutralises_formulas(tmp_path: Path, capsys: pytest.CaptureFixture[str], lead: str) -> None:
    path = _file(tmp_path, f'id,name\n{lead}1,"{lead}HYPERLINK(""http://x"",""y"")"\n')
    _, out, _ = _run(capsys, "--file", str(path), "--format", "csv")
    row = next(csv.DictReader(io.StringIO(out)))
    assert row["name"] == f"'{lead}HYPERLINK(\"http://x\",\"y\")"
    assert row["ref"] == f"'{lead}1"


def test_csv_writer_neutralises_tab_and_cr_leads() -> None:
    stream = io.StringIO()
    writer = open_writer("csv", stream)
    writer.write(PartyResult(PartyRow(ref="\r1", name="\t=cmd", country=None, line=2), error="@bad"))
    writer.close()
    row = next(csv.DictReader(io.StringIO(stream.getvalue(), newline="")))
    assert (row["ref"], row["name"], row["error"]) == ("'\r1", "'\t=cmd", "'@bad")


def test_json_output_is_valid_for_no_party(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--file", str(_file(tmp_path, "name,country\n")), "--format", "json")
    assert code == 0 and json.loads(out) == []
    stream = io.StringIO()
    open_writer("json", stream).close()
    assert json.loads(stream.getvalue()) == []


def test_json_and_jsonl_carry_the_same_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(tmp_path)
    _, out_json, _ = _run(capsys, "--file", str(path), "--format", "json")
    _, out_jsonl, _ = _run(capsys, "--file", str(path), "--format", "jsonl")
    as_json = json.loads(out_json)
    assert as_json == [json.loads(line) for line in out_jsonl.splitlines()]
    assert [r["ref"] for r in as_json] == ["C1", "C2", "C3"]
    assert as_json[0]["matches"][0]["strength"] == "hit"


def test_yaml_and_json_party_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    yml = _file(tmp_path, "parties:\n  - {id: A, name: SMIC, country: CN}\n  - {id: B, name: Lyon Capteurs SARL}\n",
                "p.yaml")
    jsn = _file(tmp_path, '[{"id": "A", "name": "SMIC", "country": "CN"}, {"id": "B", "name": "Lyon Capteurs SARL"}]',
                "p.json")
    outs = []
    for path in (yml, jsn):
        code, out, _ = _run(capsys, "--file", str(path), "--format", "jsonl")
        assert code == 1
        outs.append([{k: v for k, v in json.loads(line).items() if k != "line"} for line in out.splitlines()])
    assert outs[0] == outs[1]
    assert [r["status"] for r in outs[0]] == ["match", "no match"]


def test_output_file_and_text_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out.txt"
    code, out, _ = _run(capsys, "--file", str(_file(tmp_path)), "--output", str(target))
    assert code == 1 and out == ""
    text = target.read_text(encoding="utf-8")
    assert "line 3: C2: 'Lyon Capteurs SARL' (FR): no match" in text
    assert "'Huawei Technologies Co Ltd' (query) ~ 'Huawei Technologies Co., Ltd.'" in text
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.txt")] == []


def _many(n: int) -> str:
    base = ["Huawei Technologies", "Lyon Capteurs SARL", "SMIC", "Hikvision Digital", "Sugon", "Acme Widgets Inc",
            "...", "Zhongxin Guoji", "Beijing Sugon Information", "Nordic Sensors AB"]
    countries = ["CN", "FR", "", "CN", "", "US", "", "CN", "CN", "SE"]
    return "name,country\n" + "".join(f"{base[i % 10]} {i // 10 % 3 or ''},{countries[i % 10]}\n" for i in range(n))


def test_two_workers_equal_one_row_for_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(tmp_path, _many(600))  # more than two chunks of 256
    _, one, _ = _run(capsys, "--file", str(path), "--format", "jsonl", "--workers", "1")
    _, two, _ = _run(capsys, "--file", str(path), "--format", "jsonl", "--workers", "2")
    assert one.splitlines() == two.splitlines()
    assert [json.loads(line)["line"] for line in two.splitlines()] == list(range(2, 602))


@pytest.mark.parametrize("workers", [1, 2])
def test_each_party_is_matched_with_its_own_country(tmp_path: Path, workers: int) -> None:
    screener = default_screener()
    on = dt.date.fromisoformat(ON)
    parties = list(read_parties(_file(tmp_path, _many(300))))
    results = list(screen_parties(screener, parties, as_of=on, workers=workers))
    assert [r.party for r in results] == parties
    for r in results[:40]:
        if r.error is None:
            assert list(r.matches) == screener.match_name(r.party.name, country=r.party.country, as_of=on)
    assert results[0].ledger_row() == (parties[0].ref, parties[0].name, "CN", list(results[0].matches))


def test_progress_bar_only_on_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(_file(tmp_path))
    _, _, err = _run(capsys, "--file", path, "--format", "jsonl")
    assert "matching" not in err
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    _, _, err = _run(capsys, "--file", path, "--format", "jsonl")
    assert "matching" in err and "name" in err
    _, _, err = _run(capsys, "--file", path, "--format", "jsonl", "--quiet")
    assert err == ""


def test_match_name_still_works(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "SMIC Beijing", "--country", "CN")
    assert code == 1 and "Semiconductor Manufacturing International (Beijing) Corporation" in out
    code, out, _ = _run(capsys, "Lyon Capteurs SARL", "--format", "json")
    assert code == 0 and json.loads(out) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["SMIC", "--workers", "2"],
        ["SMIC", "--column", "x"],
        ["SMIC", "--format", "csv"],
        ["--file", "x.csv", "--country", "CN"],
        ["--file", "x.csv", "--workers", "0"],
    ],
)
def test_options_that_do_not_go_together_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    assert main(["match", *argv]) == 2
    assert "error" in capsys.readouterr().err


def test_name_and_file_are_mutually_exclusive_and_one_is_required(tmp_path: Path) -> None:
    for argv in (["match", "SMIC", "--file", str(_file(tmp_path))], ["match"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2


def test_a_reader_that_goes_away_does_not_turn_findings_into_an_error(tmp_path: Path) -> None:
    """``match --file ... | head -1``: the rest of the output is dropped, exit 1 still says 'matches'."""
    path = _file(tmp_path, _many(400).replace("...", "Acme Sensors"))
    root = Path(__file__).resolve().parents[2]
    cmd = [sys.executable, "-m", "exportscreen", "match", "--file", str(path), "--format", "jsonl", "--as-of", ON]
    with subprocess.Popen(cmd, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=120) == 1, err
    assert json.loads(first)["line"] == 2
    assert "Broken pipe" not in err and "400 parties" in err


def test_limit_caps_the_matches_per_party(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(capsys, "--file", str(_file(tmp_path)), "--format", "csv", "--limit", "1")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["ref"] for r in rows] == ["C1", "C2", "C3"]
    assert rows[0]["match_count"] == "1" and rows[0]["match_rank"] == "1"


def test_a_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "--file", str(tmp_path / "nope.csv"))
    assert code == 2 and out == "" and "cannot read file" in err
