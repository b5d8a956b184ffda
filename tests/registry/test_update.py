"""``exportscreen lists update`` against a local HTTP server on 127.0.0.1 serving the real CSL.

Broken variants are generated from the real file: truncated (in the file and on the wire), empty, an
HTML error page, a shrunken list, a server that answers too late. Every failure must leave the
current copy byte-for-byte and exit 2; nothing reaches the internet (see the network guard).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import http.server
import os
import socket
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from exportscreen._errors import ConfigError
from exportscreen.cli import main
from exportscreen.registry import load_registry
from exportscreen.registry.update import (
    CSL_URL,
    SourceConfig,
    UpdateConfig,
    default_config,
    default_data_dir,
    load_update_config,
    update_lists,
)

CSL_ENTRIES = 14_159
SLOW_TIMEOUT = 0.5


@dataclass
class Route:
    body: bytes
    content_type: str = "text/csv; charset=utf-8"
    status: int = 200
    content_length: int | None = None
    delay: bool = False


@dataclass
class Server:
    base: str
    routes: dict[str, Route]
    release: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return f"{self.base}/{path}"


def _handler(server: Server) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            route = server.routes.get(self.path.lstrip("/"))
            if route is None:
                self.send_error(404)
                return
            if route.delay:
                server.release.wait(10)
                return
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            length = len(route.body) if route.content_length is None else route.content_length
            self.send_header("Content-Length", str(length))
            self.send_header("Connection", "close")
            self.end_headers()
            with contextlib.suppress(OSError):  # the client may hang up first (truncation, timeout)
                self.wfile.write(route.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@dataclass(frozen=True)
class Variants:
    good: bytes
    older: bytes


@pytest.fixture(scope="module")
def csl_bytes(shared_data: Path) -> bytes:
    return (shared_data / "csl" / "consolidated_2022-05.csv").read_bytes()


def _rows(data: bytes) -> tuple[bytes, list[bytes]]:
    """Header and records of the CSL (records may span lines: split on the record start instead)."""
    header, _, rest = data.partition(b"\n")
    records: list[bytes] = []
    for line in rest.splitlines(keepends=True):
        if records and records[-1].count(b'"') % 2 == 1:
            records[-1] += line
        else:
            records.append(line)
    return header + b"\n", records


def _shrunk(data: bytes, keep: float) -> bytes:
    header, records = _rows(data)
    return header + b"".join(r for i, r in enumerate(records) if i % 100 < keep * 100)


@pytest.fixture
def server(csl_bytes: bytes) -> Iterator[Server]:
    routes: dict[str, Route] = {"good.csv": Route(csl_bytes)}
    srv = Server(base="", routes=routes)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(srv))
    httpd.daemon_threads = True
    srv.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _config(tmp_path: Path, url: str, *, max_shrink: float | None = None) -> Path:
    lines = ["sources:", "  - name: csl", f"    url: {url}", "    dest: csl/consolidated.csv", "    format: csl"]
    if max_shrink is not None:
        lines.append(f"    max_shrink: {max_shrink}")
    path = tmp_path / "lists-update.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def current(tmp_path: Path, csl_bytes: bytes) -> Path:
    """A current copy: the real CSL minus 5 % of its rows (an older list, still within the shrink limit)."""
    dest = tmp_path / "data" / "csl" / "consolidated.csv"
    dest.parent.mkdir(parents=True)
    dest.write_bytes(_shrunk(csl_bytes, 0.95))
    return dest


def _run(config: Path, data_dir: Path, *extra: str) -> int:
    return main(["lists", "update", "--config", str(config), "--dest", str(data_dir), *extra])


def _no_leftovers(directory: Path) -> None:
    assert [p.name for p in directory.iterdir()] == ["consolidated.csv"]


# --- success ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_good_download_replaces_the_current_copy(
    server: Server, current: Path, tmp_path: Path, csl_bytes: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    old_version = load_registry(current, format="csl").version
    config = _config(tmp_path, server.url("good.csv"))
    assert _run(config, tmp_path / "data") == 0
    assert current.read_bytes() == csl_bytes
    _no_leftovers(current.parent)
    out = capsys.readouterr().out
    assert "csl: updated" in out
    assert f"-> {CSL_ENTRIES}" in out
    assert "not a default source: add it to the lists of" in out  # no configuration names it yet
    assert f"version {old_version} -> {load_registry(current, format='csl').version}" in out
    assert "per list: " in out and "SDN " in out


@pytest.mark.slow
def test_same_content_is_reported_unchanged(server: Server, tmp_path: Path, csl_bytes: bytes) -> None:
    dest = tmp_path / "csl" / "consolidated.csv"
    dest.parent.mkdir()
    dest.write_bytes(csl_bytes)
    before = dest.stat().st_mtime_ns
    report = update_lists(_config(tmp_path, server.url("good.csv")), dest_dir=tmp_path, timeout=5)
    (result,) = report.sources
    assert result.status == "unchanged"
    assert result.old_version == result.new_version
    assert dest.stat().st_mtime_ns == before


@pytest.mark.slow
def test_first_download_creates_the_destination(server: Server, tmp_path: Path, csl_bytes: bytes) -> None:
    report = update_lists(_config(tmp_path, server.url("good.csv")), dest_dir=tmp_path / "new", timeout=5)
    assert report.ok
    (result,) = report.sources
    assert result.status == "updated"
    assert result.old_counts is None
    assert result.new_total == CSL_ENTRIES
    assert result.new_counts is not None and result.new_counts["EL"] == 2001
    assert (tmp_path / "new" / "csl" / "consolidated.csv").read_bytes() == csl_bytes


# --- failures leave the current copy and exit 2 ----------------------------------------------


@pytest.mark.parametrize(
    ("variant", "reason"),
    [
        ("empty", "the download is empty"),
        ("blank", "the download is empty"),
        ("html", "HTML page"),
        ("html-as-csv", "HTML page"),
        ("truncated-file", "not a valid csl list"),
        ("truncated-wire", "cut off after"),
        pytest.param("shrunk", "fewer, more than the allowed 10%", marks=pytest.mark.slow),
        ("not-found", "HTTP 404"),
        ("server-error", "HTTP 503"),
        ("json-error", "not a valid csl list"),
    ],
)
def test_bad_download_keeps_the_current_copy(
    variant: str,
    reason: str,
    server: Server,
    current: Path,
    tmp_path: Path,
    csl_bytes: bytes,
    capsys: pytest.CaptureFixture[str],
) -> None:
    html = b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>\n"
    routes = {
        "empty": Route(b""),
        "blank": Route(b"\n\n  \n"),
        "html": Route(html, content_type="text/html; charset=utf-8"),
        "html-as-csv": Route(b"\xef\xbb\xbf  <!-- cdn -->\n" + html),
        "truncated-file": Route(csl_bytes[: len(csl_bytes) * 3 // 5]),
        "truncated-wire": Route(csl_bytes[: len(csl_bytes) // 2], content_length=len(csl_bytes)),
        "shrunk": Route(_shrunk(csl_bytes, 0.80)),
        "server-error": Route(b"Service Unavailable", status=503),
        "json-error": Route(b'{"error": "rate limit exceeded"}', content_type="application/json"),
    }
    server.routes.update({f"{k}.csv": v for k, v in routes.items()})
    before = _sha(current)
    assert _run(_config(tmp_path, server.url(f"{variant}.csv")), tmp_path / "data", "--timeout", "5") == 2
    assert _sha(current) == before
    _no_leftovers(current.parent)
    err = capsys.readouterr().err
    assert "source 'csl'" in err
    assert server.url(f"{variant}.csv") in err
    assert reason in err
    assert "is unchanged" in err


def test_slow_server_times_out(
    server: Server, current: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.routes["slow.csv"] = Route(b"", delay=True)
    before = _sha(current)
    code = _run(_config(tmp_path, server.url("slow.csv")), tmp_path / "data", "--timeout", str(SLOW_TIMEOUT))
    assert code == 2
    assert _sha(current) == before
    _no_leftovers(current.parent)
    assert f"no response within the timeout of {SLOW_TIMEOUT:g} s" in capsys.readouterr().err


def test_unreachable_server_fails_cleanly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert _run(_config(tmp_path, f"http://127.0.0.1:{port}/x.csv"), tmp_path / "data", "--timeout", "5") == 2
    assert "cannot connect" in capsys.readouterr().err
    assert not (tmp_path / "data" / "csl" / "consolidated.csv").exists()


@pytest.mark.slow
def test_shrink_limit_is_configurable(server: Server, current: Path, tmp_path: Path, csl_bytes: bytes) -> None:
    shrunk = _shrunk(csl_bytes, 0.80)
    server.routes["shrunk.csv"] = Route(shrunk)
    url = server.url("shrunk.csv")
    full = tmp_path / "data" / "csl" / "consolidated.csv"
    full.write_bytes(csl_bytes)
    # per source in the config file
    assert _run(_config(tmp_path, url, max_shrink=0.25), tmp_path / "data") == 0
    assert full.read_bytes() == shrunk
    # on the command line, which beats the config file
    full.write_bytes(csl_bytes)
    assert _run(_config(tmp_path, url, max_shrink=0.25), tmp_path / "data", "--max-shrink", "0.1") == 2
    assert full.read_bytes() == csl_bytes
    assert _run(_config(tmp_path, url), tmp_path / "data", "--max-shrink", "0.3") == 0
    assert full.read_bytes() == shrunk


@pytest.mark.slow
def test_a_vanished_list_is_refused_even_within_the_overall_limit(
    server: Server, tmp_path: Path, csl_bytes: bytes
) -> None:
    header, records = _rows(csl_bytes)
    no_el = header + b"".join(r for r in records if b"Entity List (EL)" not in r)
    server.routes["no-el.csv"] = Route(no_el)
    dest = tmp_path / "csl" / "consolidated.csv"
    dest.parent.mkdir()
    dest.write_bytes(csl_bytes)
    report = update_lists(_config(tmp_path, server.url("no-el.csv")), dest_dir=tmp_path, max_shrink=0.2, timeout=5)
    (result,) = report.sources
    assert result.status == "failed"
    assert result.reason is not None and result.reason.startswith("list EL has 0 entries against 2001")
    assert dest.read_bytes() == csl_bytes


@pytest.mark.slow
@pytest.mark.parametrize("target", ["replace", "fsync"])
def test_failure_while_writing_keeps_the_current_copy(
    target: str,
    server: Server,
    current: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    before = _sha(current)
    monkeypatch.setattr(os, target, no_space)
    code = _run(_config(tmp_path, server.url("good.csv")), tmp_path / "data", "--timeout", "5")
    monkeypatch.undo()
    assert code == 2
    assert _sha(current) == before
    _no_leftovers(current.parent)
    assert os.strerror(errno.ENOSPC) in capsys.readouterr().err


@pytest.mark.slow
def test_one_failing_source_does_not_stop_the_others(server: Server, tmp_path: Path, csl_bytes: bytes) -> None:
    server.routes["html.csv"] = Route(b"<html><body>maintenance</body></html>", content_type="text/html")
    config = UpdateConfig(
        sources=(
            SourceConfig(name="broken", url=server.url("html.csv"), dest=Path("a.csv"), format="csl"),
            SourceConfig(name="good", url=server.url("good.csv"), dest=Path("b.csv"), format="csl"),
        )
    )
    report = update_lists(config, dest_dir=tmp_path, timeout=5)
    assert not report.ok
    assert [r.name for r in report.failures] == ["broken"]
    assert not (tmp_path / "a.csv").exists()
    assert (tmp_path / "b.csv").read_bytes() == csl_bytes


# --- configuration ---------------------------------------------------------------------------


def test_default_config_is_the_official_csl(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (source,) = default_config().sources
    assert source.url == CSL_URL == "https://api.trade.gov/static/consolidated_screening_list/consolidated.csv"
    assert source.format == "csl"
    monkeypatch.setenv("EXPORTSCREEN_DATA_DIR", str(tmp_path / "d"))
    assert default_data_dir() == tmp_path / "d"
    monkeypatch.delenv("EXPORTSCREEN_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    if sys.platform not in ("win32", "darwin"):
        assert default_data_dir() == tmp_path / "xdg" / "exportscreen"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("sources: []\n", "sources"),
        ("sources:\n  - {name: x, url: https://e.org/a.csv, dest: a.csv, format: csl, colour: red}\n", "unknown field"),
        ("sources:\n  - {name: x, url: https://e.org/a.csv, dest: a.csv, format: pdf}\n", "unknown list format 'pdf'"),
        ("sources:\n  - {name: x, url: http://e.org/a.csv, dest: a.csv, format: csl}\n", "plain http"),
        ("sources:\n  - {name: x, url: file:///etc/passwd, dest: a.csv, format: csl}\n", "https"),
        ("sources:\n  - {name: x, url: https://e.org/a.csv, dest: a.csv, format: csl, max_shrink: 1.5}\n", "1"),
        ("sources:\n  - {name: x, url: https://e.org/a.csv, format: csl}\n", "required field is missing"),
        (
            "sources:\n  - {name: x, url: https://e.org/a.csv, dest: a.csv, format: csl}\n"
            "  - {name: x, url: https://e.org/b.csv, dest: b.csv, format: csl}\n",
            "unique",
        ),
        (
            "sources:\n  - {name: x, url: https://e.org/a.csv, dest: a.csv, format: csl}\n"
            "  - {name: y, url: https://e.org/b.csv, dest: a.csv, format: csl}\n",
            "same file",
        ),
    ],
)
def test_bad_config_is_an_error(body: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_update_config(path)
    assert main(["lists", "update", "--config", str(path), "--dest", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and message in err


@pytest.mark.parametrize(
    "args", [["--timeout", "0"], ["--timeout", "x"], ["--max-shrink", "2"], ["--max-shrink", "-1"]]
)
def test_bad_options_are_argument_errors(args: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["lists", "update", *args])
    assert exc.value.code == 2
