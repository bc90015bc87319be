"""HTML to Article with trafilatura; newsbrief adds decoding, a verdict (is it an article?), title
de-duplication and metadata parsing."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from newsbrief.errors import ExtractionFailed, NewsbriefError, NotAnArticle
from newsbrief.extract.boilerplate import strip_boilerplate
from newsbrief.extract.decode import decode_bytes
from newsbrief.extract.verdict import Verdict, judge, page_signals
from newsbrief.models import Article
from newsbrief.text.normalize import normalize_text

LOGGER = logging.getLogger(__name__)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)


# Fewer words than this from the fast extractor, and the fallbacks get a try.
SHORT_EXTRACTION = 100


# Script and style bodies larger than this are page data (megabytes of JSON state), not article text; lxml
# stops at a text node over 10 MB and the article after it silently disappears.
_MAX_SCRIPT_CHARS = 100_000
_SCRIPT = re.compile(r"(<(script|style)\b[^>]*>)(.*?)(</\2\s*>)", re.IGNORECASE | re.DOTALL)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# A page of more elements than this is no article page (the largest of our 1,088 test pages has 10,106),
# and trafilatura's passes cost about 0.1 ms per element: 1.2 million <p> took minutes. Refused at once.
MAX_ELEMENTS = 200_000


def _drop_big_scripts(markup: str) -> str:
    if len(markup) < _MAX_SCRIPT_CHARS:
        return markup

    def shrink(match: re.Match[str]) -> str:
        opening, _, body, closing = match.groups()
        if len(body) <= _MAX_SCRIPT_CHARS or "ld+json" in opening.lower():
            return match.group(0)
        return opening + closing

    return _SCRIPT.sub(shrink, markup)


def _parse_tree(markup: str) -> Any:
    """The page's tree, parsed with ``huge_tree`` so content nested deeper than libxml2's default 256
    levels is kept (trafilatura's own loader drops it); None when lxml cannot parse it (its loader then
    tries its repairs)."""
    import lxml.etree
    import lxml.html

    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True)
    try:
        return lxml.html.document_fromstring(_XML_DECLARATION.sub("", markup, count=1), parser=parser)
    except (ValueError, lxml.etree.ParserError):
        return None


def _http_url(value: str | None) -> str | None:
    """An http(s) URL, or None: a ``javascript:`` or ``data:`` "image" is not something to pass on."""
    return value if value and value.lower().startswith(("http://", "https://")) else None


def _word_count(text: str | None) -> int:
    return len(text.split()) if text else 0


def looks_like_html(text: str) -> bool:
    """True when a text is markup: it opens with a tag or declares a document type."""
    head = text.lstrip()[:1000].lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or (
        head.startswith("<")
        and any(tag in head for tag in ("<head", "<body", "<meta", "<title", "<div", "<p"))
    )


def _body_lines(text: str, title: str | None) -> list[str]:
    lines = [line for line in normalize_text(text).split("\n") if line]
    # trafilatura repeats the headline at the top of the body; the Article keeps it once, as its title.
    if lines and title and lines[0].strip().lower() == title.strip().lower():
        lines = lines[1:]
    return strip_boilerplate(lines)


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        LOGGER.debug("unreadable date %r", value)
        return None


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    """What a page holds: the article the extractor found (None when there is no text) and the verdict."""

    article: Article | None
    verdict: Verdict


def extract_page(html: str | bytes, *, url: str | None = None) -> ExtractedPage:
    """Extract the article of an HTML page and judge whether the page is an article at all.

    Raises:
        ExtractionFailed: the bytes are not an HTML document lxml can parse.
    """
    import trafilatura  # half a second of imports (lxml, dateparser): only paid when there is HTML
    from trafilatura.settings import Document
    from trafilatura.utils import load_html

    markup = decode_bytes(html, declared_charset(html), repair_utf8=True) if isinstance(html, bytes) else html
    markup = _drop_big_scripts(markup)
    tree = _parse_tree(markup)
    if tree is None:
        tree = load_html(markup)
    if tree is None:
        raise ExtractionFailed("the HTML page could not be parsed")
    if next(islice(tree.iter(), MAX_ELEMENTS, None), None) is not None:
        raise ExtractionFailed(
            f"the page has more than {MAX_ELEMENTS:,} HTML elements: too big to be an article page",
            reason="too_many_elements",
        )
    # bare_extraction copies a tree it is given, so the one parse serves extraction and the verdict's
    # signals (read from the untouched tree, and only those the verdict needs).
    signals = page_signals(tree, markup)
    found = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, fast=True, include_comments=False, include_tables=True
    )
    document = found if isinstance(found, Document) else None
    if document is None or _word_count(document.text) < SHORT_EXTRACTION:
        # A short result may be the main extractor missing the article: trafilatura's default mode compares
        # it with readability's and jusText's. Only then: on full articles those fallbacks add chrome.
        retry = trafilatura.bare_extraction(
            tree, url=url, with_metadata=document is None, include_comments=False, include_tables=True
        )
        if isinstance(retry, Document) and (retry.text or "").strip():
            if document is None:
                document = retry
            else:
                document.text = retry.text
    if document is None or not (document.text or "").strip():
        return ExtractedPage(article=None, verdict=judge(signals, ()))
    title = document.title or None
    article = Article(
        paragraphs=tuple(_body_lines(document.text or "", title)),
        title=title,
        subtitle=document.description or None,
        byline=document.author or None,
        published=_parse_date(document.date),
        url=document.url or url,
        site=document.sitename or document.hostname or None,
        language=document.language or None,
        image_url=_http_url(document.image),
    )
    return ExtractedPage(article=article, verdict=judge(signals, article.paragraphs))


def parse_html(html: str | bytes, *, url: str | None = None) -> Article:
    """The article of an HTML page: body paragraphs, title, byline, date, site, language.

    Raises:
        NotAnArticle: the page is a paywall, consent wall, error page, listing... (``reason`` says which).
        ExtractionFailed: the page cannot be parsed.
    """
    return article_of(extract_page(html, url=url))


def article_of(page: ExtractedPage) -> Article:
    """The page's article, or NotAnArticle with the verdict's reason."""
    if page.verdict.reason is not None:
        raise NotAnArticle(page.verdict.detail, reason=page.verdict.reason.value)
    assert page.article is not None  # an article verdict needs article text
    return page.article


def declared_charset(html: bytes) -> str | None:
    """The charset a page declares in its first bytes (``<meta charset>`` or ``http-equiv``), if any."""
    match = _META_CHARSET.search(html[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def extract_text(html: bytes, url: str | None = None) -> str:
    """The article text of an HTML page (paragraphs separated by newlines), empty when there is none."""
    try:
        article = extract_page(html, url=url).article
    except NewsbriefError:  # empty, binary or unparseable pages: no text, never an exception
        return ""
    # The text whatever the verdict: the benchmarks score extraction; verdicts are measured on their own.
    return "\n".join(article.paragraphs) if article else ""
