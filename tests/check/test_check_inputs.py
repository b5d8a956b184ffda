"""``exportscreen check`` over YAML, JSON and CSV files: finding lines, exit codes, bad inputs."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from exportscreen.orders import load_orders
from exportscreen.orders_csv import load_csv_mapping, spreadsheet_safe

from .conftest import DATA, EXAMPLES, Run

FORMULA_LEADS = ("=", "+", "-", "@")


def finding_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if not line.startswith("exportscreen check")]


def test_less_risky_yaml_exits_0(run_cli: Run) -> None:
    code, out, _ = run_cli("check", DATA / "ok_less_risky.yaml")
    assert code == 0
    assert finding_lines(out) == []
    assert out.strip() == "exportscreen check passed: 1 order(s) in 1 file(s): 0 sensitive, 0 review, 1 passed"


def test_sensitive_json_list_points_at_the_order_line(run_cli: Run) -> None:
    path = DATA / "sensitive_huawei.json"
    code, out, _ = run_cli("check", path)
    assert code == 1
    lines = finding_lines(out)
    assert lines[0].startswith(f"{path}:2: SENS-1 sensitive entity-list-hit: Entity List party")
    # the same order's other reasons (Huawei is on NS-CMIC too; other Huawei rows resemble it)
    assert all(line.startswith(f"{path}:2: SENS-1 ") for line in lines)
    assert "1 sensitive, 0 review, 1 passed" in out


def test_review_yaml_exits_1(run_cli: Run) -> None:
    path = DATA / "review_potential_match.yaml"
    code, out, _ = run_cli("check", path)
    assert code == 1
    assert f"{path}:2: REV-1 review potential-list-match: Potential match" in out


def test_csv_rows_grouped_by_order_id_at_first_row(run_cli: Run) -> None:
    path = DATA / "orders.csv"
    code, out, _ = run_cli("check", path)
    assert code == 1
    assert f"{path}:3: CSV-2 sensitive advanced-computing-macau-d5:" in out
    assert "CSV-1" not in out
    assert "2 order(s) in 1 file(s): 1 sensitive, 0 review, 1 passed" in out
    orders = load_orders(path)
    assert [(o.line, o.data["id"], len(o.data["items"])) for o in orders] == [(2, "CSV-1", 3), (3, "CSV-2", 2)]
    assert orders[0].data["parties"] == [
        {"role": "ultimate_consignee", "name": "Shenzhen Bright Home Appliances Co. Ltd.", "country": "CN"}
    ]


def test_examples_cover_every_category_and_format(run_cli: Run) -> None:
    code, out, _ = run_cli("check", EXAMPLES / "orders")
    assert code == 1
    categories = {line.split()[2] for line in finding_lines(out)}
    assert categories == {"sensitive", "review"}
    suffixes = {Path(line.split(":")[0]).suffix for line in finding_lines(out)}
    assert suffixes == {".yaml", ".csv"}
    summary = out.splitlines()[-1]
    assert "0 passed" not in summary
    big = EXAMPLES / "orders" / "erp-week-10.csv"
    rows = [row for row in big.read_text().splitlines()[1:] if row.strip()]
    assert len(rows) >= 20
    assert len({r.split(",")[0] for r in rows}) >= 5
    less_risky = EXAMPLES / "orders" / "less-risky-mcu.json"
    assert run_cli("check", less_risky)[0] == 0


def test_directory_recursion_and_globs(run_cli: Run, tmp_path: Path) -> None:
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    shutil.copy(DATA / "ok_less_risky.yaml", nested / "one.yml")
    shutil.copy(DATA / "orders.csv", tmp_path / "a" / "two.csv")
    (tmp_path / "a" / "notes.txt").write_text("not an order")
    code, out, _ = run_cli("check", tmp_path)
    assert code == 1
    assert "3 order(s) in 2 file(s)" in out
    code, out, _ = run_cli("check", str(tmp_path / "**" / "*.yml"))
    assert code == 0
    assert "1 order(s) in 1 file(s)" in out


def test_a_spreadsheet_beside_readable_orders_is_an_error_not_a_skip(run_cli: Run, tmp_path: Path) -> None:
    """A directory holding orders.yaml and an ERP's orders.xlsx / orders.tsv screened the YAML and
    skipped the others without a word (exit 1 or 0 on the YAML alone): their orders passed unread."""
    shutil.copy(DATA / "ok_less_risky.yaml", tmp_path / "ok.yaml")
    (tmp_path / "week-10.XLSX").write_bytes(b"PK\x03\x04")
    (tmp_path / "week-11.tsv").write_text("id\tname\nSO-1\tSMIC\n")
    (tmp_path / "notes.txt").write_text("not an order")
    (tmp_path / "week-12.csv.gz").write_bytes(b"\x1f\x8b")
    code, out, _ = run_cli("check", tmp_path)
    assert code == 2
    assert f"{tmp_path / 'week-10.XLSX'}: error: cannot read .xlsx order files" in out
    assert f"{tmp_path / 'week-12.csv.gz'}: error: cannot read .gz order files" in out
    assert f"{tmp_path / 'week-11.tsv'}: error: cannot read .tsv order files" in out
    assert "notes.txt" not in out
    assert "1 order(s) in 1 file(s)" in out and "3 input(s) could not be screened" in out
    code, out, _ = run_cli("check", tmp_path / "week-10.XLSX")
    assert code == 2 and "cannot read .xlsx order files" in out
    code, out, err = run_cli("screen", str(tmp_path / "*"))
    assert code == 2 and "cannot read .tsv order files" in out + err


def test_an_order_dated_before_the_listing_is_screened_as_of_today(run_cli: Run, tmp_path: Path) -> None:
    """An order to SMIC dated 2019 (SMIC listed 12/22/20) was screened as of its own date: exit 0,
    "passed" by the gate, though it has not shipped and SMIC is listed now."""
    order = tmp_path / "old.yaml"
    order.write_text(
        "id: OLD-1\ndate: 2019-06-01\ndestination: CN\n"
        "parties: [{role: ultimate_consignee, country: CN,\n"
        "           name: Semiconductor Manufacturing International Corporation}]\n"
        "items: [{description: lab oscilloscopes, eccn: EAR99}]\n"
    )
    code, out, _ = run_cli("check", order)
    assert code == 1
    assert "OLD-1 sensitive entity-list-hit" in out
    code, out, _ = run_cli("check", order, "--as-of", "2019-06-01")  # the replay, asked for by name
    assert "OLD-1 sensitive entity-list-hit" not in out


def test_links_to_directories_are_followed_and_a_dangling_link_is_an_error(run_cli: Run, tmp_path: Path) -> None:
    """A linked directory was skipped without a word: its Entity List order passed unread, exit 0 (red
    team 35, finding 3). A link loop ends; a link to a missing order file is an error, not a skip."""
    share = tmp_path / "share"
    share.mkdir()
    shutil.copy(DATA / "sensitive_huawei.json", share / "huawei.json")
    orders = tmp_path / "orders"
    orders.mkdir()
    shutil.copy(DATA / "ok_less_risky.yaml", orders / "ok.yaml")
    (orders / "erp-share").symlink_to(share, target_is_directory=True)
    (share / "loop").symlink_to(orders, target_is_directory=True)
    code, out, _ = run_cli("check", orders)
    assert code == 1
    assert "SENS-1 sensitive entity-list-hit" in out
    assert "3 order(s) in 2 file(s)" in out  # the loop back adds nothing
    (orders / "gone.yaml").symlink_to(tmp_path / "missing.yaml")
    code, out, _ = run_cli("check", orders)
    assert code == 2
    assert "gone.yaml: error: symbolic link to a file that does not exist" in out


def test_bad_file_and_findings_exit_2_reporting_both(run_cli: Run) -> None:
    code, out, _ = run_cli(
        "check", DATA / "bad_unknown_field.yaml", DATA / "sensitive_huawei.json", DATA / "bad_malformed.json"
    )
    assert code == 2
    assert "SENS-1 sensitive entity-list-hit" in out
    assert f"{DATA / 'bad_unknown_field.yaml'}:1: error: transaction 'BAD-1': field 'colour': unknown field" in out
    assert f"{DATA / 'bad_malformed.json'}:2: error: column" in out
    assert out.splitlines()[-1].startswith("exportscreen check ERROR:")
    assert "2 input(s) could not be screened" in out


def test_missing_path_does_not_stop_the_run(run_cli: Run, tmp_path: Path) -> None:
    code, out, _ = run_cli("check", tmp_path / "nope.yaml", DATA / "ok_less_risky.yaml")
    assert code == 2
    assert "nope.yaml: error: file not found" in out
    assert "1 order(s) in 1 file(s)" in out


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("bad_conflict.csv", ":3: error: order 'C-1': column 'destination' is 'CN' on line 2 but 'JP' here"),
        ("bad_unknown_column.csv", ":1: error: unknown column 'datacentre'"),
        # a truncated ERP export: the row lost its last cell (end_use_tags), which must not read as blank
        ("bad_short_row.csv", ":3: error: 5 cells but the header has 6 columns"),
        ("bad_long_row.csv", ":2: error: 6 cells but the header has 5 columns"),
    ],
)
def test_bad_csv_names_the_line(run_cli: Run, name: str, needle: str) -> None:
    code, out, _ = run_cli("check", DATA / name)
    assert code == 2
    assert f"{DATA / name}{needle}" in out


def test_csv_blank_order_id_and_empty(run_cli: Run, tmp_path: Path) -> None:
    blank = tmp_path / "blank.csv"
    blank.write_text("order_id,destination,ultimate_consignee,description\n,CN,X Ltd.,Cable\n")
    header_only = tmp_path / "header.csv"
    header_only.write_text("order_id,destination\n")
    code, out, _ = run_cli("check", blank, header_only)
    assert code == 2
    assert f"{blank}:2: error: order_id is blank" in out
    assert f"{header_only}: error: the CSV file has a header but no order rows" in out


def test_csv_column_mapping_for_erp_export(run_cli: Run) -> None:
    export = DATA / "erp" / "sap-export.csv"
    code, out, _ = run_cli("check", export, "--csv-mapping", DATA / "erp" / "sap.mapping.yaml")
    assert code == 1
    assert f"{export}:2: 4711 sensitive entity-list-hit:" in out
    assert "2 order(s) in 1 file(s): 1 sensitive, 0 review, 1 passed" in out
    orders = load_orders(export, csv_mapping=load_csv_mapping(DATA / "erp" / "sap.mapping.yaml"))
    assert orders[0].data["items"][0] == {
        "description": "Office laser printer",
        "eccn": "EAR99",
        "kind": "other",
        "quantity": "2",
    }
    code, out, _ = run_cli("check", export)
    assert code == 2
    assert "unknown column 'sales document;ship-to name" in out.lower()


def test_csv_mapping_is_validated_strictly(run_cli: Run, tmp_path: Path) -> None:
    bad = tmp_path / "m.yaml"
    bad.write_text("format: exportscreen-order-csv-mapping/1\ncolumns: {order_id: A}\ncolums: {}\n")
    code, _, err = run_cli("check", DATA / "orders.csv", "--csv-mapping", bad)
    assert code == 2
    assert "colums" in err
    missing = tmp_path / "m2.yaml"
    missing.write_text("format: exportscreen-order-csv-mapping/1\ncolumns: {order_id: Sales Doc, tpp: TPP}\n")
    code, out, _ = run_cli("check", DATA / "orders.csv", "--csv-mapping", missing)
    assert code == 2
    assert "mapped column 'Sales Doc' (for order_id) is not in the header" in out


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return []


def test_formula_cells_are_text_and_never_reemitted_unescaped(run_cli: Run, tmp_path: Path) -> None:
    path = DATA / "formula.csv"
    (order,) = load_orders(path)
    assert order.data["id"] == '=HYPERLINK("http://example.invalid/x","open")'
    assert order.data["items"][0]["description"].startswith("+cmd")
    code, out, _ = run_cli("check", path)
    assert code == 1
    assert ": '=HYPERLINK(" in out
    assert " =HYPERLINK" not in out
    # JSON is data: every value exactly as read, never rewritten (issue 12.10)
    code, out, _ = run_cli("check", path, "--format", "json")
    (order,) = json.loads(out)["orders"]
    assert (
        order["transaction_id"]
        == order["decision"]["transaction_id"]
        == '=HYPERLINK("http://example.invalid/x","open")'
    )
    assert order["decision"]["item_tiers"][0]["description"] == "+cmd|' /C calc'!A0 accelerator"
    code, out, _ = run_cli("check", path, "--format", "sarif")
    assert not [v for v in _strings(json.loads(out)["runs"][0]["results"]) if v.startswith(FORMULA_LEADS)]
    code, out, _ = run_cli("check", path, "--format", "junit")
    case = ET.fromstring(out).find("testsuite/testcase")
    assert case is not None
    assert case.get("name") == '\'=HYPERLINK("http://example.invalid/x","open")'


@pytest.mark.parametrize(
    ("text", "expected"),
    [("=1+2", "'=1+2"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\t=x", "'\t=x"), ("ACME = 1", "ACME = 1")],
)
def test_spreadsheet_safe(text: str, expected: str) -> None:
    assert spreadsheet_safe(text) == expected


def test_a_repository_check_reads_orders_only(run_cli: Run, tmp_path: Path) -> None:
    """``check .`` skips hidden files and the run's own files, which are no orders (issue 12.8)."""
    repo = tmp_path / "repo"
    (repo / "orders").mkdir(parents=True)
    (repo / "orders" / "ok.yaml").write_text((DATA / "ok_less_risky.yaml").read_text())
    (repo / ".pre-commit-config.yaml").write_text("repos: []\n")
    (repo / ".exportscreen-baseline.yaml").write_text(
        "format: exportscreen-baseline/1\ntool_version: 0.1.0\nregistry_version: x\npacks: []\nclearances: []\n"
    )
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "ci.yaml").write_text("on: push\n")
    (repo / "erp.mapping.yaml").write_text((DATA / "erp" / "sap.mapping.yaml").read_text())
    code, out, err = run_cli(
        "check", repo, "--baseline", repo / ".exportscreen-baseline.yaml", "--csv-mapping", repo / "erp.mapping.yaml"
    )
    assert code == 0, out + err
    assert "1 order(s) in 1 file(s)" in out
    # named on its own, a file is read (and a baseline is no order)
    assert run_cli("check", repo / ".exportscreen-baseline.yaml")[0] == 2
