"""The search terms recorded with a party (``matching.terms``) find every party a fresh entry can be a
candidate of: for every query with a fresh candidate (``DeltaIndex.fresh_candidates``, the engine's
gather cut to the fresh names) that the engine's bounds keep (``Pruner.select``), and for every name
``DeltaIndex.name_may_match`` accepts, ``Probe.admits`` its terms."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import pytest

from exportscreen.ledger import Ledger
from exportscreen.ledger._rows import decode_reading, unpack_seqs
from exportscreen.ledger.delta import COVERED, DIRECT, UNKNOWN, DeltaIndex, fresh_entries
from exportscreen.matching.engine import NameMatcher
from exportscreen.matching.terms import REFUSED, VOCABULARY_KINDS, PartyTerms
from exportscreen.screener import Screener
from tests.rescreen.conftest import LATER, ON
from tests.rescreen.test_delta import _queries


def _check(index: DeltaIndex, engine: NameMatcher, names: list[tuple[str, str | None]]) -> tuple[int, int]:
    """(queries with a kept fresh candidate, names the probe lets through); asserts none is missed."""
    terms = PartyTerms(engine.words)
    of = {name: terms.of(name) for name, _c in names}
    probe = index.probe({t for terms_ in of.values() for t in terms_ if t.startswith(VOCABULARY_KINDS)})
    assert probe is not None
    bound = index.bound
    assert bound is not None
    reached = passed = 0
    for name, country in names:
        hit = probe.admits(of[name])
        passed += hit
        if REFUSED in of[name]:
            assert hit, name
            continue
        for q in engine.queries.prepare(name, country, None):
            # the fresh candidates the engine's own bounds keep (``Pruner.select``): a superset of its matches
            kept = index.fresh_candidates(q) & set(engine.pruner.select(q, index.theta, index.min_score))
            if kept:
                reached += 1
                assert hit, (name, q.folded, sorted(of[name]))
                assert bound.may_reach(name), (name, q.folded)  # the bound before preparing (test_qbound)
        index.bound = None
        if index.name_may_match(name, country):
            assert hit, name
            assert bound.may_reach(name), name
        index.bound = bound
    return reached, passed


def test_terms_find_every_candidate_of_the_block_list(screener_v1: Screener, screener_v2: Screener) -> None:
    fresh = fresh_entries(screener_v1.registry, screener_v2.registry, on=LATER, old_dates=[ON])
    index = DeltaIndex(screener_v2.matcher, screener_v2.registry, fresh, min_score=screener_v2.settings.review)
    engine = screener_v2.matcher
    assert isinstance(engine, NameMatcher)
    names = [*_queries(screener_v2), ("Ltd.", None), ("J. Q.", None), ("Marlowe V.", None), ("MVS", "GB")]
    reached, passed = _check(index, engine, names)
    assert reached >= 20
    # and the probe is a filter: most generated customers do not get through
    assert passed < len(names) * 0.6


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_terms_find_every_candidate_of_random_fresh_entries(shared_data: Path, seed: int) -> None:
    """Over the bundled lists: a random tenth of the Entity List and every other list is fresh, and the
    queries are the public benchmark's perturbed names (all classes, negative controls included)."""
    screener = Screener()
    engine = screener.matcher
    assert isinstance(engine, NameMatcher)
    rng = random.Random(seed)
    entries = screener.registry.entries
    keys = [e.key for e in entries if rng.random() < 0.1]
    index = DeltaIndex(engine, screener.registry, keys, min_score=screener.settings.review)
    cases = json.loads((shared_data.parent / "eval" / "ssb" / "el-china-seed0.json").read_text("utf-8"))["cases"]
    cases += json.loads((shared_data.parent / "eval" / "ssb" / "sdn-individuals-seed0.json").read_text("utf-8"))[
        "cases"
    ]
    names: list[tuple[str, str | None]] = [(c["query"], None) for c in rng.sample(cases, 1500)]
    names += [(e.name, e.country) for e in rng.sample(entries, 300)]
    reached, passed = _check(index, engine, names)
    assert reached >= 100
    assert passed < len(names)


def _terms_by_row(path: Path) -> dict[tuple[int, int], frozenset[str]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows: dict[tuple[int, int], set[str]] = {}
        for run_seq, seq, term in con.execute("SELECT run_seq, seq, term FROM party_terms"):
            rows.setdefault((run_seq, seq), set()).add(term)
        for term, run_seq, blob in con.execute("SELECT term, run_seq, seqs FROM term_postings"):
            for seq in unpack_seqs(blob, term, path):
                rows.setdefault((run_seq, seq), set()).add(term)
    finally:
        con.close()
    return {k: frozenset(v) for k, v in rows.items()}


@pytest.mark.parametrize("seed", [None, 1, 2, 3])
def test_the_ledger_admits_exactly_the_rows_probe_admits(
    ledger_v1: Ledger, screener_v1: Screener, screener_v2: Screener, seed: int | None
) -> None:
    """``Ledger.rows_admitted`` (SQL over the stored terms) = ``Probe.admits`` over each row's terms,
    for the block-list update and for random thirds of the new lists."""
    if seed is None:
        fresh = fresh_entries(screener_v1.registry, screener_v2.registry, on=LATER, old_dates=[ON])
    else:
        rng = random.Random(seed)
        fresh = frozenset(e.key for e in screener_v2.registry.entries if rng.random() < 1 / 3)
    index = DeltaIndex(screener_v2.matcher, screener_v2.registry, fresh, min_score=screener_v2.settings.review)
    probe = index.probe(list(ledger_v1.term_vocabulary()))
    assert probe is not None
    by_row = _terms_by_row(ledger_v1.path)
    expected = {row for row, terms in by_row.items() if probe.admits(terms)}
    assert ledger_v1.rows_admitted(probe) == expected
    assert expected, "some stored party is admitted"
    # split by how: directly or through a stub, else through the coverage alone (the bound then skips the
    # terms, and must decide as it does computing them)
    direct, covered = ledger_v1.rows_admitted_by(probe)
    assert direct | covered == expected and not direct & covered
    names = ledger_v1.names_at(expected)
    readings = screener_v2.matcher.queries.readings
    for row in covered:
        terms = by_row[row]
        assert terms.isdisjoint(probe.direct) and (terms.isdisjoint(probe.stubs) or terms.isdisjoint(probe.near))
        name, country, _had, reading = names[row]
        plain = index.name_may_match(name, country)
        assert index.name_may_match(name, country, COVERED) == plain, name
        # the stored reading is the name's reading (schema 4), and bounds the same
        assert reading is not None
        stored, read = decode_reading(reading), readings.of(name)
        assert [v for v, _ in stored.variants] == [v for v, _ in read.variants], name
        assert (stored.dotted, stored.qualifying) == (read.dotted, read.qualifying), name
        assert index.name_may_match(name, country, COVERED, stored) == plain, name
        assert index.name_may_match(name, country, UNKNOWN, stored) == plain, name
    for row in direct:
        name, country, _had, reading = names[row]
        assert index.name_may_match(name, country, DIRECT) == index.name_may_match(name, country), name
    if seed is None:
        assert len(expected) < len(by_row), "and the probe is a filter"


def test_terms_find_the_given_names_of_fresh_listed_initials() -> None:
    """A fresh "H. Farahani" is a review of a stored "Hossein Farahani" (its initial credits the given
    name: ``scoring.initialled``), so the probe must let that party through, its initial unmatched."""
    screener = Screener()
    engine = screener.matcher
    assert isinstance(engine, NameMatcher)
    ids = {"EL-IR-H-FARAHANI", "EL-IR-S-M-MIRBAGHERI", "EL-IR-M-R-AHMADI"}
    keys = [e.key for e in screener.registry.entries if e.id in ids]
    assert len(keys) == 3
    index = DeltaIndex(engine, screener.registry, keys, min_score=screener.settings.review)
    names: list[tuple[str, str | None]] = [
        ("Hossein Farahani", "IR"),
        ("Seyed Mohammad Mirbagheri", "IR"),
        ("Mohammad Reza Ahmadi", "IR"),
        ("Farahani Hossein", None),
    ]
    reached, passed = _check(index, engine, names)
    assert reached == passed == len(names)
