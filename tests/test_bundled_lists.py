"""The bundled curated lists: BIS Entity List (China chips/computing subset) and the MEU List (China)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from exportscreen.registry import Entry, Registry, load_registry

EL_SOURCE = "bis-entity-list-cn"
MEU_SOURCE = "bis-meu-list-cn"
MEU_CHINA_COUNT = 70  # China entries of Supp. No. 7 in the July 2026 snapshot (all of its entries)

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
    "EL-CN-SMIC",
    "EL-CN-SMIC-BEIJING",
    "EL-CN-SMIC-NORTH",
    "EL-CN-SMIC-SOUTH",
    "EL-CN-SMIC-SHENZHEN",
    "EL-CN-SMIC-TIANJIN",
    "EL-CN-SMIC-HOLDINGS",
    "EL-CN-SMIC-HONG-KONG",
    "EL-CN-SMIC-MFG-SHANGHAI",
    "EL-CN-SJ-SEMICONDUCTOR",
    "EL-CN-NSI-NINGBO",
}

_FR_CITATION = re.compile(r"^(\d+) FR (\d+),? (\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$")
_RULE_CITATION = re.compile(r"^\d+ FR \d+$")


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def _of(registry: Registry, source: str) -> list[Entry]:
    return [e for e in registry.entries if e.source == source]


@pytest.fixture(scope="module")
def el(registry: Registry) -> list[Entry]:
    return _of(registry, EL_SOURCE)


@pytest.fixture(scope="module")
def meu(registry: Registry) -> list[Entry]:
    return _of(registry, MEU_SOURCE)


def _by_name(entries: list[Entry]) -> dict[str, Entry]:
    return {e.name: e for e in entries}


def _printed_date(citation: str) -> dt.date:
    m = _FR_CITATION.match(citation)
    assert m, f"unexpected FR citation form {citation!r}"
    month, day, year = int(m[3]), int(m[4]), int(m[5])
    return dt.date(year + 2000 if year < 100 else year, month, day)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def test_both_sources_load_with_their_list_codes(registry: Registry) -> None:
    by_id = {s.id: s for s in registry.sources}
    assert by_id[EL_SOURCE].list == "EL"
    assert by_id[MEU_SOURCE].list == "MEU"
    assert by_id[EL_SOURCE].as_of == by_id[MEU_SOURCE].as_of == dt.date(2026, 7, 9)
    assert {e.list for e in registry.entries if e.source == EL_SOURCE} == {"EL"}
    assert {e.list for e in registry.entries if e.source == MEU_SOURCE} == {"MEU"}


def test_entity_list_has_at_least_the_brief_entries(el: list[Entry]) -> None:
    assert len(el) >= len(BRIEF_PARTIES) == 33


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
        "Huawei Terminal (Shenzhen) Co., Ltd.",
    ):
        assert names[name].federal_register == ("84 FR 22963, 5/21/19",)
        assert names[name].license_footnotes == (1, 2)


def test_sophgo_units_include_the_singapore_entry(el: list[Entry]) -> None:
    sophgo = [e for e in el if "Sophgo" in e.name or "Suanneng" in e.name or "Sophon" in e.name]
    assert len(sophgo) >= 8
    assert _by_name(el)["Sophgo Technologies Pte. Ltd."].country == "SG"


def test_every_entry_has_date_citation_and_licence_requirement(registry: Registry) -> None:
    for e in _of(registry, EL_SOURCE) + _of(registry, MEU_SOURCE):
        assert e.start_date is not None, e.id
        assert e.federal_register, e.id
        assert e.license_requirement, e.id
        assert e.confidence in {"V", "S", "U"}, e.id
        assert e.type == "entity", e.id
        assert e.country is not None, e.id


def test_citations_have_the_printed_form(registry: Registry) -> None:
    for e in _of(registry, EL_SOURCE) + _of(registry, MEU_SOURCE):
        for citation in e.federal_register:
            assert _FR_CITATION.match(citation), (e.id, citation)
        for citation in e.rule_citations:
            assert _RULE_CITATION.match(citation), (e.id, citation)


def test_start_date_is_on_or_shortly_before_the_first_printed_date(registry: Registry) -> None:
    # Listing rules take effect on public display or publication: never after the printed date,
    # and at most a few days before it.
    for e in _of(registry, EL_SOURCE) + _of(registry, MEU_SOURCE):
        printed = _printed_date(e.federal_register[0])
        assert e.start_date is not None
        assert dt.timedelta(0) <= printed - e.start_date <= dt.timedelta(days=7), (e.id, e.start_date, printed)


def test_rule_starts_on_or_before_the_page_it_prints_the_entry_on(registry: Registry) -> None:
    for e in _of(registry, EL_SOURCE) + _of(registry, MEU_SOURCE):
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


def test_leading_edge_tag_only_on_the_smic_group(registry: Registry) -> None:
    tagged = {e.id for e in registry.entries if "leading-edge-pod" in e.tags}
    assert tagged == LEADING_EDGE_IDS
    for e in registry.entries:
        if e.id in LEADING_EDGE_IDS:
            assert e.source == EL_SOURCE
            assert e.license_policy is not None and "10 nm" in e.license_policy, e.id
            assert e.start_date == dt.date(2020, 12, 18), e.id


def test_footnote_numbers_match_the_licence_text(el: list[Entry]) -> None:
    hooks = {1: "734.9(e)", 4: "734.9(e)", 5: "734.9(e)(3)"}
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


def test_meu_file_holds_exactly_the_china_entries(meu: list[Entry]) -> None:
    assert len(meu) == MEU_CHINA_COUNT
    assert {e.country for e in meu} == {"CN"}
    first_tranche = [e for e in meu if e.federal_register[0].startswith("85 FR 83799")]
    assert len(first_tranche) == MEU_CHINA_COUNT - 1
    assert {e.start_date for e in first_tranche} == {dt.date(2020, 12, 23)}
    assert {e.rule_citations for e in first_tranche} == {("85 FR 83793",)}
    assert all(e.license_requirement and "Supplement No. 2 to Part 744" in e.license_requirement for e in meu)


def test_ids_are_unique_across_bundled_lists(registry: Registry) -> None:
    ids = [e.id for e in registry.entries if e.source in {EL_SOURCE, MEU_SOURCE}]
    assert len(ids) == len(set(ids))


def test_entries_are_sorted_by_id_within_each_file(el: list[Entry], meu: list[Entry]) -> None:
    for entries in (el, meu):
        ids = [e.id for e in entries]
        assert ids == sorted(ids)


def test_other_names_add_something(registry: Registry) -> None:
    for e in _of(registry, EL_SOURCE) + _of(registry, MEU_SOURCE):
        printed = {_norm(n) for n in (e.name, *e.aliases)}
        assert len({_norm(o) for o in e.other_names}) == len(e.other_names), e.id
        for other in e.other_names:
            assert _norm(other) not in printed, (e.id, other)


def test_unverified_entries_say_why(registry: Registry) -> None:
    for e in _of(registry, EL_SOURCE) + _of(registry, MEU_SOURCE):
        if e.confidence == "U":
            assert e.remarks, e.id


def _snapshot(shared_data: Path, name: str) -> list[dict[str, object]]:
    path = shared_data / "nsfreg_2026-07" / name
    if not path.is_file():
        pytest.skip(f"{path} not found")
    entities = json.loads(path.read_text(encoding="utf-8"))["entities"]
    assert isinstance(entities, list)
    return entities


def _printed_citations(raw: object) -> tuple[str, ...]:
    assert isinstance(raw, str)
    return tuple(x.strip().rstrip(".,").strip() for x in raw.splitlines() if x.strip())


def test_entity_list_facts_match_the_snapshot(shared_data: Path, el: list[Entry]) -> None:
    snap: dict[str, dict[str, object]] = {}
    for ent in _snapshot(shared_data, "bis_entity_list.json"):
        name = str(ent["name"]).strip()
        snap.setdefault(name, ent)
        snap.setdefault(name.rstrip("."), ent)  # "Piotech." is printed with a stray full stop
    bundled = {"EL-CN-HUAWEI-TERMINAL-SHENZHEN"}  # printed inside the Huawei Technologies cell
    for e in el:
        if e.id in bundled:
            continue
        row = snap.get(e.name)
        assert row is not None, f"{e.id}: {e.name!r} not in the snapshot"
        assert e.federal_register == _printed_citations(row["federal_register"]), e.id
        aliases = row["aliases"]
        assert isinstance(aliases, list)
        assert e.aliases == tuple(str(a).strip() for a in aliases), e.id
    huawei = snap["Huawei Technologies Co., Ltd."]
    assert "Huawei Terminal (Shenzhen) Co., Ltd." in str(huawei["address"])


def test_meu_names_match_the_snapshot(shared_data: Path, meu: list[Entry]) -> None:
    snap = _snapshot(shared_data, "bis_meu.json")
    china = sorted(str(ent["name"]).strip() for ent in snap if ent["country"] == "China")
    assert len(china) == MEU_CHINA_COUNT
    assert sorted(e.name for e in meu) == china
