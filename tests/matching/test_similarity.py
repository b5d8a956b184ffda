"""The word-similarity rules: one case per rule, and each rule's finder returns every listed word the
rule scores above zero (the index is lossless by construction)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exportscreen.matching.similarity import RULES, STUB, word_similarity
from exportscreen.matching.vocab import Vocabulary
from exportscreen.matching.words import word_lists

WORDS = word_lists()

# (rule, query word, listed word): the rule scores the pair above zero and is the best rule for it
CASES = [
    ("exact", "huawei", "huawei"),
    ("spelling_variant", "alexei", "aleksey"),
    ("abbreviation", "intl", "international"),
    ("nickname", "larry", "lawrence"),
    ("nickname", "lawrence", "larry"),
    ("nickname", "sasha", "aleksandr"),
    ("loanword", "teknolodzhiz", "technologies"),
    ("loanword", "corporation", "korporeishn"),
    ("prefix", "tech", "technology"),
    ("typo", "huawie", "huawei"),
    ("ocr", "lirnited", "limited"),
    ("ocr", "huawe1", "huawei"),
    ("transliteration", "muhammad", "mohamed"),
    ("ordinal", "14th", "14"),
    ("ordinal", "2", "2nd"),
    ("vowels_dropped", "lmtd", "limited"),
    ("vowels_dropped", "cstr", "castro"),
    ("two_edits", "semicondutcr", "semiconductor"),
]


def test_every_rule_has_a_case() -> None:
    assert {name for name, _q, _v in CASES} == {r.name for r in RULES}


@pytest.mark.parametrize(("rule", "query", "listed"), CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_rule_case(rule: str, query: str, listed: str) -> None:
    sim, how = word_similarity(query, listed, WORDS)
    assert how == rule and 0 < sim <= 1
    v = Vocabulary.build(sorted({listed, "unrelated", "other"}), WORDS)
    assert v.near(query, False, WORDS)[v.ids[listed]] == (sim, rule)


def test_words_that_are_not_alike() -> None:
    unlike = [("5g", "sg"), ("ab", "abc"), ("smic", "tsmc"), ("beijing", "nanjing"), ("14th", "13"), ("14th", "4th")]
    for q, v in unlike:
        assert word_similarity(q, v, WORDS) == (0.0, ""), (q, v)


def test_every_nickname_pair_is_found_both_ways_and_no_nickname_is_a_weak_word() -> None:
    rule = next(r for r in RULES if r.name == "nickname")
    pairs = {(a, b) for a, others in WORDS.nicknames.items() for b in others}
    assert len(pairs) > 200
    vocab = Vocabulary.build(sorted({w for pair in pairs for w in pair}), WORDS)
    for a, b in pairs:
        assert (b, a) in pairs
        assert vocab.ids[b] in vocab.candidates(rule, a, False, WORDS), (a, b)
        assert word_similarity(a, b, WORDS)[0] >= rule.score(a, b, False, WORDS) > 0
    assert not (WORDS.weak & WORDS.nicknames.keys())


def test_every_loanword_pair_is_found_both_ways_and_needs_its_rule() -> None:
    rule = next(r for r in RULES if r.name == "loanword")
    pairs = {(a, b) for a, others in WORDS.loanwords.items() for b in others}
    assert len(pairs) > 100
    others = tuple(r for r in RULES if r is not rule)
    vocab = Vocabulary.build(sorted({w for pair in pairs for w in pair}), WORDS)
    for a, b in pairs:
        assert (b, a) in pairs
        assert vocab.ids[b] in vocab.candidates(rule, a, False, WORDS), (a, b)
        # the other rules score the pair below the loanword score: the entry is needed
        assert max(r.score(a, b, False, WORDS) for r in others) < rule.score(a, b, False, WORDS), (a, b)


def test_stub_rule_begins_the_listed_word() -> None:
    assert STUB.finder is None  # never makes a name a candidate: scoring applies it
    assert STUB.score("j", "john", False, WORDS) > 0
    assert STUB.score("j", "smith", False, WORDS) == 0


_VOCAB = [
    "semiconductor",
    "manufacturing",
    "international",
    "corporation",
    "electronics",
    "limited",
    "huawei",
    "technologies",
    "mohammed",
    "muhammad",
    "aleksey",
    "castro",
    "fernandez",
    "zhongxin",
    "guoji",
    "beijing",
    "shenzhen",
    "tech",
    "intl",
    "co",
    "ltd",
    "al",
    "saeed",
    "sayed",
    "hussein",
    "merz",
    "mertz",
    "3hc",
    "micr0",
    "14th",
    "14",
    "2nd",
    "lawrence",
    "larry",
    "william",
    "bill",
    "korporeishn",
    "teknolodzhiz",
]


def _mutate(word: str, rng: random.Random) -> str:
    op = rng.randrange(7)
    i = rng.randrange(len(word))
    if op == 0:
        return word[:i] + word[i + 1 :]
    if op == 1:
        return word[:i] + rng.choice("abcdeilmnorstuvwxz0135") + word[i + 1 :]
    if op == 2 and i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if op == 3:
        return word[0] + "".join(c for c in word[1:-1] if c not in "aeiou") + word[-1:]
    if op == 4:
        return word[: max(1, i)]
    if op == 5:
        return word.replace("m", "rn").replace("l", "1")
    return word[:i] + rng.choice("aeiouy") + word[i:]


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_finders_return_every_word_their_rule_scores(seed: int) -> None:
    """For every rule: score(q, v) > 0 implies the rule's finder returns v, so ``near`` (through the
    finders) equals the exhaustive scan over every listed word."""
    rng = random.Random(seed)
    vocab = Vocabulary.build(sorted(set(_VOCAB)), WORDS)
    query = _mutate(rng.choice(_VOCAB), rng)
    if not query:
        return
    for rule in RULES:
        found = vocab.candidates(rule, query, False, WORDS)
        for vid, listed in enumerate(vocab.words):
            if rule.score(query, listed, False, WORDS) > 0:
                assert vid in found, (rule.name, query, listed)
    assert vocab.near(query, False, WORDS) == vocab.scan_near(query, False, WORDS)
