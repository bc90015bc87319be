"""Feeds to entries: RSS 0.9x/1.0/2.0 and Atom (feedparser), JSON Feed (json), and OPML lists of feeds.

Entity declarations (and any DOCTYPE with an internal subset) are refused before any XML parser sees the
document: feeds and OPML files never need them, and they are how a "billion laughs" document expands a few
hundred bytes into gigabytes, or an external entity reads a local file. The check runs on the decoded text
(UTF-16, UTF-32, UTF-7... hide ``<!ENTITY`` from a byte search), and feedparser parses that very text.

Entries keep plain-text titles (markup stripped, entities decoded) and the link to their story page (never
an enclosure such as a podcast's audio file).

A poll takes a capped number of entries, the newest, but feedparser reads every entry it is given (~9 s of
CPU for 50,000), so a very long XML feed is cut before it parses (``cut_entries``): a scan of the text, with
no tree, finds each top-level entry element and drops all but the first and the last ``KEPT_PER_CAP`` times
the cap (a JSON Feed's items list is cut the same way, after json reads it). Feeds list newest first or
oldest first, so either way the newest are among those kept; what sits between entries (channel elements,
whitespace) is kept. A feed within twice that, or one the scan cannot read safely (an unterminated comment,
CDATA section or entry, an end tag that closes something else), is parsed as it came.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import re
import xml.etree.ElementTree as ElementTree
from calendar import timegm
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

from newsbrief.errors import BadFeed
from newsbrief.models import FeedEntry

_ENTITY_DECLARATION = re.compile(r"<!ENTITY", re.IGNORECASE)
_INTERNAL_SUBSET = re.compile(r"<!DOCTYPE[^>\[]*\[", re.IGNORECASE)
_XML_DECLARED_ENCODING = re.compile(rb"""\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
# Checked in this order: the UTF-32 LE mark starts with the UTF-16 LE one.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)
_EBCDIC_XML_START = b"\x4c\x6f\xa7\x94"  # "<?xm" in EBCDIC (cp037)
_JSON_FEED_VERSION = "https://jsonfeed.org/version/"
# JSON Feed needs no big numbers; reading one costs time quadratic in its digits (Python refuses ints of
# over 4300 digits for that reason, unless a program lifted the limit), so a long one is refused early.
_MAX_JSON_NUMBER_DIGITS = 100
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", ""})
# What the store cannot keep: NUL (PostgreSQL refuses it in text) and lone surrogates (UTF-8 cannot encode
# them; JSON's "\ud800" makes them). Titles drop them; a link holding them (or control characters) is none.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_NOT_IN_A_LINK = re.compile("[\x00-\x20\x7f\ud800-\udfff]")
MAX_URL_LENGTH = 2048  # the store's URL columns
# Links that are never the entry's story page.
_NOT_THE_STORY = frozenset({"enclosure", "self", "edit", "replies", "license"})


# An entry element (RSS <item>, Atom <entry>, under any prefix: <rss:item>, <atom:entry>), start or end
# tag, and what may hide one without being one: comments, CDATA sections, processing instructions (skipped
# whole), or the start of one that never ends (the scan gives up). Attribute values may hold ">", quoted,
# but never "<" (XML forbids it): so a tag that does not close stops the regex at the next "<", and a
# document of unclosed "<item" tags costs linear time, not quadratic.
_ENTRY_SCAN = re.compile(
    r"<(?:!--.*?-->|!\[CDATA\[.*?\]\]>|\?.*?\?>"
    r"|(?P<closing>/?)(?P<name>(?:[A-Za-z_][\w.-]*:)?(?:item|entry))(?=[\s/>])"
    r"(?P<attributes>(?:[^<>\"']|\"[^<\"]*\"|'[^<']*')*)>"
    r"|(?P<unterminated>!--|!\[CDATA\[|\?))",  # one leading "<": the regex engine skips to each "<"
    re.DOTALL | re.IGNORECASE,
)


# Entries kept at each end of a long feed, per entry a poll takes. The cap goes by date, not by place, so a
# feed that is not in date order needs more than the cap read: up to 10x the cap every entry is read, as
# before the cut existed; at the default cap (200) the 2,000 entries read take ~0.4 s of CPU.
KEPT_PER_CAP = 5


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str | None
    site_url: str | None
    entries: tuple[FeedEntry, ...]
    # Entries cut from the document before it was parsed (a long feed: see cut_entries); never read.
    unread: int = 0

    @property
    def listed(self) -> int:
        """How many entries the feed lists: those parsed and those cut unread."""
        return len(self.entries) + self.unread


def entry_key(identity: str) -> str:
    # surrogatepass: an id with a lone surrogate (JSON allows one) still has a key, the same every poll
    return hashlib.sha256(identity.strip().encode("utf-8", "surrogatepass")).hexdigest()


def xml_encoding(document: bytes) -> tuple[str, int]:
    """The encoding of an XML document and the length of its byte order mark (XML 1.0 appendix F: the
    mark, else the zero bytes around the first ``<`` or blank, else the declaration, else UTF-8)."""
    for mark, encoding in _BYTE_ORDER_MARKS:
        if document.startswith(mark):
            return encoding, len(mark)
    head = document[:4]
    if len(head) == 4:  # an XML document starts with "<" or a blank: ASCII, whose zero bytes tell the width
        if head[:3] == b"\0\0\0":
            return "utf-32-be", 0
        if head[1:] == b"\0\0\0":
            return "utf-32-le", 0
        if head[0] == 0:
            return "utf-16-be", 0
        if head[1] == 0:
            return "utf-16-le", 0
        if head == _EBCDIC_XML_START:
            return "cp037", 0
    declared = _XML_DECLARED_ENCODING.match(document)
    if declared:
        try:
            name = codecs.lookup(declared.group(1).decode("ascii")).name
        except LookupError:
            return "utf-8", 0
        # A UTF-16/32 declaration on a document whose bytes showed no such width is wrong: read it as UTF-8.
        if not name.startswith(("utf-16", "utf-32")):
            return name, 0
    return "utf-8", 0


def decode_xml(document: bytes) -> str:
    """The text of an XML document, decoded as its mark, byte pattern or declaration says (then UTF-8, then
    Windows-1252, as feedparser would fall back)."""
    encoding, mark = xml_encoding(document)
    body = document[mark:]
    for candidate in (encoding, "utf-8", "windows-1252"):
        try:
            return body.decode(candidate)
        except (ValueError, LookupError):  # UnicodeError (idna...); LookupError: a codec that is no text one
            continue
    return body.decode("latin-1")


def refuse_entities(document: bytes) -> str:
    """The decoded text of an XML document, unless it declares entities or has an internal DTD subset (a
    billion-laughs or external-entity document), in whatever encoding: then BadFeed."""
    text = decode_xml(document)
    raw = document.decode("latin-1")  # also the bytes as they are, whatever the declared encoding says
    for seen in (text, raw):
        if _ENTITY_DECLARATION.search(seen) or _INTERNAL_SUBSET.search(seen):
            raise BadFeed(
                "the document declares XML entities (or an internal DTD subset), which feeds never need",
                reason="entity_declarations",
            )
    return text


def entry_spans(text: str) -> list[tuple[int, int]] | None:
    """Where each top-level entry element of an XML feed starts and ends (an entry inside another one is
    part of it); None when the scan cannot tell them apart safely: an unterminated comment, CDATA section or
    processing instruction, an entry that never ends, or an end tag that closes another entry tag."""
    spans: list[tuple[int, int]] = []
    open_names: list[str] = []
    start = 0
    for match in _ENTRY_SCAN.finditer(text):
        name = match.group("name")
        if match.group("unterminated") is not None:
            return None
        if name is None:  # a comment, CDATA section or processing instruction
            continue
        if match.group("closing"):
            if not open_names or open_names.pop() != name:
                return None
            if not open_names:
                spans.append((start, match.end()))
        elif match.group("attributes").rstrip().endswith("/"):  # <item/>: an empty entry
            if not open_names:
                spans.append((match.start(), match.end()))
        else:
            if not open_names:
                start = match.start()
            open_names.append(name)
    return None if open_names else spans


def cut_entries(text: str, keep: int) -> tuple[str, int]:
    """``text`` without its entries past the first ``keep`` and before the last ``keep``, and how many
    were cut; ``text`` itself (0 cut) when it has no more than ``2 * keep`` entries or ``entry_spans``
    cannot read it."""
    spans = entry_spans(text)
    if spans is None or len(spans) <= 2 * keep:
        return text, 0
    dropped = spans[keep : len(spans) - keep]
    pieces = []
    position = 0
    for start, end in dropped:
        pieces.append(text[position:start])
        position = end
    pieces.append(text[position:])
    return "".join(pieces), len(dropped)


def parse_feed(
    document: bytes,
    *,
    url: str,
    content_type: str = "",
    content_location: str | None = None,
    max_entries: int | None = None,
) -> ParsedFeed:
    """The entries of a feed document, newest data as the feed gives it.

    Args:
        document: the body as fetched.
        url: where it was fetched from (after redirects): relative links resolve against it...
        content_type: the response's media type (a JSON Feed may not start with ``{``).
        content_location: ...or against the response's ``Content-Location`` header, when it has one.
        max_entries: the most entries the caller will take (the newest); a feed that lists more than
            ``2 * KEPT_PER_CAP`` times as many is cut to its first and last ``KEPT_PER_CAP * max_entries``
            before it parses (``unread`` counts the rest). None: every entry is parsed.

    Raises:
        BadFeed: not a feed, an unsafe one, or a feed without entries or links.
    """
    base = feed_base(url, content_location)
    head = document.lstrip()[:1]
    if "json" in content_type or head in (b"{", b"["):
        return _parse_json_feed(document, base, max_entries)
    text = refuse_entities(document)
    unread = 0
    if max_entries is not None:
        text, unread = cut_entries(text, KEPT_PER_CAP * max_entries)
    import feedparser  # imported here: only feed polling pays for it

    # A stream, never the bytes themselves: feedparser opens a string that names an existing file (a
    # server answering "/dev/zero" would hang us). It parses the very text checked above, as UTF-8.
    parsed = feedparser.parse(
        io.BytesIO(text.encode("utf-8")),
        sanitize_html=False,
        resolve_relative_uris=False,
        response_headers={"content-type": "application/xml; charset=utf-8", "content-location": base},
    )
    version = parsed.get("version") or ""
    if not version and not parsed.entries:
        raise BadFeed("the document is not an RSS, Atom or JSON feed", reason="not_a_feed")
    feed_info = parsed.get("feed", {})
    entries = tuple(
        entry for entry in (_feedparser_entry(item, base) for item in parsed.entries) if entry is not None
    )
    return ParsedFeed(
        title=_clean(feed_info.get("title")),
        site_url=_absolute(base, feed_info.get("link")),
        entries=entries,
        unread=unread,
    )


def feed_base(url: str, content_location: str | None) -> str:
    """The URL relative links of a feed resolve against: ``Content-Location`` (itself relative to the URL)
    when it is a usable http(s) URL, else the URL."""
    if content_location and content_location.strip():
        try:
            located = urljoin(url, content_location.strip())
        except ValueError:  # "http://[broken": not a URL
            return url
        if located.startswith(("http://", "https://")):
            return located
    return url


def newest_entries(entries: Sequence[FeedEntry], limit: int) -> tuple[FeedEntry, ...]:
    """The ``limit`` newest entries (dated ones by date, then undated ones), kept in the feed's order."""
    if len(entries) <= limit:
        return tuple(entries)

    def age(index: int) -> tuple[bool, float, int]:
        published = entries[index].published
        return (published is None, -published.timestamp() if published else 0.0, index)

    kept = sorted(sorted(range(len(entries)), key=age)[:limit])
    return tuple(entries[index] for index in kept)


class _TextOnly(HTMLParser):
    """The text of an HTML fragment: tags dropped, with what scripts, styles and frames hold."""

    _HIDDEN = frozenset({"script", "style", "iframe", "noscript", "template", "object", "svg"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._hidden += tag in self._HIDDEN

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def plain_text(value: str) -> str:
    """``value`` as plain text: markup stripped, entities decoded, whitespace collapsed."""
    if "<" in value or "&" in value:
        parser = _TextOnly()
        parser.feed(value)
        parser.close()
        value = "".join(parser.parts)
    return " ".join(_UNSTORABLE.sub("", value).split())


def _clean(value: Any) -> str | None:
    # Titles are stored (and shown) as plain text: the parser runs with sanitising off, so a title may
    # hold markup such as <script> or on*= attributes.
    if not isinstance(value, str):
        return None
    return plain_text(value)[:500] or None


def _absolute(base: str, link: Any) -> str | None:
    if not isinstance(link, str) or not link.strip():
        return None
    try:
        absolute = urljoin(base, link.strip())
    except ValueError:  # "http://[broken": no URL at all
        return None
    if len(absolute) > MAX_URL_LENGTH or _NOT_IN_A_LINK.search(absolute):
        return None
    return absolute if absolute.startswith(("http://", "https://")) else None


def _is_html(link: dict[str, Any]) -> bool:
    return str(link.get("type") or "").split(";")[0].strip().lower() in _HTML_TYPES


def _entry_link(item: Any, base: str) -> str | None:
    """The entry's story page: a rel="alternate" HTML link, else any other HTML (or untyped) link, else the
    feed's link (a permalink guid); never an enclosure (a podcast's audio file)."""
    links = [
        link
        for link in item.get("links") or ()
        if isinstance(link, dict) and isinstance(link.get("href"), str)
    ]
    enclosures = {link["href"] for link in links if link.get("rel") == "enclosure"}
    enclosures.update(
        enclosure.get("href") for enclosure in item.get("enclosures") or () if isinstance(enclosure, dict)
    )
    ranked = [link for link in links if link.get("rel", "alternate") == "alternate" and _is_html(link)]
    ranked += [link for link in links if link.get("rel") not in _NOT_THE_STORY and _is_html(link)]
    candidates = [link["href"] for link in ranked] + [item.get("link")]
    for candidate in candidates:
        if isinstance(candidate, str) and candidate not in enclosures:
            absolute = _absolute(base, candidate)
            if absolute is not None and absolute not in enclosures:
                return absolute
    return None


def _feedparser_entry(item: Any, base: str) -> FeedEntry | None:
    link = _entry_link(item, base)
    identity = item.get("id") or item.get("guid") or link
    if not identity:
        return None
    parsed_time = item.get("published_parsed") or item.get("updated_parsed")
    try:
        published = datetime.fromtimestamp(timegm(parsed_time), UTC) if parsed_time else None
    except (OverflowError, ValueError, OSError):  # a date no calendar of ours holds: as if undated
        published = None
    return FeedEntry(
        key=entry_key(str(identity)), url=link, title=_clean(item.get("title")), published=published
    )


class _LongNumber(ValueError):
    pass


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > _MAX_JSON_NUMBER_DIGITS:
        raise _LongNumber
    return int(digits)


def _read_json(document: bytes) -> Any:
    try:
        return json.loads(document, parse_int=_bounded_int)
    except RecursionError:  # json recurses once per level of nesting
        raise BadFeed("the JSON document is nested too deeply to be a feed", reason="not_a_feed") from None
    except _LongNumber:
        raise BadFeed(
            f"the JSON document holds a number of over {_MAX_JSON_NUMBER_DIGITS} digits", reason="not_a_feed"
        ) from None
    except ValueError:  # UnicodeDecodeError included
        raise BadFeed("the document is not valid JSON", reason="not_a_feed") from None


def _json_identity(value: Any) -> str | None:
    """An item's id as text: a string, or a (small) number, as some feeds write it; nothing else."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _parse_json_feed(document: bytes, base: str, max_entries: int | None) -> ParsedFeed:
    data = _read_json(document)
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith(_JSON_FEED_VERSION):
        raise BadFeed("the JSON document is not a JSON Feed (no jsonfeed.org version)", reason="not_a_feed")
    items = data.get("items")
    if not isinstance(items, list):
        raise BadFeed("the JSON Feed has no items list", reason="not_a_feed")
    unread = 0
    keep = None if max_entries is None else KEPT_PER_CAP * max_entries
    if keep is not None and len(items) > 2 * keep:  # as cut_entries does to an XML feed
        unread = len(items) - 2 * keep
        items = items[:keep] + items[len(items) - keep :]
    entries = []
    for item in items:
        if not isinstance(item, dict):
            continue
        link = _absolute(base, item.get("url")) or _absolute(base, item.get("external_url"))
        identity = _json_identity(item.get("id")) or link
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
        unread=unread,
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
    import defusedxml
    import defusedxml.ElementTree as SafeElementTree

    try:
        root = SafeElementTree.fromstring(document)
    except ElementTree.ParseError as error:
        raise BadFeed(f"the OPML file is not valid XML ({error})", reason="bad_opml") from None
    except defusedxml.DefusedXmlException:  # what the check above missed, the parser refuses
        raise BadFeed("the OPML file declares XML entities", reason="entity_declarations") from None
    if root.tag.lower() != "opml":
        raise BadFeed("the file is not OPML (its root element is not <opml>)", reason="bad_opml")
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
