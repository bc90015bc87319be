"""The article verdict on pages we wrote: walls, stubs and listings are named; articles with banners pass."""

from __future__ import annotations

import pytest

from newsbrief.errors import NotAnArticle
from newsbrief.extract.html import extract_page, parse_html
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
