"""What the browser tests and scripts/screenshots.py share: the service on a loopback port (uvicorn in a
thread, a real HTTP server), Debian's Chromium driven by Playwright, and a network cut to loopback."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from newsbrief.config import Settings
from newsbrief.services import Service

CHROMIUM = os.environ.get("NEWSBRIEF_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_service(settings: Settings) -> Iterator[tuple[str, Service]]:
    """``create_app(settings)`` served by uvicorn on a free loopback port; yields its base URL and Service."""
    import uvicorn

    from newsbrief.web import create_app

    service = Service(settings)
    app = create_app(service=service)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError("the service did not start on " + base)
        time.sleep(0.1)
    try:
        yield base, service
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        service.close()


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def cut_to_loopback(context: Any) -> list[tuple[str, str]]:
    """Abort every request of ``context`` that leaves the machine (as on an intranet with no internet);
    returns the list the aborted requests are recorded in, as (resource type, URL)."""
    blocked: list[tuple[str, str]] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        host = urlsplit(url).hostname or ""
        if urlsplit(url).scheme in ("data", "blob") or host in LOOPBACK_HOSTS:
            request_route.continue_()
        else:
            blocked.append((request_route.request.resource_type, url))
            request_route.abort("internetdisconnected")

    context.route("**/*", route)
    return blocked


def chromium_missing() -> bool:
    return not Path(CHROMIUM).exists()
