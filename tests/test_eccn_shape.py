"""An ECCN's paragraph must have the CCL's shape (levels alternate a letter and a number): a
mistyped paragraph was read as its heading and could pass as less risky."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from exportscreen.cli import main
from exportscreen.eccn import normal_eccn
from exportscreen.licensing.register import Licence
from exportscreen.licensing.tables import load_ccl
from exportscreen.models import Item

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize(
    ("given", "normal"),
    [("3a090.a", "3A090.a"), (" ear99 ", "EAR99"), ("3B001.c.1.a", "3B001.c.1.a"), ("3A001.b.12", "3A001.b.12"),
     ("0A501.y.1", "0A501.y.1"), ("3A991", "3A991"), ("5A002.a.1.a.1", "5A002.a.1.a.1")],
)  # fmt: skip
def test_ccl_shaped_eccns_are_kept(given: str, normal: str) -> None:
    assert normal_eccn(given) == normal == Item(description="x", eccn=given).eccn


@pytest.mark.parametrize(
    ("given", "why"),
    [("3A991.zz", "level 1 'zz'"), ("3A001.zz.9", "level 1 'zz'"), ("3A991.a.1.1", "level 3 '1'"),
     ("3A001.01", "level 1 '01'"), ("3A001.a.0", "level 2 '0'"), ("3A991.", "dot-separated"),
     ("3A991..a", "level 1 ''"), ("3A991.A", "level 1 'A'"), ("3A991a", "dot-separated"),
     ("3Z999", "is not an ECCN (e.g.")],
)  # fmt: skip
def test_a_paragraph_the_ccl_cannot_have_is_refused(given: str, why: str) -> None:
    with pytest.raises(ValueError, match="not an ECCN") as caught:
        normal_eccn(given)
    assert why in str(caught.value)
    with pytest.raises(ValidationError, match="not an ECCN"):
        Item(description="x", eccn=given)
    licence: dict[str, Any] = {
        "number": "D1", "type": "license", "eccns": [given], "destinations": ["KR"],
        "parties": [{"name": "Acme"}], "valid_from": "2026-01-01", "valid_to": "2027-01-01",
    }  # fmt: skip
    with pytest.raises(ValidationError, match="not an ECCN"):
        Licence.model_validate(licence)


@pytest.mark.parametrize("eccn", ["3A991.zz", "3A991.a.1.1", "3A001.zz.9"])
def test_screen_exits_2_on_a_malformed_paragraph(
    eccn: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before, 3A991.zz and 3A991.a.1.1 to China were less risky (read as 3A991, AT only)."""
    text = (EXAMPLES / "transactions" / "02-mcu-to-consumer-maker.yaml").read_text(encoding="utf-8")
    assert "eccn: 3A991\n" in text
    order = tmp_path / "order.yaml"
    order.write_text(text.replace("eccn: 3A991\n", f"eccn: {eccn}\n"), encoding="utf-8")
    assert main(["screen", str(order)]) == 2
    err = capsys.readouterr().err
    assert f"'{eccn}' is not an ECCN" in err and "items.0.eccn" in err


def test_every_paragraph_of_the_bundled_ccl_has_the_shape() -> None:
    """The grammar is checked against the data: each bundled CCL row validates under it."""
    rows = load_ccl().rows()
    named = [p for r in rows for p in (*r.paragraphs, *r.except_)]
    assert len(named) > 400
    for p in named:
        assert normal_eccn("3A001" + p) == "3A001" + p
    assert any(r.active(dt.date(2026, 7, 23)) for r in rows)
