"""``python -m benchmarks`` rewrites only its own sections of ``benchmarks/README.md``: the figures the
other benchmarks wrote (party files, ledger, Dask) and the notes are kept."""

from __future__ import annotations

from pathlib import Path

from benchmarks import readme as bench


def test_the_speed_run_keeps_every_other_section(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(
        "# Benchmarks\n\nold intro\n\n## Speed and memory\n\nold figures\n\n## Profile notes\n\nnotes\n\n"
        "## Decision ledger, delta re-screen and Dask\n\nledger figures\n\n### a subsection\n\nmore\n\n"
        f"{bench.QUALITY_MARK}\n\nOLD-QUALITY\n",
        encoding="utf-8",
    )
    bench.write_readme(["new figure 1", "new figure 2"], [], tmp_path / "README.md")
    text = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "new figure 1\nnew figure 2" in text and "old figures" not in text
    for kept in ("## Profile notes\n\nnotes", "ledger figures\n\n### a subsection\n\nmore", "OLD-QUALITY"):
        assert kept in text
    assert text.index("## Speed and memory") < text.index("## Profile notes") < text.index("## Decision ledger")
    bench.write_readme(["again"], ["new quality"], tmp_path / "README.md")
    text = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "new quality" in text and "OLD-QUALITY" not in text and "ledger figures" in text
    quality = text[text.index(bench.QUALITY_MARK) :]
    assert quality.index("\nRun: ") < quality.index("new quality")  # says when it was measured
    assert text.count("## Speed and memory") == 1
