"""Shared fixtures.

``_isolated_user_dirs`` (autouse, whole session): the cache, data and config directories of the
user are never read or written by the suite; every subprocess a test starts inherits the isolation.

``shared_data`` points at the real public list files (``../shared/data`` beside the checkout, or
``$EXPORTSCREEN_SHARED_DATA``). Tests that need them fail under CI (``CI=true``) when they are
missing, and skip with the reason anywhere else.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

#: Pointed at directories of the test session's own (see ``_isolated_user_dirs``).
ISOLATED_DIRS = {
    "EXPORTSCREEN_CACHE_DIR": "cache",
    "XDG_CACHE_HOME": "xdg-cache",
    "XDG_DATA_HOME": "xdg-data",
    "XDG_CONFIG_HOME": "xdg-config",
}
#: The user's own list and data settings: unset, so that no test screens against them.
UNSET_SETTINGS = ("EXPORTSCREEN_DATA_DIR", "EXPORTSCREEN_LISTS", "EXPORTSCREEN_CONFIG")
#: The cache directory the user's environment names, before the session changes it.
USER_CACHE_DIR = os.environ.get("EXPORTSCREEN_CACHE_DIR") or str(
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "exportscreen"
)


@pytest.fixture(scope="session", autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The compiled-index and list caches (about 100 MB for the real lists), downloads and any user
    configuration live in a temporary directory of the session, never in the user's."""
    base = tmp_path_factory.mktemp("user-dirs")
    with pytest.MonkeyPatch.context() as mp:
        for var, sub in ISOLATED_DIRS.items():
            mp.setenv(var, str(base / sub))
        for var in UNSET_SETTINGS:
            mp.delenv(var, raising=False)
        yield base


def shared_data_dir() -> Path:
    env = os.environ.get("EXPORTSCREEN_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not (path / "csl").is_dir():
        reason = f"real list data not found at {path} (set EXPORTSCREEN_SHARED_DATA)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and {reason}")
        pytest.skip(reason)
    return path


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests may talk to loopback servers they start, never to the outside world."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (host.startswith("127.") or host in {"localhost", "::1"}):
            raise RuntimeError(f"network access to {host!r} is blocked in tests")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)
    yield
