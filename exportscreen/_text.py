"""Checks on free text shared by the order models and the name matcher."""

from __future__ import annotations

import re

__all__ = ["bidi_override"]

#: left-to-right and right-to-left override: the text shows in another order than it is stored in
_BIDI_OVERRIDE = re.compile("[\u202d\u202e]")


def bidi_override(text: str) -> str | None:
    """Why ``text`` cannot be screened when it holds a bidirectional override, else None: a reader sees
    its letters in another order than the one matched ("\u202eiewauH" shows as "Huawei")."""
    found = _BIDI_OVERRIDE.search(text)
    if found is None:
        return None
    return (
        f"contains a bidirectional override (U+{ord(found.group(0)):04X}): it shows in another order than "
        "it is screened in; remove it"
    )
