"""The compiled form of a registry for matching (``CompiledNames``): names, weights and the index.

Built once per registry and word lists (``compile_registry``; ``cache`` keeps it on disk); plain
Python containers only, so the hot loop touches tuples, lists, dicts and arrays.

**Weights.** Each distinct listed word weighs ``ln(1 + N / df)``: "technology" or "china" little,
"smic" or "habbash" a lot; legal forms, noise words and titles weigh ``weights.weak``.

**Qualifiers.** Words a query may add to a listed name at little cost: the qualifier list (branch,
office …), country names and *place words*, found in at least ``weights.place_min_addresses``
listed addresses of entries whose names lack them, and in more addresses than names.

**Candidate index (prefix filtering).** A name can only score ``min_score`` when the weighted share
of its words the query matches (its coverage ``C``) reaches ``theta`` (``bounds.coverage_floor``).
Sorting a name's words by weight, the name is posted under its heaviest words until the rest weigh
less than ``theta`` of it: a query near none of those words cannot reach ``theta``. Word pairs are
posted joined ("al faris" under "alfaris"), whole names under their compact form and initials (initials that would
fold into a title are read one by one: ``names.listed_readings``), and
the folded names are kept sorted for queries that are a cut-off name. A person's listed initials
("h" of "H. Farahani") are credited by query words they begin, which no finder returns: they are
posted, and counted in the rest as if matched. Word similarity goes through
the vocabulary's rule finders (``vocab``), so the index returns every name the exhaustive mode
scores at or above the floor it was built for.
"""

from __future__ import annotations

import itertools
import math
from array import array
from dataclasses import dataclass, field

from exportscreen.matching.address import AddressIndex
from exportscreen.matching.names import (
    address_countries,
    country_codes,
    country_words,
    initials,
    listed_forms,
    listed_readings,
)
from exportscreen.matching.normalize import fold
from exportscreen.matching.tuning import tuning
from exportscreen.matching.vocab import Ids, Vocabulary, packed
from exportscreen.matching.words import WordLists
from exportscreen.registry.model import Registry

__all__ = ["INITIALLED_TYPES", "MAX_JOINED_INITIALS", "CompiledNames", "compile_registry", "listed_initials"]

#: Entry types whose listed initials stand for given names (an Entity List entry has no type)
INITIALLED_TYPES: frozenset[str | None] = frozenset({"individual", None})
#: Joined initials of more letters are an acronym ("S.M.I.C."), not given names
MAX_JOINED_INITIALS = 3


@dataclass(slots=True)
class CompiledNames:
    """Everything the matcher needs, as plain containers (picklable, no pydantic)."""

    key: str
    floor: float
    theta: float
    #: ``(source, id)`` of every entry of the registry it was built from, in registry order
    entry_keys: list[tuple[str, str]] = field(default_factory=list)
    vocab: Vocabulary = field(default_factory=Vocabulary)
    # per listed word
    weight: list[float] = field(default_factory=list)
    weak: list[bool] = field(default_factory=list)
    qualifier: list[bool] = field(default_factory=list)
    unseen_weight: float = 1.0
    # per name (parallel lists)
    entry: list[int] = field(default_factory=list)
    #: kind code of the name: name, alias, weak alias, acronym (``tuning.KINDS``)
    name_field: list[int] = field(default_factory=list)
    #: the listed name or alias as written (a derived form names the text it came from)
    text: list[str] = field(default_factory=list)
    #: parentheticals left out of this form of ``text`` ("" when none)
    dropped: list[str] = field(default_factory=list)
    #: the parenthetical left out is a place ("(UK)", "(Beijing)")
    place_dropped: list[bool] = field(default_factory=list)
    folded: list[str] = field(default_factory=list)
    tokens: list[tuple[int, ...]] = field(default_factory=list)
    #: the name's words' weights where they differ from the vocabulary's (a qualifier after the
    #: legal form counts less), else None
    nweights: list[tuple[float, ...] | None] = field(default_factory=list)
    total: list[float] = field(default_factory=list)
    compact: list[str] = field(default_factory=list)
    initials: list[tuple[str, ...]] = field(default_factory=list)
    #: a person's listed initials: (position, letters) of each ("h" of "H. Farahani", "sm" of "S.M.
    #: Mirbagheri"); () for organisations and names without
    initial_at: list[tuple[tuple[int, str], ...]] = field(default_factory=list)
    #: the words before the comma of "SURNAME, Given" (0 without a comma; at most 255)
    surname_words: array[int] = field(default_factory=lambda: array("B"))
    entity_type: list[str | None] = field(default_factory=list)
    entry_country: list[str | None] = field(default_factory=list)
    # per entry
    #: the words of its listed addresses (sorted tuples: a few words each, and a tuple takes a
    #: fraction of a frozenset's memory)
    address_words: list[tuple[str, ...]] = field(default_factory=list)
    #: the countries it is in, as ``Tuning.country_key`` reads them: its own (the list's section) and
    #: those its addresses end with (``names.address_countries``)
    entry_countries: list[tuple[str, ...]] = field(default_factory=list)
    #: the distinctive words of all its names
    entry_words: list[tuple[str, ...]] = field(default_factory=list)
    # index
    #: per listed word, every name holding it: ``word_names[word_offsets[v]:word_offsets[v + 1]]``
    word_offsets: array[int] = field(default_factory=lambda: array("I"))
    word_names: array[int] = field(default_factory=lambda: array("I"))
    #: per listed word, every name of the entries with a name holding it
    word_entry_offsets: array[int] = field(default_factory=lambda: array("I"))
    word_entry_names: array[int] = field(default_factory=lambda: array("I"))
    #: per address word, the names of the entries whose addresses hold it
    address_word_ids: dict[str, int] = field(default_factory=dict)
    address_offsets: array[int] = field(default_factory=lambda: array("I"))
    address_names: array[int] = field(default_factory=lambda: array("I"))
    postings: dict[int, Ids] = field(default_factory=dict)
    rest_weight: list[float] = field(default_factory=list)
    pair_postings: dict[str, Ids] = field(default_factory=dict)
    compact_map: dict[str, Ids] = field(default_factory=dict)
    initials_map: dict[str, Ids] = field(default_factory=dict)
    #: per letter, the names with a listed initial of it (``initial_at``)
    initial_names: dict[str, Ids] = field(default_factory=dict)
    #: the folded names sorted, and their name ids in that order (cut-off queries)
    sorted_folded: list[str] = field(default_factory=list)
    sorted_names: array[int] = field(default_factory=lambda: array("I"))
    #: per listed word, the names of that one specific word the ``contained`` rule may floor
    #: (``contained.lone_names``)
    lone_names: dict[int, tuple[int, ...]] = field(default_factory=dict)
    #: qualifiers not in the vocabulary (country names, branch words)
    extra_qualifiers: frozenset[str] = frozenset()
    addresses: AddressIndex = field(default_factory=AddressIndex)

    def token_weight(self, word: str) -> float:
        vid = self.vocab.ids.get(word)
        return self.weight[vid] if vid is not None else self.unseen_weight

    def is_qualifier(self, word: str) -> bool:
        vid = self.vocab.ids.get(word)
        if vid is not None:
            return self.qualifier[vid]
        return word in self.extra_qualifiers


def _flat(lists: list[list[int]]) -> tuple[array[int], array[int]]:
    return array("I", itertools.accumulate((len(h) for h in lists), initial=0)), array(
        "I", itertools.chain.from_iterable(lists)
    )


def _flat_names(entry_lists: list[list[int]], names_of: list[list[int]]) -> tuple[array[int], array[int]]:
    """Offsets and flat names of lists of entries, each entry standing for its names."""
    offsets = array("I", [0])
    flat = array("I")
    for entries in entry_lists:
        for e_index in entries:
            flat.extend(names_of[e_index])
        offsets.append(len(flat))
    return offsets, flat


_Raw = list[tuple[int, int, str, list[str], str, frozenset[str]]]


def _listed_names(registry: Registry, words: WordLists) -> _Raw:
    """(entry, kind, listed text, folded words, parentheticals left out, words that are joined
    initials) of every distinct form."""
    out: _Raw = []
    seen: set[tuple[int, str]] = set()
    for i, e in enumerate(registry.entries):
        for kind, text, form, dropped in listed_forms(e, words):
            for folded, runs in listed_readings(form, words):
                if folded and (i, folded) not in seen:
                    seen.add((i, folded))
                    out.append((i, kind, text, folded.split(), dropped, runs))
    return out


def listed_initials(toks: list[str], runs: frozenset[str], weak: frozenset[str]) -> tuple[tuple[int, str], ...]:
    """The words of a person's listed name that are initials, with their letters: lone letters and
    joined initials of up to ``MAX_JOINED_INITIALS`` letters ("h" of "H. Farahani", "sm" of "S.M.
    Mirbagheri"), legal forms, titles and noise words not counted."""
    return tuple(
        (j, t)
        for j, t in enumerate(toks)
        if t.isalpha() and t not in weak and (len(t) == 1 or (t in runs and len(t) <= MAX_JOINED_INITIALS))
    )


def _vocabulary(c: CompiledNames, registry: Registry, words: WordLists, raw: _Raw) -> None:
    """Words, weights and qualifier flags."""
    w = tuning().weights
    df: dict[str, int] = {}
    entry_words: dict[int, set[str]] = {}
    for i, _k, _t, toks, _d, _r in raw:
        for t in set(toks):
            df[t] = df.get(t, 0) + 1
        entry_words.setdefault(i, set()).update(toks)
    # addresses that hold a word their entry's names lack: "Shenzhen" is a place, while "Huawei" in
    # the "Huawei Base" addresses of Huawei's affiliates is a name
    addr_df: dict[str, int] = {}
    for i, e in enumerate(registry.entries):
        own = entry_words.get(i, set())
        for a in e.addresses:
            for t in set(fold(a).split()) - own:
                addr_df[t] = addr_df.get(t, 0) + 1
    n = max(len(raw), 1)
    countries = country_words()
    weak_words = words.weak
    ordered = sorted(df)
    for word in ordered:
        is_weak = word in weak_words
        c.weak.append(is_weak)
        c.weight.append(w.weak if is_weak else math.log(1.0 + n / df[word]))
        seen_in = addr_df.get(word, 0)
        place = seen_in >= w.place_min_addresses and seen_in > df[word] and not word.isdigit()
        c.qualifier.append(place or word in countries or word in words.qualifiers)
    c.unseen_weight = math.log(1.0 + n)
    c.extra_qualifiers = frozenset((countries | words.qualifiers) - set(ordered))
    c.vocab = Vocabulary.build(ordered, words)


def _names(c: CompiledNames, registry: Registry, words: WordLists, raw: _Raw) -> None:
    """The per-name lists and the postings."""
    factor = tuning().weights.qualifier_factor
    theta = c.theta
    codes = country_codes()
    weak_words = words.weak
    ids_of = c.vocab.ids
    compact_map: dict[str, list[int]] = {}
    initials_map: dict[str, list[int]] = {}
    initial_names: dict[str, list[int]] = {}
    postings: dict[int, list[int]] = {}
    pair_postings: dict[str, list[int]] = {}
    for i, kind, text, toks, dropped, runs in raw:
        k = len(c.entry)
        ids = tuple(ids_of[t] for t in toks)
        ws = [c.weight[v] for v in ids]
        forms = [j for j, v in enumerate(ids) if c.weak[v] and toks[j] in words.legal_forms]
        if forms and forms[-1] < len(ids) - 1:
            for j in range(forms[-1] + 1, len(ids)):
                if c.qualifier[ids[j]]:
                    ws[j] *= factor
        total = sum(ws)
        e = registry.entries[i]
        c.entry.append(i)
        c.name_field.append(kind)
        c.text.append(text)
        c.dropped.append(dropped)
        dropped_words = fold(dropped).split()
        one_code = len(dropped_words) == 1 and dropped_words[0] in codes
        c.place_dropped.append(bool(dropped_words) and (all(c.is_qualifier(x) for x in dropped_words) or one_code))
        c.folded.append(" ".join(toks))
        c.tokens.append(ids)
        c.nweights.append(tuple(ws) if any(x != c.weight[v] for x, v in zip(ws, ids, strict=True)) else None)
        c.total.append(total)
        core = "".join(t for t in toks if t not in weak_words or t in words.particles)
        c.compact.append(core)
        inits = initials(toks, weak_words, words.noise)
        c.initials.append(inits)
        c.surname_words.append(min(255, len(fold(text.split(",", 1)[0]).split())) if "," in text else 0)
        c.entity_type.append(e.type)
        c.entry_country.append(e.country)
        if len(core) >= 4:
            compact_map.setdefault(core, []).append(k)
        if len(toks) >= 3:
            for s in inits:
                initials_map.setdefault(s, []).append(k)
        spans = listed_initials(toks, runs, weak_words) if e.type in INITIALLED_TYPES else ()
        c.initial_at.append(spans)
        # initials are credited by query words no finder returns (the ``initial`` rule): posted, but
        # always counted in the rest, as if matched
        at = {j for j, _letters in spans}
        for letter in {ch for _j, letters in spans for ch in letters}:
            initial_names.setdefault(letter, []).append(k)
        order = sorted((j for j in range(len(ids)) if j not in at), key=lambda j: -ws[j])
        rest = total
        prefix: set[int] = set(at)
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
    c.compact_map = packed(compact_map)
    c.initials_map = packed(initials_map)
    c.initial_names = packed(initial_names)
    c.postings = {v: p[0] if len(p) == 1 else tuple(p) for v, p in postings.items()}
    c.pair_postings = packed(pair_postings)
    order_ = sorted(range(len(c.folded)), key=c.folded.__getitem__)
    c.sorted_folded = [c.folded[k] for k in order_]
    c.sorted_names = array("I", order_)


def _entries(c: CompiledNames, registry: Registry) -> None:
    """Per entry: address words, distinctive words; and the names per word, entry and address word."""
    canonical: dict[str, str] = {w: w for w in c.vocab.words}  # one string object per word in the cache
    key = tuning().country_key
    for e in registry.entries:
        held = {canonical.setdefault(w, w) for a in e.addresses for w in fold(a).split()}
        c.address_words.append(tuple(sorted(held)))
        own = {e.country} if e.country else set()
        c.entry_countries.append(tuple(sorted({key(x) for x in own | address_countries(e.addresses)})))
    by_entry: list[set[str]] = [set() for _ in registry.entries]
    for e_index, toks_ids in zip(c.entry, c.tokens, strict=True):
        by_entry[e_index].update(c.vocab.words[v] for v in toks_ids if not c.weak[v])
    c.entry_words = [tuple(sorted(w)) for w in by_entry]
    holders: list[list[int]] = [[] for _ in c.vocab.words]
    for k, toks_ids in enumerate(c.tokens):
        for v in sorted(set(toks_ids)):
            holders[v].append(k)
    c.word_offsets, c.word_names = _flat(holders)
    names_of: list[list[int]] = [[] for _ in registry.entries]
    for k, e_index in enumerate(c.entry):
        names_of[e_index].append(k)
    entry_holders = [sorted({c.entry[k] for k in h}) for h in holders]
    c.word_entry_offsets, c.word_entry_names = _flat_names(entry_holders, names_of)
    in_address: dict[str, list[int]] = {}
    for e_index, words_here in enumerate(c.address_words):
        for w in words_here:
            in_address.setdefault(w, []).append(e_index)
    c.address_word_ids = {w: a for a, w in enumerate(in_address)}
    c.address_offsets, c.address_names = _flat_names(list(in_address.values()), names_of)


def compile_registry(registry: Registry, words: WordLists, *, floor: float, theta: float, key: str) -> CompiledNames:
    """Precompute every listed name and address of ``registry`` and build the candidate index."""
    c = CompiledNames(key=key, floor=floor, theta=theta, entry_keys=[e.key for e in registry.entries])
    raw = _listed_names(registry, words)
    _vocabulary(c, registry, words, raw)
    _names(c, registry, words, raw)
    _entries(c, registry)
    from exportscreen.matching.contained import lone_names  # here: contained reads this module's index

    c.lone_names = lone_names(c, words.generic)
    c.addresses = AddressIndex.build(registry, words)
    return c
