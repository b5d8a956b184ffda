"""Text normalisation for matching: pure, cached functions."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from anyascii import anyascii

__all__ = ["fold", "tokens"]

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@cache
def fold(text: str) -> str:
    """NFKC, drop invisible format characters, transliterate to ASCII, case-fold, punctuation to spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in {"Cf", "Cc", "Mn"})
    text = anyascii(text).casefold()
    return " ".join(_NON_ALNUM.sub(" ", text).split())


def tokens(text: str) -> tuple[str, ...]:
    return tuple(fold(text).split())
