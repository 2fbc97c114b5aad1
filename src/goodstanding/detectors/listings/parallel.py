"""Screening a large file on every core: worker processes with one PyTorch thread each.

On batches of short texts, PyTorch's threads share out each small matrix product and wait on
one another, and the classifier, phrases and decisions after the model run on a single thread
while the other cores idle. One process per core, each with one thread, keeps every core busy:
on the 2-core benchmark machine two such workers screened 362-394 listings/s where one process
with two threads screened 277-318/s (docs/benchmarks.md).

Workers start with "spawn" (PyTorch's threads do not survive a fork), load the model and the
classifier once, and screen whole chunks, so only listings and result rows cross between
processes. Labels and decisions are those of screening in one process; a score may differ in its
last digit, as one thread adds up the model's products in another order than two.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from multiprocessing.synchronize import Barrier
from types import TracebackType
from typing import Self

from goodstanding.detectors.listings.screen import Listing, ScreeningPolicy, screen_listings

ResultRow = tuple[str, str, str, str]
"""label, decision, score, evidence: `ScreeningResult.as_row()`."""

# Seconds a warming worker waits for the others to load their model.
_WARM_TIMEOUT = 300.0

_worker_policy: ScreeningPolicy | None = None
_worker_barrier: Barrier | None = None


def screen_rows(listings: Sequence[Listing], policy: ScreeningPolicy) -> list[ResultRow]:
    """Screen one chunk in this process; the rows a worker would return for it."""
    return [result.as_row() for result in screen_listings(listings, policy)]


class ScreeningPool:
    """``workers`` processes screening chunks of listings under one policy, results in order."""

    def __init__(self, policy: ScreeningPolicy, workers: int) -> None:
        if workers < 1:
            raise ValueError("a screening pool needs at least one worker")
        context = multiprocessing.get_context("spawn")
        self.workers = workers
        # A policy's mappings may be read-only views, which cannot be pickled.
        portable = replace(policy, restrictions=dict(policy.restrictions))
        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_start_worker,
            initargs=(portable, context.Barrier(workers)),
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._executor.shutdown(cancel_futures=True)

    def warm(self) -> None:
        """Start every worker and wait until each has its model loaded.

        Each worker takes one of these calls and holds it at a barrier until all have one, so
        no worker is still loading when this returns.
        """
        for future in [self._executor.submit(_wait_for_all) for _ in range(self.workers)]:
            future.result()

    def screen(self, chunks: Iterable[Sequence[Listing]]) -> Iterator[list[ResultRow]]:
        """Each chunk's result rows, in input order, with two chunks per worker in flight.

        When reading the chunks fails part-way (a bad row in a file), the chunks read before
        the failure are still screened and yielded before the error is raised.
        """
        pending: deque[Future[list[ResultRow]]] = deque()
        source = iter(chunks)
        while True:
            try:
                chunk = next(source)
            except StopIteration:
                break
            except Exception:
                while pending:
                    yield pending.popleft().result()
                raise
            pending.append(self._executor.submit(_screen_chunk, list(chunk)))
            if len(pending) > 2 * self.workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _start_worker(policy: ScreeningPolicy, barrier: Barrier) -> None:
    # Ctrl-C reaches every process of the terminal's group: the parent alone answers it, by
    # shutting the pool down, rather than each worker printing its own traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import torch

    from goodstanding.detectors.embeddings import embed
    from goodstanding.detectors.listings.classifier import packaged_classifier

    global _worker_policy, _worker_barrier
    torch.set_num_threads(1)
    _worker_policy = policy
    _worker_barrier = barrier
    packaged_classifier()
    embed(["warm up"])


def _wait_for_all() -> None:
    assert _worker_barrier is not None, "the pool's initializer sets the barrier"
    _worker_barrier.wait(_WARM_TIMEOUT)


def _screen_chunk(listings: list[Listing]) -> list[ResultRow]:
    assert _worker_policy is not None, "the pool's initializer sets the policy"
    return screen_rows(listings, _worker_policy)
