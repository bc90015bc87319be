"""Feeds to entries: RSS 0.9x/1.0/2.0 and Atom (feedparser), JSON Feed (json), and OPML lists of feeds.

Entity declarations are refused before any XML parser sees the document: feeds and OPML files never need
them, and they are how a "billion laughs" document expands a few hundred bytes into gigabytes.
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ElementTree
from calendar import timegm
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from newsbrief.errors import InvalidInput

_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_JSON_FEED_VERSION = "https://jsonfeed.org/version/"


class BadFeed(InvalidInput):
    """A document that is not a feed we can read (or not a safe one); ``reason`` says why."""

    code = "bad_feed"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message, reason=reason)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    key: str  # SHA-256 of the entry's id, or of its link when it has none
    url: str | None
    title: str | None
    published: datetime | None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str | None
    site_url: str | None
    entries: tuple[FeedEntry, ...]


def entry_key(identity: str) -> str:
    return hashlib.sha256(identity.strip().encode("utf-8")).hexdigest()


def refuse_entities(document: bytes) -> None:
    """Refuse XML that declares entities (a billion-laughs or external-entity document)."""
    if _ENTITY_DECLARATION.search(document):
        raise BadFeed("entity_declarations", "the document declares XML entities, which feeds never need")


def parse_feed(document: bytes, *, url: str, content_type: str = "") -> ParsedFeed:
    """The entries of a feed document, newest data as the feed gives it.

    Raises:
        BadFeed: not a feed, an unsafe one, or a feed without entries or links.
    """
    head = document.lstrip()[:1]
    if "json" in content_type or head == b"{":
        return _parse_json_feed(document, url)
    refuse_entities(document)
    import feedparser  # imported here: only feed polling pays for it

    parsed = feedparser.parse(document, sanitize_html=False, resolve_relative_uris=False)
    version = parsed.get("version") or ""
    if not version and not parsed.entries:
        raise BadFeed("not_a_feed", "the document is not an RSS, Atom or JSON feed")
    feed_info = parsed.get("feed", {})
    entries = tuple(
        entry for entry in (_feedparser_entry(item, url) for item in parsed.entries) if entry is not None
    )
    return ParsedFeed(
        title=_clean(feed_info.get("title")),
        site_url=_absolute(url, feed_info.get("link")),
        entries=entries,
    )


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text[:500] or None


def _absolute(base: str, link: Any) -> str | None:
    if not isinstance(link, str) or not link.strip():
        return None
    absolute = urljoin(base, link.strip())
    return absolute if absolute.startswith(("http://", "https://")) else None


def _feedparser_entry(item: Any, base: str) -> FeedEntry | None:
    link = _absolute(base, item.get("link"))
    identity = item.get("id") or item.get("guid") or link
    if not identity:
        return None
    parsed_time = item.get("published_parsed") or item.get("updated_parsed")
    published = datetime.fromtimestamp(timegm(parsed_time), UTC) if parsed_time else None
    return FeedEntry(
        key=entry_key(str(identity)), url=link, title=_clean(item.get("title")), published=published
    )


def _parse_json_feed(document: bytes, base: str) -> ParsedFeed:
    try:
        data = json.loads(document)
    except (ValueError, UnicodeDecodeError):
        raise BadFeed("not_a_feed", "the document is not valid JSON") from None
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith(_JSON_FEED_VERSION):
        raise BadFeed("not_a_feed", "the JSON document is not a JSON Feed (no jsonfeed.org version)")
    items = data.get("items")
    if not isinstance(items, list):
        raise BadFeed("not_a_feed", "the JSON Feed has no items list")
    entries = []
    for item in items:
        if not isinstance(item, dict):
            continue
        link = _absolute(base, item.get("url") or item.get("external_url"))
        identity = item.get("id") or link
        if not identity:
            continue
        entries.append(
            FeedEntry(
                key=entry_key(str(identity)),
                url=link,
                title=_clean(item.get("title")),
                published=_iso_date(item.get("date_published") or item.get("date_modified")),
            )
        )
    return ParsedFeed(
        title=_clean(data.get("title")),
        site_url=_absolute(base, data.get("home_page_url")),
        entries=tuple(entries),
    )


def _iso_date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    url: str
    title: str | None


def parse_opml(document: bytes) -> list[OpmlFeed]:
    """The feeds (``xmlUrl`` outlines, nested or not) of an OPML subscription list."""
    refuse_entities(document)
    import defusedxml.ElementTree as SafeElementTree

    try:
        root = SafeElementTree.fromstring(document)
    except ElementTree.ParseError as error:
        raise BadFeed("bad_opml", f"the OPML file is not valid XML ({error})") from None
    if root.tag.lower() != "opml":
        raise BadFeed("bad_opml", "the file is not OPML (its root element is not <opml>)")
    feeds: dict[str, OpmlFeed] = {}
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url.startswith(("http://", "https://")) and url not in feeds:
            feeds[url] = OpmlFeed(url=url, title=_clean(outline.get("title") or outline.get("text")))
    return list(feeds.values())


def render_opml(feeds: list[OpmlFeed], *, title: str = "newsbrief feeds") -> str:
    """An OPML 2.0 subscription list of ``feeds``."""
    root = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = title
    body = ElementTree.SubElement(root, "body")
    for feed in feeds:
        attributes = {"type": "rss", "xmlUrl": feed.url, "text": feed.title or feed.url}
        if feed.title:
            attributes["title"] = feed.title
        ElementTree.SubElement(body, "outline", attributes)
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"
