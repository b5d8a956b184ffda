"""Custom lists with a YAML field mapping: fixtures, the shipped examples and the nsfreg extractions."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from exportscreen._errors import ListError
from exportscreen.registry import Entry, Registry, custom, load_registry

DATA = Path(__file__).parent / "data" / "custom"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "lists"


def _by_id(reg: Registry) -> dict[str, Entry]:
    return {e.id: e for e in reg.entries}


# --- the shipped blocked-customers example ---------------------------------------------------


def test_blocked_customers_example_loads_from_the_data_file() -> None:
    reg = load_registry(EXAMPLES / "blocked_customers.csv")
    (source,) = reg.sources
    assert (source.id, source.list, source.as_of, source.as_of_basis) == (
        "acme:blocked-customers",
        "X-BLOCKED-CUSTOMERS",
        dt.date(2026, 6, 30),
        "declared",
    )
    assert source.format == "custom-csv"
    assert reg.counts() == {"acme:blocked-customers": {"X-BLOCKED-CUSTOMERS": 4}}
    entries = _by_id(reg)
    first = entries["C-1001"]
    assert first.name == "Northwind Precision Trading Ltd."
    assert first.aliases == ("Northwind Trading", "NW Precision")
    assert first.addresses == ("Unit 5, 88 Harbour Road, Hong Kong, HK",)
    assert (first.country, first.type, first.start_date) == ("HK", "entity", dt.date(2025, 3, 15))
    assert first.tags == ("internal",)
    assert entries["C-1004"].type == "individual"
    assert entries["C-1004"].addresses == ("Limassol, CY",)


def test_blocked_customers_example_loads_from_the_mapping_file(tmp_path: Path) -> None:
    # The mapping has no data: line, so it only works beside its data file...
    with pytest.raises(ListError, match=r"names no data file \(data:\)"):
        load_registry(EXAMPLES / "blocked_customers.mapping.yaml")
    # ...or with data: pointing at it.
    shutil.copyfile(EXAMPLES / "blocked_customers.csv", tmp_path / "customers.csv")
    text = (EXAMPLES / "blocked_customers.mapping.yaml").read_text(encoding="utf-8")
    (tmp_path / "elsewhere.mapping.yaml").write_text(f"data: customers.csv\n{text}", encoding="utf-8")
    reg = load_registry(tmp_path / "elsewhere.mapping.yaml")
    assert reg.version == load_registry(EXAMPLES / "blocked_customers.csv").version


# --- fixtures --------------------------------------------------------------------------------


def test_csv_with_sibling_mapping_merges_verbatim_repeats() -> None:
    assert custom.detect(DATA / "people.csv")
    reg = load_registry(DATA / "people.csv")
    assert reg.counts() == {"test:people": {"X-TEST": 2}}
    (source,) = reg.sources
    assert source.derived_from == "mapping people.mapping.yaml; 1 repeated record(s) merged"
    assert _by_id(reg)["1"].aliases == ("Example Trading", "ETL")


def test_nested_json_with_dotted_fields() -> None:
    reg = load_registry(DATA / "nested.mapping.yaml")
    (source,) = reg.sources
    assert (source.as_of, source.as_of_basis, source.format) == (dt.date(2026, 5, 1), "file", "custom-json")
    entries = _by_id(reg)
    aero = entries["nested-A-1"]
    assert aero.aliases == ("Example Aero", "Example Aero Labs")
    assert (aero.country, aero.type, aero.start_date) == ("CN", "entity", dt.date(2025, 9, 1))
    assert aero.addresses == ("1 Example Rd, Xi'an, China",)
    assert aero.federal_register == ("90 FR 12345, 9/1/25", "90 FR 23456, 10/1/25")
    physics = entries["nested-A-2"]
    assert (physics.country, physics.addresses, physics.start_date) == ("RU", (), None)


def test_entries_pass_full_model_validation() -> None:
    for entry in load_registry(DATA / "nested.mapping.yaml", DATA / "people.csv").entries:
        assert Entry.model_validate(entry.model_dump()) == entry


@pytest.mark.parametrize(
    ("data", "location", "words"),
    [
        ("people_duplicate_ids.csv", "line 4", "duplicate id '1': line 2 has the same id but a different name"),
        ("people_bad_date.csv", "line 3", "invalid date '31.02.2024'"),
        ("people_unterminated_quote.csv", "line 3", "unterminated quoted field"),
        ("people_missing_column.csv", "line 1", "not in the header: country"),
        ("people_empty.csv", None, "file is empty"),
        ("people_bad_country.csv", "line 3", "unknown country 'Atlantis'"),
        ("people_no_name.csv", "line 3", "record has no name"),
    ],
)
def test_broken_data_names_file_and_line(data: str, location: str | None, words: str) -> None:
    with pytest.raises(ListError) as info:
        custom.load_mapped(DATA / "people.mapping.yaml", DATA / data)
    err = info.value
    assert err.path == str(DATA / data)
    assert err.location == location
    assert words in err.message


@pytest.mark.parametrize(
    ("mapping", "path", "location", "words"),
    [
        ("unknown_key.mapping.yaml", "unknown_key.mapping.yaml", "fields.name.colour", "unknown field"),
        ("missing_records.mapping.yaml", "nested.json", None, "records key 'data.entries' not found"),
        ("typo_field.mapping.yaml", "nested.json", None, "occur in no record: titel"),
    ],
)
def test_broken_mapping_is_refused(mapping: str, path: str, location: str | None, words: str) -> None:
    with pytest.raises(ListError) as info:
        load_registry(DATA / mapping)
    assert info.value.path == str(DATA / path)
    assert info.value.location == location
    assert words in info.value.message


def test_mapping_validation_rules(tmp_path: Path) -> None:
    base = "format: exportscreen-mapping/1\ndata: x.csv\nsource: {id: t, name: T, list: X-T}\nid: no\n"
    cases = {
        "fields: {aliases: aka}\n": "fields must map 'name'",
        "fields: {name: {field: a, value: b}}\n": "exactly one of field, fields or value",
        "fields: {name: a, nickname: b}\n": "fields.nickname",
        "fields: {name: {field: a, pattern: '('}}\n": "invalid regular expression",
        "fields: {name: {field: a, split: ''}}\n": "must not be empty",
    }
    for i, (tail, words) in enumerate(cases.items()):
        path = tmp_path / f"m{i}.mapping.yaml"
        path.write_text(base + tail, encoding="utf-8")
        with pytest.raises(ListError, match=words) as info:
            load_registry(path)
        assert info.value.path == str(path)


def test_mapping_beside_a_file_must_not_name_another(tmp_path: Path) -> None:
    shutil.copyfile(DATA / "people.csv", tmp_path / "people.csv")
    text = (DATA / "people.mapping.yaml").read_text(encoding="utf-8")
    (tmp_path / "people.mapping.yaml").write_text(f"data: other.csv\n{text}", encoding="utf-8")
    with pytest.raises(ListError, match="names another data file"):
        load_registry(tmp_path / "people.csv")


def test_sibling_mapping_takes_precedence_over_format_detection(tmp_path: Path) -> None:
    csl_copy = tmp_path / "mylist.csv"
    shutil.copyfile(Path(__file__).parent / "data" / "csl_small.csv", csl_copy)
    (tmp_path / "mylist.mapping.yaml").write_text(
        "format: exportscreen-mapping/1\nsource: {id: mine, name: Mine, list: X-MINE}\nid: {hash: [source, _id]}\n"
        "fields: {name: name, aliases: {field: alt_names, split: '; '}}\n",
        encoding="utf-8",
    )
    reg = load_registry(csl_copy)
    assert reg.counts() == {"mine": {"X-MINE": 9}}


# --- the nsfreg extractions (../shared/data/nsfreg_2026-07) ------------------------------------

#: Records per file, as listed in ../shared/data/README.md. bis_dpl.json prints two records twice
#: (NEI-CHIEN CHU and DAQING ZHOU, identical rows), which are merged.
NSFREG = {
    "bis_entity_list": ("nsfreg:EL", "EL", 3_409, dt.date(2026, 7, 9), "file"),
    "bis_meu": ("nsfreg:MEU", "MEU", 70, dt.date(2026, 7, 9), "file"),
    "bis_dpl": ("nsfreg:DPL", "DPL", 564 - 2, dt.date(2026, 4, 14), "declared"),
    "ofac_nscmic": ("nsfreg:CMIC", "CMIC", 68, dt.date(2026, 7, 9), "file"),
    "dow_1260h": ("nsfreg:1260H", "1260H", 80, dt.date(2026, 6, 10), "newest_listing"),
}


def _nsfreg(shared_data: Path, name: str) -> Registry:
    sources, entries = custom.load_mapped(
        EXAMPLES / "nsfreg" / f"{name}.mapping.yaml", shared_data / "nsfreg_2026-07" / f"{name}.json"
    )
    return Registry(sources, entries)


@pytest.mark.shared_data
@pytest.mark.parametrize("name", sorted(NSFREG))
def test_nsfreg_counts_and_dates(shared_data: Path, name: str) -> None:
    source_id, code, count, as_of, basis = NSFREG[name]
    reg = _nsfreg(shared_data, name)
    assert reg.counts() == {source_id: {code: count}}
    (source,) = reg.sources
    assert (source.as_of, source.as_of_basis) == (as_of, basis)
    for entry in reg.entries:
        assert Entry.model_validate(entry.model_dump()) == entry


@pytest.mark.shared_data
def test_nsfreg_default_data_path(shared_data: Path) -> None:
    mapping = EXAMPLES / "nsfreg" / "ofac_nscmic.mapping.yaml"
    default = (mapping.parent / "../../../../shared/data/nsfreg_2026-07/ofac_nscmic.json").resolve()
    if default != (shared_data / "nsfreg_2026-07" / "ofac_nscmic.json").resolve():
        pytest.skip("shared data is not at ../shared beside the checkout")
    assert load_registry(mapping).counts() == {"nsfreg:CMIC": {"CMIC": 68}}


@pytest.mark.shared_data
def test_nsfreg_entity_list_entries(shared_data: Path) -> None:
    reg = _nsfreg(shared_data, "bis_entity_list")
    (smic,) = [e for e in reg.entries if e.name == "Semiconductor Manufacturing International Corporation (SMIC)"]
    assert smic.federal_register == ("85 FR 83420, 12/22/20",)
    assert smic.country == "CN"
    assert smic.aliases == (
        "Semiconductor Manufacturing International (Shanghai) Corporation",
        "SMIC Shanghai",
        "Semiconductor Mfg International Corp.",
    )
    assert smic.license_requirement is not None and "744.11 of the EAR" in smic.license_requirement
    crimea = [e for e in reg.entries if e.country == "UA"]
    assert crimea  # "Crimea Region of Ukraine" is mapped to UA in the example mapping
    multi = [e for e in reg.entries if len(e.federal_register) > 1]
    assert multi and all(not n.endswith(".") for e in multi for n in e.federal_register)


@pytest.mark.shared_data
def test_nsfreg_dpl_end_dates_from_notes(shared_data: Path) -> None:
    reg = _nsfreg(shared_data, "bis_dpl")
    chu = [e for e in reg.entries if e.name == "NEI-CHIEN CHU"]
    assert len(chu) == 1
    assert (chu[0].start_date, chu[0].end_date) == (dt.date(2006, 6, 23), dt.date(2026, 6, 23))
    assert sum(1 for e in reg.entries if e.end_date is not None) > 500


@pytest.mark.shared_data
def test_nsfreg_cmic_and_1260h(shared_data: Path) -> None:
    cmic = _nsfreg(shared_data, "ofac_nscmic")
    (huawei,) = [e for e in cmic.entries if e.name == "Huawei Technologies Co., Ltd."]
    assert (huawei.programs, huawei.ids) == (("CMIC-EO13959",), ("USCC: 914403001922038216 (China)",))
    (smic,) = [e for e in cmic.entries if e.name == "Semiconductor Manufacturing International Corporation"]
    assert "SMIC" in smic.aliases and len(smic.addresses) == 2
    dod = _nsfreg(shared_data, "dow_1260h")
    assert all(e.federal_register == ("91 FR 35189 (June 10, 2026)",) for e in dod.entries)
    # The same party on several lists stays several entries, each with its own source.
    merged = Registry((*cmic.sources, *dod.sources), (*cmic.entries, *dod.entries))
    smics = [e for e in merged.entries if e.name == "Semiconductor Manufacturing International Corporation"]
    assert sorted(e.source for e in smics) == ["nsfreg:1260H", "nsfreg:CMIC"]
