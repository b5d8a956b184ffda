"""The bundled lists: the complete July 2026 Entity List, MEU, DPL, NS-CMIC and 1260H, with the curated overlays."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import pytest

from exportscreen import Category, match_name, screen
from exportscreen._data import bundled_dir
from exportscreen.geo import resolve_country
from exportscreen.registry import Entry, Registry, bundled_list_paths, load_registry
from exportscreen.registry.build import COMMAND, build, check_overlays
from exportscreen.registry.build import main as build_main
from exportscreen.registry.overlay import detect as is_overlay
from exportscreen.registry.overlay import read_overlay

EL_SOURCE = "bis-entity-list"
MEU_SOURCE = "bis-meu-list"
MEU_CHINA_COUNT = 70  # every entry of Supp. No. 7 in the July 2026 snapshot sits under China
#: Entries of the July 2026 publications (DPL: 564 records, two printed twice and merged).
COUNTS = {"EL": 3409, "MEU": 70, "DPL": 562, "CMIC": 68, "1260H": 80}
AS_OF = {"EL": dt.date(2026, 7, 9), "MEU": dt.date(2026, 7, 9), "DPL": dt.date(2026, 4, 14),
         "CMIC": dt.date(2026, 7, 9), "1260H": dt.date(2026, 6, 10)}  # fmt: skip
_ID = re.compile(r"^(EL|MEU|DPL|CMIC|1260H)-[A-Z]{2}-[A-Z0-9]+(?:-[A-Z0-9]+)*$")

# The 33 parties of the domain brief, section 9, by their listed names.
BRIEF_PARTIES = [
    "Semiconductor Manufacturing International Corporation (SMIC)",
    "Semiconductor Manufacturing International (Beijing) Corporation",
    "SMIC Northern Integrated Circuit Manufacturing (Beijing) Co., Ltd.",
    "Semiconductor Manufacturing South China Corporation",
    "Semiconductor Manufacturing International (Shenzhen) Corporation",
    "Semiconductor Manufacturing International (Tianjin) Corporation",
    "SMIC Holdings Limited",
    "SMIC Hong Kong International Company Limited",
    "SMIC Semiconductor Manufacturing (Shanghai) Co., Ltd.",
    "SJ Semiconductor",
    "Ningbo Semiconductor International Corporation (NSI)",
    "SMIC Advanced Technology R&D (Shanghai) Corporation",
    "Huawei Technologies Co., Ltd.",
    "HiSilicon Technologies Co., Ltd (HiSilicon)",
    "Yangtze Memory Technologies Co., Ltd.",
    "Yangtze Memory Technologies (Japan) Inc.",
    "Shanghai Micro Electronics Equipment (Group) Co., Ltd.",
    "Cambricon Technologies Corporation Limited",
    "Sugon",
    "Chengdu Haiguang Integrated Circuit",
    "Inspur Group Co., Ltd.",
    "Inspur Electronic Information Industry Co., Ltd.",
    "Tianjin Phytium Information Technology",
    "Sunway Microelectronics",
    "Shanghai Biren Information Technology Co., Ltd.",
    "Moore Thread Intelligent Technology (Beijing) Co., Ltd.",
    "Hangzhou Hikvision Digital Technology Co., Ltd.",
    "DJI",
    "Naura Technology Group Co., Ltd.",
    "Wuhan Xinxin Semiconductor Manufacturing Company Limited",
    "Shenzhen SiCarrier Technologies Co., Ltd.",
    "Sophgo Technologies Ltd.",
    "Beijing Zhipu Huazhang Technology Co., Ltd.",
]

# The Dec 2020 SMIC-group entries whose review policy is the 10 nm presumption of denial.
LEADING_EDGE_IDS = {
    "EL-CN-SEMICONDUCTOR-MANUFACTURING-INTERNATIONAL-CORPORATION-SMIC",
    "EL-CN-SEMICONDUCTOR-MANUFACTURING-INTERNATIONAL-BEIJING-CORPORATION",
    "EL-CN-SMIC-NORTHERN-INTEGRATED-CIRCUIT-MANUFACTURING-BEIJING-CO-LTD",
    "EL-CN-SEMICONDUCTOR-MANUFACTURING-SOUTH-CHINA-CORPORATION",
    "EL-CN-SEMICONDUCTOR-MANUFACTURING-INTERNATIONAL-SHENZHEN-CORPORATION",
    "EL-CN-SEMICONDUCTOR-MANUFACTURING-INTERNATIONAL-TIANJIN-CORPORATION",
    "EL-CN-SMIC-HOLDINGS-LIMITED",
    "EL-CN-SMIC-HONG-KONG-INTERNATIONAL-COMPANY-LIMITED",
    "EL-CN-SMIC-SEMICONDUCTOR-MANUFACTURING-SHANGHAI-CO-LTD",
    "EL-CN-SJ-SEMICONDUCTOR",
    "EL-CN-NINGBO-SEMICONDUCTOR-INTERNATIONAL-CORPORATION-NSI",
}

_FR_CITATION = re.compile(r"^(\d+) FR (\d+),? (\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$")
_RULE_CITATION = re.compile(r"^\d+ FR \d+$")


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def _curated_ids() -> set[str]:
    return {key for path in bundled_list_paths() if is_overlay(path) for key in read_overlay(path).entries}


CURATED = _curated_ids()


def _of(registry: Registry, source: str) -> list[Entry]:
    return [e for e in registry.entries if e.source == source]


@pytest.fixture(scope="module")
def el(registry: Registry) -> list[Entry]:
    return _of(registry, EL_SOURCE)


@pytest.fixture(scope="module")
def meu(registry: Registry) -> list[Entry]:
    return _of(registry, MEU_SOURCE)


@pytest.fixture(scope="module")
def curated(registry: Registry) -> list[Entry]:
    """The entries the overlays annotate with start dates, policies and confidence (111 EL + 70 MEU)."""
    return [e for e in registry.entries if e.id in CURATED and e.confidence is not None]


def _by_name(entries: list[Entry]) -> dict[str, Entry]:
    return {e.name: e for e in entries}


def _printed_date(citation: str) -> dt.date:
    m = _FR_CITATION.match(citation)
    assert m, f"unexpected FR citation form {citation!r}"
    month, day, year = int(m[3]), int(m[4]), int(m[5])
    return dt.date(year + 2000 if year < 100 else year, month, day)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def test_every_list_is_complete_with_its_publication_date(registry: Registry) -> None:
    per_list: dict[str, int] = {}
    for e in registry.entries:
        per_list[e.list] = per_list.get(e.list, 0) + 1
    assert per_list == COUNTS
    for source in registry.sources:
        assert source.as_of == AS_OF[source.list], source.id
        assert source.publication and source.extracted == dt.date(2026, 7, 9), source.id
        assert source.input_sha256 is not None and len(source.input_sha256) == 64, source.id
        assert {e.list for e in registry.entries if e.source == source.id} == {source.list}
    dpl = next(s for s in registry.sources if s.list == "DPL")
    assert any("564 records" in n for n in dpl.notes)
    assert any("2 record(s) printed twice in the publication, merged" in n for n in dpl.notes)


def test_entity_list_covers_every_country_section(el: list[Entry]) -> None:
    assert len({e.country for e in el}) == 90  # 91 sections; "Crimea Region of Ukraine" is UA
    assert sum(e.country == "CN" for e in el) == 1106


def test_ids_are_stable_readable_and_unique(registry: Registry) -> None:
    ids = [e.id for e in registry.entries]
    assert len(ids) == len(set(ids))
    for ident in ids:
        assert _ID.match(ident) and len(ident) <= 80, ident


@pytest.mark.parametrize("name", BRIEF_PARTIES)
def test_each_brief_party_is_present(el: list[Entry], name: str) -> None:
    assert name in _by_name(el)


@pytest.mark.parametrize(
    ("marker", "minimum"),
    [("Biren", 7), ("Moore Thread", 3), ("Naura", 9), ("Cambricon", 10), ("Zhipu", 7), ("Inspur", 7)],
)
def test_listed_units_of_a_group_are_all_bundled(el: list[Entry], marker: str, minimum: int) -> None:
    assert sum(marker in e.name for e in el) >= minimum


def test_huawei_device_and_terminal_affiliates_are_present(el: list[Entry]) -> None:
    names = _by_name(el)
    for name in (
        "Huawei Device Co., Ltd.",
        "Huawei Device (Dongguan) Co., Ltd.",
        "Huawei Device (Shenzhen) Co., Ltd.",
        "Huawei Device (Hong Kong) Co., Limited",
        "Shenzhen Huawei Terminal Commercial Co., Ltd.",
    ):
        assert names[name].federal_register == ("84 FR 22963, 5/21/19",)
        assert names[name].license_footnotes == (1, 2)


def test_sophgo_units_include_the_singapore_entry(el: list[Entry]) -> None:
    sophgo = [e for e in el if "Sophgo" in e.name or "Suanneng" in e.name or "Sophon" in e.name]
    assert len(sophgo) >= 8
    assert _by_name(el)["Sophgo Technologies Pte. Ltd."].country == "SG"


def test_every_curated_entry_has_date_citation_and_licence_requirement(curated: list[Entry]) -> None:
    assert len(curated) == 111 + 70
    for e in curated:
        assert e.start_date is not None, e.id
        assert e.federal_register, e.id
        assert e.license_requirement, e.id
        assert e.confidence in {"V", "S", "U"}, e.id
        assert e.type == "entity", e.id
        assert e.country is not None, e.id


def test_citations_have_the_printed_form(curated: list[Entry]) -> None:
    for e in curated:
        for citation in e.federal_register:
            assert _FR_CITATION.match(citation), (e.id, citation)
        for citation in e.rule_citations:
            assert _RULE_CITATION.match(citation), (e.id, citation)


def test_start_date_is_on_or_shortly_before_the_first_printed_date(curated: list[Entry]) -> None:
    # Listing rules take effect on public display or publication: never after the printed date,
    # and at most a few days before it.
    for e in curated:
        printed = _printed_date(e.federal_register[0])
        assert e.start_date is not None
        assert dt.timedelta(0) <= printed - e.start_date <= dt.timedelta(days=7), (e.id, e.start_date, printed)


def test_rule_starts_on_or_before_the_page_it_prints_the_entry_on(curated: list[Entry]) -> None:
    for e in curated:
        if not e.rule_citations:
            continue
        vol, page = (int(x) for x in e.rule_citations[0].split(" FR "))
        first = _FR_CITATION.match(e.federal_register[0])
        assert first is not None
        assert vol == int(first[1]), e.id
        assert 0 <= int(first[2]) - page < 60, e.id


def test_smic_dates_footnote_and_policy(el: list[Entry]) -> None:
    smic = _by_name(el)["Semiconductor Manufacturing International Corporation (SMIC)"]
    assert smic.start_date == dt.date(2020, 12, 18)
    assert smic.license_footnotes == (5,)
    assert smic.rule_citations == ("85 FR 83416",)
    assert smic.federal_register == ("85 FR 83420, 12/22/20",)
    assert smic.license_requirement is not None and "734.9(e)(3)" in smic.license_requirement
    assert not smic.active(dt.date(2020, 12, 17))
    assert smic.active(dt.date(2020, 12, 18))


def test_huawei_start_date(el: list[Entry]) -> None:
    huawei = _by_name(el)["Huawei Technologies Co., Ltd."]
    assert huawei.start_date == dt.date(2019, 5, 16)
    assert huawei.license_footnotes == (1, 2)
    assert any("Bantian Huawei Base" in a for a in huawei.addresses)
    # printed inside the Huawei cell, with no row of its own (audit A14): an other name of the entry
    assert "Huawei Terminal (Shenzhen) Co., Ltd." in huawei.other_names
    assert "Huawei Terminal (Shenzhen) Co., Ltd." not in _by_name(el)


def test_leading_edge_tag_only_on_the_smic_group(registry: Registry) -> None:
    tagged = {e.id for e in registry.entries if "leading-edge-pod" in e.tags}
    assert tagged == LEADING_EDGE_IDS
    for e in registry.entries:
        if e.id in LEADING_EDGE_IDS:
            assert e.source == EL_SOURCE
            assert e.license_policy is not None and "10 nm" in e.license_policy, e.id
            assert e.start_date == dt.date(2020, 12, 18), e.id


def test_footnote_numbers_match_the_licence_text(el: list[Entry]) -> None:
    hooks = {1: "734.9(e)", 3: "734.9(g)", 4: "734.9(e)", 5: "734.9(e)(3)"}
    assert sum(bool(e.license_footnotes) for e in el) > 1000
    for e in el:
        assert e.license_requirement is not None
        assert not re.search(r"\d\s*$", e.license_requirement), e.id  # footnote digits are stripped
        for fn in e.license_footnotes:
            if fn in hooks:
                assert hooks[fn] in e.license_requirement, (e.id, fn)


def test_hong_kong_addresses_sit_under_china(el: list[Entry], meu: list[Entry]) -> None:
    for e in el + meu:
        if e.addresses and all("Hong Kong" in a for a in e.addresses):
            assert e.country == "CN", e.id


def test_meu_list_holds_exactly_the_china_entries(meu: list[Entry]) -> None:
    assert len(meu) == MEU_CHINA_COUNT
    assert {e.country for e in meu} == {"CN"}
    first_tranche = [e for e in meu if e.federal_register[0].startswith("85 FR 83799")]
    assert len(first_tranche) == MEU_CHINA_COUNT - 1
    assert {e.start_date for e in first_tranche} == {dt.date(2020, 12, 23)}
    assert {e.rule_citations for e in first_tranche} == {("85 FR 83793",)}
    assert all(e.license_requirement and "Supplement No. 2 to Part 744" in e.license_requirement for e in meu)


def test_entries_are_sorted_by_id_within_each_file(registry: Registry) -> None:
    for source in registry.sources:
        ids = [e.id for e in registry.entries if e.source == source.id]
        assert ids == sorted(ids), source.id


def test_other_names_add_something(registry: Registry) -> None:
    for e in registry.entries:
        printed = {_norm(n) for n in (e.name, *e.aliases)}
        assert len({_norm(o) for o in e.other_names}) == len(e.other_names), e.id
        for other in e.other_names:
            assert _norm(other) not in printed, (e.id, other)


def test_unverified_entries_say_why(registry: Registry) -> None:
    for e in registry.entries:
        if e.confidence == "U":
            assert e.remarks, e.id


def _snapshot(shared_data: Path, name: str) -> list[dict[str, object]]:
    path = shared_data / "nsfreg_2026-07" / name
    if not path.is_file():
        pytest.skip(f"{path} not found")
    entities = json.loads(path.read_text(encoding="utf-8"))["entities"]
    assert isinstance(entities, list)
    return entities


def _words(text: str) -> str:
    return re.sub(r"[\s.,;]+", " ", text).strip()


def test_entity_list_facts_match_the_snapshot(shared_data: Path, el: list[Entry]) -> None:
    rows: dict[tuple[str, str], list[dict[str, object]]] = {}
    for ent in _snapshot(shared_data, "bis_entity_list.json"):
        section = str(ent["country"])
        code = "UA" if section == "Crimea Region of Ukraine" else resolve_country(section)
        rows.setdefault((" ".join(str(ent["name"]).split()), code), []).append(ent)
    snap = {key: found[0] for key, found in rows.items() if len(found) == 1}  # 5 names are printed twice in a section
    checked = 0
    for e in el:
        row = snap.get((e.name, e.country or ""))
        if row is None:  # a name whose a.k.a. the build moved to the aliases
            continue
        checked += 1
        # every printed citation, in print order, nothing added (the column's line breaks are not kept)
        assert _words(" ".join(e.federal_register)) == _words(str(row["federal_register"])), e.id
        aliases = row["aliases"]
        assert isinstance(aliases, list)
        for printed in (" ".join(str(a).split()) for a in aliases):
            # every printed alias is kept (but the name repeated); one that ran into the address keeps its name
            kept = (e.name, *e.aliases)
            assert any(printed.casefold().startswith(a.rstrip(".").casefold()) for a in kept), (e.id, printed)
    assert checked == 3409 - 13 - 10  # 13 names gave their a.k.a. to the aliases; 5 names are printed twice
    huawei = snap["Huawei Technologies Co., Ltd.", "CN"]
    assert "Huawei Terminal (Shenzhen) Co., Ltd." in str(huawei["address"])


def test_meu_names_match_the_snapshot(shared_data: Path, meu: list[Entry]) -> None:
    snap = _snapshot(shared_data, "bis_meu.json")
    china = sorted(str(ent["name"]).strip() for ent in snap if ent["country"] == "China")
    assert len(china) == MEU_CHINA_COUNT
    assert sorted(e.name for e in meu) == china


@pytest.mark.slow
def test_bundled_files_are_the_build_of_the_official_files(shared_data: Path) -> None:
    """Rebuilding from ../shared/data gives the bundled files byte for byte (and the same twice)."""
    first = build(shared_data)
    second = build(shared_data / "nsfreg_2026-07")
    assert [b.text for b in first] == [b.text for b in second]
    directory = bundled_dir() / "registry"
    for b in first:
        assert (directory / b.name).read_text(encoding="utf-8") == b.text, f"{b.name} is stale: run {COMMAND}"
    check_overlays(first, sorted(directory.glob("*.overlay.yaml")))


def test_each_bundled_file_records_its_content_hash() -> None:
    for path in bundled_list_paths():
        if path.suffix != ".json":
            continue
        doc = json.loads(path.read_text(encoding="utf-8"))
        lines = path.read_text(encoding="utf-8").split("\n")
        body = lines[lines.index('"entries": [') + 1 : lines.index("]")]
        text = "\n".join(line.removesuffix(",") for line in body)
        assert hashlib.sha256(text.encode()).hexdigest() == doc["build"]["content_sha256"], path.name
        assert doc["build"]["entries"] == len(doc["entries"]) == len(body)


# Parties a new user found less risky with the old 112-entry default (issue 13), by destination.
ISSUE_PARTIES = [
    ("Huawei Cloud Computing Technology", "CN"),
    ("Huawei do Brasil", "BR"),
    ("Huawei Technologies Deutschland GmbH", "DE"),
    ("Huawei Technologies Japan K.K.", "JP"),
    ("Megvii", "CN"),
    ("iFlytek", "CN"),
    ("Nettrix", "CN"),
    ("Wuxi Jiangnan Institute of Computing Technology", "CN"),
]


# Listed parties printed inside another entry's cell: the subordinate institutions of CETC 11, 13, 14 and
# 38 (in the name or in front of the addresses) and the affiliates in Huawei's address cell. Each found
# nothing or another entry (less risky) until the build and the overlay made them names of their entry.
PRINTED_INSIDE_A_CELL = [
    ("Anhui Sun-Create Electronics", "CN"),
    ("Nanjing SunSea Industry Corporation", "CN"),
    ("Nanjing Institute of Radio Technology", "CN"),
    ("Brainware Terahertz", "CN"),
    ("Beijing Laiyin Company Ltd", "CN"),
    ("MT Microsystems", "CN"),
    ("Huawei Mobile Technology Ltd.", "CN"),
    ("HMN Technologies", "CN"),
    ("Ningbo Huawei Computer & Net Co., Ltd.", "CN"),
    ("Hangzhou New Longshine Information Technology Co., Ltd.", "CN"),
]


@pytest.mark.parametrize(("name", "country"), ISSUE_PARTIES + PRINTED_INSIDE_A_CELL)
def test_entity_list_parties_are_sensitive_with_the_defaults(name: str, country: str) -> None:
    decision = screen(
        {
            "id": "T-1",
            "date": "2026-11-02",
            "destination": country,
            "parties": [{"role": "ultimate_consignee", "name": name, "country": country}],
            "items": [{"description": "Network cable", "eccn": "EAR99"}],
        }
    )
    assert decision.category is Category.SENSITIVE, decision.reasons
    assert any(m.list == "EL" and m.strength == "hit" for m in decision.matches)


@pytest.mark.parametrize(
    ("query", "entry_id"),
    [
        ("SenseTime", "EL-CN-BEIJING-SENSETIME-TECHNOLOGY-DEVELOPMENT-CO-LTD"),
        ("Dahua", "EL-CN-DAHUA-TECHNOLOGY"),
        ("CloudWalk", "EL-CN-CLOUDWALK-TECHNOLOGY"),
        ("中芯国际集成电路制造有限公司", "EL-CN-SEMICONDUCTOR-MANUFACTURING-INTERNATIONAL-CORPORATION-SMIC"),
        ("Zhongke Shuguang", "EL-CN-SUGON"),
    ],
)
def test_match_reaches_the_entity_list_entry(query: str, entry_id: str) -> None:
    assert entry_id in {m.entry_id for m in match_name(query, limit=10)}


@pytest.mark.parametrize(
    ("query", "entry_id"),
    [
        ("中国航空工业集团有限公司", "1260H-CN-AVIATION-INDUSTRY-CORPORATION-OF-CHINA-LTD"),
        ("中国航天科技集团有限公司", "CMIC-CN-CHINA-AEROSPACE-SCIENCE-AND-TECHNOLOGY-CORPORATION"),
        ("中国电子科技集团有限公司", "1260H-CN-CHINA-ELECTRONICS-TECHNOLOGY-GROUP-CORPORATION"),
        ("中国船舶集团有限公司", "1260H-CN-CHINA-STATE-SHIPBUILDING-CORPORATION-LIMITED"),
        ("中国兵器工业集团有限公司", "1260H-CN-CHINA-NORTH-INDUSTRIES-GROUP-CORPORATION-LIMITED"),
        ("中国移动通信集团有限公司", "CMIC-CN-CHINA-MOBILE-COMMUNICATIONS-GROUP-CO-LTD"),
        ("中国电信集团有限公司", "1260H-CN-CHINA-TELECOM-GROUP-CO-LTD"),
    ],
)
def test_the_chinese_names_of_listed_state_groups_are_found(query: str, entry_id: str) -> None:
    """The 1260H and NS-CMIC lists print these groups in English only: their registered Chinese names
    found nothing (red team 26, finding 10); the 1260H and CMIC overlays add them."""
    found = {m.entry_id: m for m in match_name(query, limit=10)}
    assert entry_id in found and found[entry_id].strength == "hit"
    decision = screen(
        {
            "id": "T-10",
            "date": "2026-11-02",
            "destination": "CN",
            "parties": [{"role": "ultimate_consignee", "name": query, "country": "CN"}],
            "items": [{"description": "Network cable", "eccn": "EAR99"}],
        }
    )
    assert decision.category is not Category.LESS_RISKY, decision.reasons


@pytest.mark.slow
def test_build_stops_on_an_overlay_key_whose_entry_is_gone(shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "registry"
    out.mkdir()
    (out / "bis_entity_list.overlay.yaml").write_text(
        "format: exportscreen-overlay/1\nsource: bis-entity-list\nentries:\n"
        "  EL-CN-SEMICONDUCTOR-MANUFACTURING-INTERNATIONAL-CORPORATON-SMIC: {other_names: [中芯国际]}\n",
        encoding="utf-8",
    )
    assert build_main([str(shared_data), "--out", str(out)]) == 2
    assert sorted(p.name for p in out.iterdir()) == ["bis_entity_list.overlay.yaml"]  # nothing written
    (out / "bis_entity_list.overlay.yaml").unlink()
    assert build_main([str(shared_data), "--out", str(out)]) == 0
    assert build_main([str(shared_data), "--out", str(out), "--check"]) == 0
    (out / "bis_meu_list.json").write_text("{}", encoding="utf-8")
    assert build_main([str(shared_data), "--out", str(out), "--check"]) == 1
