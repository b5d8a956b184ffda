"""Screening a stream of transactions for ``Screener.screen_many``: in this process or in a pool of
forked workers that share the parent's loaded lists, results in input order, and (with a ledger) the
decisions recorded as one run once the stream is exhausted."""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from exportscreen._errors import ExportscreenError, InputError
from exportscreen.matching.batch import gc_frozen
from exportscreen.models import Decision, Transaction

if TYPE_CHECKING:
    from exportscreen.ledger import Ledger
    from exportscreen.screener import Screener

__all__ = ["screen_stream", "screen_stream_recorded"]

Job = Transaction | Mapping[str, Any]

#: The Screener a forked worker screens with: set by the parent just before the pool forks.
_worker_screener: Screener | None = None


def _screen_in_worker(job: tuple[Job, dt.date | None]) -> Decision | ExportscreenError:
    """Runs in a forked worker: the parent set ``_worker_screener`` before forking."""
    assert _worker_screener is not None
    return _worker_screener.screen_or_error(job[0], job[1], True)


def screen_stream(
    screener: Screener,
    transactions: Iterable[Job],
    as_of: dt.date | None,
    workers: int,
    chunksize: int,
    return_errors: bool,
) -> Iterator[Decision | ExportscreenError]:
    """Each transaction's Decision (or, with ``return_errors``, its error), in input order."""
    import multiprocessing  # imported here: a cold start that screens in-process never needs it

    if workers == 1 or "fork" not in multiprocessing.get_all_start_methods():
        for tx in transactions:
            yield screener.screen_or_error(tx, as_of, return_errors)
        return
    global _worker_screener
    _worker_screener = screener
    ctx = multiprocessing.get_context("fork")
    with gc_frozen(), ctx.Pool(workers) as pool:
        jobs = ((tx, as_of) for tx in transactions)
        for result in pool.imap(_screen_in_worker, jobs, chunksize=chunksize):
            if isinstance(result, ExportscreenError) and not return_errors:
                raise result
            yield result


def screen_stream_recorded(
    screener: Screener,
    transactions: Iterable[Job],
    as_of: dt.date | None,
    workers: int,
    chunksize: int,
    return_errors: bool,
    ledger: Ledger,
    validate: Callable[[Job], Transaction],
) -> Iterator[Decision | ExportscreenError]:
    """``screen_stream`` over the transactions ``validate`` accepts (one it refuses is screened as given,
    to fail in its place), pairing each decision with its input and recording the pairs in ``ledger``
    (command "library") when the stream is exhausted."""
    started = dt.datetime.now(dt.UTC)
    pending: deque[Transaction | None] = deque()

    def validated() -> Iterator[Job]:
        for raw in transactions:
            try:
                tx = validate(raw)
            except InputError:
                pending.append(None)
                yield raw  # screened (and failed) as before, in its place
                continue
            pending.append(tx)
            yield tx

    pairs: list[tuple[Transaction, Decision]] = []
    for result in screen_stream(screener, validated(), as_of, workers, chunksize, return_errors):
        tx = pending.popleft()
        if tx is not None and isinstance(result, Decision):
            pairs.append((tx, result))
        yield result
    ledger.record(
        pairs, command="library", registry=screener.registry, as_of=as_of, packs=screener.pack_refs, started_at=started
    )
