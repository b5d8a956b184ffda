"""The shape of an Export Control Classification Number as the Commerce Control List writes it.

A heading is a digit (category), a letter A-E (product group) and three digits: ``3A090``. Its
paragraphs go down in levels that alternate a lowercase letter and a number from 1: ``3B001.c.1.a``,
``3A001.b.2``, ``0A501.y.1`` (15 CFR Part 774 Supp. No. 1; every paragraph the bundled CCL tables
name has this shape). A level that breaks the pattern (``3A991.zz``, ``3A991.a.1.1``, ``3A001.01``)
is no paragraph of the CCL, so an order that declares one is refused: classifying it as its heading
would let a mistyped classification pass as a real one.
"""

from __future__ import annotations

import re

__all__ = ["HEADING", "normal_eccn", "paragraph_problem"]

HEADING = re.compile(r"^[0-9][A-E][0-9]{3}$")
_LETTER = re.compile(r"^[a-z]$")
_NUMBER = re.compile(r"^[1-9][0-9]?$")


def paragraph_problem(paragraph: str) -> str | None:
    """What is wrong with a paragraph written after its heading (``.c.1.a``), or None when nothing is."""
    if not paragraph:
        return None
    if not paragraph.startswith(".") or paragraph.endswith("."):
        return f"paragraph {paragraph!r} must be dot-separated levels (.c.1.a)"
    for depth, level in enumerate(paragraph[1:].split("."), start=1):
        letter = depth % 2 == 1
        if not (_LETTER if letter else _NUMBER).match(level):
            want = "one lowercase letter" if letter else "a number from 1"
            return (
                f"paragraph level {depth} {level!r} is not {want} "
                "(CCL paragraphs alternate a letter and a number: 3B001.c.1.a)"
            )
    return None


def normal_eccn(value: str) -> str:
    """``value`` as an ECCN (heading upper case, EAR99 in any case), or ValueError saying why not."""
    text = value.strip()
    if text.upper() == "EAR99":
        return "EAR99"
    heading, paragraph = text[:5].upper(), text[5:]
    if not HEADING.match(heading):
        raise ValueError(f"{value!r} is not an ECCN (e.g. 3A090.a, 4A994, EAR99)")
    problem = paragraph_problem(paragraph)
    if problem is not None:
        raise ValueError(f"{value!r} is not an ECCN: {problem}")
    return heading + paragraph
