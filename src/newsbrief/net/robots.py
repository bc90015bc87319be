"""robots.txt (RFC 9309), fetched through the one guarded fetch and cached per origin.

What a robots.txt answer means, as the RFC says: 2xx - its rules; 4xx (none there) - everything allowed;
5xx - everything disallowed until it can be read, since the site may be down or overloaded. A site that
cannot be reached at all (refused address, DNS, timeout) fails the fetch with that reason; nothing is cached.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from urllib.robotparser import RobotFileParser

from newsbrief.errors import FetchFailed
from newsbrief.net.fetch import FetchPolicy, fetch, origin_of

# The name newsbrief answers to in robots.txt ("User-agent: newsbrief").
ROBOTS_AGENT = "newsbrief"
# RFC 9309 asks crawlers to read at least 500 KiB; more than that is not a robots file.
MAX_ROBOTS_BYTES = 512 * 1024


@dataclass(frozen=True, slots=True)
class RobotsRules:
    parser: RobotFileParser | None  # None: no rules, everything allowed
    disallow_all: bool = False

    def allows(self, url: str) -> bool:
        if self.disallow_all:
            return False
        return self.parser is None or self.parser.can_fetch(ROBOTS_AGENT, url)

    def crawl_delay(self) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(ROBOTS_AGENT)
        return float(delay) if delay is not None else None


def parse_robots(text: str) -> RobotsRules:
    parser = RobotFileParser()
    parser.parse(text.splitlines())
    return RobotsRules(parser=parser)


def robots_url(url: str) -> str:
    """Where the robots.txt of ``url``'s site is; FetchFailed (``bad_url``) for a malformed ``url``."""
    return origin_of(url) + "/robots.txt"


class RobotsCache:
    """robots.txt rules per origin, kept for ``ttl_seconds``; thread-safe."""

    def __init__(self, policy: FetchPolicy, *, ttl_seconds: float = 3600.0) -> None:
        self._policy = FetchPolicy(
            allow=policy.allow,
            max_bytes=MAX_ROBOTS_BYTES,
            deadline_seconds=min(policy.deadline_seconds, 10.0),
            max_redirects=policy.max_redirects,
            user_agent=policy.user_agent,
        )
        self._ttl = ttl_seconds
        self._rules: dict[str, tuple[float, RobotsRules]] = {}
        self._lock = threading.Lock()

    def rules_for(self, url: str) -> RobotsRules:
        origin = robots_url(url)
        with self._lock:
            cached = self._rules.get(origin)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        rules = self._load(origin)
        with self._lock:
            self._rules[origin] = (time.monotonic() + self._ttl, rules)
        return rules

    def _load(self, origin: str) -> RobotsRules:
        try:
            page = fetch(origin, self._policy, accept="text/plain,*/*;q=0.5")
        except FetchFailed as error:
            if error.http_status is not None and 400 <= error.http_status < 500:
                return RobotsRules(parser=None)
            if error.http_status is not None:
                return RobotsRules(parser=None, disallow_all=True)
            if error.reason == "too_large":
                return RobotsRules(parser=None)
            raise  # the site cannot be reached at all (blocked, no DNS, timeout): the page fetch says why
        return parse_robots(page.body.decode("utf-8", "replace"))
