"""Reading the printed cells of the Entity List: the subordinate institutions a cell names."""

from __future__ import annotations

from exportscreen.registry.cells import read_cell


def test_subordinates_in_front_of_the_addresses_become_names() -> None:
    cell = read_cell(
        "China Electronics Technology Group Corporation 38th Research Institute (CETC 38)",
        ["ECRIEE"],
        "Anhui Sun-Create Electronics. Hefei ECU-TAMURA Electric. Subordinate institution Brainware Terahertz. "
        "The following addresses apply to the entity and to the seven subordinate institutions: "
        "199 Xiangzhang Ave., Hefei, Anhui, China; and 19 He Huan Lu, Hefei, China.",
        ("China",),
    )
    assert cell.aliases == [
        "ECRIEE",
        "Anhui Sun-Create Electronics",
        "Hefei ECU-TAMURA Electric",
        "Brainware Terahertz",
    ]
    assert cell.addresses == ["199 Xiangzhang Ave., Hefei, Anhui, China", "19 He Huan Lu, Hefei, China"]
    assert "subordinates-in-address" in cell.repairs


def test_a_subordinate_leading_the_address_with_its_aka_intro() -> None:
    cell = read_cell(
        "China Electronic Technology Group Corporation No. 11 Research Institute",
        ["CETC Infrared"],
        "Subordinate institution Beijing Laiyin Company Ltd, a.k.a., the following one alias, No. 10, "
        "Jiuxianqiao North Road, Chaoyang District, Beijing, China, 100016",
        ("China",),
    )
    assert cell.aliases == ["CETC Infrared", "Beijing Laiyin Company Ltd"]
    assert cell.addresses == ["No. 10, Jiuxianqiao North Road, Chaoyang District, Beijing, China, 100016"]


def test_the_own_name_of_a_subordinate_printed_in_the_name_cell() -> None:
    printed = (
        "China Electronics Technology Group Corporation 13th Research Institute (CETC 13) subordinate institution:"
    )
    cell = read_cell(f"{printed} MT Microsystems", [], "113 Hezuo Road, Shijiazhuang, Hebei, China.", ("China",))
    assert cell.name == f"{printed} MT Microsystems"
    assert cell.aliases == ["MT Microsystems"]
    empty = read_cell(printed, ["Hebei Brightway International"], "21 Changsheng Street, Shijiazhuang, China")
    assert empty.aliases == ["Hebei Brightway International"]
    assert "subordinate-in-name" not in empty.repairs


def test_a_cell_without_subordinates_is_unchanged() -> None:
    cell = read_cell(
        "Acme Electronics Co., Ltd.", [], "No. 5 Road, Beijing, China. 8 Street, Shanghai, China", ("China",)
    )
    assert cell.aliases == []
    assert cell.addresses == ["No. 5 Road, Beijing, China", "8 Street, Shanghai, China"]
