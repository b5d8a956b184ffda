"""The test suite never writes into the user's cache directory (it once left ~100 MB of index files there)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import ISOLATED_DIRS, USER_CACHE_DIR

from exportscreen._cache import cache_dir
from exportscreen.cli import main
from exportscreen.registry.update import default_data_dir

ORDER = {
    "id": "ISO-1",
    "destination": "FR",
    "parties": [{"role": "purchaser", "name": "Lyon Capteurs SARL", "country": "FR"}],
    "items": [{"description": "Ethernet cable", "eccn": "EAR99"}],
}


def test_caches_and_downloads_go_to_the_session_directory(_isolated_user_dirs: Path, tmp_path: Path) -> None:
    assert cache_dir() == _isolated_user_dirs / "cache"
    assert Path(USER_CACHE_DIR).resolve() != cache_dir().resolve()
    assert default_data_dir().is_relative_to(_isolated_user_dirs)
    for var in ISOLATED_DIRS:
        assert Path(os.environ[var]).is_relative_to(_isolated_user_dirs), var
    order = tmp_path / "order.json"
    order.write_text(json.dumps(ORDER), encoding="utf-8")
    assert main(["check", "-q", str(order)]) == 0
    assert list(cache_dir().glob("index-*.bin")) and list(cache_dir().glob("registry-*.bin"))


def test_a_subprocess_inherits_the_session_cache_directory(_isolated_user_dirs: Path) -> None:
    code = "from exportscreen._cache import cache_dir; print(cache_dir())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert Path(out.stdout.strip()) == _isolated_user_dirs / "cache"
