"""Shared fixtures.

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
