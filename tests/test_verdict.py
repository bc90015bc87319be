"""The article verdict on pages we wrote: walls, stubs and listings are named; articles with banners pass."""

from __future__ import annotations

import pytest

from newsbrief.errors import NotAnArticle
from newsbrief.extract.html import extract_page, parse_html
from newsbrief.extract.textdump import parse_text
from newsbrief.extract.verdict import TEXT_SCAN_CHARS, NotArticleReason, judge_text
from newsbrief.samples import sample_articles
from tests.site import (
    BOT_CHALLENGE,
    CONSENT_WALL,
    JS_APP,
    PARAGRAPHS,
    PAYWALL,
    SOFT_404,
    TOO_SHORT,
    article_page,
    listing_page,
)


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        (CONSENT_WALL, "consent_wall"),
        (PAYWALL, "paywall"),
        (BOT_CHALLENGE, "bot_challenge"),
        (SOFT_404, "error_page"),
        (JS_APP, "needs_javascript"),
        (TOO_SHORT, "too_short"),
        (listing_page(), "listing_page"),
    ],
)
def test_pages_that_are_not_articles_get_their_reason(page: str, reason: str) -> None:
    verdict = extract_page(page.encode(), url="https://courier.example/x").verdict
    assert verdict.reason is not None
    assert verdict.reason.value == reason
    assert verdict.detail
    with pytest.raises(NotAnArticle) as raised:
        parse_html(page)
    assert raised.value.reason == reason
    assert raised.value.code == "not_article"


def test_an_article_with_a_cookie_banner_and_a_subscribe_box_is_an_article() -> None:
    banner = '<div id="onetrust-banner-sdk"><p>We use cookies. Accept all or manage settings.</p></div>'
    offer = (
        '<aside class="paywall-offer"><a href="/subscribe">Subscribe to continue reading our best</a></aside>'
    )
    page = extract_page(article_page(before=banner, after=offer).encode())
    assert page.verdict.is_article, page.verdict
    assert page.article is not None
    assert page.article.title == "Harbour approves ferry terminal"
    assert "12,000 passengers" in page.article.text
    assert "cookies" not in page.article.text


def test_an_article_with_heavy_navigation_is_not_a_listing() -> None:
    navigation = "".join(
        f'<h3><a href="/other-{n}">Another harbour story headline number {n}</a></h3>' for n in range(20)
    )
    page = extract_page(article_page(after=f"<aside>{navigation}</aside>").encode())
    assert page.verdict.is_article, page.verdict


def test_a_short_but_real_story_is_kept() -> None:
    page = extract_page(article_page(paragraphs=PARAGRAPHS[:2]).encode())
    assert page.verdict.is_article, page.verdict


# --- text that is not prose (issue 15, item 14): files we wrote in the shapes people paste ---------------

NOT_PROSE = {
    "ini": (
        "; newsbrief settings for the staging server\n[server]\nhost = 127.0.0.1\nport = 8000\nworkers = 4\n\n"
        "[database]\nurl = postgresql://newsbrief@db.internal:5432/newsbrief\npool_size = 10\n"
        "# Keep summaries for thirty days before they are dropped from the cache.\ncache_days = 30\n"
    ),
    "yaml": (
        "# Service configuration for the news summary service.\nservice:\n  name: newsbrief\n  replicas: 3\n"
        "  resources:\n    cpu: 500m\n    memory: 512Mi\nenv:\n  - name: NEWSBRIEF_DEFAULT_SENTENCES\n"
        '    value: "3"\n'
    ),
    "env": "NEWSBRIEF_HOST=0.0.0.0\nNEWSBRIEF_PORT=8000\nNEWSBRIEF_API_KEYS=alpha,beta\nNEWSBRIEF_DEBUG=true\n",
    "csv": (
        "place,name,club,event,time\n1,Jane Doe,Springfield Swim Club,100m freestyle,54.21\n"
        "2,Ana Silva,Harbour Aquatics,100m freestyle,54.87\n3,Maria Rossi,Riverside Dolphins,100m freestyle,55.02\n"
        "4,Kim Lee,Springfield Swim Club,100m freestyle,55.40\n"
    ),
    "python": (
        '"""Fetch the front page and print the headlines."""\n\nimport sys\n\nimport httpx\n\n\n'
        "def headlines(url: str) -> list[str]:\n    response = httpx.get(url, timeout=10)\n"
        "    response.raise_for_status()\n"
        '    return [line.strip() for line in response.text.splitlines() if line.startswith("<h2>")]\n\n\n'
        'if __name__ == "__main__":\n    for headline in headlines(sys.argv[1]):\n        print(headline)\n'
    ),
    "javascript": (
        "// Render the summary button on the page.\n(function () {\n  const script = document.currentScript;\n"
        "  const url = script.dataset.articleUrl || location.href;\n"
        "  fetch(`/api/v1/summary?url=${encodeURIComponent(url)}`)\n    .then((response) => response.json())\n"
        "    .then((summary) => console.log(summary));\n})();\n"
    ),
    "json": (
        '{\n  "id": 17,\n  "title": "Harbour works start",\n  "site": "Courier",\n'
        '  "published": "2026-11-03T09:00:00Z",\n  "tags": ["harbour", "works", "port"]\n}\n'
    ),
    "results table": (
        "STATE SWIM CHAMPIONSHIPS - GIRLS 100 YARD FREESTYLE\n\nPlace  Name            School              Time\n"
        "1      Jane Doe        Springfield High    52.11\n2      Ana Silva       Harbour Academy     52.87\n"
        "3      Maria Rossi     Riverside High      53.02\n4      Kim Lee         Springfield High    53.40\n"
        "5      Ola Nordmann    North Bay School    54.13\n"
    ),
    "links": (
        "Reading list for the week\n\nhttps://news.example/2026/11/harbour-bridge-opens\n"
        "https://news.example/2026/11/tram-delays-continue\nhttps://other.example/world/ceasefire-talks?ref=home\n"
        "- https://blog.example/posts/why-local-news-matters\n"
    ),
    "markdown links": (
        "# Links\n\n- [Harbour bridge opens](https://news.example/2026/11/harbour-bridge-opens)\n"
        "- [Tram delays continue](https://news.example/2026/11/tram-delays-continue)\n"
        "- [Museum roof repairs](https://news.example/2026/11/museum-roof-repairs)\n"
    ),
    "log": (
        "2026-11-30 08:45:48,112 INFO uvicorn.error Started server process [4121]\n"
        "2026-11-30 08:45:48,113 INFO uvicorn.error Waiting for application startup.\n"
        "2026-11-30 08:45:48,410 INFO uvicorn.error Application startup complete.\n"
        "2026-11-30 08:45:51,778 ERROR newsbrief.web GET /api/v1/articles/99 404\n"
    ),
}

PROSE = {
    "three sentences": (
        "The council met on Monday to discuss the bridge.\nIt agreed to spend four million euros.\n"
        "Work starts in spring.\n"
    ),
    "hard-wrapped": (
        "The harbour authority said on Monday that the new ferry terminal\n"
        "would open in June, two months later than planned, because storms\n"
        "damaged the quay twice during the winter and the contractor had\n"
        "to rebuild part of the sea wall before the cranes could arrive.\n"
        "Passengers will use the old terminal until then, the authority said\n"
        "in a statement, and timetables will not change.\n"
    ),
    "figures and a list": (
        "Markets Fall\n\nThe Dow Jones Industrial Average .DJI fell 1.2% to 38,512.33 on Tuesday.\n\n"
        "Traders cited three reasons:\n- higher bond yields,\n- weak factory orders,\n- a stronger dollar.\n\n"
        'The S&P 500 .SPX lost 0.8%, and the Nasdaq "had its worst day since March," one trader said.\n'
    ),
    "russian": (
        "Министры обороны провели встречу в Москве.\nОни обсудили поставки и учения.\n"
        "Следующая встреча пройдёт весной.\n"
    ),
    "chinese": (
        "东京电力公司周一表示，核电站的冷却系统已经恢复正常运行。\n当局说，附近居民不需要撤离，但应关注官方通知。\n"
        "专家认为，这次事故暴露了设备老化的问题。\n"
    ),
    "page dump with chrome": (
        "Menu\nSearch\nCity Library Extends Opening Hours\n\nBy Lena Hart\n\nShare on Facebook\n\n"
        "The central library will stay open until 10 p.m. on weekdays from next month, the city said.\n\n"
        "Two more librarians will be hired.\n\nSubscribe to our newsletter\nRelated stories\n"
        "New Playground Opens in the East Park\n© 2026 The City Courier\n"
    ),
}


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("name", sorted(NOT_PROSE))
def test_text_that_is_not_prose_is_named(name: str) -> None:
    verdict = judge_text(_lines(NOT_PROSE[name]))
    assert verdict.reason is NotArticleReason.NOT_PROSE
    assert "not prose" in verdict.detail and "\n" not in verdict.detail
    with pytest.raises(NotAnArticle) as raised:
        parse_text(NOT_PROSE[name])
    assert (raised.value.reason, raised.value.code) == ("not_prose", "not_article")


@pytest.mark.parametrize("name", sorted(PROSE))
def test_prose_passes_however_short_or_laid_out(name: str) -> None:
    assert judge_text(_lines(PROSE[name])).is_article
    assert parse_text(PROSE[name]).paragraphs


def test_our_sample_articles_pass() -> None:
    articles = sample_articles()
    assert len(articles) >= 5
    for article in articles:
        assert judge_text(article.paragraphs).is_article, article.title


def test_a_huge_text_is_judged_on_its_first_lines() -> None:
    """The verdict reads a bounded head of the text, so 10 MB costs what 100 kB does: settings first and
    prose after them are judged by the settings alone."""
    settings = [f"key_{n} = value" for n in range(TEXT_SCAN_CHARS // 10)]
    prose = ["The council met on Monday and agreed to build a new bridge over the river."] * 200_000
    assert sum(map(len, prose)) > 100 * TEXT_SCAN_CHARS
    assert judge_text(settings + prose).reason is NotArticleReason.NOT_PROSE
    assert judge_text(prose + settings).is_article
    assert judge_text(["Go. " * 2_500_000, "Go. " * 10, "Go."]).is_article  # one enormous line: prose
