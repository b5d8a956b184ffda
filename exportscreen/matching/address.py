"""Address matching: listed addresses compiled (``AddressIndex``) and searched (``search_address``).

An address is folded (``fold_address``: Chinese address parts split and written in English first,
then ``normalize.fold``, then abbreviations expanded and number markers dropped) and parsed
(``parse_address``) into house numbers, streets and place words. Scores (``lists/matching.yaml``,
``addresses``):

* ``hit``: the same house number on the same street (street names compared without spaces:
  "Zhang Jiang Road" = "Zhangjiang Rd.") and every place word of the query in the listed address;
* ``street``: the same house number on the same street, places missing or different (a street one
  letter apart needs a place of the query in the listed address, when the query names one);
* up to ``shared_words_cap``: no street on one side, a shared house number (not a postal code; a
  post-office box number counts however many digits it has) and at least two shared distinctive
  words, by token-set similarity;
* ``words_only``: no house number on either side to compare, and the query's distinctive words
  (at least ``words_only_min_words``) all in the listed address, which the query covers for the
  most part: a campus or base named without a number ("Bantian Huawei Base, Longgang District,
  Shenzhen"), never a hit; also a listed address given verbatim with fewer distinctive words
  (``words_only_verbatim_min_tokens`` or more, a shared postal code counting as one): the same
  distinctive words, no number of the query's own, and at least one of them names something below
  a city (a street, a word before a ``site_markers`` word such as building or district, or the
  postal code): "Gaokede Building, Huaqiang North, Shenzhen, China", never "Shenzhen, Guangdong,
  China".

The same street with another house number, or the same number on another street, is no match.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from pydantic import JsonValue
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from exportscreen.matching.base import Candidate
from exportscreen.matching.normalize import fold, skeleton
from exportscreen.matching.similarity import has_digit
from exportscreen.matching.tuning import tuning
from exportscreen.matching.vocab import Ids, add_ids, packed
from exportscreen.matching.words import WordLists
from exportscreen.registry.model import Registry

__all__ = ["AddressIndex", "ParsedAddress", "fold_address", "parse_address", "search_address"]

_A = tuning().addresses
_HAN_RUN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"


@cache
def _han_runs() -> re.Pattern[str]:
    """Runs of Chinese characters; compiled on first use (only a text that is not ASCII needs it)."""
    return re.compile(_HAN_RUN)


def _cjk_parts(text: str, words: WordLists) -> str:
    """Chinese runs split after each listed address part, the part written as its English word."""
    parts = words.cjk_address_parts
    if not parts or text.isascii() or not _han_runs().search(text):
        return text
    pattern = re.compile("|".join(re.escape(p) for p, _e in parts))
    english = dict(parts)

    def one(run: re.Match[str]) -> str:
        return " " + pattern.sub(lambda m: f" {english[m.group(0)]} ", run.group(0)) + " "

    return _han_runs().sub(one, text)


def fold_address(text: str, words: WordLists) -> str:
    """``fold`` of an address, Chinese parts in English, abbreviations expanded (Rd -> road) and
    number markers (No., Hao) dropped."""
    table = words.address_abbreviations or {}
    out = (table.get(t, t) for t in fold(_cjk_parts(text, words)).split())
    return " ".join(w for w in out if w)


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    """The parts of a folded address that ``search_address`` compares."""

    words: frozenset[str]
    compact: str
    #: house numbers and other short numbers (building, floor); postal codes left out
    numbers: frozenset[str]
    #: (house number or "", street name with spaces removed)
    streets: tuple[tuple[str, str], ...]
    #: distinctive words that are neither numbers, street names nor generic address words
    places: frozenset[str]
    distinctive: frozenset[str]
    #: numbers that are postal codes (``postcode_min_digits`` digits or more, no house number)
    postcodes: frozenset[str] = frozenset()
    #: distinctive words that name something below a city: street names, words before a site marker
    specific: frozenset[str] = frozenset()


def parse_address(folded: str, words: WordLists) -> ParsedAddress:
    """Split a ``fold_address`` form into house numbers, streets and place words.

    A street is the run of words (up to ``addresses.max_street_words``, no numbers or generic
    address words) before a street-type word ("zhang jiang road"), or after it when none precede
    ("ulitsa lenina"); its house number is the number next to that run or right after the
    street-type word.
    """
    toks = folded.split()
    most = _A.max_street_words
    generic = words.address_generic | words.street_types | words.noise
    streets: list[tuple[str, str]] = []
    street_words: set[str] = set()
    house: set[str] = set()
    for i, t in enumerate(toks):
        if t not in words.street_types:
            continue
        j = i
        while j > 0 and i - j < most and not has_digit(toks[j - 1]) and toks[j - 1] not in generic:
            j -= 1
        if j < i:
            name_words = toks[j:i]
            before = toks[j - 1] if j > 0 and has_digit(toks[j - 1]) else ""
            after = toks[i + 1] if i + 1 < len(toks) and has_digit(toks[i + 1]) else ""
            number = before or after
        else:
            k = i + 1
            while k < len(toks) and k - i <= most and not has_digit(toks[k]) and toks[k] not in generic:
                k += 1
            name_words = toks[i + 1 : k]
            number = toks[k] if k < len(toks) and has_digit(toks[k]) else ""
        if not name_words:
            continue
        streets.append((number, "".join(name_words)))
        street_words.update(name_words)
        if number:
            house.add(number)
    boxes = set(_A.box_markers)
    house.update(toks[i + 1] for i, t in enumerate(toks[:-1]) if t in boxes and has_digit(toks[i + 1]))
    short = _A.postcode_min_digits
    numbers = {t for t in toks if has_digit(t) and (t in house or sum(ch.isdigit() for ch in t) < short)}
    distinctive = {t for t in toks if not has_digit(t) and len(t) >= 3 and t not in generic}
    marked = set(street_words)
    sites = set(_A.site_markers)
    for i, t in enumerate(toks):
        j = i
        while t in sites and j > 0 and i - j < most and toks[j - 1] in distinctive:
            j -= 1
            marked.add(toks[j])
    return ParsedAddress(
        words=frozenset(toks),
        compact="".join(toks),
        numbers=frozenset(numbers),
        streets=tuple(streets),
        places=frozenset(distinctive - street_words),
        distinctive=frozenset(distinctive),
        postcodes=frozenset(t for t in toks if has_digit(t) and t not in numbers),
        specific=frozenset(marked & distinctive),
    )


def _street_alike(a: str, b: str) -> bool:
    if a == b or skeleton(a) == skeleton(b):
        return True
    return min(len(a), len(b)) >= 6 and OSA.distance(a, b, score_cutoff=1) <= 1


def _same_street(q: ParsedAddress, listed: ParsedAddress) -> tuple[str, bool] | None:
    """The street (name) both addresses give with the same house number, if any, and whether it is
    spelt alike (not only one letter apart)."""
    alike: tuple[str, bool] | None = None
    for qn, qs in q.streets:
        if not qn:
            continue
        for ln, ls in listed.streets:
            if qn == ln and _street_alike(qs, ls):
                if qs == ls or skeleton(qs) == skeleton(ls):
                    return qs, True
                alike = alike or (qs, False)
    return alike


def _streets_conflict(q: ParsedAddress, listed: ParsedAddress) -> bool:
    """The same street with other house numbers, or a shared house number on different streets."""
    for qn, qs in q.streets:
        for ln, ls in listed.streets:
            if qn and ln and _street_alike(qs, ls) != (qn == ln):
                return True
    return False


@dataclass(slots=True)
class AddressIndex:
    """Every listed address: its entry, text and folded form; numbers and words to find it by."""

    entry: list[int] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    folded: list[str] = field(default_factory=list)
    #: number -> addresses holding it
    numbers: dict[str, Ids] = field(default_factory=dict)
    #: distinctive word -> addresses holding it
    words: dict[str, Ids] = field(default_factory=dict)

    @classmethod
    def build(cls, registry: Registry, lists: WordLists) -> AddressIndex:
        out = cls()
        numbers: dict[str, list[int]] = {}
        by_word: dict[str, list[int]] = {}
        for i, e in enumerate(registry.entries):
            for a in e.addresses:
                folded = fold_address(a, lists)
                if not folded:
                    continue
                ak = len(out.entry)
                out.entry.append(i)
                out.text.append(a)
                out.folded.append(folded)
                parsed = parse_address(folded, lists)
                for t in set(folded.split()):
                    if has_digit(t):
                        numbers.setdefault(t, []).append(ak)
                for t in parsed.distinctive:
                    by_word.setdefault(t, []).append(ak)
        out.numbers = packed(numbers)
        out.words = packed(by_word)
        return out


def _verbatim(qa: ParsedAddress, la: ParsedAddress) -> bool:
    """The listed address given as listed, short as it is: the same distinctive words, no number of
    the query's own, no other postal code, enough tokens and one of them below a city."""
    if qa.numbers or qa.distinctive != la.distinctive:
        return False
    if qa.postcodes and la.postcodes and not qa.postcodes & la.postcodes:
        return False
    postcode = bool(qa.postcodes & la.postcodes)
    return len(qa.distinctive) + postcode >= _A.words_only_verbatim_min_tokens and (postcode or bool(la.specific))


def _words_only(qa: ParsedAddress, la: ParsedAddress) -> tuple[float, dict[str, JsonValue]] | None:
    """The ``words_only`` score, when neither side gives a house number to compare."""
    if qa.numbers & la.numbers:
        return None
    if len(qa.distinctive) < _A.words_only_min_words:
        if not _verbatim(qa, la):
            return None
        shared_words: list[JsonValue] = list(sorted(qa.distinctive | (qa.postcodes & la.postcodes)))
        return _A.words_only, {"how": "listed_address_verbatim", "shared_words": shared_words}
    if not qa.distinctive <= la.distinctive:
        return None
    if len(qa.distinctive) < _A.words_only_listed_share * len(la.distinctive):
        return None
    shared: list[JsonValue] = list(sorted(qa.distinctive))
    return _A.words_only, {"how": "distinctive_words_without_number", "shared_words": shared}


def _score(qa: ParsedAddress, la: ParsedAddress, q: str, listed: str) -> tuple[float, dict[str, JsonValue]] | None:
    shared_numbers = qa.numbers & la.numbers
    if not shared_numbers:
        return _words_only(qa, la)
    same = _same_street(qa, la)
    if same is not None:
        street, spelt_alike = same
        found = {w for w in qa.places if w in la.words or w in la.compact}
        if not spelt_alike and qa.places and not found:
            # a street one letter apart in another place ("Calle Bagdad 12, Madrid" / "No:460/12 Bagdat
            # Caddesi …, Istanbul"): another street
            return None
        score = _A.hit if qa.places and found == qa.places else _A.street
        found_list: list[JsonValue] = list(sorted(found))
        missing: list[JsonValue] = list(sorted(qa.places - found))
        return score, {
            "how": "same_street_and_places" if score == _A.hit else "same_street",
            "street": street,
            "places_found": found_list,
            "places_not_found": missing,
        }
    if _streets_conflict(qa, la):
        return None
    shared = qa.distinctive & la.words
    if len(qa.distinctive) < 2 or len(shared) < 2:
        return None
    cap = _A.shared_words_cap
    score = round(min(cap, fuzz.token_set_ratio(q, listed) * cap / 100), 1)
    shared_list: list[JsonValue] = list(sorted(shared))
    return score, {"how": "shared_number_and_words", "shared_words": shared_list}


def search_address(
    index: AddressIndex,
    parse: ParsedAddressCache,
    address: str,
    *,
    exhaustive: bool,
    limit: int | None,
    min_score: float,
) -> list[Candidate]:
    """Entries with a listed address like ``address``, best first (see the module docstring)."""
    q = _split_joined(fold_address(address, parse.words), index.words)
    qa = parse(q)
    if not qa.numbers and len(qa.distinctive) + bool(qa.postcodes) < _A.words_only_verbatim_min_tokens:
        return []
    cands: set[int] = set()
    if exhaustive:
        cands.update(range(len(index.entry)))
    else:
        for n in qa.numbers:
            add_ids(cands, index.numbers.get(n))
        if qa.distinctive:
            # a words-only match holds every distinctive query word: the rarest one finds it
            rarest = min(qa.distinctive, key=lambda w: _count(index.words.get(w)))
            add_ids(cands, index.words.get(rarest))
    best: dict[int, Candidate] = {}
    # in address order, so that of an entry's equally good addresses the same one is reported in any process
    for ak in sorted(cands):
        la = parse(index.folded[ak])
        scored = _score(qa, la, q, index.folded[ak])
        if scored is None:
            continue
        score, detail = scored
        if score < min_score or score <= 0:
            continue
        e = index.entry[ak]
        prev = best.get(e)
        numbers: list[JsonValue] = list(sorted(qa.numbers & la.numbers))
        # of equal scores, the address sharing more numbers with the query wins
        more_shared = prev is not None and len(numbers) > len(_shared_numbers(prev))
        if prev is None or score > prev.score or (score == prev.score and more_shared):
            best[e] = Candidate(
                e,
                index.text[ak],
                "address",
                score,
                {
                    "method": "address",
                    "rule": str(detail["how"]),
                    "query_text": address,
                    "listed_text": index.text[ak],
                    "query_normalised": q,
                    "candidate_normalised": index.folded[ak],
                    "shared_numbers": numbers,
                    **detail,
                    "score": score,
                },
            )
    ranked = sorted(best.values(), key=lambda x: (-x.score, x.entry_index))
    return ranked if limit is None else ranked[:limit]


def _split_joined(folded: str, vocabulary: Mapping[str, Ids]) -> str:
    """``folded`` with each word that no listed address holds, but that is made of words that
    listed addresses do hold, written as those words ("bantianhuawei" -> "bantian huawei")."""
    least = _A.joined_piece_min_chars
    out = []
    for t in folded.split():
        if len(t) < 2 * least or t in vocabulary or has_digit(t):
            out.append(t)
        else:
            out.append(_segment(t, vocabulary, least) or t)
    return " ".join(out)


def _segment(word: str, vocabulary: Mapping[str, Ids], least: int) -> str | None:
    """``word`` as the fewest listed words of ``least`` letters or more, if it is made of them."""
    fewest: list[list[str] | None] = [None] * (len(word) + 1)
    fewest[0] = []
    for end in range(least, len(word) + 1):
        for start in range(end - least + 1):
            before = fewest[start]
            piece = word[start:end]
            if before is None or piece not in vocabulary:
                continue
            now = fewest[end]
            if now is None or len(before) + 1 < len(now):
                fewest[end] = [*before, piece]
    pieces = fewest[-1]
    return " ".join(pieces) if pieces is not None and len(pieces) > 1 else None


def _shared_numbers(cand: Candidate) -> list[JsonValue]:
    shared = cand.explanation.get("shared_numbers")
    return shared if isinstance(shared, list) else []


def _count(ids: Ids | None) -> int:
    if ids is None:
        return 0
    return 1 if isinstance(ids, int) else len(ids)


class ParsedAddressCache:
    """``parse_address`` remembered per folded address (bounded)."""

    def __init__(self, words: WordLists) -> None:
        self.words = words
        self._seen: dict[str, ParsedAddress] = {}

    def __call__(self, folded: str) -> ParsedAddress:
        hit = self._seen.get(folded)
        if hit is None:
            hit = parse_address(folded, self.words)
            if len(self._seen) > 100_000:
                self._seen.clear()
            self._seen[folded] = hit
        return hit
