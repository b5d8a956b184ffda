"""``screen`` and ``check`` agree (issue 12.10): the same inputs and mapping, display-safe text, data-exact
JSON, a summary line, a missing path that does not stop the run, and a closed pipe that is no error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from exportscreen.cli import build_parser, main

TESTS = Path(__file__).resolve().parent
CHECK_DATA = TESTS / "check" / "data"
EXAMPLES = TESTS.parent / "examples"
GOOD = TESTS / "data" / "good" / "less_risky.json"


def test_screen_reads_an_erp_export_with_a_column_mapping(capsys: pytest.CaptureFixture[str]) -> None:
    export = CHECK_DATA / "erp" / "sap-export.csv"
    assert main(["screen", str(export), "--csv-mapping", str(CHECK_DATA / "erp" / "sap.mapping.yaml")]) == 1
    out = capsys.readouterr().out
    assert f"{export}:2: 4711: SENSITIVE" in out
    assert main(["screen", str(export)]) == 2
    assert "--csv-mapping" in capsys.readouterr().err


#: an ERP export's column mapping that maps no end user, purchaser or intermediate consignee
_ERP_MAPPING = (
    "format: exportscreen-order-csv-mapping/1\n"
    "columns: {order_id: Order, destination: Dest, ultimate_consignee: ShipTo,"
    " ultimate_consignee_country: ShipToCountry, description: Material, eccn: Export Class}\n"
)


def test_a_mapping_refuses_an_unmapped_column_named_like_an_order_column(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An end_user column the mapping left out was dropped unread: Huawei as end user, less risky, exit 0
    (red team 29, finding 4). Now the file is refused, naming the columns (exit 2)."""
    export = tmp_path / "so.csv"
    export.write_text(
        "Order,Dest,ShipTo,ShipToCountry,end_user,end_user_country,Material,Export Class\n"
        "SO-1,DE,Rhein Handel GmbH,DE,Huawei Technologies Co. Ltd.,CN,Office chairs,EAR99\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "erp.mapping.yaml"
    mapping.write_text(_ERP_MAPPING, encoding="utf-8")
    assert main(["screen", str(export), "--csv-mapping", str(mapping)]) == 2
    assert "'end_user', 'end_user_country'" in capsys.readouterr().err
    unread = tmp_path / "unread.mapping.yaml"
    unread.write_text(mapping.read_text(encoding="utf-8") + "ignore: [end_user, end_user_country]\n", encoding="utf-8")
    assert main(["screen", str(export), "--csv-mapping", str(unread)]) == 0  # said so: left unread
    capsys.readouterr()
    mapping.write_text(
        mapping.read_text(encoding="utf-8").replace(
            "}\n", ", end_user: end_user, end_user_country: end_user_country}\n"
        ),
        encoding="utf-8",
    )
    assert main(["screen", str(export), "--csv-mapping", str(mapping)]) == 1
    assert "SENSITIVE" in capsys.readouterr().out


def _erp_export(tmp_path: Path, header: str, row: str) -> tuple[Path, Path]:
    """An ERP export: the columns ``_ERP_MAPPING`` maps, then ``header``, and one ``row``; and the mapping."""
    export = tmp_path / "so.csv"
    export.write_text(f"Order,Dest,ShipTo,ShipToCountry,Material,Export Class,{header}\n{row}\n", encoding="utf-8")
    mapping = tmp_path / "erp.mapping.yaml"
    mapping.write_text(_ERP_MAPPING, encoding="utf-8")
    return export, mapping


def _refused_then_ignored(capsys: pytest.CaptureFixture[str], export: Path, mapping: Path, header: str) -> None:
    """Screening refuses the unmapped ``header`` (exit 2, naming it) until ``ignore:`` lists it (exit 0)."""
    assert main(["screen", str(export), "--csv-mapping", str(mapping)]) == 2
    assert repr(header) in capsys.readouterr().err
    mapping.write_text(mapping.read_text(encoding="utf-8") + f"ignore: ['{header}']\n", encoding="utf-8")
    assert main(["screen", str(export), "--csv-mapping", str(mapping)]) == 0, capsys.readouterr().err
    capsys.readouterr()


@pytest.mark.parametrize(
    "unread",
    ["End User Name", "End User Country", "Final Destination", "Intermediate Consignee", "Export ECCN",
     "End-Use Statement", "Purchaser"],
)  # fmt: skip
def test_a_mapping_refuses_an_unmapped_column_that_names_a_role_or_the_destination(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, unread: str
) -> None:
    """An ERP's 'End User Name' / 'End User Country' / 'Final Destination' columns left out of the mapping
    were dropped unread: an end user in Russia behind a UAE ship-to, less risky, exit 0 (red team 44, F6).
    Now refused like a column of our own name (exit 2); ``ignore:`` says it is left unread on purpose."""
    row = "SO-1,AE,Dubai Trade FZE,AE,Microcontroller,3A991.a,DE01,Moscow Radio Plant JSC"
    _refused_then_ignored(capsys, *_erp_export(tmp_path, f"Plant,{unread}", row), unread)  # 'Plant' stays ignored


@pytest.mark.parametrize("unread", ["EndUser", "EndUserName", "ENDUSER_CTRY", "Consignee", "Forwarder Name"])
def test_a_mapping_refuses_an_unmapped_run_together_role_header_or_a_consignee(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, unread: str
) -> None:
    """Headers written as one word ('EndUser', as ERPs write 'ShipTo') or naming a consignee or forwarder
    without the role's other word were dropped unread: Huawei in an 'EndUser' column behind a German
    ship-to, less risky, exit 0. Now refused like 'End User Name' (exit 2)."""
    row = "SO-1,DE,Rhein Handel GmbH,DE,Office chairs,EAR99,Huawei Technologies Co. Ltd."
    _refused_then_ignored(capsys, *_erp_export(tmp_path, unread, row), unread)


@pytest.mark.parametrize(
    "unread",
    ["Ship-to Name", "Ship To Party", "SHIPTO_NAME", "Sold-To Party", "Deliver-to Name", "End Customer",
     "Final Customer", "Goods Recipient", "Receiver", "Buyer", "Customer Name", "Notify Party",
     "Intermediate Party", "Headquarters Country", "Intended Use", "Export Control Code"],
)  # fmt: skip
def test_a_mapping_refuses_an_unmapped_column_that_names_a_party_as_erps_do(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, unread: str
) -> None:
    """A second party column in an ERP's words ('Ship-to Name', 'End Customer', 'Sold-To Party') left out
    of the mapping was dropped unread: Huawei as the ship-to behind a German buyer the mapping read, less
    risky, exit 0. Now refused like 'End User Name' (exit 2) until ``ignore:`` lists it."""
    row = "SO-1,DE,Rhein Handel GmbH,DE,Office chairs,EAR99,Huawei Technologies Co. Ltd."
    _refused_then_ignored(capsys, *_erp_export(tmp_path, unread, row), unread)


@pytest.mark.parametrize(
    ("header", "cell"),
    [("Export Control Classification Number", "3A090.a"), ("Total Processing Performance", "15832"),
     ("TPP", "15832"), ("Data Center", "Y"), ("Die Area (mm2)", "814"), ("HTS Code", "8542.31.0000"),
     ("Harmonized Tariff Code", "8542.31.0000")],
)  # fmt: skip
def test_a_mapping_refuses_an_unmapped_column_that_holds_a_classification_or_a_specification(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, header: str, cell: str
) -> None:
    """An ERP's 'Export Control Classification Number' or 'Total Processing Performance' column left out
    of the mapping was dropped unread: an accelerator card declared EAR99 (or kind other) with TPP 15832
    to a Chinese buyer was less risky, exit 0. Now refused like an unmapped role column (exit 2)."""
    row = f"SO-1,CN,Lotus Office Supply Co,CN,Accelerator card,EAR99,DE01,{cell}"
    _refused_then_ignored(capsys, *_erp_export(tmp_path, f"Plant,{header}", row), header)


@pytest.mark.parametrize(
    "header",
    ["Gross Weights", "Net Weight", "Plant", "Shipping Point", "Nights", "Barcode", "Customer PO", "Delivery Date",
     "Shipment No"],
)  # fmt: skip
def test_a_mapping_still_ignores_headers_that_only_contain_a_short_word(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, header: str
) -> None:
    export, mapping = _erp_export(tmp_path, header, "SO-1,DE,Rhein Handel GmbH,DE,Office chairs,EAR99,x")
    assert main(["screen", str(export), "--csv-mapping", str(mapping)]) == 0, capsys.readouterr().err
    capsys.readouterr()


def test_screen_help_names_every_order_format() -> None:
    help_text = build_parser("screen")._subparsers._group_actions[0].choices["screen"].format_help()  # type: ignore[union-attr]
    assert "CSV" in help_text and "--csv-mapping" in help_text


def test_text_is_display_safe_and_json_is_data(capsys: pytest.CaptureFixture[str]) -> None:
    formula = CHECK_DATA / "formula.csv"
    assert main(["screen", str(formula)]) == 1
    out = capsys.readouterr().out
    assert ": '=HYPERLINK(" in out and " =HYPERLINK" not in out
    assert main(["screen", str(formula), "--format", "json"]) == 1
    (decision,) = json.loads(capsys.readouterr().out)
    assert decision["transaction_id"] == '=HYPERLINK("http://example.invalid/x","open")'


def test_screen_ends_with_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["screen", str(EXAMPLES / "orders")]) == 1
    last = capsys.readouterr().out.rstrip().splitlines()[-1]
    assert last.startswith("exportscreen screen: ") and " sensitive, " in last and " less risky" in last
    assert main(["screen", str(GOOD), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)[0]["category"] == "less_risky"
    assert "exportscreen screen: 1 order(s) in 1 file(s): 0 sensitive, 0 review, 1 less risky" in err


def test_a_missing_path_does_not_stop_the_others(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["screen", str(tmp_path / "nope.yaml"), str(GOOD)]) == 2
    out, err = capsys.readouterr()
    assert "GOOD-1: LESS_RISKY" in out
    assert "nope.yaml" in err and "file not found" in err
    assert "1 input(s) could not be screened" in out


@pytest.mark.parametrize("command", ["screen", "check"])
def test_a_reader_that_stops_early_is_no_error(command: str) -> None:
    """``exportscreen screen ... | head``: no "[Errno 32] Broken pipe", and the exit code of the findings."""
    argv = [sys.executable, "-m", "exportscreen", command, str(EXAMPLES / "transactions"), "--format", "json"]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.read(100)  # the report is far larger than a pipe's buffer: the writer waits here
        proc.stdout.close()
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=300) == 1, err
    assert "Broken pipe" not in err and "Traceback" not in err
