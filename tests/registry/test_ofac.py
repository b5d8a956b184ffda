"""OFAC legacy CSV loader: hand-written fixtures and the real SDN / non-SDN files."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from pathlib import Path

import pytest

from exportscreen._errors import ListError
from exportscreen.registry import Entry, Registry, load_registry, ofac

DATA = Path(__file__).parent / "data"
SMALL = DATA / "ofac_small"


def _by_key(reg: Registry) -> dict[tuple[str, str], Entry]:
    return {e.key: e for e in reg.entries}


# --- fixtures --------------------------------------------------------------------------------


def test_fixture_keeps_the_published_byte_layout() -> None:
    raw = (SMALL / "sdn.csv").read_bytes()
    assert raw.endswith(b"\r\n\x1a")
    assert b"-0- ," in raw


def test_directory_loads_both_lists() -> None:
    reg = load_registry(SMALL)
    assert reg.counts() == {
        "ofac:SDN": {"SDN": 3},
        "ofac:NON-SDN": {"PLC": 1, "SSI": 1, "NS-MBS": 1, "CMIC": 1},
    }
    sources = {s.id: s for s in reg.sources}
    assert sources["ofac:SDN"].derived_from == "OFAC legacy CSV: sdn.csv, add.csv, alt.csv, sdn_comments.csv"
    assert sources["ofac:NON-SDN"].derived_from == "OFAC legacy CSV: cons_prim.csv, cons_add.csv, cons_alt.csv"
    assert all((s.as_of, s.as_of_basis) == (None, "unknown") for s in reg.sources)


def test_primary_file_loads_its_companions() -> None:
    reg = load_registry(SMALL / "sdn.csv")
    assert [s.id for s in reg.sources] == ["ofac:SDN"]
    assert len(reg) == 3


def test_a_primary_without_its_companions_makes_every_decision_a_review(tmp_path: Path) -> None:
    """sdn.csv alone loaded as if complete: an order naming an SDN entity by its alias passed as less risky
    and --require-lists SDN was satisfied (red team 35, finding 5). The set says what is missing, and
    each decision is a review (incomplete-list); the whole set has nothing missing."""
    from exportscreen import Screener

    assert all(not s.missing_parts for s in load_registry(SMALL).sources)
    shutil.copyfile(SMALL / "sdn.csv", tmp_path / "sdn.csv")
    names_only = load_registry(tmp_path / "sdn.csv")
    assert [p.split(" ")[0] for p in names_only.sources[0].missing_parts] == ["add.csv", "alt.csv"]
    order = {"id": "T-1", "destination": "FR", "parties": [{"role": "ultimate_consignee", "name": "Lyon Capteurs SARL",
             "country": "FR"}], "items": [{"description": "Printer", "eccn": "EAR99"}]}  # fmt: skip
    decision = Screener(load_registry() + names_only).screen(order, as_of=dt.date(2026, 6, 1))
    assert decision.category == "review"
    (reason,) = [r for r in decision.reasons if r.rule_id == "incomplete-list"]
    assert "alt.csv (the list's aliases)" in reason.message
    assert Screener(load_registry() + load_registry(SMALL)).screen(order, as_of=dt.date(2026, 6, 1)).category == (
        "less_risky"
    )


def test_aliases_addresses_and_comments_are_joined() -> None:
    entries = _by_key(load_registry(SMALL / "sdn.csv"))
    bank = entries[("ofac:SDN", "306")]
    assert bank.type == "entity"
    assert bank.aliases == ("NATIONAL EXAMPLE BANK OF CUBA",)
    assert bank.weak_aliases == ("BEC",)
    assert bank.addresses == ("Federico Boyd Avenue & 51 Street, Panama City, Panama", "Havana, Cuba")
    assert bank.country is None
    person = entries[("ofac:SDN", "9538")]
    assert person.type == "individual"
    assert person.programs == ("SDNTK", "SDGT")
    # fka -> alias; "weak" type and the a.k.a.s quoted in the remarks -> weak aliases; the aka equal to the
    # name is dropped; an empty address row is skipped and a repeated one kept once.
    assert person.aliases == ("EXAMPLE, P.",)
    assert person.weak_aliases == ("THE PERSON", "THE EXAMPLE", "EXAM'PLE")
    assert person.addresses == ("1 Example Soi, Bangkok, Thailand",)
    assert person.country == "TH"
    assert person.remarks is not None
    assert person.remarks.endswith("this remark is cut off mid-word; Gender Male.")
    vessel = entries[("ofac:SDN", "7001")]
    assert vessel.type == "vessel"
    assert vessel.remarks == (
        "Call Sign: 9XAB1; Vessel Type: Crude Oil Tanker; Tonnage: 150,000; GRT: 80,000; "
        "Vessel Flag: Iran; Vessel Owner: EXAMPLE SHIPPING CO"
    )


def test_non_sdn_list_codes_come_from_programs() -> None:
    entries = _by_key(load_registry(SMALL / "cons_prim.csv"))
    assert entries[("ofac:NON-SDN", "9639")].list == "PLC"
    assert entries[("ofac:NON-SDN", "17014")].list == "SSI"
    assert entries[("ofac:NON-SDN", "17014")].programs == ("UKRAINE-EO13662", "RUSSIA-EO14024")
    assert entries[("ofac:NON-SDN", "31000")].list == "NS-MBS"
    semi = entries[("ofac:NON-SDN", "30951")]
    assert (semi.list, semi.aliases, semi.weak_aliases, semi.country) == (
        "CMIC",
        ("EXAMPLE SEMICONDUCTOR CORP",),
        ("ESC",),
        "CN",
    )


def test_entries_pass_full_model_validation() -> None:
    for entry in load_registry(SMALL).entries:
        assert Entry.model_validate(entry.model_dump()) == entry


@pytest.mark.parametrize(
    ("folder", "file", "location", "words"),
    [
        ("ofac_orphan", "alt.csv", "line 2", "alias for ent_num 999, which is not in the primary file"),
        ("ofac_duplicate", "sdn.csv", "line 3", "duplicate ent_num 306 with different content (first at line 1)"),
        ("ofac_width", "sdn.csv", "line 2", "record has 11 fields, expected 12"),
        ("ofac_unterminated", "sdn.csv", "line 2", "malformed CSV record"),
        ("ofac_empty", "sdn.csv", None, "file is empty"),
        ("ofac_alias_type", "alt.csv", "line 1", "unknown alias type 'also known as'"),
    ],
)
def test_broken_input_names_file_and_line(folder: str, file: str, location: str | None, words: str) -> None:
    with pytest.raises(ListError) as info:
        load_registry(DATA / folder)
    err = info.value
    assert err.path == str(DATA / folder / file)
    assert err.location == location
    assert words in err.message


def test_unterminated_quote_at_end_of_file(tmp_path: Path) -> None:
    sdn = tmp_path / "sdn.csv"
    sdn.write_bytes(
        b'306,"BANCO EXAMPLE DE CUBA",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
        b'307,"OTHER EXAMPLE,-0- ,CUBA,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1a'
    )
    with pytest.raises(ListError) as info:
        load_registry(sdn)
    assert (info.value.location, info.value.path) == ("line 2", str(sdn))
    assert "unterminated quoted field" in info.value.message


def test_directory_without_a_primary_file(tmp_path: Path) -> None:
    shutil.copyfile(SMALL / "alt.csv", tmp_path / "alt.csv")
    assert not ofac.detect(tmp_path)
    with pytest.raises(ListError, match=r"neither sdn\.csv nor cons_prim\.csv"):
        load_registry(tmp_path, format="ofac")


def test_detection(tmp_path: Path) -> None:
    assert ofac.detect(SMALL)
    assert ofac.detect(SMALL / "sdn.csv")
    assert ofac.detect(SMALL / "cons_prim.csv")
    renamed = tmp_path / "data.csv"  # a re-published sdn.csv under another name
    shutil.copyfile(SMALL / "sdn.csv", renamed)
    assert ofac.detect(renamed)
    assert not ofac.detect(SMALL / "alt.csv")
    assert not ofac.detect(DATA / "csl_small.csv")


# --- the real files (../shared/data/ofac) ------------------------------------------------------


@pytest.mark.shared_data
def test_real_sdn_trio(shared_data: Path) -> None:
    reg = load_registry(shared_data / "ofac" / "sdn_trio_2021-07")
    # PROVENANCE: 8,976 entries; individual 4,620 / entity 3,673 / vessel 406 / aircraft 277.
    assert reg.counts() == {"ofac:SDN": {"SDN": 8_976}}
    assert Counter(e.type for e in reg.entries) == {
        "individual": 4_620,
        "entity": 3_673,
        "vessel": 406,
        "aircraft": 277,
    }
    # 11,910 alias rows for 4,139 entities, all joined: 11,904 distinct aliases (6 rows repeat the primary
    # name, for one entity its only alias row).
    assert sum(1 for e in reg.entries if e.aliases) == 4_139 - 1
    assert sum(len(e.aliases) for e in reg.entries) == 11_904
    # 13,837 address rows, of which 2,397 are empty (-0- everywhere): 11,440 addresses on 6,579 entries.
    assert sum(1 for e in reg.entries if e.addresses) == 6_579
    assert sum(len(e.addresses) for e in reg.entries) == 11_440
    # PROVENANCE: 252 entities with a China address.
    assert sum(1 for e in reg.entries if any(a == "China" or a.endswith(", China") for a in e.addresses)) == 252
    entries = _by_key(reg)
    bank = entries[("ofac:SDN", "306")]
    assert bank.name == "BANCO NACIONAL DE CUBA"
    assert bank.aliases == ("NATIONAL BANK OF CUBA",)
    assert bank.weak_aliases == ("BNC",)
    assert "Federico Boyd Avenue & 51 Street, Panama City, Panama" in bank.addresses
    # sdn_comments.csv continues a truncated remark.
    long = entries[("ofac:SDN", "12300")]
    assert long.remarks is not None and long.remarks.endswith("Linked To: R D I S.A.")
    assert not [e for e in reg.entries if "huawei" in e.name.lower() or "SMIC" in e.name]


@pytest.mark.shared_data
def test_real_sdn_2024_primary_only(shared_data: Path) -> None:
    reg = load_registry(shared_data / "ofac" / "sdn_2024-07-02" / "sdn.csv")
    assert reg.counts() == {"ofac:SDN": {"SDN": 15_443}}
    assert Counter(e.type for e in reg.entries) == {
        "entity": 7_270,
        "individual": 6_927,
        "vessel": 872,
        "aircraft": 374,
    }
    assert max(int(e.id) for e in reg.entries) == 49_711
    programs = Counter(p for e in reg.entries for p in e.programs)
    assert programs["RUSSIA-EO14024"] == 4_813
    assert programs["SDGT"] == 2_462
    assert not any(e.aliases or e.addresses for e in reg.entries)  # no add.csv / alt.csv beside it
    (src,) = reg.sources
    assert src.missing_parts == (
        "add.csv (the list's addresses) not beside sdn.csv",
        "alt.csv (the list's aliases) not beside sdn.csv",
    )


@pytest.mark.shared_data
def test_real_non_sdn(shared_data: Path) -> None:
    reg = load_registry(shared_data / "ofac" / "non_sdn_2025-12")
    # PROVENANCE: 442 entries (entity 363 / individual 79).
    assert sum(reg.counts()["ofac:NON-SDN"].values()) == 442
    assert reg.counts()["ofac:NON-SDN"] == {"SSI": 286, "PLC": 78, "CMIC": 68, "NS-MBS": 9, "CAP": 1}
    assert Counter(e.type for e in reg.entries) == {"entity": 363, "individual": 79}
    programs = Counter(p for e in reg.entries for p in e.programs)
    assert (programs["UKRAINE-EO13662"], programs["RUSSIA-EO14024"], programs["NS-PLC"]) == (286, 93, 78)
    assert programs["CMIC-EO13959"] == 68
    # PROVENANCE: 71 entities with a China address.
    assert sum(1 for e in reg.entries if any(a == "China" or a.endswith(", China") for a in e.addresses)) == 71
    entries = _by_key(reg)
    smic = entries[("ofac:NON-SDN", "30951")]
    assert smic.name == "SEMICONDUCTOR MANUFACTURING INTERNATIONAL CORPORATION"
    assert (smic.list, len(smic.aliases), smic.weak_aliases) == ("CMIC", 3, ("SMIC",))
    for ent in ("30947", "32087"):
        huawei = entries[("ofac:NON-SDN", ent)]
        assert "HUAWEI" in huawei.name and len(huawei.aliases) == 1


@pytest.mark.shared_data
def test_real_add_alt_without_sdn_is_refused(shared_data: Path) -> None:
    with pytest.raises(ListError, match=r"neither sdn\.csv nor cons_prim\.csv"):
        load_registry(shared_data / "ofac" / "add_alt_2025-12", format="ofac")


@pytest.mark.shared_data
def test_real_mismatched_set_is_refused(shared_data: Path, tmp_path: Path) -> None:
    # PROVENANCE warns: the Dec-2025 alt.csv does not belong to the 2024-07-02 sdn.csv.
    shutil.copyfile(shared_data / "ofac" / "sdn_2024-07-02" / "sdn.csv", tmp_path / "sdn.csv")
    shutil.copyfile(shared_data / "ofac" / "add_alt_2025-12" / "alt.csv", tmp_path / "alt.csv")
    with pytest.raises(ListError) as info:
        load_registry(tmp_path)
    assert info.value.path == str(tmp_path / "alt.csv")
    assert info.value.location is not None and info.value.location.startswith("line ")
    assert "not in the primary file" in info.value.message
