"""Rule-pack validation: a bad pack is a PackError naming file and place, never a silent pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from exportscreen import PackError, load_pack
from exportscreen.rules import bundled_pack_paths

HEADER = "format: exportscreen-pack/1\nid: p\nversion: '1'\ndescription: d\nrules:\n"
OK_RULE = "  - {id: ok, category: less_risky, when: {always: true}, message: fine, citations: [c]}\n"

BAD = [
    (
        "unknown-condition-key",
        "  - {id: r, category: review, when: {party_on_list: {lists: [EL]}}, message: m, citations: [c]}\n",
        "party_on_list",
    ),
    (
        "two-keys",
        "  - {id: r, category: review, when: {always: true, item_unclassified: true}, message: m, citations: [c]}\n",
        "exactly one key",
    ),
    (
        "unknown-tier",
        "  - {id: r, category: review, when: {item_tier: [3A999]}, message: m, citations: [c]}\n",
        "unknown tier",
    ),
    (
        "unknown-list",
        "  - {id: r, category: review, when: {party_listed: {lists: [ZZ]}}, message: m, citations: [c]}\n",
        "unknown list code 'ZZ'",
    ),
    (
        "unknown-group",
        "  - {id: r, category: review, when: {destination: {groups: ['D:9']}}, message: m, citations: [c]}\n",
        "unknown country group 'D:9'",
    ),
    (
        "bad-placeholder",
        "  - {id: r, category: review, when: {always: true}, message: 'x {nope}', citations: [c]}\n",
        "unknown placeholder {nope}",
    ),
    (
        "bad-category",
        "  - {id: r, category: dangerous, when: {always: true}, message: m, citations: [c]}\n",
        "category",
    ),
    ("no-citation", "  - {id: r, category: review, when: {always: true}, message: m, citations: []}\n", "citations"),
    ("duplicate-id", OK_RULE, "duplicate rule id 'ok'"),
    (
        "impossible-strength",
        "  - {id: r, category: review, message: m, citations: [c],\n"
        "     when: {party_listed: {lists: [EL], min_strength: hit, max_strength: review}}}\n",
        "never hold",
    ),
    (
        "reversed-window",
        "  - {id: r, category: review, message: m, citations: [c],\n"
        "     when: {as_of: {from: 2025-01-01, to: 2024-01-01}}}\n",
        "before",
    ),
    (
        "unknown-date-name",
        "  - {id: r, category: review, message: m, citations: [c], valid_from: ac-rules-2032, when: {always: true}}\n",
        "unknown date name 'ac-rules-2032'",
    ),
    (
        "unknown-switch",
        "  - {id: r, category: review, message: m, citations: [c], when: {switch: no-such-switch}}\n",
        "switch 'no-such-switch'",
    ),
    (
        "owners-in-unknown-group",
        "  - {id: r, category: review, message: m, citations: [c], when: {owners_in: {groups: ['D:9']}}}\n",
        "unknown country group 'D:9'",
    ),
]


@pytest.mark.parametrize(("name", "rule", "needle"), BAD, ids=[b[0] for b in BAD])
def test_bad_pack(tmp_path: Path, name: str, rule: str, needle: str) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_text(HEADER + OK_RULE + rule, encoding="utf-8")
    with pytest.raises(PackError) as exc:
        load_pack(path)
    assert needle in str(exc.value)
    assert str(path) in str(exc.value)


def test_bundled_packs_load() -> None:
    for path in bundled_pack_paths():
        pack = load_pack(path)
        assert pack.rules
        assert any(r.when.always for r in pack.rules), "a pack needs a closing rule"


def test_a_pack_is_loaded_again_when_its_file_changes_or_another_file_has_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache of loaded packs is keyed by the file as it is, not by the name given (purity audit, issue 12)."""

    def write(directory: Path, rule_id: str) -> None:
        directory.mkdir(exist_ok=True)
        (directory / "rules.yaml").write_text(
            "format: exportscreen-pack/1\nid: p\nversion: '1'\ndescription: d\nrules:\n"
            f"  - {{id: {rule_id}, category: less_risky, when: {{always: true}}, message: ok, citations: [c]}}\n",
            encoding="utf-8",
        )

    write(tmp_path / "a", "first")
    write(tmp_path / "b", "second-rule")
    monkeypatch.chdir(tmp_path / "a")
    assert [r.id for r in load_pack("rules.yaml").rules] == ["first"]
    monkeypatch.chdir(tmp_path / "b")
    assert [r.id for r in load_pack("rules.yaml").rules] == ["second-rule"]
    write(tmp_path / "b", "edited-rule-of-b")
    assert [r.id for r in load_pack("rules.yaml").rules] == ["edited-rule-of-b"]
