"""Retake docs/screenshots: what a reader and a publisher see, desktop (1280 px) and mobile (390 px).

    PYTHONPATH=. .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Everything runs on this machine: the service on a fresh SQLite file with the sample articles and one
article with a lead image, a publisher's static site on a second loopback port (the widget and the
bookmarklet on a page that is not ours), and headless Chromium with every non-loopback request aborted.
Shots: the list, an article with its summary opened from the top button and from the bottom one, the
widget on the publisher's page, the bookmarklet's result, and the API docs (/docs) with no internet.
"""

from __future__ import annotations

import argparse
import struct
import tempfile
import zlib
from pathlib import Path
from typing import Any

from tests.browser_support import chromium, cut_to_loopback, running_service
from tests.site import Site, article_page, running_site

from newsbrief.config import Settings

ROOT = Path(__file__).resolve().parents[1]
SIZES = {"desktop": (1280, 900), "mobile": (390, 844)}
IMAGE_ARTICLE_URL = "https://courier.example/2026/11/ferry-terminal"


def harbour_png(width: int = 960, height: int = 540) -> bytes:
    """A lead image we draw ourselves (sky, sea, a pier): no picture from elsewhere is copied."""
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter: none
        for x in range(width):
            if y < height * 0.55:  # sky, lighter towards the horizon
                shade = int(120 + 100 * y / (height * 0.55))
                pixel = (shade - 40, shade, 235)
            else:  # sea, darker towards the bottom
                depth = (y - height * 0.55) / (height * 0.45)
                pixel = (20, int(90 - 50 * depth), int(150 - 60 * depth))
            if height * 0.5 < y < height * 0.58 and width * 0.15 < x < width * 0.7:
                pixel = (90, 60, 40)  # the wooden pier
            row.extend(pixel)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def publisher_pages(site: Site, base: str) -> tuple[str, str]:
    """The publisher's article page with our widget, and one for the bookmarklet; returns their URLs."""
    site.add("/img/terminal.png", harbour_png(), content_type="image/png")
    script = (
        f'<script src="{base}/widget.js" data-article-url="{IMAGE_ARTICLE_URL}" '
        'data-send-html="fallback"></script>'
    )
    style = (
        "<style>body{font-family:Georgia,serif;max-width:40rem;margin:1rem auto;padding:0 1rem;"
        "background:#fffdf7;color:#222}nav a{margin-right:1rem}footer{color:#777;margin-top:2rem}</style>"
    )
    widget_page = site.add("/2026/11/ferry-terminal", article_page(head=style, after=script))
    bookmarklet_page = site.add("/2026/11/ferry-terminal-print", article_page(head=style))
    return widget_page, bookmarklet_page


def store_articles(service: Any, site: Site) -> int:
    """The samples, and the publisher's story with its lead image (stored from its HTML, as a feed or
    the API would); returns that story's id."""
    service.load_samples()
    image = site.base + "/img/terminal.png"
    html = article_page(
        head='<meta property="article:published_time" content="2026-11-04T07:30:00Z">'
        '<meta property="og:site_name" content="Harbour Courier">'
    ).replace("https://courier.example/img/terminal.jpg", image)
    article = service.ingestor.article_from_html(html, url=IMAGE_ARTICLE_URL)
    stored, _ = service.store_article(article, source_kind="html")
    return int(stored.id)


def shoot(browser: Any, out: Path, base: str, story: int, widget_page: str, bookmarklet_page: str) -> None:
    for device, (width, height) in SIZES.items():
        context = browser.new_context(viewport={"width": width, "height": height})
        cut_to_loopback(context)
        page = context.new_page()

        page.goto(base + "/")
        page.screenshot(path=str(out / f"list-{device}.png"), full_page=True)

        page.goto(f"{base}/articles/{story}")
        page.locator("form.summary-top button").click()
        page.locator("#summary li").first.wait_for()
        page.locator("#summary li a").first.click()
        page.wait_for_timeout(700)  # the smooth scroll to the highlighted sentence
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(out / f"article-summary-top-{device}.png"))

        page.goto(f"{base}/articles/1")  # a long sample: the bottom button is far down
        page.locator("form.summary-bottom button").scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, 300)")
        page.locator("form.summary-bottom button").click()
        page.locator("#summary li").first.wait_for()
        page.wait_for_timeout(500)
        page.screenshot(path=str(out / f"article-summary-bottom-{device}.png"))

        page.goto(widget_page)
        page.locator("div.newsbrief-widget >> button").click()
        page.locator("div.newsbrief-widget li").first.wait_for()
        page.screenshot(path=str(out / f"widget-third-party-{device}.png"), full_page=True)

        page.goto(base + "/bookmarklet")
        code = page.locator("a.bookmarklet").get_attribute("href")
        page.goto(bookmarklet_page)
        page.evaluate(
            "(code) => { const a = document.createElement('a'); a.href = code; a.id = 'bm';"
            " a.textContent = 'Summarize'; document.body.prepend(a); }",
            code,
        )
        with context.expect_page() as opened:
            page.click("#bm")
        result = opened.value
        result.wait_for_load_state()
        result.locator(".summary li").first.wait_for()
        result.screenshot(path=str(out / f"bookmarklet-result-{device}.png"), full_page=True)
        result.close()

        page.goto(base + "/docs")
        page.locator(".opblock").first.wait_for()
        page.screenshot(path=str(out / f"api-docs-offline-{device}.png"))
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    out: Path = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder, running_site() as site:
        database = f"sqlite:///{Path(folder) / 'shots.db'}"
        settings = Settings(database_url=database, cors_origins=site.base, feed_scheduler=False)
        with running_service(settings) as (base, service):
            story = store_articles(service, site)
            widget_page, bookmarklet_page = publisher_pages(site, base)
            with chromium() as browser:
                shoot(browser, out, base, story, widget_page, bookmarklet_page)
    for path in sorted(out.glob("*.png")):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
