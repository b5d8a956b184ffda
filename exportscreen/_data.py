"""Where the bundled data (``lists/``) lives: beside the package in a checkout, inside it in a wheel."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from exportscreen._errors import ConfigError

__all__ = ["bundled_dir"]


@cache
def bundled_dir() -> Path:
    """Return the bundled ``lists/`` directory (wheel copy first, then the source checkout)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_bundled" / "lists", here.parent / "lists"):
        if (candidate / "country_groups.yaml").is_file():
            return candidate
    raise ConfigError("bundled data directory 'lists/' not found; the installation is incomplete", path=here)
