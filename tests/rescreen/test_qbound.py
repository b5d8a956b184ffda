"""``QueryBound.may_reach`` (the test ``name_may_match`` runs before preparing a query) never drops a
name the exhaustive test keeps: for every name whose prepared queries have a fresh candidate the
engine's bounds keep (``Pruner.select``, or a name never pruned), or that ``name_may_match`` without
the bound accepts, the bound lets it through. Names: the fixture's and the rescreen benchmark's
generated parties and block list (syllable words one or two edits apart: the dense case), each
fresh name perturbed (typos, words dropped, added, reordered, qualified, initialled, dotted)."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from benchmarks.rescreen_bench import _word, block_list, party_names
from exportscreen.ledger.delta import DeltaIndex, fresh_entries
from exportscreen.matching.engine import NameMatcher
from exportscreen.matching.terms import VOCABULARY_KINDS, PartyTerms
from exportscreen.registry import load_registry
from exportscreen.screener import Screener
from tests.rescreen.conftest import LATER, ON
from tests.rescreen.test_delta import _queries


def _perturbed(names: list[str], rng: random.Random) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for name in names:
        words = name.split()
        for i, w in enumerate(words):
            j = rng.randrange(len(w))
            typo = w[:j] + rng.choice("aeioulnrst") + w[j + 1 :]
            out.append((" ".join([*words[:i], typo, *words[i + 1 :]]), None))
            out.append((" ".join(words[:i] + words[i + 1 :]) or name, rng.choice([None, "CN", "HK"])))
            out.append((" ".join([*words[:i], w[: max(3, len(w) // 2)] + ".", *words[i + 1 :]]), None))
        extra = _word(rng)
        out += [
            (f"{extra} {name}", None),
            (f"{name} {extra}", None),
            (f"{name} (Shenzhen) Co., Ltd.", "CN"),
            (f"{name} - Hamburg Branch", None),
            (" ".join(reversed(words)), None),
            (f"{words[0][0]}. {' '.join(words[1:])}", None),
            (" ".join(w[0] for w in words), None),
            (f"{name} {_word(rng)} {_word(rng)} Department", None),
        ]
    return out


def _check(index: DeltaIndex, engine: NameMatcher, names: list[tuple[str, str | None]]) -> tuple[int, int, int]:
    """(names the exhaustive test keeps, names the bound keeps, names the probe admits); asserts the
    bound keeps every name the exhaustive test does."""
    terms = PartyTerms(engine.words)
    of = {name: terms.of(name) for name, _c in names}
    probe = index.probe({t for found in of.values() for t in found if t.startswith(VOCABULARY_KINDS)})
    assert probe is not None
    bound = index.bound
    assert bound is not None
    must = kept = admitted = 0
    for name, country in names:
        index.bound = None
        accepted = index.name_may_match(name, country)
        index.bound = bound
        for q in [] if "!" in of[name] else engine.queries.prepare(name, country, None):
            forced = engine.pruner.never_pruned(q) & index.names
            selected = index.fresh_candidates(q) & set(engine.pruner.select(q, index.theta, index.min_score))
            accepted = accepted or bool(forced or selected)
        reach = bound.may_reach(name)
        if accepted:
            must += 1
            assert reach, (name, country)
        kept += reach
        admitted += probe.admits(of[name])
    return must, kept, admitted


def test_the_bound_keeps_every_name_the_fixture_lists_reach(screener_v1: Screener, screener_v2: Screener) -> None:
    fresh = fresh_entries(screener_v1.registry, screener_v2.registry, on=LATER, old_dates=[ON])
    index = DeltaIndex(screener_v2.matcher, screener_v2.registry, fresh, min_score=screener_v2.settings.review)
    engine = screener_v2.matcher
    assert isinstance(engine, NameMatcher)
    listed = [e.name for e in screener_v2.registry.entries if e.key in fresh]
    names = [*_queries(screener_v2), *_perturbed(listed, random.Random(3))]
    names += [("Marlowe V. S. Ltd", None), ("M. Vacuum Systems", "GB"), ("Ostrava Lithography (Prumyslova)", None)]
    must, kept, _admitted = _check(index, engine, names)
    assert must >= 30
    assert kept < len(names)


def test_the_bound_keeps_every_name_the_benchmark_block_list_reaches() -> None:
    parties = party_names(4000, seed=99)
    old = Screener(load_registry())
    with tempfile.TemporaryDirectory() as tmp:
        new = Screener(old.registry + load_registry(block_list(Path(tmp) / "block.yaml", parties, 50, seed=4)))
    fresh = fresh_entries(old.registry, new.registry, on=LATER, old_dates=[ON])
    index = DeltaIndex(new.matcher, new.registry, fresh, min_score=new.settings.review)
    engine = new.matcher
    assert isinstance(engine, NameMatcher)
    listed = [e.name for e in new.registry.entries if e.key in fresh]
    names = parties + _perturbed(listed, random.Random(8))
    must, kept, admitted = _check(index, engine, names)
    assert must >= 300
    # and it is a filter: of the names the probe admits that cannot match, most are not prepared
    assert kept - must < (admitted - must) * 0.25, (must, kept, admitted)
