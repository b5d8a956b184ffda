"""Matching many names: ``match_many`` streams results in input order, optionally over processes."""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from typing import TYPE_CHECKING

from exportscreen._errors import InputError
from exportscreen.matching.base import Candidate, Matcher

if TYPE_CHECKING:
    from concurrent.futures import Future

__all__ = ["Query", "gc_frozen", "match_many"]

_WORKER: Matcher | None = None
#: Names sent to a worker process at a time.
CHUNK = 256


def _init_worker(matcher: Matcher) -> None:
    global _WORKER
    _WORKER = matcher


#: A name to search, or a ``(name, country)`` pair whose country overrides the batch's.
Query = str | tuple[str, str | None]


def _run_chunk(
    names: list[Query], country: str | None, limit: int | None, min_score: float
) -> list[list[Candidate] | InputError]:
    assert _WORKER is not None
    return [_one(_WORKER, n, country, limit, min_score) for n in names]


def _one(
    matcher: Matcher, query: Query, country: str | None, limit: int | None, min_score: float
) -> list[Candidate] | InputError:
    name, country = query if isinstance(query, tuple) else (query, country)
    try:
        return matcher.search(name, country=country, limit=limit, min_score=min_score)
    except InputError as exc:
        return exc


@contextmanager
def gc_frozen() -> Iterator[None]:
    """Run the block with every object the cyclic collector tracks frozen (``gc.freeze``).

    Workers forked inside it never walk, and so never copy, the pages of the loaded lists and index
    they share with the parent; and the parent, which unpickles a stream of results meanwhile, does
    not walk them in every full collection (about 65 ms each with the CSL loaded). Objects made inside
    the block are collected as usual. On leaving, the objects are unfrozen, unless some were frozen
    already on entry (the command line freezes its Screener): a freeze cannot be partly undone, so
    it then stays.
    """
    already = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        yield
    finally:
        if not already:
            gc.unfreeze()


def _chunks(names: Iterable[Query], size: int) -> Iterator[list[Query]]:
    it = iter(names)
    while chunk := list(islice(it, size)):
        yield chunk


def match_many(
    matcher: Matcher,
    names: Iterable[Query],
    *,
    country: str | None = None,
    limit: int | None = 5,
    min_score: float = 0.0,
    workers: int = 1,
) -> Iterator[list[Candidate] | InputError]:
    """Search every name, yielding one result per name in input order.

    A ``(name, country)`` pair is searched with its own country instead of ``country`` (a party file
    gives each row its country). A name the matcher refuses yields its ``InputError`` instead of
    stopping the stream. With ``workers > 1`` the names go in chunks of ``CHUNK`` to a process pool
    (each worker receives the compiled matcher once: forked where the platform can fork, so the index
    is shared copy-on-write, else pickled); at most ``2 * workers`` chunks are in flight, so memory
    stays flat for any number of names.
    """
    if workers <= 1:
        for name in names:
            yield _one(matcher, name, country, limit, min_score)
        return
    import multiprocessing  # imported here: a cold start that screens in-process never needs it
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    with (
        gc_frozen(),
        ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(matcher,)) as pool,
    ):
        pending: deque[Future[list[list[Candidate] | InputError]]] = deque()
        for chunk in _chunks(names, CHUNK):
            pending.append(pool.submit(_run_chunk, chunk, country, limit, min_score))
            if len(pending) >= 2 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
