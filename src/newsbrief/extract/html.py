"""HTML to Article with trafilatura; newsbrief adds decoding, title de-duplication and metadata parsing."""

from __future__ import annotations

import logging
import re
from datetime import datetime

from newsbrief.errors import ExtractionFailed, NewsbriefError
from newsbrief.extract.decode import decode_bytes
from newsbrief.models import Article
from newsbrief.text.normalize import normalize_text

LOGGER = logging.getLogger(__name__)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)


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
    return lines


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        LOGGER.debug("unreadable date %r", value)
        return None


def parse_html(html: str | bytes, *, url: str | None = None) -> Article:
    """Extract the article of an HTML page: body paragraphs, title, byline, date, site, language.

    Raises:
        ExtractionFailed: the page holds no article text.
    """
    import trafilatura  # half a second of imports (lxml, dateparser): only paid when there is HTML

    markup = decode_bytes(html, declared_charset(html), repair_utf8=True) if isinstance(html, bytes) else html
    document = trafilatura.bare_extraction(
        markup, url=url, with_metadata=True, include_comments=False, include_tables=False
    )
    if document is None or isinstance(document, dict) or not (document.text or "").strip():
        raise ExtractionFailed("no article text found in the HTML page")
    title = document.title or None
    return Article(
        paragraphs=tuple(_body_lines(document.text or "", title)),
        title=title,
        subtitle=document.description or None,
        byline=document.author or None,
        published=_parse_date(document.date),
        url=document.url or url,
        site=document.sitename or document.hostname or None,
        language=document.language or None,
    )


def declared_charset(html: bytes) -> str | None:
    """The charset a page declares in its first bytes (``<meta charset>`` or ``http-equiv``), if any."""
    match = _META_CHARSET.search(html[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def extract_text(html: bytes, url: str | None = None) -> str:
    """The article text of an HTML page (paragraphs separated by newlines), empty when there is none."""
    try:
        article = parse_html(html, url=url)
    except NewsbriefError:  # empty, binary or article-less pages: no text, never an exception
        return ""
    return "\n".join(article.paragraphs)
