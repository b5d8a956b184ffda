"""Output formats of ``exportscreen check``: JSON, SARIF (schema-validated), JUnit, --output, progress."""

from __future__ import annotations

import io
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from exportscreen.commands.check import PROGRESS_MIN_FILES
from exportscreen.models import Decision

from .conftest import DATA, Run

SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
MIXED = [DATA / "sensitive_huawei.json", DATA / "review_potential_match.yaml", DATA / "orders.csv"]


def test_json_has_files_lines_findings_and_decisions(run_cli: Run) -> None:
    code, out, err = run_cli("check", *MIXED, "--format", "json")
    assert code == 1
    report = json.loads(out)
    decisions = [Decision.model_validate(o["decision"]) for o in report["orders"]]
    assert [d.transaction_id for d in decisions] == ["SENS-1", "OK-2", "REV-1", "CSV-1", "CSV-2"]
    assert [d.category.value for d in decisions] == ["sensitive", "less_risky", "review", "less_risky", "sensitive"]
    assert [(Path(o["file"]).name, o["line"]) for o in report["orders"]][:3] == [
        ("sensitive_huawei.json", 2),
        ("sensitive_huawei.json", 9),
        ("review_potential_match.yaml", 2),
    ]
    review = report["orders"][2]
    assert review["failing"] is True
    assert [(f["rule_id"], f["cleared"]) for f in review["findings"]] == [("potential-list-match", False)]
    assert report["exit_code"] == 1 and report["problems"] == []
    assert report["summary"] == {
        "orders": 5, "files": 3, "sensitive": 2, "review": 1, "less_risky": 2, "cleared": 0, "not_screened": 0
    }  # fmt: skip
    assert "exportscreen check FAILED: 5 order(s) in 3 file(s)" in err


def test_json_names_the_files_that_could_not_be_screened(run_cli: Run) -> None:
    code, out, _ = run_cli("check", DATA / "ok_less_risky.yaml", DATA / "bad_unknown_field.yaml", "--format", "json")
    assert code == 2
    report = json.loads(out)
    assert report["exit_code"] == 2 and report["summary"]["not_screened"] == 1
    (problem,) = report["problems"]
    assert Path(problem["file"]).name == "bad_unknown_field.yaml" and "colour" in problem["message"]


def test_sarif_validates_against_the_2_1_0_schema(run_cli: Run) -> None:
    code, out, _ = run_cli("check", *MIXED, DATA / "bad_unknown_field.yaml", "--format", "sarif")
    assert code == 2
    log = json.loads(out)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("entity-list-hit", "error"),
        ("other-list-hit", "warning"),  # Huawei is on the NS-CMIC list too
        ("potential-list-match", "warning"),  # and the other Huawei rows resemble it
        ("potential-list-match", "warning"),
        ("advanced-computing-macau-d5", "error"),
    ]
    loc = results[0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"].endswith("tests/check/data/sensitive_huawei.json")
    assert loc["region"] == {"startLine": 2}
    assert results[4]["locations"][0]["physicalLocation"]["region"] == {"startLine": 3}
    rules = run["tool"]["driver"]["rules"]
    for r in results:
        rule = rules[r["ruleIndex"]]
        assert rule["id"] == r["ruleId"]
        assert rule["help"]["text"]
        assert rule["properties"]["citations"]
    assert "15 CFR 744.11" in rules[results[0]["ruleIndex"]]["help"]["text"]
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert "colour" in note["message"]["text"]


def test_sarif_of_a_clean_run_is_successful(run_cli: Run) -> None:
    code, out, _ = run_cli("check", DATA / "ok_less_risky.yaml", "--format", "sarif")
    assert code == 0
    log = json.loads(out)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_junit_has_one_testcase_per_order(run_cli: Run) -> None:
    code, out, _ = run_cli("check", *MIXED, DATA / "bad_malformed.json", "--format", "junit")
    assert code == 2
    root = ET.fromstring(out)
    suite = root.find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases[:5]] == ["SENS-1", "OK-2", "REV-1", "CSV-1", "CSV-2"]
    assert suite.get("tests") == "6"
    assert suite.get("failures") == "3"
    assert suite.get("errors") == "1"
    failure = cases[0].find("failure")
    assert failure is not None
    assert failure.get("type") == "sensitive"
    assert "SENS-1 sensitive entity-list-hit" in (failure.text or "")
    assert cases[1].find("failure") is None
    review = cases[2].find("failure")
    assert review is not None
    assert review.get("type") == "review"
    error = cases[5].find("error")
    assert error is not None
    assert cases[5].get("file", "").endswith("bad_malformed.json")


def test_output_file_is_written_and_stdout_stays_empty(run_cli: Run, tmp_path: Path) -> None:
    target = tmp_path / "report.sarif"
    code, out, err = run_cli("check", DATA / "sensitive_huawei.json", "--format", "sarif", "--output", target)
    assert code == 1
    assert out == ""
    assert json.loads(target.read_text())["runs"][0]["results"][0]["ruleId"] == "entity-list-hit"
    assert "FAILED" in err
    text_target = tmp_path / "report.txt"
    code, out, err = run_cli("check", DATA / "sensitive_huawei.json", "-o", text_target, "--quiet")
    assert (code, out, err) == (1, "", "")
    assert "SENS-1 sensitive entity-list-hit" in text_target.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.sarif", "report.txt"]


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def many_files(tmp_path: Path) -> Path:
    for i in range(PROGRESS_MIN_FILES):
        shutil.copy(DATA / "ok_less_risky.yaml", tmp_path / f"order-{i}.yaml")
    return tmp_path


def _stderr_of_check(monkeypatch: pytest.MonkeyPatch, run_cli: Run, *argv: str | Path) -> str:
    fake = FakeTerminal()
    monkeypatch.setattr("sys.stderr", fake)
    code, _, _ = run_cli("check", *argv)
    assert code == 0
    return fake.getvalue()


def test_progress_bar_on_a_terminal_with_colour(
    monkeypatch: pytest.MonkeyPatch, run_cli: Run, many_files: Path
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    err = _stderr_of_check(monkeypatch, run_cli, many_files)
    assert f"/{PROGRESS_MIN_FILES}" in err
    assert "\x1b[32m" in err


def test_no_color_keeps_the_bar_without_colour(monkeypatch: pytest.MonkeyPatch, run_cli: Run, many_files: Path) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    err = _stderr_of_check(monkeypatch, run_cli, many_files)
    assert f"/{PROGRESS_MIN_FILES}" in err
    assert "\x1b[3" not in err


def test_quiet_and_non_terminal_have_no_progress_bar(
    monkeypatch: pytest.MonkeyPatch, run_cli: Run, many_files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _stderr_of_check(monkeypatch, run_cli, many_files, "--quiet") == ""
    monkeypatch.undo()
    code, _, err = run_cli("check", many_files, "--format", "json")
    assert code == 0
    assert f"/{PROGRESS_MIN_FILES}" not in err
    assert err.startswith("exportscreen check passed")
