"""Testing stored parties against a ``DeltaIndex`` in worker processes (``may_match_many``), and one more
relating words and warming the query bound's word weights while the parent reads the ledger (``Helper``).

Workers are forked, so they share the loaded lists and index with the parent (``matching.batch``'s
pattern: the cyclic collector frozen, at most two chunks in flight per worker, memory flat)."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import TYPE_CHECKING

from exportscreen.ledger._rows import decode_reading
from exportscreen.ledger.qbound import word_weight
from exportscreen.matching.batch import gc_frozen

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

    from exportscreen.ledger.delta import DeltaIndex

__all__ = ["CHUNK", "Helper", "Tested", "may_match_many"]

#: names sent to a worker process at a time
CHUNK = 2048
#: words the helper weighs at a time (``Helper.weights`` takes the chunks done)
WEIGHT_CHUNK = 128
#: what ``may_match_many`` tests: name, country, how the probe admitted it, its stored reading
Tested = tuple[str, str | None, int, str | None]
Weights = dict[tuple[str, bool], tuple[float, bool]]
_WORKER: DeltaIndex | None = None
_HELPED: DeltaIndex | None = None


def _context() -> BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def _init_worker(index: DeltaIndex) -> None:
    global _WORKER
    _WORKER = index


def _test(index: DeltaIndex, item: Tested) -> bool | None:
    name, country, admitted, text = item
    reading = None
    if text is not None:
        try:
            reading = decode_reading(text, check=True)
        except ValueError:
            return None  # not a stored reading: the parent names the row
    return index.name_may_match(name, country, admitted, reading)


def _run_chunk(names: list[Tested]) -> list[bool | None]:
    assert _WORKER is not None
    return [_test(_WORKER, item) for item in names]


def may_match_many(index: DeltaIndex, names: Iterable[Tested], *, workers: int = 1) -> Iterator[bool | None]:
    """``index.name_may_match`` of each (name, country, how admitted, reading), in input order (None:
    the stored reading is not well formed); ``workers > 1`` tests them in forked processes."""
    if workers <= 1 or not index.entry_indices:
        for item in names:
            yield _test(index, item)
        return
    it = iter(names)
    with (
        gc_frozen(),
        ProcessPoolExecutor(
            max_workers=workers, mp_context=_context(), initializer=_init_worker, initargs=(index,)
        ) as pool,
    ):
        pending: deque[Future[list[bool | None]]] = deque()
        while chunk := list(islice(it, CHUNK)):
            pending.append(pool.submit(_run_chunk, chunk))
            if len(pending) >= 2 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _init_helper(index: DeltaIndex) -> None:
    global _HELPED
    _HELPED = index


def _nearness(words: list[str]) -> dict[str, dict[int, float]]:
    assert _HELPED is not None
    return _HELPED.nearness(words)


def _weights(words: list[str]) -> Weights:
    assert _HELPED is not None and _HELPED.engine is not None
    builder, c = _HELPED.engine.queries, _HELPED.engine.compiled
    return {(x, False): word_weight(builder, c, x, False) for x in words}


class Helper:
    """One forked process working for the parent while it reads the ledger: the nearness to the fresh
    words of some of the ledger's words (``DeltaIndex.nearness``, the parent relates the others), then
    the query weights of all of them (``qbound.word_weight``, undotted; ~33 us a word the lists do not
    hold: its nearest listed words), in chunks, adopted before the test workers fork, so none computes
    them again. ``weights`` takes the chunks done by then and drops the others (with few rows to test,
    as at 100,000 parties, the workers compute the few weights they need sooner than all are done:
    waiting for them took 0.4 s of a 1.1 s delta re-screen there)."""

    def __init__(self, index: DeltaIndex, near: list[str], words: list[str]) -> None:
        with gc_frozen():
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=_context(), initializer=_init_helper, initargs=(index,)
            )
            self._near = self._pool.submit(_nearness, near)
            self._weights = [
                self._pool.submit(_weights, words[i : i + WEIGHT_CHUNK]) for i in range(0, len(words), WEIGHT_CHUNK)
            ]

    def nearness(self) -> dict[str, dict[int, float]]:
        return self._near.result()

    def weights(self) -> Weights:
        """The weights of the chunks done; the others are dropped (not waited for)."""
        out: Weights = {}
        for future in self._weights:
            if future.done() and not future.cancelled():
                out.update(future.result())
        return out

    def close(self) -> None:
        """Stop the process: what is queued is cancelled, what it is doing it finishes on its own (not
        waited for; it exits after)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
