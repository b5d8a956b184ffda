"""The reviewed-match baseline: review, clear, pass; entry, party or date moves -> fail again, saying why."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from pathlib import Path

import pytest
import yaml

from exportscreen import Screener, __version__
from exportscreen.baseline import assess, load_baseline, write_atomic
from exportscreen.registry import load_registry

from .conftest import Run

REGISTRY = """\
format: exportscreen-registry/1
source: {id: test-el, name: Test Entity List, list: EL, as_of: 2026-01-01}
entries:
  - id: EL-TEST-1
    name: Northwind Quantum Semiconductor Manufacturing Co., Ltd.
    country: CN
    start_date: 2020-01-01
"""
#: the other lists the China pack requires (requires_lists: EL, MEU, DPL), one fictional entry each: without
#: them every decision would carry the "required-list-missing" review
REQUIRED_LISTS = {
    "meu.yaml": "format: exportscreen-registry/1\n"
    "source: {id: test-meu, name: Test MEU List, list: MEU, as_of: 2026-01-01}\n"
    "entries:\n  - {id: MEU-TEST-1, name: Southwind Aviation Institute, country: CN, start_date: 2020-01-01}\n",
    "dpl.yaml": "format: exportscreen-registry/1\n"
    "source: {id: test-dpl, name: Test DPL, list: DPL, as_of: 2026-01-01}\n"
    "entries:\n  - {id: DPL-TEST-1, name: Eastwind Freight Forwarding, country: US, start_date: 2020-01-01}\n",
}
REVIEW_NAME = "Northwind Quantum Semiconductor Mfg Trading"
OTHER_NAME = "Northwind Quantum Semiconductor Manufacturing Trading"
HIT_NAME = "Northwind Quantum Semiconductor Manufacturing Co., Ltd."


def order_yaml(name: str, order_id: str = "PO-1", *, padding: int = 0) -> str:
    return "# note\n" * padding + (
        f"id: {order_id}\ndate: 2026-03-02\ndestination: CN\n"
        f"parties:\n  - {{role: ultimate_consignee, name: '{name}', country: CN}}\n"
        "items:\n  - {description: Wafer carriers, eccn: EAR99}\n"
    )


class Workspace:
    def __init__(self, root: Path, run_cli: Run) -> None:
        self.root = root
        self.run_cli = run_cli
        self.lists = root / "lists.yaml"
        self.lists.write_text(REGISTRY)
        self.all_lists: list[Path] = [self.lists]
        for name, text in REQUIRED_LISTS.items():
            (root / name).write_text(text)
            self.all_lists.append(root / name)
        self.order = root / "orders" / "po-1.yaml"
        self.order.parent.mkdir()
        self.order.write_text(order_yaml(REVIEW_NAME))
        self.baseline = root / "baseline.yaml"

    def review(self, *extra: str | Path, scope: tuple[str, ...] = ("--order", "PO-1")) -> tuple[int, str, str]:
        return self.run_cli(
            "review", self.order, "--reviewer", "Jane Doe", "--reason", "Ohio company, not the listed fab",
            "--baseline", self.baseline, "--no-bundled", "--lists", *self.all_lists, *scope, *extra,
        )  # fmt: skip

    def check(self, *extra: str | Path) -> tuple[int, str, str]:
        return self.run_cli(
            "check", self.order, "--baseline", self.baseline, "--no-bundled", "--lists", *self.all_lists, *extra
        )


@pytest.fixture
def ws(tmp_path: Path, run_cli: Run) -> Workspace:
    return Workspace(tmp_path, run_cli)


def test_review_clears_and_check_passes_listing_it_as_cleared(ws: Workspace) -> None:
    code, out, _ = ws.run_cli("check", ws.order, "--no-bundled", "--lists", *ws.all_lists)
    assert code == 1
    assert "PO-1 review potential-list-match" in out
    code, out, _ = ws.review()
    assert code == 0
    assert f"cleared '{REVIEW_NAME}' ~ EL-TEST-1" in out
    code, out, _ = ws.check()
    assert code == 0
    assert f"{ws.order}:1: PO-1 review potential-list-match: Potential match" in out
    until = (dt.date.today() + dt.timedelta(days=365)).isoformat()
    assert f"[cleared by Jane Doe on {dt.date.today().isoformat()}, expires {until}: Ohio company, not the" in out
    assert "1 finding(s) cleared by" in out
    assert "exportscreen check passed" in out


def test_baseline_records_what_produced_it_and_no_line_numbers(ws: Workspace) -> None:
    ws.review()
    data = yaml.safe_load(ws.baseline.read_text())
    registry = load_registry(*ws.all_lists)
    assert data["format"] == "exportscreen-baseline/1"
    assert data["tool_version"] == __version__
    assert data["registry_version"] == registry.version
    assert [p["id"] for p in data["packs"]] == ["china-advanced-computing", "ear-licensing"]
    (clearance,) = data["clearances"]
    assert clearance["entry_hash"] == registry.entries[0].content_hash
    assert {k: clearance[k] for k in ("order_id", "party", "entry_id", "rule_id", "strength", "allow_hit")} == {
        "order_id": "PO-1",
        "party": REVIEW_NAME,
        "entry_id": "EL-TEST-1",
        "rule_id": "potential-list-match",
        "strength": "review",
        "allow_hit": False,
    }
    assert "line" not in clearance
    ws.order.write_text(order_yaml(REVIEW_NAME, padding=5))
    code, out, _ = ws.check()
    assert code == 0
    assert f"{ws.order}:6: PO-1 review potential-list-match" in out


def test_entry_change_on_the_list_fails_again(ws: Workspace) -> None:
    ws.review()
    ws.lists.write_text(REGISTRY + "    remarks: address updated by a later Federal Register notice\n")
    code, out, _ = ws.check()
    assert code == 1
    assert (
        "[the clearance by Jane Doe on " + dt.date.today().isoformat() + " no longer applies: "
        "list entry EL-TEST-1 changed since the review]"
    ) in out
    assert "exportscreen check FAILED" in out


def test_party_change_fails_again(ws: Workspace) -> None:
    ws.review()
    ws.order.write_text(order_yaml(OTHER_NAME))
    code, out, _ = ws.check()
    assert code == 1
    assert f"the party changed (cleared '{REVIEW_NAME}', the order now names '{OTHER_NAME}')" in out


def test_other_order_is_not_cleared(ws: Workspace) -> None:
    ws.review()
    ws.order.write_text(order_yaml(REVIEW_NAME, order_id="PO-2"))
    code, out, _ = ws.check()
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith(f"{ws.order}:1: PO-2 review potential-list-match")
    assert "cleared" not in first
    assert "clearance" not in first


def test_expiry_is_checked_on_the_screening_date(ws: Workspace) -> None:
    """--as-of, else the order's date when later than today, else today, decides whether a clearance
    has expired (issue 12.7)."""
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert ws.review("--expires", tomorrow.isoformat())[0] == 0
    code, out, _ = ws.check()
    assert code == 0
    assert f"expires {tomorrow.isoformat()}" in out
    assert ws.check("--as-of", tomorrow.isoformat())[0] == 0  # the expiry day is included
    after = (tomorrow + dt.timedelta(days=1)).isoformat()
    code, out, _ = ws.check("--as-of", after)
    assert code == 1
    assert f"no longer applies: it expired on {tomorrow.isoformat()}]" in out
    # an order dated before the expiry is screened today all the same: it has not shipped yet, and a
    # clearance that lapsed yesterday no longer covers it (it stayed cleared on its own date, exit 0)
    yesterday = dt.date.today() - dt.timedelta(days=1)
    ws.baseline.write_text(ws.baseline.read_text().replace(tomorrow.isoformat(), yesterday.isoformat()))
    code, out, _ = ws.check()
    assert code == 1, "the order is dated 2026-03-02, before the clearance expired"
    assert f"no longer applies: it expired on {yesterday.isoformat()}]" in out
    assert ws.check("--as-of", "2026-03-02")[0] == 0  # the replay of the order's own date


def test_expires_in_the_past_is_refused(ws: Workspace) -> None:
    code, _, err = ws.review("--expires", "2020-01-01")
    assert code == 2
    assert "in the past" in err
    assert not ws.baseline.exists()


def test_hit_needs_allow_hit_and_is_marked(ws: Workspace) -> None:
    ws.order.write_text(order_yaml(HIT_NAME))
    code, _, err = ws.review()
    assert code == 1
    assert "PO-1 entity-list-hit: rests on a hit; not cleared (give --allow-hit to clear a hit)" in err
    assert not ws.baseline.exists()
    code, out, _ = ws.review("--allow-hit")
    assert code == 0
    assert "(HIT cleared)" in out
    (clearance,) = load_baseline(ws.baseline).clearances
    assert (clearance.strength, clearance.allow_hit, clearance.rule_id) == ("hit", True, "entity-list-hit")
    code, out, _ = ws.check()
    assert code == 0
    assert "PO-1 sensitive entity-list-hit" in out
    assert "[HIT cleared (--allow-hit) by Jane Doe" in out


def test_non_list_findings_cannot_be_cleared(ws: Workspace) -> None:
    ws.order.write_text(order_yaml("Shenzhen Bright Home Appliances Co., Ltd.").replace("eccn: EAR99", "kind: ic"))
    code, _, err = ws.review()
    assert code == 1
    assert "PO-1 item-unclassified: not a list match, cannot be cleared" in err
    assert not ws.baseline.exists()


def test_review_narrowed_by_order_and_entry(ws: Workspace) -> None:
    assert ws.review("--order", "PO-OTHER", scope=())[0] == 1
    assert ws.review("--entry", "EL-NOPE", scope=())[0] == 1
    assert not ws.baseline.exists()
    assert ws.review("--order", "PO-1", "--entry", "EL-TEST-1", scope=())[0] == 0
    assert len(load_baseline(ws.baseline).clearances) == 1
    assert ws.review()[0] == 0
    assert len(load_baseline(ws.baseline).clearances) == 1


MALFORMED = [
    ("garbage", "clearances: [\n"),
    ("empty", ""),
    (
        "unknown field",
        "format: exportscreen-baseline/1\ntool_version: x\nregistry_version: y\npacks: []\ncleared: []\n",
    ),
    ("not a mapping", "- a\n- b\n"),
]


@pytest.mark.parametrize(("label", "text"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_baseline_is_exit_2_never_everything_cleared(ws: Workspace, label: str, text: str) -> None:
    ws.baseline.write_text(text)
    code, out, err = ws.check()
    assert code == 2
    assert str(ws.baseline) in err
    assert "cleared" not in out
    code, _, _ = ws.review()
    assert code == 2
    assert ws.baseline.read_text() == text


def test_hit_clearance_without_the_flag_is_malformed(ws: Workspace) -> None:
    ws.review()
    ws.baseline.write_text(ws.baseline.read_text().replace("strength: review", "strength: hit"))
    code, _, err = ws.check()
    assert code == 2
    assert "allow_hit" in err


def test_a_clearance_without_an_expiry_is_malformed(ws: Workspace) -> None:
    """A clearance always expires (README): one whose expires line was deleted by hand applied for ever
    (red team 46); it is now a malformed baseline, exit 2, never a cleared finding."""
    ws.review()
    text = ws.baseline.read_text()
    assert "  expires: " in text
    ws.baseline.write_text("\n".join(line for line in text.splitlines() if "expires:" not in line) + "\n")
    code, out, err = ws.check()
    assert code == 2
    assert "expires" in err
    assert "cleared" not in out


def test_a_missing_baseline_is_an_empty_one_with_a_note(ws: Workspace) -> None:
    """A fresh repository has no baseline yet: nothing is cleared, and nothing fails for it (issue 12.8)."""
    code, out, err = ws.check()
    assert code == 1, "the finding is not cleared, but the run is no error"
    assert "PO-1 review potential-list-match" in out
    assert f"{ws.baseline} does not exist yet" in err and not ws.baseline.exists()


def test_default_baseline_name(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ws.root)
    code, _, _ = ws.run_cli(
        "review", ws.order, "--reviewer", "J", "--reason", "checked", "--order", "PO-1",
        "--no-bundled", "--lists", *ws.all_lists,
    )
    assert code == 0
    assert (ws.root / ".exportscreen-baseline.yaml").is_file()
    code, out, _ = ws.run_cli("check", ws.order, "--no-bundled", "--lists", *ws.all_lists, "--baseline")
    assert code == 0
    assert "cleared by .exportscreen-baseline.yaml" in out


def test_write_atomic_keeps_the_old_file_when_replace_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "b.yaml"
    write_atomic(target, "old\n")
    target.chmod(0o640)
    write_atomic(target, "new\n")
    assert target.read_text() == "new\n"
    assert target.stat().st_mode & 0o777 == 0o640

    def broken(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, "half\n")
    assert target.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["b.yaml"]


def test_assess_expiry_is_inclusive_and_a_new_hit_is_not_covered(ws: Workspace) -> None:
    expires = dt.date.today() + dt.timedelta(days=60)
    ws.review("--expires", expires.isoformat())
    baseline = load_baseline(ws.baseline)
    decision = Screener(load_registry(*ws.all_lists)).screen(yaml.safe_load(ws.order.read_text()))
    (finding,) = assess(decision, baseline, today=expires)
    assert finding.cleared
    (finding,) = assess(decision, baseline, today=expires + dt.timedelta(days=1))
    assert not finding.cleared
    assert finding.note is not None and f"expired on {expires.isoformat()}" in finding.note
    reason, *notes = decision.reasons  # the order is dated 2026-03-02: screened today, with a note saying so
    assert "order-dated-earlier" in {n.rule_id for n in notes}
    as_hit = reason.model_copy(update={"matches": [reason.matches[0].model_copy(update={"strength": "hit"})]})
    (finding,) = assess(decision.model_copy(update={"reasons": [as_hit]}), baseline)
    assert not finding.cleared
    assert finding.note is not None and "is now a hit" in finding.note


def test_a_match_no_rule_acted_on_can_be_cleared(ws: Workspace) -> None:
    """unread-list-match names list entries: it is cleared like any list finding (issue 12.5)."""
    ws.lists.write_text(REGISTRY.replace("list: EL", "list: X-OWN"))
    other_el = ws.root / "el.yaml"  # the China pack requires an Entity List: one that names someone else
    other_el.write_text(
        "format: exportscreen-registry/1\nsource: {id: test-el-2, name: Test EL, list: EL, as_of: 2026-01-01}\n"
        "entries:\n  - {id: EL-TEST-2, name: Westwind Optics Institute, country: CN, start_date: 2020-01-01}\n"
    )
    ws.all_lists.append(other_el)
    code, out, _ = ws.run_cli("check", ws.order, "--no-bundled", "--lists", *ws.all_lists)
    assert code == 1 and "PO-1 review unread-list-match" in out
    code, out, err = ws.review()
    assert code == 0, err
    assert "cannot be cleared" not in err
    (clearance,) = load_baseline(ws.baseline).clearances
    assert (clearance.rule_id, clearance.entry_id, clearance.strength) == ("unread-list-match", "EL-TEST-1", "review")
    code, out, _ = ws.check()
    assert code == 0
    assert "PO-1 review unread-list-match" in out and "cleared by Jane Doe" in out


def test_every_reason_that_names_an_entry_carries_typed_match_refs() -> None:
    from exportscreen.models import MatchRef

    examples = Path(__file__).resolve().parents[2] / "examples" / "transactions"
    screener = Screener()
    seen = 0
    for path in sorted(examples.iterdir()):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for reason in (r for tx in (data if isinstance(data, list) else [data]) for r in screener.screen(tx).reasons):
            named = [*(reason.evidence.get("matches") or []), *(reason.evidence.get("owners") or [])]  # type: ignore[misc]
            assert len(reason.matches) == len(named) or (reason.rule_id == "unread-list-match" and reason.matches)
            assert all(isinstance(m, MatchRef) and len(m.entry_hash) == 64 for m in reason.matches)
            seen += len(reason.matches)
    assert seen >= 5


class _Terminal(io.StringIO):
    """Standard input at a terminal, with what the user types."""

    def isatty(self) -> bool:
        return True


def test_review_without_a_scope_lists_and_refuses_off_a_terminal(ws: Workspace) -> None:
    """One command once cleared every potential match of a directory, a misspelt SMIC among them (issue 12.6)."""
    code, _, err = ws.review(scope=())
    assert code == 2
    assert "would clear 1 match(es)" in err and f"PO-1 potential-list-match: {REVIEW_NAME!r} ~ EL-TEST-1" in err
    assert "--order" in err and not ws.baseline.exists()


@pytest.mark.parametrize(("answer", "code"), [("y\n", 0), ("n\n", 1), ("\n", 1)])
def test_review_without_a_scope_asks_at_a_terminal(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch, answer: str, code: int
) -> None:
    monkeypatch.setattr("sys.stdin", _Terminal(answer))
    got, _, err = ws.review(scope=())
    assert got == code
    assert "Clear all of them? [y/N]" in err
    assert ws.baseline.exists() is (code == 0)


def test_clearances_expire_by_default(ws: Workspace) -> None:
    assert ws.review()[0] == 0
    (clearance,) = load_baseline(ws.baseline).clearances
    assert clearance.expires == dt.date.today() + dt.timedelta(days=365)
    assert ws.review("--expiry-days", "30")[0] == 0
    (clearance,) = load_baseline(ws.baseline).clearances
    assert clearance.expires == dt.date.today() + dt.timedelta(days=30)


def test_json_report_shows_who_cleared_a_finding_why_and_until_when(ws: Workspace) -> None:
    """check --format json carries what SARIF and JUnit show, not only the Decisions (issue 12.9)."""
    assert ws.review("--expires", "2099-12-31")[0] == 0
    code, out, _ = ws.check("--format", "json")
    assert code == 0
    (order,) = json.loads(out)["orders"]
    assert (Path(order["file"]), order["line"], order["failing"]) == (ws.order, 1, False)
    (finding,) = order["findings"]
    assert finding["rule_id"] == "potential-list-match" and finding["cleared"] is True
    (clearance,) = finding["clearances"]
    assert (clearance["reviewer"], clearance["reason"], clearance["expires"]) == (
        "Jane Doe",
        "Ohio company, not the listed fab",
        "2099-12-31",
    )
    assert clearance["entry_id"] == "EL-TEST-1" and clearance["party"] == REVIEW_NAME
