"""What readers and publishers see, in headless Chromium against the real service (issue 15): the API docs
with no internet, the widget on another site's page, and the article page's two buttons."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from newsbrief.config import Settings
from newsbrief.extract.textdump import parse_text
from newsbrief.services import Service
from newsbrief.storage.repo import StoredArticle
from tests.browser_support import chromium, chromium_missing, cut_to_loopback, free_port, running_service
from tests.site import Site, article_page, running_site

pytestmark = pytest.mark.skipif(
    chromium_missing(), reason="needs Debian's chromium (apt-get install chromium)"
)

STORED_URL = "https://courier.example/2026/11/ferry-terminal"

# A long article we wrote, so that the button under it is far below the first screen.
TOPICS = (
    ("harbour authority", "approved the new ferry terminal on Tuesday after two years of planning disputes"),
    (
        "city council",
        "said the terminal would replace the wooden pier that has served the islands since 1961",
    ),
    ("residents' association", "asked for noise limits during the works, which start in the spring"),
    ("regional government", "will pay most of the 48 million euros the construction is expected to cost"),
    ("ferry operator", "plans to add two crossings an hour once the terminal opens in 2028"),
    ("fishermen's guild", "welcomed a separate quay that keeps its boats away from the ferries"),
    ("tourism office", "expects the terminal to bring 40,000 more visitors to the old town each summer"),
    ("environmental group", "warned that dredging the channel could harm the seagrass beds near the pier"),
    ("port engineers", "said the new breakwater would protect the terminal from the winter storms"),
    ("bus company", "will run a shuttle between the terminal and the railway station every ten minutes"),
    ("chamber of commerce", "estimated that shops near the harbour would gain about 300 jobs"),
    ("mayor", "promised a public meeting every three months while the works go on"),
)


def long_story() -> str:
    paragraphs = [
        f"The {who} {what}. Officials of the {who} spoke to reporters at the town hall on Wednesday "
        f"afternoon. They gave the figures again in a written statement the same evening."
        for who, what in TOPICS
    ]
    return "Harbour approves ferry terminal after long dispute\n\n" + "\n\n".join(paragraphs)


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    """The publisher's static pages, on a second loopback server: another origin than the service's."""
    with running_site() as running:
        yield running


@pytest.fixture(scope="module")
def service(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Service]]:
    folder = tmp_path_factory.mktemp("browser")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'browser.db'}",
        cors_origins=site.base,  # the publisher's origin may read; http://localhost:PORT (same pages) may not
        feed_scheduler=False,
    )
    with running_service(settings) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def stored(service: tuple[str, Service]) -> StoredArticle:
    _, app_service = service
    article, _ = app_service.store_article(parse_text(long_story(), url=STORED_URL), source_kind="text")
    return article


def publisher_page(site: Site, path: str, script: str) -> str:
    """A page of the publisher with our widget's script tag in it (``script``: the whole tag)."""
    return site.add(path, article_page(after=script))


def widget_script(base: str, **data: str) -> str:
    attributes = "".join(f' data-{name.replace("_", "-")}="{value}"' for name, value in data.items())
    return f'<script src="{base}/widget.js"{attributes}></script>'


def open_with_console(browser: Any, url: str) -> tuple[Any, Any, list[str]]:
    context = browser.new_context()
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(url)
    return context, page, messages


def settle(page: Any, messages: list[str], needle: str) -> None:
    """Wait until the widget logged ``needle`` to the console (it decides without the reader's help)."""
    page.wait_for_function("() => document.readyState === 'complete'")
    for _ in range(100):
        if any(needle in message for message in messages):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"no console message with {needle!r}: {messages}")


def test_api_docs_render_with_no_internet(service: tuple[str, Service], browser: Any) -> None:
    base, _ = service
    context = browser.new_context()
    blocked = cut_to_loopback(context)
    page = context.new_page()
    page.goto(base + "/docs")
    operations = page.locator(".opblock")
    operations.first.wait_for(timeout=20_000)
    assert operations.count() >= 5
    assert (
        page.locator(".opblock-summary-path", has_text="/api/v1/articles/{article_id}/summary").count() >= 1
    )
    page.goto(base + "/redoc")
    page.locator("h1", has_text="newsbrief").first.wait_for(timeout=20_000)
    assert page.get_by_text("/api/v1/articles/{article_id}/summary").count() >= 1
    # Nothing the pages need left the machine: ReDoc's "powered by" logo (an image) is all that tried.
    assert [url for kind, url in blocked if kind != "image"] == []
    context.close()


def test_widget_summary_of_a_stored_article_on_the_publishers_page(
    service: tuple[str, Service], stored: StoredArticle, site: Site, browser: Any
) -> None:
    from playwright.sync_api import expect

    base, _ = service
    url = publisher_page(site, "/stored", widget_script(base, article_url=STORED_URL, sentences="3"))
    context, page, _ = open_with_console(browser, url)
    button = page.locator("div.newsbrief-widget >> button")
    button.click()
    expect(page.locator("div.newsbrief-widget li")).to_have_count(3)
    text = page.locator("div.newsbrief-widget section").inner_text()
    assert "harbour authority" in text.lower() and "sorry" not in text.lower()
    context.close()


def test_widget_unknown_article_hides_the_button_or_sends_the_page(
    service: tuple[str, Service], site: Site, browser: Any
) -> None:
    from playwright.sync_api import expect

    base, _ = service
    unknown = "https://courier.example/never-stored"
    hidden = publisher_page(site, "/unknown", widget_script(base, article_url=unknown))
    context, page, messages = open_with_console(browser, hidden)
    settle(page, messages, "no stored article")
    assert page.locator("div.newsbrief-widget").count() == 0
    assert "no stored article" not in page.locator("body").inner_text()
    context.close()

    fallback = publisher_page(
        site, "/unknown-fallback", widget_script(base, article_url=unknown, send_html="fallback")
    )
    context, page, messages = open_with_console(browser, fallback)
    page.locator("div.newsbrief-widget >> button").click()
    points = page.locator("div.newsbrief-widget li")
    expect(points).to_have_count(3)
    assert "ferry terminal" in page.locator("div.newsbrief-widget section").inner_text()
    assert not [message for message in messages if "newsbrief" in message]
    context.close()


def test_widget_disallowed_origin_or_no_service_shows_nothing(
    service: tuple[str, Service], stored: StoredArticle, site: Site, browser: Any
) -> None:
    base, _ = service
    path = "/other-origin"
    publisher_page(site, path, widget_script(base, article_url=STORED_URL, send_html="fallback"))
    # The same server under another name is another origin, one the service does not allow.
    other_origin = site.base.replace("127.0.0.1", "localhost") + path
    context, page, messages = open_with_console(browser, other_origin)
    settle(page, messages, "cannot reach")
    assert page.locator("div.newsbrief-widget").count() == 0
    context.close()

    down = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    script = f'<script src="{base}/widget.js" data-api="{down}" data-send-html="true"></script>'
    context, page, messages = open_with_console(browser, publisher_page(site, "/service-down", script))
    settle(page, messages, "cannot reach")
    assert page.locator("div.newsbrief-widget").count() == 0
    assert "Failed to fetch" not in page.locator("body").inner_text()
    context.close()


def test_widget_demo_works_when_the_newest_article_has_no_url(
    service: tuple[str, Service], stored: StoredArticle, browser: Any
) -> None:
    from playwright.sync_api import expect

    base, app_service = service
    app_service.store_article(
        parse_text(
            "Night Trams Return\n\nNight trams return to the harbour line on Friday after a year of "
            "repairs, the operator said. They will run every twenty minutes until two in the morning. "
            "The night fare stays at two euros, and monthly passes remain valid on every line."
        ),
        source_kind="text",
    )
    context, page, _ = open_with_console(browser, base + "/widget-demo")
    widgets = page.locator("div.newsbrief-widget")
    expect(widgets).to_have_count(2)
    widgets.nth(0).locator("button").click()
    expect(widgets.nth(0).locator("li")).to_have_count(3)
    widgets.nth(1).locator("button").click()
    expect(widgets.nth(1).locator("li")).to_have_count(2)
    assert "Night trams return" in widgets.nth(0).locator("section").inner_text()
    assert "sorry" not in page.locator("body").inner_text().lower()
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_bottom_button_opens_the_summary_where_it_was_pressed(
    service: tuple[str, Service], stored: StoredArticle, browser: Any, width: int
) -> None:
    from playwright.sync_api import expect

    base, _ = service
    context = browser.new_context(viewport={"width": width, "height": 844})
    page = context.new_page()
    page.goto(f"{base}/articles/{stored.id}")
    bottom = page.locator("form.summary-bottom")
    bottom.locator("button").scroll_into_view_if_needed()
    page.mouse.wheel(0, 200)
    page.wait_for_function("() => window.scrollY > 0")
    before = page.evaluate("window.scrollY")
    assert before > 844  # the bottom button is well below the first screen
    bottom.locator("button").click()
    expect(page.locator("#summary li")).to_have_count(3)
    page.wait_for_timeout(400)  # let a smooth scroll, if any, finish
    after = page.evaluate("window.scrollY")
    assert after >= before - 50, (before, after)  # not thrown back to the top
    box = page.locator("#summary").bounding_box()
    assert box is not None and box["y"] < 844 and box["y"] + box["height"] > 0  # on screen
    assert page.evaluate("document.querySelector('#summary').previousElementSibling.classList[1]") == (
        "summary-bottom"
    )
    context.close()


def test_top_and_bottom_controls_stay_in_sync_and_highlights_clear(
    service: tuple[str, Service], stored: StoredArticle, browser: Any
) -> None:
    from playwright.sync_api import expect

    base, _ = service
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{base}/articles/{stored.id}")
    page.locator("form.summary-bottom select[name=length]").select_option("long")
    assert page.locator("form.summary-top select[name=length]").input_value() == "long"
    page.locator("form.summary-top select[name=style]").select_option("paragraph")
    assert page.locator("form.summary-bottom select[name=style]").input_value() == "paragraph"
    page.locator("form.summary-top select[name=style]").select_option("bullets")
    page.locator("form.summary-top button").click()
    expect(page.locator("#summary li")).to_have_count(5)
    page.locator("#summary li a").nth(1).click()
    expect(page.locator(".sentence.highlight")).to_have_count(1)
    assert page.evaluate("location.hash").startswith("#s-")
    page.locator("form.summary-top select[name=length]").select_option("short")
    page.locator("form.summary-top button").click()
    expect(page.locator("#summary li")).to_have_count(2)
    expect(page.locator(".sentence.highlight")).to_have_count(0)
    assert page.evaluate("location.hash") == ""
    assert page.locator(".sentence:target").count() == 0
    page.close()
