"""A compact key -> word ids map for the similarity rules' key finders (``KeyMap``).

The key finders (deletion keys, skeletons, OCR-folded and vowel-less forms) map some 330,000 keys
of the full lists to word ids. As a dict of strings that took ~45 MB in every process that loads the
index; here the keys are kept only as 32-bit CRCs in one sorted array, with the ids of each in a
flat array beside it (~12 bytes a key). Two keys with the same CRC share their ids, and a query key
can meet a listed key's CRC: either only adds candidates, which the rule then scores, so a finder
stays a superset of what its rule scores above zero (the index-equals-exhaustive tests hold it to
that).
"""

from __future__ import annotations

import bisect
import zlib
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

__all__ = ["KeyMap", "key_code"]


def key_code(key: str) -> int:
    """The stable 32-bit code of a key (the same in every process, unlike ``hash``)."""
    return zlib.crc32(key.encode("utf-8", "surrogatepass"))


@dataclass(slots=True)
class KeyMap:
    """Keys (as ``key_code``) -> word ids: ``ids[offsets[i]:offsets[i + 1]]`` for ``codes[i]``."""

    codes: array[int] = field(default_factory=lambda: array("I"))
    offsets: array[int] = field(default_factory=lambda: array("I", [0]))
    ids: array[int] = field(default_factory=lambda: array("I"))

    @classmethod
    def build(cls, index: Mapping[str, Iterable[int]]) -> KeyMap:
        merged: dict[int, set[int]] = {}
        for key, ids in index.items():
            merged.setdefault(key_code(key), set()).update(ids)
        out = cls()
        for code in sorted(merged):
            out.codes.append(code)
            out.ids.extend(sorted(merged[code]))
            out.offsets.append(len(out.ids))
        return out

    def __len__(self) -> int:
        return len(self.codes)

    def add_to(self, target: set[int], key: str) -> None:
        """Add the ids under ``key`` (and any key sharing its code) to ``target``."""
        code = key_code(key)
        i = bisect.bisect_left(self.codes, code)
        if i < len(self.codes) and self.codes[i] == code:
            target.update(self.ids[self.offsets[i] : self.offsets[i + 1]])
