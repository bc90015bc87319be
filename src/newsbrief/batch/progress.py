"""Progress for people: a bar with rate and ETA on a terminal, a plain line every few seconds otherwise."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

# Seconds between plain progress lines when stderr is not a terminal (logs, CI).
LINE_INTERVAL = 10.0


class Progress:
    """Counts rows; call ``update(n)`` as partitions finish and ``close()`` at the end."""

    def __init__(self, total: int | None, *, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.started = time.monotonic()
        self._last_line = self.started
        self._bar: Any = None
        if enabled and self.stream.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="rows", file=self.stream, smoothing=0.1)

    def update(self, rows: int) -> None:
        self.done += rows
        if self._bar is not None:
            self._bar.update(rows)
            return
        now = time.monotonic()
        if self.enabled and now - self._last_line >= LINE_INTERVAL:
            self._last_line = now
            self.stream.write(self.line() + "\n")
            self.stream.flush()

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.done / elapsed
        if self.total:
            remaining = (self.total - self.done) / rate if rate > 0 else float("inf")
            return f"batch: {self.done:,}/{self.total:,} rows, {rate:,.0f} rows/s, ETA {remaining:,.0f} s"
        return f"batch: {self.done:,} rows, {rate:,.0f} rows/s"

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        elif self.enabled:
            self.stream.write(self.line() + "\n")
