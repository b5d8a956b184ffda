"""trade.gov Consolidated Screening List loader: hand-written fixtures and the real 2022 CSL."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from pathlib import Path

import pytest

from exportscreen._errors import ListError
from exportscreen.registry import Entry, Registry, csl, listfile, load_registry

DATA = Path(__file__).parent / "data"


def _by_key(reg: Registry) -> dict[tuple[str, str], Entry]:
    return {e.key: e for e in reg.entries}


# --- fixtures --------------------------------------------------------------------------------


def test_small_csv_maps_every_field() -> None:
    reg = load_registry(DATA / "csl_small.csv")
    assert {s.id for s in reg.sources} == {"csl:EL", "csl:SDN", "csl:SSI", "csl:CAP", "csl:DPL", "csl:DTC", "csl:ISN"}
    assert all(s.format == "csl-csv" for s in reg.sources)
    entries = _by_key(reg)
    el = entries[("csl:EL", "e1a0000000000000000000000000000000000001")]
    assert el.list == "EL"
    assert el.type == "entity"
    assert el.name == "Example Optics Co., Ltd."
    # "; and <affiliate>", a bare ";", a leading "-" and an "f.k.a." prefix are all cleaned up.
    assert el.aliases == ("Example Optics", "Example Optics Shenzhen", "EO Tech", "Old Example Optics")
    assert el.addresses == ("1 Example Rd, Nanshan, Shenzhen, 518000, CN", "2 Example St, Kowloon, HK")
    assert el.country is None  # addresses in two countries
    assert el.federal_register == ("84 FR 22961", "85 FR 29852", "85 FR 36720", "87 FR 8180")
    assert el.start_date == dt.date(2020, 12, 18)
    assert el.license_requirement == "For all items subject to the EAR. (See §744.11 of the EAR)"
    assert el.license_policy == "Presumption of denial."
    assert el.source_url == "http://bit.ly/1L47xrV"


def test_treasury_ids_repeat_across_lists_and_stay_separate_entries() -> None:
    reg = load_registry(DATA / "csl_small.csv")
    bank = [e for e in reg.entries if e.id == "9002"]
    assert sorted(e.source for e in bank) == ["csl:CAP", "csl:SDN", "csl:SSI"]
    sdn = _by_key(reg)[("csl:SDN", "9002")]
    assert sdn.programs == ("UKRAINE-EO13662", "RUSSIA-EO14024")
    assert sdn.ids == ("RU, 7700000000, Tax ID No.", "EXAMRUMM, SWIFT/BIC")
    assert sdn.country == "RU"


def test_identical_repeat_in_one_list_is_merged() -> None:
    reg = load_registry(DATA / "csl_small.csv")
    assert reg.counts()["csl:CAP"] == {"CAP": 1}
    cap = _by_key(reg)[("csl:CAP", "9002")]
    assert cap.source_url == "http://bit.ly/1QWTIfE"  # taken from the repeat that has it
    source = next(s for s in reg.sources if s.id == "csl:CAP")
    assert source.derived_from is not None and "1 repeated record(s) merged" in source.derived_from


def test_blank_type_is_entity_unless_clearly_a_person() -> None:
    entries = _by_key(load_registry(DATA / "csl_small.csv"))
    dpl = entries[("csl:DPL", "d1a0000000000000000000000000000000000003")]
    assert dpl.type == "individual"  # "JR." suffix
    assert dpl.federal_register == ("68 F.R. 38290 6/27/03", "71 F.R. 38843 7/10/06")
    assert dpl.end_date == dt.date(2030, 1, 1)
    assert dpl.remarks == "FR NOTICE ADDED; Standard Order: Y"
    assert entries[("csl:DTC", "d7c0000000000000000000000000000000000004")].type == "entity"
    isn = entries[("csl:ISN", "15a0000000000000000000000000000000000005")]
    assert isn.name == "Example Institute"  # embedded newline and trailing space
    assert isn.federal_register == ("Vol. 86, No. 71, 04/15/2021",)


def test_particulars_without_an_entry_field_go_to_remarks() -> None:
    person = _by_key(load_registry(DATA / "csl_small.csv"))[("csl:SDN", "9003")]
    assert person.type == "individual"
    assert person.remarks == "Title: Example Official; DOB 1970-01-01; nationality IR"


def test_mangled_year_is_dropped_and_kept_in_remarks() -> None:
    entry = _by_key(load_registry(DATA / "csl_small.csv"))[("csl:EL", "e1a0000000000000000000000000000000000002")]
    assert entry.start_date is None
    assert entry.remarks == "start_date as published: 0017-05-26 (implausible year, ignored)"


def test_as_of_is_the_newest_listing_date() -> None:
    reg = load_registry(DATA / "csl_small.csv")
    assert {(s.as_of, s.as_of_basis) for s in reg.sources} == {(dt.date(2021, 3, 2), "newest_listing")}


def test_json_form_with_nested_fields_and_source_dates() -> None:
    reg = load_registry(DATA / "csl_small.json")
    assert reg.counts() == {"csl:EL": {"EL": 1}, "csl:CMIC": {"CMIC": 1}, "csl:SDN": {"SDN": 1}}
    entries = _by_key(reg)
    el = entries[("csl:EL", "e1a0000000000000000000000000000000000001")]
    assert el.aliases == ("Example Optics", "Example Optics Shenzhen")
    assert el.addresses == ("1 Example Rd, Nanshan, Shenzhen, 518000, CN",)
    assert el.country == "CN"
    assert el.federal_register == ("85 FR 83420",)
    cmic = entries[("csl:CMIC", "30999")]
    assert cmic.ids == ("CN, 91110000EXAMPLE001, Unified Social Credit Code (USCC)",)
    assert cmic.programs == ("CMIC-EO13959",)
    sources = {s.id: s for s in reg.sources}
    assert (sources["csl:EL"].as_of, sources["csl:EL"].as_of_basis) == (dt.date(2026, 6, 30), "file")
    assert (sources["csl:CMIC"].as_of, sources["csl:CMIC"].as_of_basis) == (dt.date(2026, 6, 12), "file")
    assert (sources["csl:SDN"].as_of, sources["csl:SDN"].as_of_basis) == (dt.date(2020, 12, 18), "newest_listing")
    assert all(s.format == "csl-json" for s in reg.sources)


def test_gzipped_file_loads_like_the_plain_one(tmp_path: Path) -> None:
    import gzip

    gz = tmp_path / "consolidated.csv.gz"
    gz.write_bytes(gzip.compress((DATA / "csl_small.csv").read_bytes()))
    assert load_registry(gz).version == load_registry(DATA / "csl_small.csv").version


@pytest.mark.parametrize("name", ["csl_small.csv", "csl_small.json"])
def test_entries_pass_full_model_validation(name: str) -> None:
    for entry in load_registry(DATA / name).entries:
        assert Entry.model_validate(entry.model_dump()) == entry


# --- broken inputs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "location", "words"),
    [
        ("csl_missing_columns.csv", "line 1", "missing CSL column(s): start_date, alt_names"),
        ("csl_unterminated_quote.csv", "line 3", "unterminated quoted field"),
        ("csl_empty.csv", None, "empty"),
        ("csl_duplicate_ids.csv", "line 3", "duplicate id 'e1a0000000000000000000000000000000000001' in list EL"),
        ("csl_bad_date.csv", "line 3", "invalid date '2022-02-30'"),
        ("csl_unknown_source.csv", "line 2", "unknown CSL source list 'Imaginary List (IML) - Nowhere'"),
        ("csl_wrong_field_count.csv", "line 3", "record has 28 fields, the header has 29"),
        ("csl_broken.json", "results[1]", "'name' is missing or empty"),
    ],
)
def test_broken_input_names_file_and_line(name: str, location: str | None, words: str) -> None:
    path = DATA / name
    with pytest.raises(ListError) as info:
        load_registry(path, format="csl")
    err = info.value
    assert err.path == str(path)
    assert err.location == location
    assert words in err.message
    assert str(err).startswith(f"{path}: ")


def test_duplicate_error_points_at_the_first_record() -> None:
    with pytest.raises(ListError, match="the record at line 2 has the same id but a different 'name'"):
        load_registry(DATA / "csl_duplicate_ids.csv")


def test_a_broken_file_yields_no_partial_registry() -> None:
    with pytest.raises(ListError) as info:
        load_registry(DATA / "csl_small.csv", DATA / "csl_bad_date.csv")
    assert info.value.path == str(DATA / "csl_bad_date.csv")


def test_detection() -> None:
    assert csl.detect(DATA / "csl_small.csv")
    assert csl.detect(DATA / "csl_small.json")
    assert csl.detect(DATA / "csl_missing_columns.csv")  # detected, then refused with the missing columns
    assert not csl.detect(DATA / "ofac_small" / "sdn.csv")
    assert not csl.detect(DATA / "custom" / "people.csv")


def test_split_federal_register() -> None:
    assert listfile.split_federal_register("") == ()
    assert listfile.split_federal_register("87 FR 20299") == ("87 FR 20299",)
    assert listfile.split_federal_register("66 FR 24266; 75 FR 78883; 81 FR 64696 and 84 FR 40241") == (
        "66 FR 24266",
        "75 FR 78883",
        "81 FR 64696",
        "84 FR 40241",
    )
    assert listfile.split_federal_register("63 FR 64322, 11/19/98, 65 FR 14444, 03/17/00") == (
        "63 FR 64322, 11/19/98",
        "65 FR 14444, 03/17/00",
    )
    assert listfile.split_federal_register("80 F.R.44930 7/28/15, 81 F.R 45276 7/13/2016") == (
        "80 F.R.44930 7/28/15",
        "81 F.R 45276 7/13/2016",
    )


# --- the real CSL (../shared/data/csl) ---------------------------------------------------------

#: Entries per source list, as counted in ../shared/data/csl/PROVENANCE.md (14,160 rows). CAP has 53
#: rows there, but one (entity 15268, BANK OF KUNLUN) is the same record printed twice: 52 entries.
CSL_COUNTS = {
    "csl:SDN": 10_026,
    "csl:EL": 2_001,
    "csl:DTC": 727,
    "csl:DPL": 462,
    "csl:SSI": 290,
    "csl:UVL": 201,
    "csl:ISN": 163,
    "csl:PLC": 78,
    "csl:MEU": 71,
    "csl:CMIC": 68,
    "csl:CAP": 53 - 1,
    "csl:NS-MBS": 17,
    "csl:FSE": 3,
}


@pytest.fixture(scope="module")
def real_csl(shared_data: Path) -> Registry:
    return load_registry(shared_data / "csl" / "consolidated_2022-05.csv")


@pytest.mark.shared_data
def test_real_csl_counts_per_source(real_csl: Registry) -> None:
    counts = {sid: sum(per.values()) for sid, per in real_csl.counts().items()}
    assert counts == CSL_COUNTS
    assert len(real_csl) == 14_160 - 1
    assert {s.id: s.list for s in real_csl.sources} == {sid: sid.removeprefix("csl:") for sid in CSL_COUNTS}
    for source in real_csl.sources:
        assert (source.as_of, source.as_of_basis) == (dt.date(2022, 4, 21), "newest_listing")


@pytest.mark.shared_data
def test_real_csl_types_and_aliases(real_csl: Registry) -> None:
    treasury = {"csl:SDN", "csl:SSI", "csl:FSE", "csl:CAP", "csl:PLC", "csl:NS-MBS", "csl:CMIC"}
    types = Counter(e.type for e in real_csl.entries if e.source in treasury)
    # PROVENANCE: Individual 5,286; Entity 4,533 (one of them the repeated CAP row); Vessel 433; Aircraft 283.
    assert types == {"individual": 5_286, "entity": 4_533 - 1, "vessel": 433, "aircraft": 283}
    assert all(e.type is not None for e in real_csl.entries)
    # PROVENANCE: 6,790 rows with an alt name (one the repeated CAP row).
    assert sum(1 for e in real_csl.entries if e.aliases) == 6_790 - 1
    assert not any(a.startswith("and ") for e in real_csl.entries for a in e.aliases)
    assert not any(e.name != e.name.strip() or e.name.endswith(",") for e in real_csl.entries)


@pytest.mark.shared_data
def test_real_csl_china_smic_huawei_counts(real_csl: Registry) -> None:
    def names(e: Entry) -> tuple[str, ...]:
        return (e.name, *e.aliases)

    smic = [
        e
        for e in real_csl.entries
        if any("semiconductor manufacturing international" in n.lower() or "SMIC" in n for n in names(e))
    ]
    assert Counter(e.list for e in smic) == {"EL": 9, "CMIC": 1}
    huawei = [e for e in real_csl.entries if any("huawei" in n.lower() for n in names(e))]
    assert Counter(e.list for e in huawei) == {"EL": 136, "CMIC": 2}
    cn = [e for e in real_csl.entries if any(a == "CN" or a.endswith(", CN") for a in e.addresses)]
    assert len(cn) == 1_011 - 1  # less the repeated CAP row (BANK OF KUNLUN, Daqing)


@pytest.mark.shared_data
def test_real_csl_smic_entry(real_csl: Registry) -> None:
    (smic,) = [e for e in real_csl.entries if e.name == "Semiconductor Manufacturing International Corporation (SMIC)"]
    assert smic.list == "EL"
    assert smic.federal_register == ("85 FR 83420",)
    assert smic.start_date == dt.date(2020, 12, 18)
    assert smic.license_requirement == "For all items subject to the EAR. (See §744.11 of the EAR)."
    assert smic.license_policy is not None
    assert smic.license_policy.startswith("Presumption of denial for items uniquely required for production of")
    assert smic.license_policy.endswith("Case by case for all other items")
    assert smic.aliases == (
        "Semiconductor Manufacturing International (Shanghai) Corporation",
        "SMIC Shanghai",
        "Semiconductor Mfg International Corp.",  # published as "and Semiconductor Mfg International Corp."
    )
    assert smic.country == "CN"


@pytest.mark.shared_data
def test_real_csl_huawei_entries(real_csl: Registry) -> None:
    parents = [e for e in real_csl.entries if e.name == "Huawei Technologies Co., Ltd. (Huawei)"]
    assert len(parents) == 3
    for e in parents:
        assert e.list == "EL"
        assert e.start_date == dt.date(2019, 5, 21)
        assert e.license_policy == "Presumption of denial"
        assert e.license_requirement is not None and "744.11 of the EAR" in e.license_requirement
        assert "85 FR 51603" in e.federal_register
        assert e.aliases == ("Shenzhen Huawei Technologies", "Huawei Technology")
    (cmic,) = [e for e in real_csl.entries if e.name == "HUAWEI TECHNOLOGIES CO., LTD."]
    assert (cmic.list, cmic.id, cmic.programs) == ("CMIC", "30947", ("CMIC-EO13959",))


@pytest.mark.shared_data
def test_real_csl_hikvision_entry(real_csl: Registry) -> None:
    (hik,) = [e for e in real_csl.entries if e.name == "Hangzhou Hikvision Digital Technology Co., Ltd."]
    assert hik.list == "EL"
    assert hik.aliases == ("Hikvision",)
    assert hik.federal_register == ("84 FR 54002", "85 FR 44159")
    assert hik.start_date == dt.date(2019, 10, 9)
    assert hik.license_requirement == "For all items subject to the EAR. (See §744.11 of the EAR)"
    assert hik.license_policy is not None and hik.license_policy.startswith("Case-by-case review for ECCNs 1A004.c")


@pytest.mark.shared_data
def test_real_csl_quirks(real_csl: Registry) -> None:
    mangled = [e for e in real_csl.entries if e.remarks and "implausible year" in e.remarks]
    assert len(mangled) == 3
    assert all(e.start_date is None for e in mangled)
    shared_ids = Counter(e.id for e in real_csl.entries)
    multi = [i for i, n in shared_ids.items() if n > 1]
    # OFAC ids on several Treasury lists, one entry per list (PROVENANCE's 71 counts CAP 15268 too).
    assert len(multi) == 70
    assert len({e.key for e in real_csl.entries}) == len(real_csl)


@pytest.mark.slow
@pytest.mark.shared_data
def test_real_csl_gz_and_derived_entity_list_agree(real_csl: Registry, shared_data: Path, tmp_path: Path) -> None:
    gz = load_registry(shared_data / "csl" / "consolidated_2022-05.csv.gz")
    assert gz.version == real_csl.version
    # The BIS folder's Entity List is the EL rows of the same file, rewritten with CRLF and minimal quoting.
    derived = shared_data / "bis" / "entity_list_from_csl_2022-05.csv"
    el = load_registry(derived)
    assert el.counts() == {"csl:EL": {"EL": 2_001}}
    assert el.source_versions["csl:EL"] == real_csl.source_versions["csl:EL"]
    copy = tmp_path / "el.csv"
    shutil.copyfile(derived, copy)
    with pytest.raises(ListError, match="source id 'csl:EL' is loaded twice"):
        load_registry(shared_data / "csl" / "consolidated_2022-05.csv", copy)


@pytest.mark.shared_data
def test_real_csl_entries_pass_full_model_validation(real_csl: Registry) -> None:
    for entry in real_csl.entries:
        assert Entry.model_validate(entry.model_dump()) == entry


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"id": "1", "name": ""}, "entry has no name"),
        ({"id": "", "name": "X"}, "entry has no id"),
        ({"id": "1", "name": "X", "type": "company"}, "unknown entry type 'company'"),
        ({"id": "1", "name": "X", "aliases": ("ok", " ")}, "blank or unstripped"),
        ({"id": "1", "name": "X", "start_date": "2022-01-01"}, "is not a date"),
        ({"id": "1", "name": " X"}, "must be stripped text"),
        ({"id": "1", "name": "X", "country": "Atlantis"}, "unknown country 'Atlantis'"),
        ({"id": "1", "name": "X", "confidence": "maybe"}, "unknown confidence"),
    ],
)
def test_build_entry_checks_what_validation_would(fields: dict[str, object], words: str) -> None:
    with pytest.raises(ListError, match=words) as info:
        listfile.build_entry(fields, path=Path("list.csv"), location="line 7")
    assert (info.value.path, info.value.location) == ("list.csv", "line 7")


def test_build_entry_resolves_country_names() -> None:
    entry = listfile.build_entry({"id": "1", "name": "X", "country": "China"}, path=Path("l.csv"), location="line 2")
    assert entry.country == "CN"
    assert Entry.model_validate(entry.model_dump()) == entry
