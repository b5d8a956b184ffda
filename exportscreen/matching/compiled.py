"""The compiled form of a registry for matching: precomputed names, token weights and the index.

Built once per registry (its entries in order: the index refers to entries by position) and word
lists; plain Python containers only (no pydantic objects), so the hot loop touches tuples, lists and
dicts. A cached index is used only for the registry it was built from (``serves``).

**Token weights.** Each distinct word of the listed names gets an inverse document frequency
weight ``ln(1 + N / df)``: "technology" or "china" weigh little, "smic" or "habbash" a lot. Legal
forms and noise words (``lists/names``) get the fixed low weight ``WEAK_WEIGHT``.

**Qualifiers.** Words a query may add to a listed name at little cost: the qualifier list
(branch, office …), country names, and *place words*: words found in at least
``PLACE_MIN_ADDRESSES`` listed addresses of entries whose names lack them, and in more such
addresses than names (Beijing, Tehran, Moscow; not "Huawei" of "Huawei Base").

**Candidate index (prefix filtering).** A name can only score ``min_score`` or more when the
weighted share of its words matched by the query (its coverage ``C``) reaches ``theta`` (see
``engine.coverage_floor``). Sorting a name's words by weight, the name is indexed under its heaviest
words up to the point where the remaining words weigh less than ``theta`` of the name: a query that
matches none of those words cannot reach ``theta``. Adjacent word pairs are indexed joined
("al faris" under "alfaris") for split and merged words, and whole names under their compact form
and initials. Word similarity is looked up in the vocabulary through exact, spelling-skeleton,
one-deletion (``OSA`` distance 1), prefix and abbreviation keys, which find exactly the word pairs
that ``neighbours.token_sim`` scores above zero; the words near each listed word are stored
(``near_*``). The index therefore returns every name the exhaustive mode scores at or above the
floor it was built for.
"""

from __future__ import annotations

import bisect
import functools
import gc
import hashlib
import itertools
import math
import os
import pickle
import stat
import sys
import tempfile
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from exportscreen.matching.normalize import consonant_key, fold, fold_address, skeleton
from exportscreen.matching.words import WordLists
from exportscreen.registry.model import Registry

_K = TypeVar("_K", str, int)

__all__ = [
    "FORMAT_VERSION",
    "MIN_DOTTED_PREFIX_LEN",
    "MIN_FUZZY_LEN",
    "MIN_PREFIX_LEN",
    "QUALIFIER_FACTOR",
    "WEAK_WEIGHT",
    "CompiledNames",
    "Ids",
    "add_ids",
    "cache_dir",
    "compile_key",
    "compile_registry",
    "deletions",
    "load_or_compile",
    "load_registry_cached",
    "registry_fingerprint",
    "serves",
]

#: Bumped whenever the compiled layout or the scoring-relevant preprocessing changes.
FORMAT_VERSION = "exportscreen-compiled/24"
#: Weight of a legal form or noise word (a distinctive word weighs 2-11).
WEAK_WEIGHT = 0.3
#: A word is a place word when at least this many listed addresses contain it (and more addresses
#: than names do).
PLACE_MIN_ADDRESSES = 3
#: Shortest skeleton that may match another with one edit (one letter shorter: a swap of two letters).
MIN_FUZZY_LEN = 5
#: Shortest word that may stand for a longer word it begins ("tech" → "technology").
MIN_PREFIX_LEN = 4
#: Shortest word written with a full stop ("Sci.", "Ind.") that may stand for a longer word.
MIN_DOTTED_PREFIX_LEN = 3
#: Weight factor of a qualifier (place, branch word) in a position where it qualifies the name:
#: in the query, an extra qualifier; in a listed name, a place after the legal form
#: ("Shenzhen Legrit Technology Co., Ltd., Shenzhen, Guangdong").
QUALIFIER_FACTOR = 0.25

FIELDS = ("name", "alias", "weak_alias", "acronym")

#: A value of the index maps: one id, or several in a tuple. Most keys lead to one word or name, and
#: a bare int takes a fraction of the memory of a list (the compiled CSL + SDN is ~180,000 keys).
Ids = int | tuple[int, ...]


def _packed(index: dict[_K, list[int]]) -> dict[_K, Ids]:
    return {k: v[0] if len(v) == 1 else tuple(v) for k, v in index.items()}


def add_ids(target: set[int], ids: Ids | None) -> None:
    """Add an index value (``Ids``, or None for a missing key) to ``target``."""
    if ids is None:
        return
    if isinstance(ids, int):
        target.add(ids)
    else:
        target.update(ids)


def deletions(word: str) -> set[str]:
    """``word`` and every string made by deleting one of its characters."""
    out = {word}
    out.update(word[:i] + word[i + 1 :] for i in range(len(word)))
    return out


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


@dataclass(slots=True)
class CompiledNames:
    """Everything the matcher needs, as plain containers (picklable, no pydantic)."""

    key: str
    floor: float
    theta: float
    #: ``(source, id)`` of every entry of the registry it was built from, in registry order
    entry_keys: list[tuple[str, str]] = field(default_factory=list)
    # vocabulary
    vocab: list[str] = field(default_factory=list)
    vocab_id: dict[str, int] = field(default_factory=dict)
    weight: list[float] = field(default_factory=list)
    weak: list[bool] = field(default_factory=list)
    qualifier: list[bool] = field(default_factory=list)
    unseen_weight: float = 1.0
    sorted_vocab: list[str] = field(default_factory=list)
    deletion_keys: dict[str, Ids] = field(default_factory=dict)
    consonant_keys: dict[str, Ids] = field(default_factory=dict)
    vocab_consonants: list[str] = field(default_factory=list)
    #: per listed word: the listed words near it (``neighbours.all_listed_neighbours``): word ``v``'s
    #: are ``near_ids[near_offsets[v]:near_offsets[v + 1]]``, each with ``near_kinds[near_codes[i]]``
    near_offsets: array[int] = field(default_factory=lambda: array("I"))
    near_ids: array[int] = field(default_factory=lambda: array("I"))
    near_codes: array[int] = field(default_factory=lambda: array("H"))
    near_kinds: list[tuple[float, str]] = field(default_factory=list)
    # names: parallel lists
    entry: list[int] = field(default_factory=list)
    name_field: list[int] = field(default_factory=list)
    #: the listed name or alias as written (a derived form names the text it came from)
    text: list[str] = field(default_factory=list)
    #: parentheticals left out of this form of ``text`` ("" when none)
    dropped: list[str] = field(default_factory=list)
    #: the parenthetical left out is a place ("(UK)", "(Beijing)")
    place_dropped: list[bool] = field(default_factory=list)
    folded: list[str] = field(default_factory=list)
    tokens: list[tuple[int, ...]] = field(default_factory=list)
    #: per name, its words' weights when they differ from the vocabulary weights (a qualifier after
    #: the legal form counts less), else None
    nweights: list[tuple[float, ...] | None] = field(default_factory=list)
    total: list[float] = field(default_factory=list)
    compact: list[str] = field(default_factory=list)
    initials: list[tuple[str, ...]] = field(default_factory=list)
    #: per name: the words before the comma of "SURNAME, Given" (0 without a comma; at most 255)
    surname_words: array[int] = field(default_factory=lambda: array("B"))
    entity_type: list[str | None] = field(default_factory=list)
    entry_country: list[str | None] = field(default_factory=list)
    #: per entry: the words of its listed addresses
    address_words: list[frozenset[str]] = field(default_factory=list)
    #: per address word: the names of the entries whose addresses hold it,
    #: ``address_names[address_offsets[a]:address_offsets[a + 1]]`` for ``a = address_word_ids[word]``
    address_word_ids: dict[str, int] = field(default_factory=dict)
    address_offsets: array[int] = field(default_factory=lambda: array("I"))
    address_names: array[int] = field(default_factory=lambda: array("I"))
    #: per entry: the distinctive words of all its names (a set: tested against every candidate)
    entry_words: list[frozenset[str]] = field(default_factory=list)
    # index
    #: per listed word: every name holding it (sorted), ``word_names[word_offsets[v]:word_offsets[v + 1]]``
    word_offsets: array[int] = field(default_factory=lambda: array("I"))
    word_names: array[int] = field(default_factory=lambda: array("I"))
    #: per listed word: every name of the entries with a name holding it, by entry,
    #: ``word_entry_names[word_entry_offsets[v]:word_entry_offsets[v + 1]]``
    word_entry_offsets: array[int] = field(default_factory=lambda: array("I"))
    word_entry_names: array[int] = field(default_factory=lambda: array("I"))
    postings: dict[int, Ids] = field(default_factory=dict)
    rest_weight: list[float] = field(default_factory=list)
    pair_postings: dict[str, Ids] = field(default_factory=dict)
    compact_map: dict[str, Ids] = field(default_factory=dict)
    initials_map: dict[str, Ids] = field(default_factory=dict)
    # addresses
    addr_entry: list[int] = field(default_factory=list)
    addr_text: list[str] = field(default_factory=list)
    addr_folded: list[str] = field(default_factory=list)
    addr_numbers: dict[str, Ids] = field(default_factory=dict)
    # qualifiers not in the vocabulary (country names, branch words)
    extra_qualifiers: frozenset[str] = frozenset()

    def token_weight(self, word: str) -> float:
        vid = self.vocab_id.get(word)
        return self.weight[vid] if vid is not None else self.unseen_weight

    def is_qualifier(self, word: str) -> bool:
        vid = self.vocab_id.get(word)
        if vid is not None:
            return self.qualifier[vid]
        return word in self.extra_qualifiers

    def prefixed_by(self, word: str) -> list[int]:
        """Vocabulary ids of the words that begin with ``word``."""
        lo = bisect.bisect_left(self.sorted_vocab, word)
        hi = bisect.bisect_left(self.sorted_vocab, word + "\x7f")
        return [self.vocab_id[w] for w in self.sorted_vocab[lo:hi]]


def _initials(words: list[str], weak: frozenset[str], noise: frozenset[str]) -> tuple[str, ...]:
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


#: A word of this many country names or more is no place by itself ("new", "united", "republic").
COUNTRY_WORD_MAX_NAMES = 3


def _country_words() -> frozenset[str]:
    """Words that name a country: one-word names ("Guinea") and words of 4+ letters in fewer than
    ``COUNTRY_WORD_MAX_NAMES`` countries' names ("Zealand", "Korea"), not "New", "Republic" or "Man"."""
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
    out.update(w for w, codes in used_by.items() if len(codes) < COUNTRY_WORD_MAX_NAMES and len(w) >= 4)
    return frozenset(out)


def _country_codes() -> frozenset[str]:
    """ISO 3166 alpha-2 and alpha-3 codes, lower case, and "uk" (reserved for the United Kingdom):
    read as places only when they are a whole parenthetical ("Huawei Technologies (UK) Co., Ltd.")."""
    import pycountry

    out = {"uk"}
    for c in pycountry.countries:
        out.update((c.alpha_2.lower(), c.alpha_3.lower()))
    return frozenset(out)


def compile_registry(registry: Registry, words: WordLists, *, floor: float, theta: float, key: str) -> CompiledNames:
    """Precompute every listed name and address of ``registry`` and build the candidate index."""
    c = CompiledNames(key=key, floor=floor, theta=theta, entry_keys=[e.key for e in registry.entries])
    weak_words = words.weak
    raw_names: list[tuple[int, int, str, list[str], str]] = []
    seen: set[tuple[int, str]] = set()
    for i, e in enumerate(registry.entries):
        # (field, listed text, the form matched when it differs, parentheticals dropped from it)
        variants: list[tuple[int, str, str, str]] = [(0, e.name, e.name, "")]
        variants += [(1, a, a, "") for a in (*e.aliases, *e.other_names)]
        for fld, text, _form, _dropped in list(variants):
            split = _parentheticals(text)
            if split is None:
                continue
            stripped, inner = split
            variants.append((fld, text, stripped, "; ".join(part for part, _tail in inner)))
            outer = set(fold(stripped).split())
            for part, tail in inner:
                short = _short_name(part, tail, outer, weak_words, e.type != "individual")
                if short:
                    variants.append((2, text, short, ""))
        variants += [(2, a, a, "") for a in e.weak_aliases]
        for text in (e.name, *e.aliases):
            variants += [(3, a, a, "") for a in _acronyms(text)]
        for fld, text, form, dropped in variants:
            folded = fold(form)
            if not folded or (i, folded) in seen:
                continue
            seen.add((i, folded))
            raw_names.append((i, fld, text, folded.split(), dropped))

    df: dict[str, int] = {}
    for _i, _f, _t, toks, _d in raw_names:
        for t in set(toks):
            df[t] = df.get(t, 0) + 1
    entry_words: dict[int, set[str]] = {}
    for i, _f, _t, toks, _d in raw_names:
        entry_words.setdefault(i, set()).update(toks)
    # addresses that hold a word their entry's names lack: "Shenzhen" is a place, while "Huawei" in
    # the "Huawei Base" addresses of Huawei's affiliates is a name
    addr_df: dict[str, int] = {}
    for i, e in enumerate(registry.entries):
        own = entry_words.get(i, set())
        for a in e.addresses:
            for t in set(fold(a).split()) - own:
                addr_df[t] = addr_df.get(t, 0) + 1
    n = max(len(raw_names), 1)
    countries = _country_words()
    country_codes = _country_codes()
    for word in sorted(df):
        c.vocab_id[word] = len(c.vocab)
        c.vocab.append(word)
        is_weak = word in weak_words
        c.weak.append(is_weak)
        c.weight.append(WEAK_WEIGHT if is_weak else math.log(1.0 + n / df[word]))
        place = addr_df.get(word, 0) >= PLACE_MIN_ADDRESSES and addr_df.get(word, 0) > df[word] and not word.isdigit()
        c.qualifier.append(place or word in countries or word in words.qualifiers)
    c.unseen_weight = math.log(1.0 + n)
    c.sorted_vocab = sorted(c.vocab)
    c.extra_qualifiers = frozenset((countries | words.qualifiers) - set(c.vocab))
    deletion: dict[str, list[int]] = {}
    consonant: dict[str, list[int]] = {}
    compact_map: dict[str, list[int]] = {}
    initials_map: dict[str, list[int]] = {}
    postings: dict[int, list[int]] = {}
    pair_postings: dict[str, list[int]] = {}
    addr_numbers: dict[str, list[int]] = {}
    for vid, word in enumerate(c.vocab):
        sk = skeleton(word)
        keys = deletions(sk) if len(sk) >= MIN_FUZZY_LEN - 1 and not any(ch.isdigit() for ch in sk) else {sk}
        for dkey in keys:
            deletion.setdefault(dkey, []).append(vid)
        ck = consonant_key(word)
        c.vocab_consonants.append(ck)
        if ck:
            consonant.setdefault(ck, []).append(vid)

    c.deletion_keys = _packed(deletion)
    c.consonant_keys = _packed(consonant)

    for i, fld, text, toks, dropped in raw_names:
        k = len(c.entry)
        ids = tuple(c.vocab_id[t] for t in toks)
        ws = [c.weight[v] for v in ids]
        forms = [j for j, v in enumerate(ids) if c.weak[v] and toks[j] in words.legal_forms]
        if forms and forms[-1] < len(ids) - 1:
            for j in range(forms[-1] + 1, len(ids)):
                if c.qualifier[ids[j]]:
                    ws[j] *= QUALIFIER_FACTOR
        total = sum(ws)
        e = registry.entries[i]
        c.entry.append(i)
        c.name_field.append(fld)
        c.text.append(text)
        c.dropped.append(dropped)
        dropped_words = fold(dropped).split()
        c.place_dropped.append(
            bool(dropped_words)
            and (
                all(c.is_qualifier(w) for w in dropped_words)
                or (len(dropped_words) == 1 and dropped_words[0] in country_codes)
            )
        )
        c.folded.append(" ".join(toks))
        c.tokens.append(ids)
        c.nweights.append(tuple(ws) if any(w != c.weight[v] for w, v in zip(ws, ids, strict=True)) else None)
        c.total.append(total)
        core = "".join(t for t in toks if t not in weak_words)
        c.compact.append(core)
        inits = _initials(toks, weak_words, words.noise)
        c.initials.append(inits)
        c.surname_words.append(min(255, len(fold(text.split(",", 1)[0]).split())) if "," in text else 0)
        c.entity_type.append(e.type)
        c.entry_country.append(e.country)
        if len(core) >= 4:
            compact_map.setdefault(core, []).append(k)
        for s in inits:
            if len(toks) >= 3:
                initials_map.setdefault(s, []).append(k)
        order = sorted(range(len(ids)), key=lambda j: -ws[j])
        rest = total
        prefix: set[int] = set()
        for j in order:
            if rest < theta * total - 1e-9:
                break
            prefix.add(j)
            rest -= ws[j]
        c.rest_weight.append(max(rest, 0.0))
        for j in prefix:
            plist = postings.setdefault(ids[j], [])
            if not plist or plist[-1] != k:
                plist.append(k)
        for j in range(len(toks) - 1):
            pair_postings.setdefault(toks[j] + toks[j + 1], []).append(k)

    canonical: dict[str, str] = {w: w for w in c.vocab}  # one string object per word in the cache
    no_words: frozenset[str] = frozenset()  # one object for the many entries without addresses
    for e in registry.entries:
        in_addresses = frozenset(canonical.setdefault(w, w) for a in e.addresses for w in fold(a).split())
        c.address_words.append(in_addresses or no_words)
    by_entry: list[set[str]] = [set() for _ in registry.entries]
    for e_index, toks_ids in zip(c.entry, c.tokens, strict=True):
        by_entry[e_index].update(c.vocab[v] for v in toks_ids if not c.weak[v])
    c.entry_words = [frozenset(w) for w in by_entry]
    for i, e in enumerate(registry.entries):
        for a in e.addresses:
            folded_addr = fold_address(a)
            if not folded_addr:
                continue
            ak = len(c.addr_entry)
            c.addr_entry.append(i)
            c.addr_text.append(a)
            c.addr_folded.append(folded_addr)
            for t in set(folded_addr.split()):
                if any(ch.isdigit() for ch in t):
                    addr_numbers.setdefault(t, []).append(ak)
    c.compact_map = _packed(compact_map)
    c.initials_map = _packed(initials_map)
    c.postings = _packed(postings)
    c.pair_postings = _packed(pair_postings)
    c.addr_numbers = _packed(addr_numbers)
    holders: list[list[int]] = [[] for _ in c.vocab]
    for k, toks_ids in enumerate(c.tokens):
        for v in sorted(set(toks_ids)):
            holders[v].append(k)
    c.word_offsets = array("I", itertools.accumulate((len(h) for h in holders), initial=0))
    c.word_names = array("I", itertools.chain.from_iterable(holders))
    names_of: list[list[int]] = [[] for _ in registry.entries]
    for k, e_index in enumerate(c.entry):
        names_of[e_index].append(k)
    entry_holders = [sorted({c.entry[k] for k in h}) for h in holders]
    c.word_entry_offsets, c.word_entry_names = _flat_names(entry_holders, names_of)
    in_address: dict[str, list[int]] = {}
    for e_index, words_here in enumerate(c.address_words):
        for w in sorted(words_here):
            in_address.setdefault(w, []).append(e_index)
    c.address_word_ids = {w: a for a, w in enumerate(in_address)}
    c.address_offsets, c.address_names = _flat_names(list(in_address.values()), names_of)
    from exportscreen.matching.neighbours import all_listed_neighbours  # it imports this module

    all_listed_neighbours(c, words)
    return c


def _flat_names(entry_lists: list[list[int]], names_of: list[list[int]]) -> tuple[array[int], array[int]]:
    """Offsets and flat names (``array("I")``) of lists of entries, each entry standing for its names."""
    offsets = array("I", [0])
    flat = array("I")
    for entries in entry_lists:
        for e_index in entries:
            flat.extend(names_of[e_index])
        offsets.append(len(flat))
    return offsets, flat


# ---------------------------------------------------------------------------------------------
# The on-disk cache of compiled registries.

_MAGIC = b"exportscreen-index\n"


def cache_dir() -> Path:
    """The user cache directory for compiled indexes (``$EXPORTSCREEN_CACHE_DIR`` overrides)."""
    env = os.environ.get("EXPORTSCREEN_CACHE_DIR")
    if env:
        return Path(env)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "exportscreen"


def _trusted_stat(st: os.stat_result) -> bool:
    if not hasattr(os, "getuid"):
        return True
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _trusted(path: Path) -> bool:
    """A path we may unpickle from: ours, and writable by nobody else (POSIX)."""
    try:
        return _trusted_stat(path.stat())
    except OSError:
        return False


def _cache_path(key: str, directory: Path) -> Path:
    return directory / f"index-{key[:32]}.bin"


def _read_blob(path: Path, key: str) -> object | None:
    """The object cached at ``path`` under ``key``, or None when missing, foreign or damaged."""
    if not _trusted(path.parent):
        return None
    try:
        # the trust check is made on the open file itself, so it cannot be swapped after the check
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as fh:
            if not _trusted_stat(os.fstat(fh.fileno())):
                return None
            blob = fh.read()
    except OSError:
        return None
    header_len = len(_MAGIC) + 64 + 1 + 64 + 1
    if len(blob) < header_len or not blob.startswith(_MAGIC):
        return None
    stored_key = blob[len(_MAGIC) : len(_MAGIC) + 64].decode("ascii", "replace")
    digest = blob[len(_MAGIC) + 65 : len(_MAGIC) + 129].decode("ascii", "replace")
    payload = memoryview(blob)[header_len:]
    if stored_key != key or hashlib.sha256(payload).hexdigest() != digest:
        return None
    # Unpickled only after the key and sha256 checks, from a directory and file only we can write.
    # Without the cyclic garbage collector, which would walk the growing object graph again and again.
    enabled = gc.isenabled()
    gc.disable()
    try:
        obj: object = pickle.loads(payload)
        return obj
    except Exception:
        return None
    finally:
        if enabled:
            gc.enable()


def _read_cache(key: str, directory: Path) -> CompiledNames | None:
    obj = _read_blob(_cache_path(key, directory), key)
    return obj if isinstance(obj, CompiledNames) and obj.key == key else None


def _write_blob(path: Path, key: str, obj: object) -> None:
    """Cache ``obj`` at ``path`` under ``key`` (atomically; silently not when the directory is not ours)."""
    directory = path.parent
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not _trusted(directory):
            return
        payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        header = _MAGIC + key.encode() + b"\n" + hashlib.sha256(payload).hexdigest().encode() + b"\n"
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".index-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(header)
                fh.write(payload)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return


def _write_cache(compiled: CompiledNames, directory: Path) -> None:
    _write_blob(_cache_path(compiled.key, directory), compiled.key, compiled)


def _file_digest(path: Path) -> str:
    """sha256 over a list file's bytes, or over a directory's files (names and bytes, sorted)."""
    h = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for f in files:
        h.update(str(f.relative_to(path) if path.is_dir() else f.name).encode() + b"\0")
        h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()


def _list_file_digest(path: Path) -> str:
    """sha256 over a list file (or directory) and the column mappings beside it (``*.mapping.yaml``):
    a custom list is read through its mapping, so an edited mapping is another list."""
    parts = [_file_digest(path)]
    if path.is_file():
        parts += [
            f"{m.name}={_file_digest(m)}"
            for m in sorted(path.parent.iterdir())
            if m.is_file() and m.name.lower().endswith((".mapping.yaml", ".mapping.yml"))
        ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@functools.cache
def _loader_version() -> str:
    """The code that turns list files into a registry (the loaders, strict reading, country names)."""
    from exportscreen import _io, geo
    from exportscreen._data import bundled_dir
    from exportscreen.registry import model as registry_model

    sources = sorted(Path(registry_model.__file__).parent.glob("*.py"))
    sources += [Path(_io.__file__), Path(geo.__file__), bundled_dir() / "countries.yaml"]
    return hashlib.sha256("\n".join(f"{p.name}={_file_digest(p)}" for p in sources).encode()).hexdigest()


def load_registry_cached(*paths: str | Path) -> Registry:
    """``registry.load_registry(*paths)`` through the user cache: keyed by the sha256 of the list files'
    bytes and of the column mappings beside them, the loaders' code and the list codes the rule packs
    know, so a changed file, mapping or loader loads again; the cached registry is used only from a
    directory and file only we can write, after its sha256 check. A list that fails to load raises as
    ``load_registry`` does and is never cached."""
    import pydantic

    from exportscreen import __version__
    from exportscreen.registry import bundled_list_paths, list_inputs, load_registry
    from exportscreen.rules import known_list_codes

    targets = [Path(p) for p in paths] if paths else bundled_list_paths()
    try:
        # the loaders' code and pydantic version too: a pickled registry is only read by the code that wrote it
        parts = [FORMAT_VERSION, __version__, pydantic.VERSION, _loader_version()]
        parts.append(",".join(sorted(known_list_codes())))
        # and the files a path reads besides itself (an OFAC set's companions and date file)
        parts += [f"{p.resolve()}={_list_file_digest(p)}" for t in targets for p in (t, *list_inputs(t))]
    except OSError:
        return load_registry(*paths)
    key = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    path = cache_dir() / f"registry-{key[:32]}.bin"
    cached = _read_blob(path, key)
    if isinstance(cached, Registry):
        return cached
    registry = load_registry(*paths)
    _ = registry.version  # computed once, stored with the registry
    _write_blob(path, key, registry)
    return registry


def registry_fingerprint(registry: Registry) -> str:
    """sha256 over the registry's content version and its entries' ``(source, id)`` in order.

    ``Registry.version`` does not depend on the order of the entries, but the index refers to them by
    position: the same lists loaded in another order need another index.
    """
    h = hashlib.sha256(registry.version.encode())
    for e in registry.entries:
        h.update(f"\n{e.source}\0{e.id}".encode())
    return h.hexdigest()


@functools.cache
def _code_version() -> str:
    """The package version, the source of the matching modules and the versions of the libraries
    whose tables the compiler reads (country names, transliteration): a changed compiler, even one
    that forgot to bump ``FORMAT_VERSION``, never reads an index another one wrote."""
    from importlib import metadata

    from exportscreen import __version__

    h = hashlib.sha256(__version__.encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    for lib in ("pycountry", "anyascii"):
        try:
            h.update(f"\n{lib}={metadata.version(lib)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"\n{lib}=?".encode())
    return h.hexdigest()


def compile_key(registry: Registry, words: WordLists, floor: float, theta: float) -> str:
    """The cache key of an index: everything it depends on (entries in order, word lists, thresholds, code)."""
    parts = (
        FORMAT_VERSION,
        _code_version(),
        registry_fingerprint(registry),
        words.digest_source(),
        f"floor={floor!r}",
        f"theta={theta!r}",
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def serves(compiled: CompiledNames, registry: Registry) -> bool:
    """Whether ``compiled`` was built from exactly ``registry``'s entries, in its order: each entry at
    its position, and every listed name pointing at an entry of that name."""
    entries = registry.entries
    if compiled.entry_keys != [e.key for e in entries] or len(compiled.address_words) != len(entries):
        return False
    return all(
        fld != 0 or entries[i].name == text
        for i, fld, text in zip(compiled.entry, compiled.name_field, compiled.text, strict=True)
    )


def load_or_compile(
    registry: Registry, words: WordLists, *, floor: float, theta: float, use_cache: bool = True
) -> CompiledNames:
    """The compiled registry: from the user cache when its key and hash check out and it serves
    ``registry`` (``serves``), else built (and cached)."""
    key = compile_key(registry, words, floor, theta)
    directory = cache_dir()
    if use_cache:
        cached = _read_cache(key, directory)
        if cached is not None and cached.floor == floor and cached.theta == theta and serves(cached, registry):
            return cached
    compiled = compile_registry(registry, words, floor=floor, theta=theta, key=key)
    if use_cache:
        _write_cache(compiled, directory)
    return compiled
