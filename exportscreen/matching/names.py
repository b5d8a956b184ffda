"""The forms under which a listed name is matched, and the words that name places.

A listed name is matched as written, without its parentheticals ("Huawei Technologies (UK) Co.,
Ltd." also as "Huawei Technologies Co., Ltd."), under a short name or a.k.a. a parenthetical gives,
and under its parenthesised acronyms; ``listed_forms`` lists them per entry, ``listed_readings`` the
folded reading of each (initials that would make a title read one by one). ``initials`` gives the
acronym forms of a name; ``country_words`` and ``country_codes`` the words that name a country.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from exportscreen.geo import resolve_country
from exportscreen.matching.normalize import NormalisationTrace, fold, fold_traced
from exportscreen.matching.tuning import tuning
from exportscreen.matching.words import WordLists
from exportscreen.registry.model import Entry

__all__ = ["country_codes", "country_words", "initials", "listed_forms", "listed_readings"]

#: Words that open an a.k.a. or former name in a parenthetical: "(f.k.a. X)", "(a.k.a. X)".
_AKA = ("aka", "fka", "formerly", "also known as", "formerly known as")


def _parentheticals(text: str) -> tuple[str, list[tuple[str, str]]] | None:
    """A listed name without its parentheticals, and each one's text with the text after it:
    "Huawei Technologies (UK) Co., Ltd." → ("Huawei Technologies Co., Ltd.", [("UK", " Co., Ltd.")]);
    None without any."""
    if "(" not in text:
        return None
    out: list[str] = []
    inner: list[tuple[str, str]] = []
    depth_start = -1
    last = 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth_start = i
        elif ch == ")" and depth_start >= 0:
            out.append(text[last:depth_start])
            inner.append((text[depth_start + 1 : i].strip(), text[i + 1 :]))
            last = i + 1
            depth_start = -1
    if not inner:
        return None
    out.append(text[last:])
    stripped = " ".join("".join(out).split()).strip(" ,;")
    return (stripped, inner) if stripped else None


def _short_name(inner: str, tail: str, outer_words: set[str], weak: frozenset[str], entity: bool) -> str | None:
    """A parenthetical that names the party: an a.k.a. or former name, or (for organisations) a short
    form made of the name's own words that ends the name ("Huawei Technologies Co., Ltd. (Huawei)"
    → "Huawei"; not in "… (Huawei). Affiliated Entity: …", where it names another party)."""
    folded = fold(inner)
    for lead in _AKA:
        if folded.startswith(lead + " "):
            rest = inner.split(None, len(lead.split()))[-1].lstrip(" ,.:")
            return rest or None
    own = folded.split()
    ends_name = all(w in weak for w in fold(tail).split())
    if entity and ends_name and 1 <= len(own) <= 3 and inner.upper() != inner and set(own) <= outer_words:
        return inner
    return None


def _acronyms(text: str) -> list[str]:
    """Parenthesised acronyms of a listed name: "... Corporation (SMIC)" → ["SMIC"]."""
    out: list[str] = []
    depth_start = -1
    for i, ch in enumerate(text):
        if ch == "(":
            depth_start = i
        elif ch == ")" and depth_start >= 0:
            inner = text[depth_start + 1 : i].strip()
            compact = inner.replace(".", "").replace("-", "").replace("&", "")
            if 2 <= len(compact) <= 12 and " " not in inner and compact.isalnum() and compact.upper() == compact:
                out.append(inner)
            depth_start = -1
    return out


def listed_readings(form: str, words: WordLists) -> list[tuple[str, frozenset[str]]]:
    """The folded reading of a listed form and the words of it that are joined initials: as ``fold``
    joins initials ("S.M. Mirbagheri" as "sm mirbagheri", "sm" joined), except initials that would
    join into a title, read one by one: "M.R. Ahmadi" is "m r ahmadi", not the title and surname
    "Mr Ahmadi" that any Ahmadi covers."""
    trace = NormalisationTrace()
    joined = fold_traced(form, trace)
    if "initials_joined" not in trace.steps:
        return [(joined, frozenset())]
    split = fold_traced(form, NormalisationTrace(), join_initials=False)
    runs = frozenset(joined.split()) - frozenset(split.split())
    return [(split, frozenset())] if any(run in words.titles for run in runs) else [(joined, runs)]


def initials(words: list[str], weak: frozenset[str], noise: frozenset[str]) -> tuple[str, ...]:
    """Acronym forms of a name (4+ letters): initials of every word but noise words, of its
    distinctive words, and of its words up to the first legal form (YMTC for "Yangtze Memory
    Technologies Co., Ltd.")."""
    full = "".join(w[0] for w in words if w not in noise)
    core = "".join(w[0] for w in words if w not in weak)
    upto: list[str] = []
    for w in words:
        if w in noise:
            continue
        upto.append(w[0])
        if w in weak:
            break
    out = {s for s in (full, core, "".join(upto)) if len(s) >= 4}
    return tuple(sorted(out))


def country_words() -> frozenset[str]:
    """Words that name a country: one-word names ("Guinea") and words of 4+ letters in fewer than
    ``weights.country_word_max_names`` countries' names ("Zealand", "Korea"), not "New", "Republic" or "Man"."""
    import pycountry  # here: only a rebuild of the index reads the country names

    out: set[str] = set()
    used_by: dict[str, set[str]] = {}
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if not isinstance(value, str):
                continue
            words = fold(value).split()
            if len(words) == 1:
                out.add(words[0])
            for w in words:
                used_by.setdefault(w, set()).add(c.alpha_2)
    most = tuning().weights.country_word_max_names
    out.update(w for w, codes in used_by.items() if len(codes) < most and len(w) >= 4)
    return frozenset(out)


def address_countries(addresses: Iterable[str]) -> frozenset[str]:
    """The countries the addresses end with: the last comma-separated part, without numbers, read as
    a country code or name ("..., Hong Kong" HK, "..., U.A.E." AE); a part that names no country
    (a city, "P.O. Box") adds nothing; dots are dropped when the part names no country as written."""
    out: set[str] = set()
    for a in addresses:
        last = _NUMBERS.sub("", a.rsplit(",", 1)[-1]).strip(" .;:-")
        code = (_country_of(last) or _country_of(last.replace(".", ""))) if last else None
        if code is not None:
            out.add(code)
    return frozenset(out)


_NUMBERS = re.compile(r"[0-9]+")


@functools.cache
def _country_of(text: str) -> str | None:
    try:
        return resolve_country(text)
    except ValueError:
        return None


def country_codes() -> frozenset[str]:
    """ISO 3166 alpha-2 and alpha-3 codes, lower case, and "uk" (reserved for the United Kingdom):
    read as places only when they are a whole parenthetical ("Huawei Technologies (UK) Co., Ltd.")."""
    import pycountry

    out = {"uk"}
    for c in pycountry.countries:
        out.update((c.alpha_2.lower(), c.alpha_3.lower()))
    return frozenset(out)


#: Kind codes of listed names (``tuning.KINDS``): name, alias, weak alias, acronym.
NAME, ALIAS, WEAK_ALIAS, ACRONYM = range(4)


def listed_forms(e: Entry, words: WordLists) -> list[tuple[int, str, str, str]]:
    """Every form ``e`` is matched under: (kind code, the listed text, the form matched, the
    parentheticals left out of it)."""
    weak_words = words.weak
    variants: list[tuple[int, str, str, str]] = [(NAME, e.name, e.name, "")]
    variants += [(ALIAS, a, a, "") for a in (*e.aliases, *e.other_names)]
    for kind, text, _form, _dropped in list(variants):
        split = _parentheticals(text)
        if split is None:
            continue
        stripped, inner = split
        variants.append((kind, text, stripped, "; ".join(part for part, _tail in inner)))
        outer = set(fold(stripped).split())
        for part, tail in inner:
            short = _short_name(part, tail, outer, weak_words, e.type != "individual")
            if short:
                variants.append((WEAK_ALIAS, text, short, ""))
    variants += [(WEAK_ALIAS, a, a, "") for a in e.weak_aliases]
    for text in (e.name, *e.aliases):
        variants += [(ACRONYM, a, a, "") for a in _acronyms(text)]
    return variants
