"""Without the dask extra, ``exportscreen.dask`` says what to install (the rest of the package works)."""

from __future__ import annotations

import subprocess
import sys

_SCRIPT = """
import sys
for name in ("dask", "distributed", "pandas"):
    sys.modules[name] = None  # as if not installed: importing them raises ImportError
from exportscreen import Screener  # the core needs none of them
from exportscreen._errors import ConfigError
try:
    import exportscreen.dask
except ConfigError as exc:
    print("refused:", exc)
"""


def test_importing_the_dask_module_without_the_extra_names_it() -> None:
    out = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, check=True, timeout=120)
    assert "refused:" in out.stdout and "pip install 'exportscreen[dask]'" in out.stdout, out.stderr
