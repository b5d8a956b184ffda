"""More official formats: BIS DPL text, OFAC enhanced XML (zip), UN consolidated XML, nsfreg JSON; safe XML."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from exportscreen._errors import ListError
from exportscreen.limits import Limits
from exportscreen.registry import load_registry, xmlsafe

DATA = Path(__file__).parent / "data" / "formats"


def _zip(tmp_path: Path, *members: tuple[str, bytes]) -> Path:
    path = tmp_path / "CONS_ENHANCED.ZIP"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, data)
    return path


# ------------------------------------------------------------------------------------ BIS DPL text


def test_dpl_text_rows_become_entries_with_the_bundled_id_scheme() -> None:
    registry = load_registry(DATA / "dpl_small.txt")
    (source,) = registry.sources
    assert (source.format, source.list, source.as_of, source.as_of_basis) == (
        "bis-dpl-txt", "DPL", dt.date(2022, 8, 29), "newest_listing",
    )  # fmt: skip
    assert source.notes == ("4 rows, 1 printed twice merged",)  # the 3033 typo is not the as-of date
    by_address = {e.addresses[0]: e for e in registry.entries}
    trading = by_address["1 EXAMPLE ROAD, DUBAI, AE"]
    assert trading.id.startswith("DPL-AE-EXAMPLE-TRADING-LLC-") and trading.country == "AE"
    assert trading.federal_register == ("87 F.R. 12345 3/10/2022", "88 F.R. 2345 1/12/2023")
    assert (trading.start_date, trading.end_date) == (dt.date(2022, 3, 4), dt.date(2027, 3, 4))
    assert trading.remarks == "Type of denial: Standard; Action: F.R. NOTICE ADDED"
    us = by_address["12 MAIN STREET, EL PASO, TX, 79905"]
    assert us.country == "US" and us.remarks is not None and "Non-Standard" in us.remarks  # blank country + state
    inmate = by_address["FCI LA TUNA, P.O. BOX 3000, ANTHONY, NM, 88021"]
    assert inmate.country is None and inmate.remarks is not None and "country printed as 'NM'" in inmate.remarks


def test_dpl_text_with_other_columns_or_a_bad_date_is_an_error(tmp_path: Path) -> None:
    lines = (DATA / "dpl_small.txt").read_text(encoding="ascii").splitlines()
    bad = tmp_path / "dpl.txt"
    bad.write_text("\n".join([lines[0], lines[1].replace("03/04/2022", "2022-03-04")]) + "\n", encoding="ascii")
    with pytest.raises(ListError, match="invalid date '2022-03-04'"):
        load_registry(bad, format="bis-dpl")
    bad.write_text(lines[0].replace('"Action"', '"Acton"') + "\n" + lines[1] + "\n", encoding="ascii")
    with pytest.raises(ListError, match="expected the 12 DPL columns"):
        load_registry(bad, format="bis-dpl")


def test_real_dpl_text_loads_with_ids_shared_with_the_bundled_dpl(shared_data: Path) -> None:
    registry = load_registry(shared_data / "bis" / "dpl.txt")
    assert len(registry) == 663 and registry.sources[0].as_of == dt.date(2023, 11, 28)
    bundled = {e.id for e in load_registry().entries if e.list == "DPL"}
    assert len(bundled & {e.id for e in registry.entries}) > 200  # the same row, the same id, in both files


# ------------------------------------------------------------------------------------ OFAC enhanced XML


def test_ofac_enhanced_xml_in_a_zip(tmp_path: Path) -> None:
    path = _zip(tmp_path, ("CONS_ENHANCED.XML", (DATA / "ofac_enhanced_small.xml").read_bytes()))
    registry = load_registry(path)
    (source,) = registry.sources
    assert (source.id, source.as_of, source.as_of_basis) == ("ofac-xml:NON-SDN", dt.date(2025, 1, 10), "file")
    by_id = {e.id: e for e in registry.entries}
    smic = by_id["30951"]
    assert (smic.list, smic.type, smic.country, smic.start_date) == ("CMIC", "entity", "CN", dt.date(2021, 6, 3))
    assert smic.aliases == ("示例半导体公司",) and smic.weak_aliases == ("ESC",)
    assert smic.addresses == ("18 Example Road, Shanghai, China",) and smic.ids == ("ISIN: KYG0000000001",)
    # one party on two lists: one entry per list, so rules reading either see it
    assert {(e.id, e.list) for e in registry.entries if e.name == "EXAMPLE, Person"} == {
        ("9639-PLC", "PLC"), ("9639-SSI", "SSI"),
    }  # fmt: skip
    assert by_id["9639-SSI"].ids == ("Passport: X123",) and by_id["9639-SSI"].type == "individual"


def test_real_ofac_enhanced_zip(shared_data: Path) -> None:
    registry = load_registry(shared_data / "ofac" / "non_sdn_enhanced_2025-01" / "CONS_ENHANCED.ZIP")
    counts = registry.counts()["ofac-xml:NON-SDN"]
    assert counts["CMIC"] == 68 and counts["SSI"] == 286 and counts["PLC"] == 78
    assert registry.sources[0].as_of == dt.date(2025, 1, 10)


def test_zip_with_two_xml_files_or_an_oversized_member_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    xml = (DATA / "ofac_enhanced_small.xml").read_bytes()
    with pytest.raises(ListError, match=r"expected one \.xml file in the zip, found 2"):
        load_registry(_zip(tmp_path, ("A.XML", xml), ("B.XML", xml)), format="ofac-xml")
    monkeypatch.setattr(xmlsafe, "LIMITS", Limits(max_file_bytes=1000))
    with pytest.raises(ListError, match="inflates to"):
        load_registry(_zip(tmp_path, ("CONS_ENHANCED.XML", xml)), format="ofac-xml")


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<CONSOLIDATED_LIST dateGenerated="2026-02-27"><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&lol2;</FIRST_NAME>
</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>
"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<CONSOLIDATED_LIST dateGenerated="2026-02-27"><ENTITIES><ENTITY><FIRST_NAME>&secret;</FIRST_NAME></ENTITY></ENTITIES>
</CONSOLIDATED_LIST>
"""


@pytest.mark.parametrize("payload", [BOMB, EXTERNAL], ids=["entity-bomb", "external-entity"])
def test_xml_with_a_dtd_is_refused(tmp_path: Path, payload: bytes) -> None:
    path = tmp_path / "consolidated.xml"
    path.write_bytes(payload)
    with pytest.raises(ListError, match="declares a DTD or entities"):
        load_registry(path, format="un-xml")


def test_malformed_xml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "consolidated.xml"
    path.write_bytes(b'<?xml version="1.0"?>\n<CONSOLIDATED_LIST dateGenerated="2026-02-27">\n<ENTITIES>\n')
    with pytest.raises(ListError, match="malformed XML") as err:
        load_registry(path)
    assert err.value.location == "line 4"


# ------------------------------------------------------------------------------------ UN consolidated XML


def test_un_consolidated_xml() -> None:
    registry = load_registry(DATA / "un_small.xml")
    (source,) = registry.sources
    assert (source.id, source.list, source.as_of) == ("un:CONSOLIDATED", "UN", dt.date(2026, 2, 27))
    person, entity = registry.entries
    assert (person.id, person.name, person.type, person.country) == ("KPi.999", "JOHN EXAMPLE", "individual", "KP")
    assert person.aliases == ("존 예시", "JON EXAMPEL") and person.weak_aliases == ("JE",)
    assert person.start_date == dt.date(2016, 3, 2) and person.programs == ("UN-DPRK",)
    assert person.ids == ("Passport: P123",) and person.remarks == "An example."
    assert entity.addresses == ("1 Example Street, Pyongyang, Democratic People's Republic of Korea",)
    assert (entity.type, entity.country, entity.aliases) == ("entity", "KP", ("ETC",))


def test_real_un_consolidated_xml(shared_data: Path) -> None:
    registry = load_registry(shared_data / "un" / "UN_consolidated.xml")
    assert len(registry) == 1003 and registry.sources[0].as_of == dt.date(2026, 2, 27)
    assert sum(e.type == "individual" for e in registry.entries) == 730


# ------------------------------------------------------------------------------------ nsfreg JSON


def test_nsfreg_extraction_loads_directly(shared_data: Path) -> None:
    registry = load_registry(shared_data / "nsfreg_2026-07" / "bis_entity_list.json")
    (source,) = registry.sources
    assert (source.id, source.format, source.as_of) == ("nsfreg:EL", "nsfreg-json", dt.date(2026, 7, 9))
    assert len(registry) == 3409
