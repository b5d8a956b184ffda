"""``benchmarks/README.md``: the machine a run was measured on, and rewriting a run's own sections
while keeping every other (profile notes, party files, the ledger and Dask figures of the other
benchmarks)."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"
QUALITY_MARK = "## Match quality"


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"



INTRO = (
    "# Benchmarks\n\n"
    "Run `python -m benchmarks` from the repository root (needs `../shared/data`, or set "
    "`EXPORTSCREEN_SHARED_DATA`; about ten minutes, most of it the exhaustive reference). "
    "`python -m benchmarks --smoke` is the few-second run `.ci/run` uses (timings not meaningful there); "
    "`python -m benchmarks --quality` also reruns the quality tables below (install the `bench` extra for the "
    "held-out slices). Every figure is printed next to its target and a baseline measured in the same run.\n\n"
)


def quality_block(table: str, stamp: str) -> str:
    """The quality section: when and where its tables were measured, then the tables."""
    return f"{QUALITY_MARK}\n\nRun: {stamp} on {machine()}.\n\n```\n{table}\n```"


def with_section(text: str, heading: str, block: str, *, first: bool = False) -> str:
    """``text`` (a README) with its ``heading`` section replaced by ``block`` in place, else added
    (before the other sections with ``first``, else at the end); every other section is kept as it is."""
    starts = [i + 1 for i in range(len(text)) if text.startswith("\n## ", i)]
    preamble = text[: starts[0]] if starts else text
    sections = [text[a:b].rstrip() + "\n\n" for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    block = block.rstrip() + "\n\n"
    found = [i for i, sec in enumerate(sections) if sec.split("\n", 1)[0] == heading]
    if found:
        sections[found[0]] = block
    elif first:
        sections.insert(0, block)
    else:
        sections.append(block)
    return (preamble.rstrip() + "\n\n" + "".join(sections)).rstrip() + "\n"


def write_readme(lines: list[str], quality: list[str], readme: Path = README) -> None:
    """Rewrite the speed section (and the quality section when ``quality``); every other section
    (profile notes, party files, the ledger and Dask figures of the other benchmarks) is kept."""
    old = readme.read_text(encoding="utf-8") if readme.exists() else ""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = "\n".join(lines)
    text = INTRO + old[old.index("\n## ") + 1 :] if "\n## " in old else INTRO
    text = with_section(
        text,
        "## Speed and memory",
        f"## Speed and memory\n\nLast run: {stamp} on {machine()}.\n\n```\n{body}\n```",
        first=True,
    )
    if quality:
        text = with_section(text, QUALITY_MARK, quality_block(quality[0], stamp))
    readme.write_text(text, encoding="utf-8")
