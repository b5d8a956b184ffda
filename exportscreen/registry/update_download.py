"""Fetching one list file for ``lists update`` (``registry.update``): which URLs may be fetched
(https, or plain http to a loopback address only), the streamed download with its timeout, size cap
and fsync, the check that what arrived is not empty and not an HTML page, and the failure whose
message tells the user why a source was not updated."""

from __future__ import annotations

import http.client
import ipaddress
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

__all__ = ["UpdateFailed", "check_content", "download", "url_problem"]

_CHUNK = 1 << 16
_HTML = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_problem(url: str) -> str | None:
    """Why ``url`` may not be fetched, or None: https, or plain http to a loopback address only."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and _is_loopback(parts.hostname):
        return None
    if parts.scheme == "http":
        return "plain http is only allowed for loopback addresses (127.0.0.1, ::1, localhost); use https"
    return "expected an https:// URL"


class UpdateFailed(Exception):
    """Why a source was not updated (its download refused, the new file invalid or shrunk, the copy not
    replaced); the message is shown to the user."""


def _network_error(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, TimeoutError):
        return f"no response within the timeout of {timeout:g} s"
    if isinstance(exc, http.client.IncompleteRead):
        got = len(exc.partial)
        expected = f" of {got + exc.expected}" if exc.expected is not None else ""
        return f"the download was cut off after {got}{expected} bytes"
    if isinstance(exc, urllib.error.URLError):
        if isinstance(exc.reason, TimeoutError):
            return f"no response within the timeout of {timeout:g} s"
        return f"cannot connect: {exc.reason}"
    if isinstance(exc, OSError):
        return f"network error: {exc.strerror or exc}"
    return f"network error: {exc}"


def download(url: str, target: Path, *, timeout: float, max_bytes: int) -> int:
    """Stream ``url`` into the new file ``target`` and fsync it; returns the byte count."""
    request = urllib.request.Request(
        url, headers={"User-Agent": "exportscreen (lists update)", "Accept-Encoding": "identity"}
    )
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise UpdateFailed(f"the server answered HTTP {exc.code} {exc.reason}") from None
    except (OSError, http.client.HTTPException) as exc:
        raise UpdateFailed(_network_error(exc, timeout)) from None
    with response:
        final = response.geturl()
        problem = url_problem(final)
        if problem:
            raise UpdateFailed(f"redirected to {final}: {problem}")
        if response.headers.get_content_type() in _HTML_TYPES:
            raise UpdateFailed(f"the server sent an HTML page ({response.headers.get_content_type()}), not a list file")
        declared = response.headers.get("Content-Length")
        expected = int(declared) if declared and declared.isdigit() else None
        if expected is not None and expected > max_bytes:
            raise UpdateFailed(f"the file is {expected} bytes, over the limit of {max_bytes} bytes")
        total = 0
        try:
            out = target.open("xb")
        except OSError as exc:
            raise UpdateFailed(f"cannot create a temporary file in {target.parent}: {exc.strerror or exc}") from None
        with out:
            while True:
                try:
                    chunk = response.read(_CHUNK)
                except (OSError, http.client.HTTPException) as exc:
                    raise UpdateFailed(_network_error(exc, timeout)) from None
                if not chunk:
                    break
                total += len(chunk)
                if total > max_bytes:
                    raise UpdateFailed(f"the download is over the limit of {max_bytes} bytes")
                try:
                    out.write(chunk)
                except OSError as exc:
                    raise UpdateFailed(f"cannot write the temporary file: {exc.strerror or exc}") from None
            try:
                out.flush()
                os.fsync(out.fileno())
            except OSError as exc:
                raise UpdateFailed(f"cannot write the temporary file: {exc.strerror or exc}") from None
    if expected is not None and total != expected:
        raise UpdateFailed(f"the download was cut off after {total} of {expected} bytes")
    return total


def check_content(path: Path) -> None:
    with path.open("rb") as fh:
        head = fh.read(4096)
    if not head.strip():
        raise UpdateFailed("the download is empty")
    if _HTML.match(head.removeprefix(b"\xef\xbb\xbf")):
        raise UpdateFailed("the server sent an HTML page (an error or login page?), not a list file")
