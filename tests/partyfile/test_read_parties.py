"""Reading party files: formats, column mapping, BOM, and every bad row failing with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from exportscreen import InputError
from exportscreen.limits import Limits
from exportscreen.partyfile import PartyRow, read_parties


def _write(tmp_path: Path, name: str, text: str, *, bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def _error(path: Path, **mapping: str) -> InputError:
    with pytest.raises(InputError) as exc:
        list(read_parties(path, **mapping))
    return exc.value


def test_csv_default_columns_with_bom_and_line_refs(tmp_path: Path) -> None:
    path = _write(tmp_path, "c.csv", "Name,Country\nSMIC,China\n\n  Lyon Capteurs SARL ,\n", bom=True)
    assert list(read_parties(path)) == [
        PartyRow(ref="2", name="SMIC", country="CN", line=2),
        PartyRow(ref="4", name="Lyon Capteurs SARL", country=None, line=4),
    ]


def test_csv_id_column_is_the_ref(tmp_path: Path) -> None:
    path = _write(tmp_path, "c.csv", "id,name\nC-1,SMIC\n42,Sugon\n")
    assert [p.ref for p in read_parties(path)] == ["C-1", "42"]


def test_csv_mapping_ignores_other_columns_and_keeps_default_names(tmp_path: Path) -> None:
    path = _write(tmp_path, "c.csv", "Kunnr,Customer Name,Land,Street,country\n7,SMIC,CN,Main St,DE\n")
    rows = list(read_parties(path, column="customer name", country_column="Land", id_column="KUNNR"))
    assert rows == [PartyRow(ref="7", name="SMIC", country="CN", line=2)]
    only_name = list(read_parties(path, column="Customer Name"))
    assert only_name == [PartyRow(ref="2", name="SMIC", country="DE", line=2)]


def test_csv_unknown_column_without_mapping_is_an_error(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, "c.csv", "name,contry\nSMIC,CN\n"))
    assert err.location == "line 1" and "'contry'" in err.message and "--column" in err.message


def test_csv_mapped_column_missing_is_an_error(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, "c.csv", "name,country\nSMIC,CN\n"), column="Customer Name")
    assert err.location == "line 1" and "'Customer Name'" in err.message


@pytest.mark.parametrize(
    ("body", "line", "needle"),
    [
        ("SMIC,CN,1\n,CN,2\n", 3, "name is blank"),
        ("SMIC,CN,1\nSugon,Atlantis,2\n", 3, "unknown country 'Atlantis'"),
        ("SMIC,CN,1\nSugon,CN\n", 3, "2 cells but the header has 3 columns"),
        ("SMIC,CN,1\nSugon,CN,1\n", 3, "id '1' appears twice: first on line 2"),
        ("SMIC,CN,1\nSugon,CN, \n", 3, "id is blank"),
        ("SMIC,CN,1\n" + "X" * 1001 + ",CN,2\n", 3, "max_name_chars"),
    ],
)
def test_bad_csv_rows_fail_with_their_line(tmp_path: Path, body: str, line: int, needle: str) -> None:
    path = _write(tmp_path, "c.csv", "name,country,id\n" + body)
    err = _error(path)
    assert err.location == f"line {line}", err
    assert needle in err.message
    assert str(path) in str(err) and f"line {line}" in str(err)


def test_the_rows_before_a_bad_one_stream_first(tmp_path: Path) -> None:
    path = _write(tmp_path, "c.csv", "name,country\nSMIC,\n\nSugon,\n  ,CN\n")
    rows = read_parties(path)
    assert next(rows).name == "SMIC" and next(rows).name == "Sugon"
    with pytest.raises(InputError, match="name is blank"):
        next(rows)


def test_yaml_list_and_mapping_forms_with_lines(tmp_path: Path) -> None:
    listed = _write(tmp_path, "a.yaml", "- name: SMIC\n  country: CN\n  id: 7\n- {name: Sugon}\n")
    assert list(read_parties(listed)) == [
        PartyRow(ref="7", name="SMIC", country="CN", line=1),
        PartyRow(ref="4", name="Sugon", country=None, line=4),
    ]
    mapped = _write(tmp_path, "b.yml", "parties:\n  - name: SMIC\n\n  - name: ''\n")
    err = _error(mapped)
    assert err.location == "line 4" and "name is blank" in err.message


def test_json_list_and_mapping_forms_with_lines(tmp_path: Path) -> None:
    text = '{"parties": [\n  {"name": "SMIC", "country": "CN"},\n\n  {"name": "Sugon", "id": 3}\n]}\n'
    path = _write(tmp_path, "p.json", text, bom=True)
    assert list(read_parties(path)) == [
        PartyRow(ref="2", name="SMIC", country="CN", line=2),
        PartyRow(ref="3", name="Sugon", country=None, line=4),
    ]
    compact = _write(tmp_path, "q.json", '[{"name": "SMIC"}, {"name": "Sugon", "country": "Atlantis"}]')
    assert _error(compact).location == "line 1"
    spread = _write(tmp_path, "r.json", '[\n{"name": "A"},\n{"name": "B",\n "country": "XX"}\n]')
    assert _error(spread).location == "line 3"


def test_yaml_and_json_mapping_by_key(tmp_path: Path) -> None:
    path = _write(tmp_path, "p.json", '[{"Customer": "SMIC", "Land": "CN", "street": "x"}]')
    assert list(read_parties(path, column="customer", country_column="land")) == [
        PartyRow(ref="1", name="SMIC", country="CN", line=1)
    ]
    err = _error(path)
    assert "unknown key 'Customer'" in err.message


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('[{"name": 12}]', "name must be text"),
        ('[{"name": "A", "country": 1}]', "country must be text"),
        ('["SMIC"]', "a party is a mapping"),
        ('[{"country": "CN"}]', "no 'name' key"),
        ('{"customers": []}', "list of parties"),
        ('"SMIC"', "list of parties"),
        ('[{"name": "A", "id": true}]', "id must be text"),
    ],
)
def test_bad_json_parties(tmp_path: Path, text: str, needle: str) -> None:
    assert needle in _error(_write(tmp_path, "p.json", text)).message


def test_files_that_cannot_be_party_files(tmp_path: Path) -> None:
    assert "ends in .csv" in _error(_write(tmp_path, "p.txt", "name\nA\n")).message
    assert "empty" in _error(_write(tmp_path, "p.csv", "")).message
    latin1 = tmp_path / "l.csv"
    latin1.write_bytes(b"name\nM\xfcller GmbH\n")
    err = _error(latin1)
    assert "UTF-8" in err.message and err.location == "line 2"


def test_header_only_file_has_no_parties(tmp_path: Path) -> None:
    assert list(read_parties(_write(tmp_path, "p.csv", "name,country\n"))) == []
    assert list(read_parties(_write(tmp_path, "p.json", '{"parties": []}'))) == []


def test_max_parties_per_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("exportscreen.partyfile.LIMITS", Limits(max_parties_per_file=2))
    err = _error(_write(tmp_path, "p.csv", "name\nA\nB\nC\n"))
    assert err.location == "line 4" and "max_parties_per_file" in err.message


def test_csv_repeated_header_is_an_error(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, "c.csv", "name,Name\nA,B\n"))
    assert err.location == "line 1" and "appears twice" in err.message
