"""Per-host politeness: one request at a time per host, and a pause between two requests to it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class HostGate:
    """``with gate.turn(host):`` waits until no other request to ``host`` is running and ``delay`` seconds
    have passed since the last one ended. Thread-safe; one gate per process (the service has one)."""

    def __init__(self, delay_seconds: float) -> None:
        self.delay_seconds = delay_seconds
        self._locks: dict[str, threading.Lock] = {}
        self._last_done: dict[str, float] = {}
        self._guard = threading.Lock()

    def _lock_of(self, host: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(host.lower(), threading.Lock())

    @contextmanager
    def turn(self, host: str, *, delay_seconds: float | None = None) -> Iterator[None]:
        delay = self.delay_seconds if delay_seconds is None else max(delay_seconds, self.delay_seconds)
        key = host.lower()
        with self._lock_of(key):
            last = self._last_done.get(key)
            if last is not None:
                wait = last + delay - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
            try:
                yield
            finally:
                self._last_done[key] = time.monotonic()
