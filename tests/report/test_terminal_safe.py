"""terminal_safe: what a terminal would run or break a line on (C0 and C1 controls, DEL, the line and
paragraph separators) in a printed entry name or message is written escaped."""

from __future__ import annotations

import pytest

from exportscreen.report.text import terminal_safe


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("A\x1b[2JB", "A\\x1b[2JB"),  # ESC: a C0 control, escaped before too
        ("A\x9b2JB", "A\\x9b2JB"),  # CSI: the one-byte C1 form of ESC [
        ("A\x85B", "A\\x85B"),  # NEL: a C1 line break
        ("A\x9d0;title\x9cB", "A\\x9d0;title\\x9cB"),  # OSC ... ST: sets the window title
        ("A\u2028B\u2029C", "A\\u2028B\\u2029C"),
        ("Société Générale 中芯", "Société Générale 中芯"),  # printable text is kept
    ],
)
def test_controls_are_escaped(text: str, shown: str) -> None:
    assert terminal_safe(text) == shown
