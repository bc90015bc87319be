"""End to end in headless Chromium (Debian's chromium, driven by Playwright) against a real server."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

CHROMIUM = os.environ.get("NEWSBRIEF_CHROMIUM", "/usr/bin/chromium")
# Screenshots go to a temporary folder; docs/screenshots are retaken by scripts/screenshots.py.

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`newsbrief serve --samples` on a fresh SQLite file, on a free loopback port."""
    folder = tmp_path_factory.mktemp("e2e")
    port = _free_port()
    env = {**os.environ, "NEWSBRIEF_DATABASE_URL": f"sqlite:///{folder / 'e2e.db'}"}
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "newsbrief", "serve", "--samples", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        log.close()
        raise AssertionError(f"server did not start: {(folder / 'server.log').read_text()!r}")
    yield base
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield launched
        launched.close()


def _shot(page: object, name: str, tmp_path: Path) -> None:
    page.screenshot(path=str(tmp_path / name), full_page=True)  # type: ignore[attr-defined]


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower())


def test_article_page_summary_highlight_and_next(server: str, browser: object, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1000, "height": 900})  # type: ignore[attr-defined]
    page.goto(server + "/")
    page.get_by_role("searchbox", name="Search articles").fill("bridge")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Harbour Town Votes to Rebuild Its Century-Old Bridge").click()
    url_before = page.url
    page.get_by_role("button", name="No time to read? Get a summary").first.click()
    points = page.locator("#summary li a")
    expect(points).to_have_count(3)
    assert page.url == url_before  # shown in place, no page load
    first = points.first
    index = first.get_attribute("data-sentence")
    first.click()
    expect(page.locator(f"#s-{index}")).to_have_class("sentence highlight")
    # The point is its sentence's kept pieces (compression may remove asides): the marked pieces of the
    # highlighted sentence read as the point, word for word.
    kept = page.locator(f"#s-{index} mark.kept").all_inner_texts()
    assert kept
    assert _words(" ".join(kept)) == _words(first.inner_text())
    assert set(_words(first.inner_text())) <= set(_words(page.locator(f"#s-{index}").inner_text()))
    _shot(page, "article-summary.png", tmp_path)
    page.get_by_role("link", name="Next Article").click()
    expect(page.locator("h1")).to_have_text("Ferry Timetable Changes for the Winter Season")
    page.set_viewport_size({"width": 390, "height": 844})
    _shot(page, "article-mobile.png", tmp_path)
    page.close()


def test_the_page_works_without_javascript(server: str, browser: object) -> None:
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(server + "/articles/1")
    page.get_by_role("button", name="No time to read? Get a summary").first.click()
    page.wait_for_url("**summary=1**")
    assert page.locator("#summary li").count() == 3
    context.close()


def test_widget_on_a_page_that_is_not_ours(server: str, browser: object, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(server + "/widget-demo")
    buttons = page.locator("div.newsbrief-widget >> button")
    expect(buttons).to_have_count(2)
    button = buttons.first
    # The host page paints every button hot pink; the shadow root keeps the widget's own look.
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(11, 87, 208)"
    button.click()
    expect(page.locator("div.newsbrief-widget").first.locator("li")).to_have_count(3)
    buttons.nth(1).click()  # the same widget sending the page's own HTML
    expect(page.locator("div.newsbrief-widget").nth(1).locator("li")).to_have_count(2)
    _shot(page, "widget-demo.png", tmp_path)
    page.close()


def test_the_bookmarklet_sends_the_page_the_browser_has(server: str, browser: object, tmp_path: Path) -> None:
    """A publisher's page on another origin (one the server could not fetch: loopback, not allowlisted):
    the bookmarklet posts the browser's copy of it and a new tab shows its summary."""
    from playwright.sync_api import expect

    from tests.site import article_page, running_site

    context = browser.new_context()  # type: ignore[attr-defined]
    with running_site() as site:
        publisher = site.add("/2026/11/ferry-terminal", article_page())
        page = context.new_page()
        page.goto(server + "/bookmarklet")
        code = page.locator("a.bookmarklet").get_attribute("href")
        assert code is not None
        assert code.startswith("javascript:")
        page.goto(publisher)
        # Clicked like a bookmark: a user gesture, so the new tab is not blocked as a popup.
        page.evaluate(
            "(code) => { const a = document.createElement('a'); a.href = code; a.id = 'bm';"
            " a.textContent = 'Summarize'; document.body.prepend(a); }",
            code,
        )
        with context.expect_page() as opened:
            page.click("#bm")
        summary_page = opened.value
        summary_page.wait_for_load_state()
        expect(summary_page.locator("h1")).to_have_text("Harbour approves ferry terminal")
        expect(summary_page.locator(".summary li")).to_have_count(3)
        assert (
            "harbour authority approved a new ferry terminal" in summary_page.locator(".summary").inner_text()
        )
        _shot(summary_page, "bookmarklet-summary.png", tmp_path)
    context.close()
