"""Where partitions run: a local process pool (default) or a Dask distributed cluster.

Both take an iterator of partitions and yield ``(partition, rows)`` as partitions finish, keeping a bounded
number in flight so memory does not grow with the input.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from newsbrief.batch.files import Partition
from newsbrief.batch.work import BatchOptions, error_row, parse_record, summarize_partition
from newsbrief.isolation import die_with_parent

LOGGER = logging.getLogger(__name__)
Rows = list[dict[str, Any]]
# A partition is tried this many times when its worker dies (killed, out of memory) before its rows are
# written as errors: the job always ends, and a poison record cannot loop forever.
MAX_ATTEMPTS = 3
# Partitions in flight per worker: enough to keep workers busy, few enough to bound memory.
IN_FLIGHT_PER_WORKER = 2
# How often the pool checks that its workers are alive while it waits for results.
WATCH_SECONDS = 5.0


def crashed_rows(partition: Partition, options: BatchOptions, reason: str) -> Rows:
    return [
        error_row(parse_record(record).id, "worker_crashed", reason, options) for record in partition.records
    ]


def _worker_started(driver_pid: int) -> None:
    """Each pool worker exits when the driver goes: a SIGKILLed ``newsbrief batch`` must not leave workers
    summarizing for nobody. (Their parent is the fork server, which lives as long as they do.)"""
    die_with_parent(driver_pid)


def run_local(
    partitions: Iterator[Partition], options: BatchOptions, *, workers: int
) -> Iterator[tuple[Partition, Rows]]:
    """A process pool that survives killed workers: a broken pool is replaced and its partitions retried."""
    context = multiprocessing.get_context("forkserver")
    attempts: dict[str, int] = {}
    retry: list[Partition] = []
    source = iter(partitions)
    limit = workers * IN_FLIGHT_PER_WORKER
    while True:
        executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_worker_started,
            initargs=(os.getpid(),),
        )
        pending: dict[Future[Rows], Partition] = {}
        broken = False
        try:
            while True:
                while len(pending) < limit and not broken:
                    partition = retry.pop(0) if retry else next(source, None)
                    if partition is None:
                        break
                    attempts[partition.name] = attempts.get(partition.name, 0) + 1
                    try:
                        pending[executor.submit(summarize_partition, partition.records, options)] = partition
                    except BrokenProcessPool:
                        broken = True
                        yield from _retry_or_give_up(partition, attempts, retry, options)
                if not pending:
                    return
                done, _ = wait(pending, timeout=WATCH_SECONDS, return_when=FIRST_COMPLETED)
                if not done and _lost_a_worker(executor):
                    # The executor's own watch missed the death (seen once under load on Python 3.11: the
                    # job waited forever): treat the pool as broken, as it would have said.
                    broken = True
                for future in done:
                    partition = pending.pop(future)
                    try:
                        yield partition, future.result()
                    except BrokenProcessPool:
                        broken = True
                        yield from _retry_or_give_up(partition, attempts, retry, options)
                if broken:
                    for future, partition in list(pending.items()):
                        future.cancel()
                        yield from _retry_or_give_up(partition, attempts, retry, options)
                    pending.clear()
                    break
        finally:
            executor.shutdown(wait=not broken, cancel_futures=True)
        LOGGER.warning("a batch worker died; restarting the pool and retrying %d partition(s)", len(retry))


def _lost_a_worker(executor: ProcessPoolExecutor) -> bool:
    """Whether a worker process of the pool has exited (the pool keeps its workers until shutdown)."""
    processes = getattr(executor, "_processes", None) or {}
    return any(process.exitcode is not None for process in list(processes.values()))


def _retry_or_give_up(
    partition: Partition, attempts: dict[str, int], retry: list[Partition], options: BatchOptions
) -> Iterator[tuple[Partition, Rows]]:
    if attempts[partition.name] < MAX_ATTEMPTS:
        retry.append(partition)
        return
    yield (
        partition,
        crashed_rows(partition, options, f"the worker died {MAX_ATTEMPTS} times on this partition"),
    )


def run_dask(
    partitions: Iterator[Partition],
    options: BatchOptions,
    *,
    scheduler: str,
    announce: Callable[[str], None],
) -> Iterator[tuple[Partition, Rows]]:
    """The same job on a Dask distributed cluster; Dask reschedules the tasks of a lost worker."""
    from distributed import Client, as_completed
    from distributed.client import FutureCancelledError
    from distributed.scheduler import KilledWorker

    with Client(scheduler, set_as_default=False) as client:
        announce(f"batch: Dask cluster {scheduler}, dashboard {client.dashboard_link}")
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        limit = workers * IN_FLIGHT_PER_WORKER
        source = iter(partitions)
        by_key: dict[str, Partition] = {}
        queue = as_completed(loop=client.loop)

        def submit(partition: Partition) -> None:
            # The engine is built inside summarize_partition, on the worker, once per partition.
            future = client.submit(
                summarize_partition,
                partition.records,
                options,
                key=f"newsbrief-{partition.name}",
                retries=MAX_ATTEMPTS - 1,
                pure=False,
            )
            by_key[future.key] = partition
            queue.add(future)

        for partition in source:
            submit(partition)
            if len(by_key) >= limit:
                break
        for future in queue:
            partition = by_key.pop(future.key)
            try:
                rows = future.result()
            except (KilledWorker, FutureCancelledError) as error:
                rows = crashed_rows(partition, options, f"Dask lost the task: {error}")
            yield partition, rows
            future.release()
            following = next(source, None)
            if following is not None:
                submit(following)
