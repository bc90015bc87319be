"""Is this page an article? A verdict with a reason, so junk is never stored or summarized.

The rules are general page-level signals, not rules for single sites: how much article text the extractor
found, what the page's title and first heading say, how much of the page's visible text sits in links, and
the markers that consent managers, paywalls and bot challenges leave in the markup. Every reason but
``too_short`` and ``listing_page`` needs *both* its marker *and* little article text: a full article with a
cookie banner or a "Subscribe" button is still an article.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from lxml.html import HtmlElement


class NotArticleReason(StrEnum):
    PAYWALL = "paywall"
    CONSENT_WALL = "consent_wall"
    BOT_CHALLENGE = "bot_challenge"
    ERROR_PAGE = "error_page"
    LISTING_PAGE = "listing_page"
    TOO_SHORT = "too_short"
    NEEDS_JAVASCRIPT = "needs_javascript"


# Below this many words of article text a page is a teaser, a wall or a stub, not an article.
MIN_ARTICLE_WORDS = 30
# A wall (consent, paywall, challenge) may leave a teaser of a few paragraphs; more text than this is an
# article whatever banners the page also carries.
WALL_TEASER_WORDS = 150
# A page that itself declares the article not free (schema.org) is a paywall up to a longer teaser.
DECLARED_PAYWALL_TEASER_WORDS = 250
# A listing: most visible words are link text, there are many links, several headings are links to
# stories (teasers), and the "article" has few paragraphs of running prose (a story has several; a section
# front has headlines and one-line teasers).
LISTING_LINK_SHARE = 0.6
LISTING_MIN_LINKS = 40
PROSE_PARAGRAPH_WORDS = 30
LISTING_MAX_PROSE_PARAGRAPHS = 2
LISTING_MIN_LINKED_HEADINGS = 6

_CHALLENGE = re.compile(
    r"cf-browser-verification|cf_chl_|challenge-platform|/cdn-cgi/challenge|just a moment\.\.\.|"
    r"checking (if the site connection is secure|your browser)|attention required! \| cloudflare|"
    r"px-captcha|verify (that )?you are (a )?human|are you a robot|unusual traffic from your|"
    r"ddos-guard|captcha-delivery|please enable cookies and reload",
    re.IGNORECASE,
)
# Consent-manager platforms in the markup: present on most European pages, so they only count together
# with a page that has (almost) no article text.
_CONSENT_MANAGER = re.compile(
    r"onetrust|didomi|quantcast|qc-cmp|sp_message_container|cookiebot|usercentrics|trustarc|"
    r"consentmanager|cookie-?consent|cookielaw|gdpr-consent",
    re.IGNORECASE,
)
# What a consent dialog says; when the "article" the extractor found says it, the page is the dialog.
_CONSENT_TEXT = re.compile(
    r"we use cookies|we and our partners|your privacy choices|accept all( cookies)?|"
    r"manage (cookie|consent|privacy) (settings|preferences|options)|before you continue|reject all|"
    r"(cookie|privacy) (policy|settings)|consent to (the use of|our use of)|nous utilisons des cookies|"
    r"tout accepter|wir verwenden cookies|alle akzeptieren|utilizamos cookies|aceptar todas?|"
    r"мы используем (файлы )?cookie",
    re.IGNORECASE,
)
# What a paywall says to the reader (matched in the visible text, not in class names: many sites ship
# paywall containers on every page).
_PAYWALL_TEXT = re.compile(
    r"subscribe (now )?to (continue|keep) reading|subscribers? only|only (available )?(to|for) subscribers|"
    r"already a subscriber\?|to continue reading,? (please )?(subscribe|log ?in|sign ?in|register)|"
    r"to read the (full|whole|rest of the) (article|story)|this (article|content|story) is (only )?"
    r"(available|reserved|exclusive) (to|for) (subscribers|members|premium)|unlock (this|the full) "
    r"(article|story)|réservé aux abonnés|nur für abonnenten|exklusiv für abonnenten|"
    r"exclusivo para suscriptores|доступно только подписчикам",
    re.IGNORECASE,
)
# schema.org's paywall flag, as JSON-LD or as microdata.
_NOT_FREE = re.compile(
    r"\"isAccessibleForFree\"\s*:\s*\"?false|itemprop=\"isAccessibleForFree\"\s+content=\"false",
    re.IGNORECASE,
)
_ERROR_TITLE = re.compile(
    r"^\W*(400|403|404|410|451|500|502|503)\b|\berror (400|403|404|410|500|503)\b|"
    r"\b(page|article|story|content) (you requested |you are looking for )?(was |could not be |cannot be |"
    r"can't be )?not found\b|\bnot found\W*$|\bpage (does not|doesn't|no longer) exists?\b|"
    r"\b(page|article|story) (could not|couldn't|cannot|can't) be found\b|\bno longer available\b|"
    r"\bsomething went wrong\b|\bpage introuvable\b|\bseite nicht gefunden\b|\bpágina no encontrada\b|"
    r"\bстраница не найдена\b|\bошибка 404\b",
    re.IGNORECASE,
)
_NEEDS_SCRIPT = re.compile(
    r"(enable|turn on|activate) javascript|javascript (is )?(required|disabled|must be enabled)|"
    r"requires javascript|activez javascript|javascript aktivieren|habilita javascript",
    re.IGNORECASE,
)
# The page says it is one article (Open Graph or schema.org): it is not a listing, however many links.
_ARTICLE_TYPE = re.compile(
    r"<meta[^>]+property=[\"']og:type[\"'][^>]+content=[\"']article|"
    r"\"@type\"\s*:\s*\"(News|Blog|Report|Scholarly|Tech)?(Article|Posting)\"",
    re.IGNORECASE,
)
_APP_ROOT_IDS = ("root", "app", "__next", "__nuxt", "app-root", "main-app")
_WORD = re.compile(r"\w+")
# Markup past this point is not scanned for markers: they live in the head and the first screen.
_MARKER_SCAN_CHARS = 300_000


@dataclass(frozen=True, slots=True)
class PageSignals:
    """What the verdict reads off a page, apart from the extracted article itself."""

    title: str
    heading: str
    visible_words: int
    link_words: int
    links: int
    linked_headings: int
    challenge: bool
    consent_manager: bool
    consent_text: bool
    paywall_text: bool
    declared_not_free: bool
    declares_article: bool
    needs_script_notice: bool
    empty_app_root: bool


@dataclass(frozen=True, slots=True)
class Verdict:
    """``reason`` is None for an article; otherwise why the page is not one, with ``detail`` for people."""

    reason: NotArticleReason | None
    detail: str = ""

    @property
    def is_article(self) -> bool:
        return self.reason is None


def _words(text: str) -> int:
    return len(_WORD.findall(text))


_HIDDEN = "ancestor::script or ancestor::style or ancestor::noscript or ancestor::template"


def _visible_text(tree: HtmlElement, *, outside_links: bool = False) -> str:
    body = tree.find(".//body")
    root = body if body is not None else tree
    condition = f"{_HIDDEN} or ancestor::a" if outside_links else _HIDDEN
    return " ".join(str(part) for part in root.xpath(f".//text()[not({condition})]"))


def _first_text(tree: HtmlElement, path: str) -> str:
    found = tree.find(path)
    return " ".join(found.text_content().split()) if found is not None else ""


def _has_empty_app_root(tree: HtmlElement) -> bool:
    for element_id in _APP_ROOT_IDS:
        for element in tree.xpath(f'//*[@id="{element_id}"]'):
            if not element.text_content().strip():
                return True
    return False


def _linked_headings(tree: HtmlElement) -> int:
    """Headings that are links to a story (a headline of four words or more): the teasers of a listing."""
    count = 0
    for heading in tree.xpath("//h2[.//a] | //h3[.//a] | //h4[.//a]"):
        if any(_words(anchor.text_content()) >= 4 for anchor in heading.iterfind(".//a")):
            count += 1
    return count


def page_signals(tree: HtmlElement, markup: str) -> PageSignals:
    """Signals of a parsed page (``tree``) and its markup; read-only, so the tree can be extracted after."""
    head_markup = markup[:_MARKER_SCAN_CHARS]
    visible = _visible_text(tree)
    link_text = " ".join(anchor.text_content() for anchor in tree.iterfind(".//a"))
    noscript = " ".join(element.text_content() for element in tree.iterfind(".//noscript"))
    return PageSignals(
        title=_first_text(tree, ".//title"),
        heading=_first_text(tree, ".//h1"),
        visible_words=_words(visible),
        link_words=_words(link_text),
        links=sum(1 for _ in tree.iterfind(".//a")),
        linked_headings=_linked_headings(tree),
        challenge=bool(_CHALLENGE.search(head_markup)),
        consent_manager=bool(_CONSENT_MANAGER.search(head_markup)),
        consent_text=bool(_CONSENT_TEXT.search(visible[:20_000])),
        # A paywall states itself; "Subscribe to continue reading" inside a link is an advertisement.
        paywall_text=bool(_PAYWALL_TEXT.search(_visible_text(tree, outside_links=True))),
        declared_not_free=bool(_NOT_FREE.search(head_markup)),
        declares_article=bool(_ARTICLE_TYPE.search(head_markup)),
        needs_script_notice=bool(_NEEDS_SCRIPT.search(noscript) or _NEEDS_SCRIPT.search(visible[:5000])),
        empty_app_root=_has_empty_app_root(tree),
    )


def judge(signals: PageSignals, paragraphs: Sequence[str]) -> Verdict:
    """The verdict on a page from its signals and the article paragraphs the extractor found in it."""
    paragraph_words = [_words(paragraph) for paragraph in paragraphs]
    words = sum(paragraph_words)
    if signals.challenge and words < WALL_TEASER_WORDS:
        return Verdict(NotArticleReason.BOT_CHALLENGE, "the site shows a bot check instead of the page")
    if words < WALL_TEASER_WORDS and (
        _ERROR_TITLE.search(signals.title) or _ERROR_TITLE.search(signals.heading)
    ):
        return Verdict(NotArticleReason.ERROR_PAGE, f"the page is an error page ({signals.title[:80]!r})")
    consent_in_article = any(_CONSENT_TEXT.search(paragraph) for paragraph in paragraphs)
    if (signals.consent_manager or signals.consent_text) and (
        words < MIN_ARTICLE_WORDS or (consent_in_article and words < WALL_TEASER_WORDS)
    ):
        return Verdict(NotArticleReason.CONSENT_WALL, "the site asks for cookie consent before the article")
    if (signals.paywall_text and words < WALL_TEASER_WORDS) or (
        signals.declared_not_free and words < DECLARED_PAYWALL_TEASER_WORDS
    ):
        return Verdict(
            NotArticleReason.PAYWALL,
            f"the article is behind a paywall (only {words} words are public); "
            "send the page's HTML from your browser instead",
        )
    if words < MIN_ARTICLE_WORDS and (signals.needs_script_notice or signals.empty_app_root):
        return Verdict(
            NotArticleReason.NEEDS_JAVASCRIPT,
            "the page is built by JavaScript; send the page's HTML from your browser instead",
        )
    prose_paragraphs = sum(1 for count in paragraph_words if count >= PROSE_PARAGRAPH_WORDS)
    if (
        not signals.declares_article
        and signals.links >= LISTING_MIN_LINKS
        and signals.linked_headings >= LISTING_MIN_LINKED_HEADINGS
        and signals.visible_words
        and signals.link_words / signals.visible_words >= LISTING_LINK_SHARE
        and prose_paragraphs <= LISTING_MAX_PROSE_PARAGRAPHS
    ):
        return Verdict(NotArticleReason.LISTING_PAGE, "the page lists articles; give the URL of one of them")
    if words < MIN_ARTICLE_WORDS:
        return Verdict(
            NotArticleReason.TOO_SHORT,
            f"the page has {words} words of article text, fewer than {MIN_ARTICLE_WORDS}",
        )
    return Verdict(None)
