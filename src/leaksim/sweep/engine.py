"""Run the chunks of a sweep: in this process by default, or on a Dask distributed cluster.

Both engines run the same unit of work, :func:`leaksim.sweep.rows.chunk_rows`, on the same
case ranges; each case's values come from the seed and its index, and the solver treats each
case independently, so rows are identical whatever the engine, the chunk size or the number of
workers. Finished chunks go to an optional :class:`~leaksim.sweep.store.ChunkStore` as they
arrive, so an interruption loses at most the chunks in flight.

Dask (``pip install "leaksim[dask]"``) is imported only when a client is given. Its scheduler
re-runs the task of a worker that dies (``distributed.scheduler.allowed-failures``), so a killed
worker costs time, not results.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from .rows import chunk_rows
from .store import ChunkStore

__all__ = ["plan", "run_chunks"]

Columns = dict[str, np.ndarray]


def plan(n_cases: int, chunk_size: int, done: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Case ranges still to run: the gaps between ``done`` ranges, cut into ``chunk_size``.

    Examples
    --------
    >>> plan(10, 4, [(4, 8)])
    [(0, 4), (8, 10)]
    """
    todo, position = [], 0
    for start, stop in [*sorted(done), (n_cases, n_cases)]:
        for a in range(position, start, chunk_size):
            todo.append((a, min(a + chunk_size, start)))
        position = max(position, stop)
    return todo


def run_chunks(
    work: Mapping[str, Any],
    ranges: list[tuple[int, int]],
    *,
    store: ChunkStore | None,
    client: Any = None,
    progress: bool | None = None,
    done_cases: int = 0,
    n_cases: int | None = None,
) -> Iterator[tuple[int, Columns]]:
    """Run ``ranges`` and yield ``(start, columns)`` for each chunk as it finishes.

    Parameters
    ----------
    work : mapping
        Keyword arguments of :func:`chunk_rows` other than ``start`` and ``stop``.
    ranges : list of (int, int)
        Case ranges to run.
    store : ChunkStore, optional
        Where finished chunks are saved before they are yielded.
    client : distributed.Client, optional
        Runs the chunks on its cluster; in this process when None.
    progress : bool, optional
        Show a progress bar on standard error; None shows one only on a terminal.
    done_cases, n_cases : int, optional
        Cases already finished and the total, for the progress bar.
    """
    bar = _progress_bar(progress, n_cases or sum(b - a for a, b in ranges), done_cases)
    try:
        finished = _in_process(work, ranges) if client is None else _on_dask(client, work, ranges)
        for start, stop, columns in finished:
            if store is not None:
                store.save(start, stop, columns)
            bar(stop - start)
            yield start, columns
    finally:
        bar(None)


def _in_process(
    work: Mapping[str, Any], ranges: list[tuple[int, int]]
) -> Iterator[tuple[int, int, Columns]]:
    for start, stop in ranges:
        yield start, stop, chunk_rows(start=start, stop=stop, **work)


def _on_dask(
    client: Any, work: Mapping[str, Any], ranges: list[tuple[int, int]]
) -> Iterator[tuple[int, int, Columns]]:
    from distributed import as_completed

    # The scenario and parameters go to the workers once, not once per chunk, as one object
    # under a key of its own: a dict scattered as it is would be stored under its own keys
    # ("scenario", "parameters", ...), which a second sweep on the same cluster would take
    # over (its chunks then ran with the other sweep's inputs, or lost them).
    [shared] = client.scatter([dict(work)], broadcast=True, hash=False)
    futures = {
        client.submit(_remote_chunk, shared, start, stop, pure=False): (start, stop)
        for start, stop in ranges
    }
    try:
        for future in as_completed(futures):
            start, stop = futures[future]
            yield start, stop, future.result()
    finally:
        client.cancel(list(futures))


def _remote_chunk(work: Mapping[str, Any], start: int, stop: int) -> Columns:
    return chunk_rows(start=start, stop=stop, **work)


def _progress_bar(enabled: bool | None, total: int, initial: int) -> Callable[[int | None], None]:
    """A function advancing a tqdm bar by a case count, closing it on None."""
    if enabled is False or (enabled is None and not sys.stderr.isatty()):
        return lambda _: None
    from tqdm.auto import tqdm

    bar = tqdm(total=total, initial=initial, unit="case", file=sys.stderr, smoothing=0.1)

    def advance(n: int | None) -> None:
        if n is None:
            bar.close()
        else:
            bar.update(n)

    return advance
