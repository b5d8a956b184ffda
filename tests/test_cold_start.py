"""The cold start of ``exportscreen check``: modules a quiet check does not need are never imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import exportscreen

#: Not needed to screen bundled lists from the cache and print a text report without a progress bar.
NOT_ON_THE_CHECK_PATH = (
    "tqdm",
    "multiprocessing",
    "xml.etree.ElementTree",
    "exportscreen.registry.csl",
    "exportscreen.registry.csl_entries",
    "exportscreen.registry.csl_lists",
    "exportscreen.registry.csl_rows",
    "exportscreen.registry.listfile",
    "exportscreen.registry.custom",
    "exportscreen.registry.custom_fields",
    "exportscreen.registry.custom_records",
    "exportscreen.registry.ofac",
    "exportscreen.registry.ofac_records",
    "exportscreen.registry.yamlfmt",
    "exportscreen.registry.update",
    "exportscreen.registry.update_config",
    "exportscreen.registry.update_download",
    "exportscreen.report.json",
    "exportscreen.report.sarif",
    "pycountry",  # the order's alpha-2 codes are read from its table without importing it
)

ORDER = {
    "id": "COLD-1",
    "date": "2026-03-02",
    "destination": "CN",
    "parties": [{"role": "purchaser", "name": "Acme Trading Co", "country": "CN"}],
    "items": [{"description": "Ethernet cable, 2 m", "eccn": "EAR99"}],
}


def _modules_after(code: str, env: dict[str, str] | None = None) -> set[str]:
    """The names in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env, timeout=300
    ).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def test_importing_the_package_or_the_cli_loads_no_screening_code() -> None:
    for statement in ("import exportscreen", "import exportscreen.cli"):
        loaded = _modules_after(statement)
        assert "exportscreen.screener" not in loaded, statement
        assert "exportscreen.models" not in loaded, statement
        assert "pydantic.main" not in loaded, statement


def test_every_public_name_still_resolves() -> None:
    for name in exportscreen.__all__:
        assert getattr(exportscreen, name) is not None
    assert set(exportscreen.__all__) <= set(dir(exportscreen))
    from exportscreen import Screener, screen
    from exportscreen.screener import Screener as ScreenerDirect
    from exportscreen.screener import screen as screen_direct

    assert Screener is ScreenerDirect
    assert screen is screen_direct
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        _ = exportscreen.not_a_name  # type: ignore[attr-defined]


def test_a_quiet_check_from_the_cache_loads_only_what_it_needs(tmp_path: Path) -> None:
    order = tmp_path / "order.json"
    order.write_text(json.dumps(ORDER), encoding="utf-8")
    env = {**os.environ, "EXPORTSCREEN_CACHE_DIR": str(tmp_path / "cache")}
    code = (
        "import contextlib, io\n"
        "from exportscreen.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main(['check', '-q', {str(order)!r}]) == 0\n"
    )
    _modules_after(code, env)  # fills the cache
    loaded = _modules_after(code, env)
    assert "exportscreen.screener" in loaded
    assert sorted(loaded & set(NOT_ON_THE_CHECK_PATH)) == []
