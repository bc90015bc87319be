"""A small per-process cache of rendered summary responses (body bytes and ETag).

Summaries never change for a given article, engine and options, so the only staleness is a deleted article,
which a worker may keep serving for at most ``ttl`` seconds (the responses' Cache-Control max-age).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CachedResponse:
    body: bytes
    etag: str


class ResponseCache:
    """LRU with a time-to-live; thread-safe (sync endpoints run in a thread pool)."""

    def __init__(self, *, max_entries: int = 10_000, ttl: float = 60.0) -> None:
        self.max_entries = max_entries
        self.ttl = ttl
        self._entries: OrderedDict[tuple[object, ...], tuple[float, CachedResponse]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> CachedResponse | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            stored_at, response = entry
            if time.monotonic() - stored_at > self.ttl:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return response

    def put(self, key: tuple[object, ...], response: CachedResponse) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic(), response)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def drop_article(self, article_id: int) -> None:
        """Forget an article's responses in this process (the one that deleted it)."""
        with self._lock:
            for key in [key for key in self._entries if article_id in key[:2]]:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
