"""Running untrusted work (parsing a fetched page) in worker processes under a CPU, memory and time budget.

A hostile page (a parser-quadratic tag soup, a tree a million levels deep, megabytes of one text node) must
not stall or exhaust the service. Each call runs in a long-lived worker process that has

- an address-space limit (``RLIMIT_AS``): past it allocations fail with MemoryError inside the worker;
- a CPU-time limit for this call (``RLIMIT_CPU``, raised before each call): past it the kernel kills the
  worker with SIGXCPU;
- a wall-clock limit enforced by the caller, which kills the worker when it is exceeded.

A killed worker is replaced by a fresh one on the next call. The standard ProcessPoolExecutor cannot kill
one stuck task (it can only break the whole pool), hence these few lines of process management.
"""

from __future__ import annotations

import importlib
import logging
import math
import os
import queue
import resource
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from newsbrief.errors import ExtractionFailed, NewsbriefError

LOGGER = logging.getLogger(__name__)
T = TypeVar("T")
# A worker process that is not up after this long (a machine out of memory or processes) is given up on.
STARTUP_SECONDS = 60.0


class BudgetExceeded(NewsbriefError):
    """Work that went over its CPU, memory or time budget; ``reason`` says which."""

    code = "budget_exceeded"
    status = 422

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message, reason=reason)


def _address_space_bytes() -> int | None:
    """This process's current virtual size (Linux); the memory budget is counted on top of it."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _cpu_seconds_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _serve(connection: Connection, memory_bytes: int, preload: tuple[str, ...]) -> None:
    """The worker's loop: receive (function, args, cpu budget), send back ("ok", value) or ("error", exc)."""
    for module in preload:  # imports are start-up, not part of any page's budget
        importlib.import_module(module)
    current = _address_space_bytes()
    if current is not None:
        limit = current + memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    connection.send(("ready", None))
    while True:
        try:
            function, args, kwargs, cpu_seconds = connection.recv()
        except (EOFError, OSError):
            return
        soft = math.ceil(_cpu_seconds_used() + cpu_seconds)
        if cpu_hard != resource.RLIM_INFINITY:
            soft = min(soft, cpu_hard)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, cpu_hard))
        outcome: tuple[str, Any]
        try:
            outcome = ("ok", function(*args, **kwargs))
        except MemoryError:
            outcome = ("error", BudgetExceeded("memory", "the page needs more memory than parsing may use"))
        except NewsbriefError as error:
            outcome = ("error", error)
        except Exception as error:  # a parser bug on a hostile page: report it, keep the worker
            outcome = ("error", ExtractionFailed(f"parsing failed ({type(error).__name__}: {error})"))
        finally:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_hard, cpu_hard))
        try:
            connection.send(outcome)
        except (OSError, ValueError):
            return


class _Worker:
    def __init__(self, memory_bytes: int, preload: tuple[str, ...]) -> None:
        # A fresh interpreter (`python -m newsbrief.isolation`), not multiprocessing's spawn or forkserver:
        # those re-run the caller's main module in the child, which breaks any script without a
        # `__main__` guard; and fork is unsafe in the threaded service.
        parent_end, child_end = socket.socketpair()
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "newsbrief.isolation",
                str(child_end.fileno()),
                str(memory_bytes),
                *preload,
            ],
            pass_fds=(child_end.fileno(),),
            env=environment,
            stdin=subprocess.DEVNULL,
        )
        child_end.close()
        self.connection = Connection(parent_end.detach())
        # Wait for the worker to be up (interpreter, preloaded imports), so a call's wall-clock budget
        # measures the work alone, however busy the machine is at start-up.
        try:
            ready = self.connection.poll(STARTUP_SECONDS) and self.connection.recv()[0] == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.kill()
            raise BudgetExceeded("startup", "the parser worker did not start")

    def call(
        self,
        function: Callable[..., T],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        cpu_seconds: float,
        wall: float,
    ) -> T:
        self.connection.send((function, args, kwargs, cpu_seconds))
        if not self.connection.poll(wall):
            self.kill()
            raise BudgetExceeded("timeout", f"parsing took longer than {wall:g} s")
        try:
            status, value = self.connection.recv()
        except (EOFError, OSError):
            self.kill()
            raise BudgetExceeded(
                "cpu", f"parsing used more than {cpu_seconds:g} s of CPU or was killed"
            ) from None
        if status == "error":
            raise value
        result: T = value
        return result

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(5)
        self.connection.close()


class BudgetedPool:
    """Up to ``workers`` parser processes; ``call`` blocks for a free one, runs the function in it and
    returns its value or raises its error (BudgetExceeded when it went over budget). Thread-safe."""

    def __init__(
        self,
        *,
        workers: int = 2,
        cpu_seconds: float = 20.0,
        memory_bytes: int = 1 << 30,
        wall_seconds: float = 60.0,
        preload: tuple[str, ...] = (),
    ) -> None:
        self.preload = preload
        self.cpu_seconds = cpu_seconds
        self.memory_bytes = memory_bytes
        self.wall_seconds = wall_seconds
        self._idle: queue.LifoQueue[_Worker | None] = queue.LifoQueue()
        for _ in range(workers):
            self._idle.put(None)  # a slot; its process starts on first use
        self._closed = threading.Event()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()

    def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if self._closed.is_set():
            raise RuntimeError("the parser pool is closed")
        worker = self._idle.get()
        try:
            if worker is None or not worker.alive:
                worker = _Worker(self.memory_bytes, self.preload)
                with self._lock:
                    self._all = [*(known for known in self._all if known.alive), worker]
            return worker.call(function, args, kwargs, self.cpu_seconds, self.wall_seconds)
        finally:
            self._idle.put(worker if worker is not None and worker.alive else None)

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            workers, self._all = self._all, []
        for worker in workers:
            if worker.alive:
                worker.kill()


if __name__ == "__main__":  # a worker: `python -m newsbrief.isolation FD MEMORY_BYTES [MODULE...]`
    # Run the package module's _serve, not this __main__ copy's: errors it sends back must pickle as
    # newsbrief.isolation.BudgetExceeded, which the caller can import.
    from newsbrief import isolation

    isolation._serve(Connection(int(sys.argv[1])), int(sys.argv[2]), tuple(sys.argv[3:]))
