"""The search terms of a party name (``PartyTerms``): what a stored party can be found by when the
lists change, without preparing its query again.

A listed name becomes a candidate of a query (``prune.Pruner.gather``, bounded by ``Pruner.select``)
only through one of these, each a term kind here, so a delta re-screen (``ledger.delta.DeltaIndex.probe``)
can find every stored party a fresh entry may match from the terms alone, and prepare only those:

* ``w:`` a word of a reading of the name (folded; initials read one by one; a pinyin pair swapped):
  the listed words near it, through the similarity rules' finders;
* ``j:`` two adjacent words joined (they may be one listed word);
* ``c:`` the compact form, ``i:`` an acronym of the name (acronyms either way);
* ``t:`` a reading of a name long enough to be a cut-off listed name (that name begins with it: a
  re-screen looks up the beginnings of the fresh names);
* ``s:`` a word that may be a stub (a lone letter, a short dotted or last word): with a stub, every
  name holding a word near another query word is a candidate;
* ``!`` the matcher refuses the name (the re-screen must say why, so it is always re-screened);
  ``!m``, added by the ledger, the row had a match (always re-screened too).

``terms_scheme`` (``PartyTerms.scheme``) names this scheme and the word lists it was computed with: terms recorded under
another scheme are not used (those parties are prepared and tested one by one).
"""

from __future__ import annotations

import hashlib

from exportscreen._errors import InputError
from exportscreen.matching.query import STUB_MAX_LEN, Reading, Readings, name_keys
from exportscreen.matching.tuning import tuning
from exportscreen.matching.words import WordLists, word_lists

__all__ = ["CUT_OFF", "HAD_MATCH", "REFUSED", "TERMS_VERSION", "VOCABULARY_KINDS", "PartyTerms", "terms_scheme"]

#: bump when a term kind changes meaning
TERMS_VERSION = "1"
#: the kind of the terms a cut-off listed name may begin with
CUT_OFF = "t:"
#: the term kinds a re-screen looks at one by one (kept in the ledger's vocabulary); the others are
#: equalities, looked up from the fresh names' side
VOCABULARY_KINDS = ("w:", "s:")
#: the term of a name the matcher refuses
REFUSED = "!"
#: the term a ledger adds to a row that had a list match (re-evaluated on every re-screen)
HAD_MATCH = "!m"


def terms_scheme(words: WordLists) -> str:
    """The scheme tag of terms computed with ``words``."""
    digest = hashlib.sha256(words.digest_source().encode()).hexdigest()[:16]
    return f"{TERMS_VERSION}:{digest}"


class PartyTerms:
    """Computes the terms of party names with one set of word lists."""

    def __init__(self, words: WordLists | None = None) -> None:
        self.words = words or word_lists()
        self.scheme = terms_scheme(self.words)
        self.readings = Readings(self.words)
        self.truncation_min_chars = tuning().score.truncation_min_chars

    def of(self, name: str) -> frozenset[str]:
        try:
            reading = self.readings.of(name)
        except InputError:
            return frozenset({REFUSED})
        return self.of_reading(name, reading)

    def of_reading(self, name: str, reading: Reading) -> frozenset[str]:
        """The terms of ``name`` read as ``reading`` (``Readings.of(name)``)."""
        out: set[str] = set()
        dotted = reading.dotted
        long_enough = len(name) >= self.truncation_min_chars
        for text, _note in reading.variants:
            ws = text.split()
            last = len(ws) - 1
            for i, x in enumerate(ws):
                out.add("w:" + x)
                if i < last:
                    out.add("j:" + x + ws[i + 1])
                if (len(x) == 1 and (x.isalpha() or x in dotted)) or (
                    len(x) <= STUB_MAX_LEN and (x in dotted or i == last)
                ):
                    out.add("s:" + x)
            compact, _count, inits = name_keys(ws, self.words)
            if len(compact) >= 4:
                out.add("c:" + compact)
            out.update("i:" + s for s in inits)
            if long_enough and len(ws) >= 2:
                out.add(CUT_OFF + text)
        return frozenset(out)
