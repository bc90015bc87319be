"""Running untrusted work (parsing a fetched page) in worker processes under a CPU, memory and time budget.

A hostile page (a parser-quadratic tag soup, a tree a million levels deep, megabytes of one text node) must
not stall or exhaust the service. Each call runs in a long-lived worker process that has

- an address-space limit (``RLIMIT_AS``): past it allocations fail with MemoryError inside the worker;
- a CPU-time limit for this call (``RLIMIT_CPU``, raised before each call): past it the kernel kills the
  worker with SIGXCPU;
- a wall-clock limit enforced by the caller, which kills the worker when it is exceeded.

A killed worker is replaced by a fresh one on the next call; so is a worker that went over a budget or
whose memory grew past a threshold (a parser's heap is not given back: a worker that once held a huge tree
would stay that big). Workers die with the process that started them (``die_with_parent``). The standard
ProcessPoolExecutor cannot kill one stuck task (it can only break the whole pool), hence these few lines of
process management.
"""

from __future__ import annotations

import atexit
import ctypes
import importlib
import logging
import math
import os
import queue
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from newsbrief.errors import BudgetExceeded, ExtractionFailed, NewsbriefError

LOGGER = logging.getLogger(__name__)
T = TypeVar("T")
# A worker process that is not up after this long (a machine out of memory or processes) is given up on.
STARTUP_SECONDS = 60.0
# How often a worker checks that the process that started it is still there (the portable fallback).
PARENT_CHECK_SECONDS = 0.5
# prctl(2) option: the signal the kernel sends this process when its parent thread exits (Linux).
_PR_SET_PDEATHSIG = 1


def _address_space_bytes() -> int | None:
    """This process's current virtual size (Linux); the memory budget is counted on top of it."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _resident_bytes() -> int | None:
    """This process's resident memory now (Linux), else its peak; None when neither can be read."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KB elsewhere


def _cpu_seconds_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def die_with_parent(parent_pid: int, *, kernel_signal: bool = True) -> None:
    """Make this process exit as soon as the process it works for, ``parent_pid``, is gone.

    A worker left behind by a killed parent would go on using CPU and memory for nobody. That process is
    usually our parent; for a pool worker forked by multiprocessing's fork server it is the pool's owner (the
    fork server lives on as long as any worker does, so it cannot be the one watched). When it is our
    parent, on Linux, the kernel kills us as it dies (``PR_SET_PDEATHSIG``), though strictly when the parent
    *thread* that started us exits: so only with ``kernel_signal``, when that thread lives as long as its
    process. Everywhere, a watchdog thread checks every PARENT_CHECK_SECONDS that the process is there.
    """
    if kernel_signal and parent_pid == os.getppid() and sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # no libc prctl: the watchdog alone
            LOGGER.debug("prctl(PR_SET_PDEATHSIG) unavailable")
    if not _is_running(parent_pid):  # it died before the signal was asked for
        os._exit(1)
    threading.Thread(
        target=_watch_parent, args=(parent_pid,), name="newsbrief-parent-watchdog", daemon=True
    ).start()


def _is_running(pid: int) -> bool:
    """Whether the process ``pid`` runs: it exists and is not a zombie waiting to be reaped."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user: no way to tell more
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except (OSError, IndexError):  # no /proc (macOS): existing is running
        return True


def _watch_parent(parent_pid: int) -> None:
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        if not _is_running(parent_pid):
            os._exit(1)  # no clean-up to do: the work was for the parent, which cannot take it any more


def _serve(
    connection: Connection,
    memory_bytes: int,
    preload: tuple[str, ...],
    parent_pid: int | None = None,
    kernel_signal: bool = False,
) -> None:
    """The worker's loop: receive (function, args, cpu budget), send back ("ok", value, resident bytes)
    or ("error", exc, resident bytes)."""
    if parent_pid is not None:
        die_with_parent(parent_pid, kernel_signal=kernel_signal)
    for module in preload:  # imports are start-up, not part of any page's budget
        importlib.import_module(module)
    current = _address_space_bytes()
    if current is not None:
        limit = current + memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    connection.send(("ready", _resident_bytes()))
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
            outcome = (
                "error",
                BudgetExceeded("the page needs more memory than parsing may use", reason="memory"),
            )
        except NewsbriefError as error:
            outcome = ("error", error)
        except Exception as error:  # a parser bug on a hostile page: report it, keep the worker
            outcome = ("error", ExtractionFailed(f"parsing failed ({type(error).__name__}: {error})"))
        finally:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_hard, cpu_hard))
        try:
            connection.send((*outcome, _resident_bytes()))
        except (OSError, ValueError):
            return


class _Worker:
    def __init__(self, memory_bytes: int, preload: tuple[str, ...]) -> None:
        # A fresh interpreter (`python -m newsbrief.isolation`), not multiprocessing's spawn or forkserver:
        # those re-run the caller's main module in the child, which breaks any script without a
        # `__main__` guard; and fork is unsafe in the threaded service.
        parent_end, child_end = socket.socketpair()
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
        # The kernel's parent-death signal follows the starting thread: ask for it only from the main thread,
        # which lives as long as the process (a pool thread of the service may end while the worker serves).
        kernel_signal = threading.current_thread() is threading.main_thread()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "newsbrief.isolation",
                str(child_end.fileno()),
                str(memory_bytes),
                str(os.getpid()),
                "1" if kernel_signal else "0",
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
        ready, resident = False, None
        try:
            if self.connection.poll(STARTUP_SECONDS):
                status, resident = self.connection.recv()
                ready = status == "ready"
        except (EOFError, OSError):
            pass
        if not ready:
            self.kill()
            raise BudgetExceeded("the parser worker did not start", reason="startup")
        # Memory right after start-up: what a call's growth is measured from.
        self.baseline: int | None = resident
        self.resident: int | None = resident

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
            raise BudgetExceeded(f"parsing took longer than {wall:g} s", reason="timeout")
        try:
            status, value, self.resident = self.connection.recv()
        except (EOFError, OSError):
            self.kill()
            raise BudgetExceeded(
                f"parsing used more than {cpu_seconds:g} s of CPU or was killed", reason="cpu"
            ) from None
        if status == "error":
            raise value
        result: T = value
        return result

    def grew_past(self, limit: int) -> bool:
        """Whether the worker holds more than ``limit`` bytes over its start-up size."""
        if self.baseline is None or self.resident is None:
            return False
        return self.resident - self.baseline > limit

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
        recycle_bytes: int | None = None,
    ) -> None:
        self.preload = preload
        self.cpu_seconds = cpu_seconds
        self.memory_bytes = memory_bytes
        self.wall_seconds = wall_seconds
        # A worker that kept more than this over its start-up size after a call is replaced (default: a
        # quarter of the memory budget, at least 64 MB).
        self.recycle_bytes = recycle_bytes if recycle_bytes is not None else max(64 << 20, memory_bytes // 4)
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
        except BudgetExceeded:
            # Over a budget, the worker may keep what it had grown to (a MemoryError leaves the heap as
            # big as it got): never reuse it.
            if worker is not None and worker.alive:
                worker.kill()
            raise
        finally:
            if worker is not None and worker.alive and worker.grew_past(self.recycle_bytes):
                worker.kill()
            self._idle.put(worker if worker is not None and worker.alive else None)

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            workers, self._all = self._all, []
        for worker in workers:
            if worker.alive:
                worker.kill()


_shared_pools: dict[tuple[Any, ...], BudgetedPool] = {}
_shared_owner = os.getpid()
_shared_lock = threading.Lock()


def shared_pool(
    *,
    cpu_seconds: float,
    memory_bytes: int,
    wall_seconds: float,
    preload: tuple[str, ...] = (),
    workers: int = 1,
) -> BudgetedPool:
    """One pool per budget for the whole process, started on first use and closed at exit: for callers
    with no place to keep one (a CLI command, a library call, a batch worker process)."""
    global _shared_owner
    key = (cpu_seconds, memory_bytes, wall_seconds, preload, workers)
    with _shared_lock:
        if _shared_owner != os.getpid():  # a forked child: the parent's workers are not ours to use
            _shared_pools.clear()
            _shared_owner = os.getpid()
        pool = _shared_pools.get(key)
        if pool is None or pool.closed:
            pool = _shared_pools[key] = BudgetedPool(
                workers=workers,
                cpu_seconds=cpu_seconds,
                memory_bytes=memory_bytes,
                wall_seconds=wall_seconds,
                preload=preload,
            )
        return pool


@atexit.register
def close_shared_pools() -> None:
    """Stop the workers of every shared pool (they would also exit on their own once we are gone)."""
    with _shared_lock:
        pools = list(_shared_pools.values()) if _shared_owner == os.getpid() else []
        _shared_pools.clear()
    for pool in pools:
        pool.close()


if __name__ == "__main__":
    # A worker: `python -m newsbrief.isolation FD MEMORY_BYTES PARENT_PID KERNEL_SIGNAL [MODULE...]`.
    # Run the package module's _serve, not this __main__ copy's: what it sends back must pickle under
    # names the caller can import (newsbrief.isolation..., never __main__...).
    from newsbrief import isolation

    isolation._serve(
        Connection(int(sys.argv[1])),
        int(sys.argv[2]),
        tuple(sys.argv[5:]),
        parent_pid=int(sys.argv[3]),
        kernel_signal=sys.argv[4] == "1",
    )
