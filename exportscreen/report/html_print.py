"""Open an HTML report in a local headless Chromium: what it logged and fetched, a PDF, a screenshot.

The browser is driven over the Chrome DevTools Protocol on a pipe (``--remote-debugging-pipe``:
commands on file descriptor 3, replies on 4, each message JSON ended by a NUL byte), so no port is
opened and nothing but the standard library is needed. Chromium runs headless with a fresh profile
and its background networking off; the report's own requests are recorded, so a test can assert
that the file asked for nothing but itself.

    python -m exportscreen.report.html_print report.html --pdf report.pdf --png first-page.png

prints the console messages and requests it saw and exits 1 when there was a console error or a
request for anything but the file (the tests call ``open_in_chromium``).
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["CHROMIUM_FLAGS", "BrowserError", "PageReport", "find_chromium", "open_in_chromium"]

#: Flags of every start: headless, no sandbox (CI runs as root), nothing phoning home.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)
_TIMEOUT = 60.0


class BrowserError(RuntimeError):
    """Chromium could not be started or did not answer as the protocol says."""


@dataclass
class PageReport:
    """What loading one page produced."""

    url: str
    console: list[tuple[str, str]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    pdf: bytes = b""
    png: bytes = b""
    #: CSS pixels by which the widest element overflows an A4 page's printable width in print media
    print_overflow: int = 0

    @property
    def errors(self) -> list[str]:
        return [text for level, text in self.console if level in {"error", "assert"}]

    @property
    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests if u != self.url]


def find_chromium() -> str | None:
    """The Chromium executable: ``$CHROMIUM``, else ``chromium`` or ``chromium-browser`` on the PATH."""
    env = os.environ.get("CHROMIUM")
    if env:
        return env
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _high_fd(fd: int) -> int:
    """``fd`` moved above 4, so that placing the pipes on 3 and 4 in the child cannot clobber one."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class _Pipe:
    """One Chromium process and its DevTools pipe."""

    def __init__(self, executable: str, profile: str) -> None:
        child_in, self._out = map(_high_fd, os.pipe())
        self._in, child_out = map(_high_fd, os.pipe())

        def place() -> None:
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        # the browser's home, cache and config are in the fresh profile, never in the user's
        home = {var: profile for var in ("HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME")}
        try:
            self.proc = subprocess.Popen(
                [executable, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
                env={**os.environ, **home},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                pass_fds=(3, 4),
                preexec_fn=place,
            )
        except OSError as exc:
            raise BrowserError(f"cannot start {executable}: {exc}") from exc
        finally:
            os.close(child_in)
            os.close(child_out)
        self._buffer = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (BrowserError, OSError):
            self.proc.kill()
        try:
            self.proc.wait(timeout=_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        finally:
            os.close(self._in)
            os.close(self._out)

    def _message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._in], [], [], max(left, 0.0))
            if not ready:
                raise BrowserError("Chromium did not answer in time")
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise BrowserError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self._next += 1
        ident = self._next
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode("utf-8") + b"\0")
        deadline = time.monotonic() + _TIMEOUT
        while True:
            reply = self._message(deadline)
            if reply.get("id") == ident:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    def wait_for(self, method: str) -> None:
        deadline = time.monotonic() + _TIMEOUT
        while not any(e.get("method") == method for e in self.events):
            self.events.append(self._message(deadline))


def _observe(report: PageReport, events: list[dict[str, Any]]) -> None:
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled":
            texts = [str(a.get("value", a.get("description", ""))) for a in params.get("args", [])]
            report.console.append((str(params.get("type")), " ".join(texts)))
        elif method == "Runtime.exceptionThrown":
            report.console.append(("error", str(params.get("exceptionDetails", {}).get("text", "exception"))))
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            report.console.append((str(entry.get("level")), str(entry.get("text"))))
        elif method == "Network.requestWillBeSent":
            report.requests.append(str(params.get("request", {}).get("url")))


#: The printable width of A4 (210 mm) less the report's 12 mm side margins, in CSS pixels (96 per inch).
_A4_PRINTABLE_PX = round((210 - 2 * 12) / 25.4 * 96)


def _print_overflow(browser: _Pipe, session: str, screen: dict[str, Any]) -> int:
    """How far the page overflows the printable width when laid out for print (0: nothing is clipped)."""
    browser.call("Emulation.setEmulatedMedia", {"media": "print"}, session)
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        {"width": _A4_PRINTABLE_PX, "height": 1000, "deviceScaleFactor": 1, "mobile": False},
        session,
    )
    found = browser.call(
        "Runtime.evaluate",
        {"expression": "document.documentElement.scrollWidth - document.documentElement.clientWidth"},
        session,
    )
    browser.call("Emulation.setEmulatedMedia", {"media": ""}, session)
    browser.call("Emulation.setDeviceMetricsOverride", screen, session)
    return int(found["result"]["value"])


def open_in_chromium(
    path: Path, *, pdf: bool = True, png: bool = False, width: int = 1200, height: int = 1500
) -> PageReport:
    """Load ``path`` in headless Chromium; record console and requests, print to PDF, screenshot."""
    executable = find_chromium()
    if executable is None:
        raise BrowserError("Chromium not found (install the Debian package chromium, or set CHROMIUM)")
    url = path.resolve().as_uri()
    report = PageReport(url)
    with tempfile.TemporaryDirectory(prefix="exportscreen-chromium-") as profile:
        browser = _Pipe(executable, profile)
        try:
            target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Page", "Runtime", "Log", "Network"):
                browser.call(f"{domain}.enable", session=session)
            screen = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
            browser.call("Emulation.setDeviceMetricsOverride", screen, session=session)
            browser.events.clear()
            browser.call("Page.navigate", {"url": url}, session=session)
            browser.wait_for("Page.loadEventFired")
            report.print_overflow = _print_overflow(browser, session, screen)
            if pdf:
                out = browser.call("Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True}, session)
                report.pdf = base64.b64decode(out["data"])
            if png:
                shot = browser.call("Page.captureScreenshot", {"format": "png"}, session)
                report.png = base64.b64decode(shot["data"])
            _observe(report, browser.events)
        finally:
            browser.close()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m exportscreen.report.html_print", description=__doc__)
    parser.add_argument("html", type=Path, help="the HTML file to open")
    parser.add_argument("--pdf", type=Path, metavar="FILE", help="write the printed PDF here")
    parser.add_argument("--png", type=Path, metavar="FILE", help="write a screenshot of the first screen here")
    parser.add_argument("--width", type=int, default=1200, help="viewport width in CSS pixels")
    parser.add_argument("--height", type=int, default=1500, help="viewport height in CSS pixels")
    args = parser.parse_args(argv)
    try:
        page = open_in_chromium(
            args.html, pdf=args.pdf is not None, png=args.png is not None, width=args.width, height=args.height
        )
    except BrowserError as exc:
        print(f"html_print: error: {exc}", file=sys.stderr)
        return 2
    if args.pdf:
        args.pdf.write_bytes(page.pdf)
    if args.png:
        args.png.write_bytes(page.png)
    for level, text in page.console:
        print(f"console {level}: {text}")
    for url in page.requests:
        print(f"request: {url}")
    return 1 if page.errors or page.foreign_requests else 0


if __name__ == "__main__":
    raise SystemExit(main())
