"""The compact key map of the similarity rules' key finders: keys by CRC, ids flat."""

from __future__ import annotations

import pickle

from exportscreen.matching.keymap import KeyMap, key_code
from exportscreen.matching.vocab import Vocabulary
from exportscreen.matching.words import word_lists


def _ids(m: KeyMap, key: str) -> set[int]:
    out: set[int] = set()
    m.add_to(out, key)
    return out


def test_lookup_gives_the_ids_of_a_key_and_nothing_for_a_missing_one() -> None:
    m = KeyMap.build({"huawei": [3, 1], "smic": [7], "zte": []})
    assert _ids(m, "huawei") == {1, 3}
    assert _ids(m, "smic") == {7}
    assert _ids(m, "tsmc") == set()
    assert len(m) == 3


def test_keys_sharing_a_crc_share_their_ids() -> None:
    # a known CRC-32 collision: a candidate too many, which the rule then scores, never one too few
    assert key_code("plumless") == key_code("buckeroo")
    m = KeyMap.build({"plumless": [1], "buckeroo": [2]})
    assert _ids(m, "plumless") == _ids(m, "buckeroo") == {1, 2}


def test_codes_are_stable_and_the_map_survives_pickling() -> None:
    # CRC-32 (zlib), not hash(): the cached index is read by other processes and Python versions
    assert key_code("semiconductor") == 0x3DF75C71
    m = KeyMap.build({"a": [1], "b": [2, 3]})
    again = pickle.loads(pickle.dumps(m))
    assert (again.codes, again.offsets, again.ids) == (m.codes, m.offsets, m.ids)


def test_a_colliding_listed_word_is_a_candidate_but_scores_nothing() -> None:
    words = word_lists()
    v = Vocabulary.build(["buckeroo", "plumless"], words)
    near = v.near("plumless", False, words)
    assert near == {v.ids["plumless"]: (1.0, "exact")}
