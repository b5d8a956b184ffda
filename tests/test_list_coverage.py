"""Lists combine additively, and a Decision says what it was screened against (issue 12.3).

``--lists custom.csv`` once replaced the bundled lists: an EAR99 order to Huawei was less risky,
"screened against X-BLOCKED-CUSTOMERS". Now ``--lists`` adds to the bundled lists, ``--no-bundled``
leaves them out, every Decision names its sources, entries per list and the list codes the rules in
force read but nothing provides, and ``--require-lists`` / ``Screener(require_lists=...)`` refuse a
screening without them (exit 2, ``ConfigError``).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from exportscreen import Screener
from exportscreen._errors import ConfigError
from exportscreen.cli import main
from exportscreen.registry import bundled_list_paths, load_registry

REPO = Path(__file__).resolve().parent.parent
BLOCKED = REPO / "examples" / "lists" / "blocked_customers.csv"
SMALL_CSL = REPO / "tests" / "registry" / "data" / "csl_small.csv"
AS_OF = dt.date(2026, 3, 1)


def _order(tmp_path: Path, name: str) -> Path:
    path = tmp_path / "order.json"
    path.write_text(
        json.dumps(
            {
                "id": "PO-1",
                "date": AS_OF.isoformat(),
                "destination": "CN",
                "parties": [{"role": "ultimate_consignee", "name": name}],
                "items": [{"description": "Office printer", "eccn": "EAR99"}],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    return path


def _screen_json(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, dict[str, object], str]:
    code = main(["screen", "--format", "json", *map(str, argv)])
    out, err = capsys.readouterr()
    (decision,) = json.loads(out)
    return code, decision, err


def test_lists_add_to_the_bundled_lists(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    order = _order(tmp_path, "Huawei Technologies Co., Ltd.")
    code, decision, _ = _screen_json(capsys, order, "--lists", BLOCKED)
    assert code == 1 and decision["category"] == "sensitive"
    lists = decision["registry"]["lists"]  # type: ignore[index]
    assert lists["EL"] > 0 and lists["MEU"] > 0 and lists["X-BLOCKED-CUSTOMERS"] == 4


def test_a_csl_file_keeps_the_curated_chinese_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, decision, _ = _screen_json(capsys, _order(tmp_path, "中芯国际集成电路制造有限公司"), "--lists", SMALL_CSL)
    assert code == 1 and decision["category"] == "sensitive"


def test_with_bundled_is_an_accepted_no_op(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    order = _order(tmp_path, "Huawei Technologies Co., Ltd.")
    plain = _screen_json(capsys, order, "--lists", BLOCKED)
    assert _screen_json(capsys, order, "--lists", BLOCKED, "--with-bundled") == plain


def test_a_bundled_file_named_again_is_loaded_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    order = _order(tmp_path, "Huawei Technologies Co., Ltd.")
    code, decision, _ = _screen_json(capsys, order, "--lists", bundled_list_paths()[0])
    assert code == 1 and decision["category"] == "sensitive"


def test_no_bundled_screens_the_given_lists_only_and_says_what_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    order = _order(tmp_path, "Huawei Technologies Co., Ltd.")
    code, decision, err = _screen_json(capsys, order, "--no-bundled", "--lists", BLOCKED)
    # the user left the Entity List out explicitly, and the China pack requires it: review, never less risky
    assert code == 1 and decision["category"] == "review"
    reasons = {r["rule_id"]: r for r in decision["reasons"]}  # type: ignore[union-attr, index]
    assert reasons["required-list-missing"]["evidence"]["missing"] == {  # type: ignore[index]
        "china-advanced-computing": ["DPL", "EL", "MEU"]
    }
    assert decision["registry"]["lists"] == {"X-BLOCKED-CUSTOMERS": 4}  # type: ignore[index]
    missing = decision["lists_missing"]
    assert isinstance(missing, list) and {"EL", "MEU", "SDN"} <= set(missing)
    assert "NOT loaded" in err and "EL" in err


def test_no_bundled_without_lists_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["screen", str(_order(tmp_path, "Acme")), "--no-bundled"]) == 2
    assert "--no-bundled" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "code", "needle"),
    [
        (["--require-lists", "EL,MEU"], 1, ""),
        (["--no-bundled", "--lists", str(BLOCKED), "--require-lists", "EL"], 2, "required list(s) EL not loaded"),
        (["--lists", str(BLOCKED), "--require-lists", "EL,X-BLOCKED-CUSTOMERS"], 1, ""),
        (["--require-lists", "EL,SDN"], 2, "required list(s) SDN not loaded"),
        (["--require-lists", "EL,NOPE"], 2, "NOPE unknown"),
    ],
)
def test_require_lists_fails_closed(
    argv: list[str], code: int, needle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in ("screen", "check"):
        assert main([command, str(_order(tmp_path, "Huawei Technologies Co., Ltd.")), *argv]) == code, command
        assert needle in capsys.readouterr().err


def test_require_lists_in_the_library() -> None:
    with pytest.raises(ConfigError, match="required list"):
        Screener(registry=load_registry(BLOCKED), require_lists=["EL"])
    Screener(registry=load_registry(BLOCKED), require_lists=["X-BLOCKED-CUSTOMERS"])


def test_lists_missing_follows_the_rules_in_force(tmp_path: Path) -> None:
    pack = tmp_path / "rules.yaml"
    pack.write_text(
        "format: exportscreen-pack/1\nid: later-list\nversion: '1'\ndescription: reads X-LATER from 2026\n"
        "rules:\n"
        "  - {id: el, category: sensitive, when: {party_listed: {lists: [EL]}}, message: m, citations: [c]}\n"
        "  - {id: later, category: review, valid_from: 2026-01-01, when: {not: {owners_listed: "
        "{lists: [X-LATER], min_share: 50}}}, message: m, citations: [c]}\n"
        "  - {id: checks-passed, category: less_risky, when: {always: true}, message: ok, citations: [none]}\n",
        encoding="utf-8",
    )
    screener = Screener(packs=[pack])
    tx = {
        "id": "T",
        "destination": "FR",
        "parties": [{"role": "purchaser", "name": "Lyon Capteurs SARL"}],
        "items": [{"description": "cable", "eccn": "EAR99"}],
    }
    assert screener.screen(tx, as_of=dt.date(2025, 6, 1)).lists_missing == []
    decision = screener.screen(tx, as_of=AS_OF)
    assert decision.lists_missing == ["X-LATER"]
    assert [s.id for s in decision.registry.sources] == sorted(s.id for s in screener.registry.sources)
    assert sum(decision.registry.lists.values()) == len(screener.registry)


def test_a_pack_requiring_an_unknown_list_code_is_a_load_error(tmp_path: Path) -> None:
    from exportscreen._errors import PackError
    from exportscreen.rules import load_pack

    pack = tmp_path / "rules.yaml"
    pack.write_text(
        "format: exportscreen-pack/1\nid: tiny\nversion: '1'\ndescription: test\nrequires_lists: [EL, NOPE]\n"
        "rules:\n  - {id: ok, category: less_risky, when: {always: true}, message: ok, citations: [none]}\n"
    )
    with pytest.raises(PackError, match="unknown list code 'NOPE'") as err:
        load_pack(pack)
    assert err.value.location == "requires_lists.1"


def test_a_required_list_missing_in_the_library_is_review_never_less_risky() -> None:
    """A Screener over a registry without the Entity List (library use, no CLI) still says so: review."""
    blocked = load_registry(BLOCKED)
    decision = Screener(blocked).screen(
        {
            "id": "T-1",
            "destination": "FR",
            "parties": [{"role": "ultimate_consignee", "name": "Huawei Technologies Co., Ltd."}],
            "items": [{"description": "Printer", "eccn": "EAR99"}],
        },
        as_of=dt.date(2026, 6, 1),
    )
    assert decision.category == "review"
    assert "required-list-missing" in {r.rule_id for r in decision.reasons}
