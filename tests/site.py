"""A small web site on 127.0.0.1 for tests: routes added at run time, every request recorded, and pages we
wrote ourselves (articles, walls, error and listing pages, feeds)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PARAGRAPHS = (
    "The harbour authority approved a new ferry terminal on Tuesday after a two-year planning dispute with "
    "residents of the old quarter, who had fought the project in court.",
    "The terminal will handle up to 12,000 passengers a day when it opens in 2028, the authority said, and "
    "will replace the wooden pier that has served the island routes since 1961.",
    "Construction is expected to cost 48 million euros, most of it paid by the regional government, with "
    "the rest coming from a European fund for coastal transport.",
    "Residents' groups said they would not appeal the decision but asked for noise limits during the "
    "works, which are due to start in the spring.",
)


def article_page(
    title: str = "Harbour approves ferry terminal",
    paragraphs: tuple[str, ...] = PARAGRAPHS,
    *,
    head: str = "",
    before: str = "",
    after: str = "",
    charset: str = "utf-8",
    canonical: str | None = None,
) -> str:
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="{charset}"><title>{title}</title>{link}{head}'
        '<meta property="og:type" content="article">'
        f'<meta property="og:image" content="https://courier.example/img/terminal.jpg"></head><body>{before}<nav><a href="/">Home</a> '
        f'<a href="/world">World</a></nav><article><h1>{title}</h1><p class="byline">By Ana Ruiz</p>{body}'
        f"</article>{after}<footer>© 2026 Harbour Courier</footer></body></html>"
    )


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    started: float
    ended: float = 0.0


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    handler: Callable[[BaseHTTPRequestHandler], None] | None = None


class Site:
    """Routes by exact path (query included); unknown paths answer 404. Thread-safe records."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        self.active = 0
        self.max_active = 0
        self.lock = threading.Lock()
        self.base = ""

    def add(self, path: str, body: str | bytes = b"", **options: Any) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(body=data, **options)
        return self.base + path

    def requests_to(self, path: str) -> list[Seen]:
        with self.lock:
            return [seen for seen in self.seen if seen.path == path]


def handler_for(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            seen = Seen(self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
            with site.lock:
                site.seen.append(seen)
                site.active += 1
                site.max_active = max(site.max_active, site.active)
            try:
                self._answer(site.routes.get(self.path))
            finally:
                with site.lock:
                    site.active -= 1
                    seen.ended = time.monotonic()

        def _answer(self, route: Route | None) -> None:
            if route is None:
                route = Route(status=404, body=b"<html><body>not here</body></html>")
            if route.delay:
                time.sleep(route.delay)
            if route.handler is not None:
                route.handler(self)
                return
            etag = route.headers.get("ETag")
            if etag and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.body)))
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(route.body)

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that hang up on purpose (timeouts, kills) are expected


@contextmanager
def running_site() -> Iterator[Site]:
    site = Site()
    httpd = _QuietServer(("127.0.0.1", 0), handler_for(site))
    site.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        httpd.shutdown()
        httpd.server_close()


# Pages that are not articles, as sites serve them (written for these tests).
CONSENT_WALL = (
    '<!DOCTYPE html><html><head><title>Harbour Courier</title><script src="https://cdn.cookielaw.org/'
    'consent.js"></script></head><body><div id="onetrust-banner-sdk"><h2>We value your privacy</h2>'
    "<p>We and our partners use cookies to store and access information on your device. Accept all "
    "cookies or manage your privacy settings.</p><button>Accept all</button><button>Reject all</button>"
    "</div></body></html>"
)
PAYWALL = article_page(
    "Inside the port deal",
    (
        "The port's new owners signed a deal with the shipping lines on Friday that changes who pays for "
        "dredging the channel.",
    ),
    head='<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
    '"headline": "Inside the port deal", "isAccessibleForFree": "False"}</script>',
    after='<div class="offer"><h2>Subscribe to continue reading</h2><p>Already a subscriber? Log in.</p></div>',
)
BOT_CHALLENGE = (
    "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body><h1>Checking your browser "
    'before accessing the site.</h1><form id="challenge-form" action="/cdn-cgi/challenge-platform/h/b">'
    "</form><noscript>Please enable JavaScript and cookies to continue.</noscript></body></html>"
)
SOFT_404 = (
    "<!DOCTYPE html><html><head><title>Page not found | Harbour Courier</title></head><body><nav>"
    '<a href="/">Home</a></nav><h1>Sorry, this page could not be found</h1><p>The story you are looking '
    "for may have moved. Try the search box or go back to the front page.</p></body></html>"
)
JS_APP = (
    '<!DOCTYPE html><html><head><title>Harbour Courier</title><script src="/app.js"></script></head><body>'
    '<noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div></body></html>'
)
TOO_SHORT = (
    "<!DOCTYPE html><html><head><title>Briefly</title></head><body><article><h1>Briefly</h1>"
    "<p>The ferry is late today.</p></article></body></html>"
)


def listing_page() -> str:
    teasers = "".join(
        f'<div class="teaser"><h3><a href="/story-{n}">Ferry story number {n} makes the harbour news</a>'
        f'</h3><a href="/story-{n}">Read more</a> <a href="/tag/{n}">Harbour</a> <a href="/by/{n}">Writer</a>'
        "</div>"
        for n in range(15)
    )
    return (
        "<!DOCTYPE html><html><head><title>Harbour news - Harbour Courier</title></head><body><nav>"
        + "".join(f'<a href="/section-{n}">Section {n}</a> ' for n in range(10))
        + f"</nav><main><h1>Harbour</h1>{teasers}</main></body></html>"
    )
