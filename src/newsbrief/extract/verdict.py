"""Is this page an article? A verdict with a reason, so junk is never stored or summarized.

Text input gets the same idea (``judge_text``): a config file, code, a CSV or results table, or a list of
links is not prose, and is refused as ``not_prose`` instead of being summarized into bullets.

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
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only a type here: lxml loads when a page is parsed (extract/html.py), not on import
    from lxml.html import HtmlElement


class NotArticleReason(StrEnum):
    PAYWALL = "paywall"
    CONSENT_WALL = "consent_wall"
    BOT_CHALLENGE = "bot_challenge"
    ERROR_PAGE = "error_page"
    LISTING_PAGE = "listing_page"
    TOO_SHORT = "too_short"
    NEEDS_JAVASCRIPT = "needs_javascript"
    NOT_PROSE = "not_prose"


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

# Bot checks (Cloudflare, PerimeterX, DataDome, DDoS-Guard...): literal markers of the lower-cased markup
# (substring search is far cheaper than one regular expression over a whole page).
_CHALLENGE_MARKERS = (
    "cf-browser-verification", "cf_chl_", "challenge-platform", "/cdn-cgi/challenge", "px-captcha",
    "captcha-delivery", "ddos-guard", "checking your browser", "checking if the site connection is secure",
    "verify you are human", "verify that you are human", "are you a robot", "unusual traffic from your",
)  # fmt: skip
_CHALLENGE_TITLE = re.compile(r"just a moment|attention required|access denied|security check", re.IGNORECASE)
# Consent-manager platforms in the markup: present on most European pages, so they only count together
# with a page that has (almost) no article text.
_CONSENT_MANAGERS = (
    "onetrust", "didomi", "quantcast", "qc-cmp", "sp_message_container", "cookiebot", "usercentrics",
    "trustarc", "consentmanager", "cookieconsent", "cookie-consent", "cookielaw", "gdpr-consent",
)  # fmt: skip
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
# schema.org's paywall flag in JSON-LD (microdata is read from the tree).
_NOT_FREE = re.compile(r"\"isAccessibleForFree\"\s*:\s*\"?false", re.IGNORECASE)
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
# The page says it is one article (Open Graph, read from the tree, or schema.org JSON-LD): it is not a
# listing, however many links it has.
_ARTICLE_TYPE = re.compile(r"\"@type\"\s*:\s*\"(News|Blog|Report|Scholarly|Tech)?(Article|Posting)\"")
_APP_ROOT_IDS = ("root", "app", "__next", "__nuxt", "app-root", "main-app")
_WORD = re.compile(r"\w+")
# Markup past this point is not scanned for markers: they live in the head and the first screen.
_MARKER_SCAN_CHARS = 300_000


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


class PageSignals:
    """What the verdict reads off a page besides the extracted article, each computed on first use: most
    pages are long articles, and for them the verdict needs next to none of it."""

    def __init__(self, tree: HtmlElement, markup: str) -> None:
        self._tree = tree
        self._markup = markup

    @cached_property
    def _lower_markup(self) -> str:
        return self._markup[:_MARKER_SCAN_CHARS].lower()

    @cached_property
    def title(self) -> str:
        return _first_text(self._tree, ".//title")

    @cached_property
    def heading(self) -> str:
        return _first_text(self._tree, ".//h1")

    @cached_property
    def visible_text(self) -> str:
        return _visible_text(self._tree)

    @cached_property
    def visible_words(self) -> int:
        return _words(self.visible_text)

    @cached_property
    def link_words(self) -> int:
        return _words(" ".join(anchor.text_content() for anchor in self._tree.iterfind(".//a")))

    @cached_property
    def links(self) -> int:
        return sum(1 for _ in self._tree.iterfind(".//a"))

    @cached_property
    def linked_headings(self) -> int:
        return _linked_headings(self._tree)

    @cached_property
    def challenge(self) -> bool:
        return any(marker in self._lower_markup for marker in _CHALLENGE_MARKERS) or bool(
            _CHALLENGE_TITLE.search(self.title)
        )

    @cached_property
    def consent_manager(self) -> bool:
        return any(marker in self._lower_markup for marker in _CONSENT_MANAGERS)

    @cached_property
    def consent_text(self) -> bool:
        return bool(_CONSENT_TEXT.search(self.visible_text[:20_000]))

    @cached_property
    def paywall_text(self) -> bool:
        # A paywall states itself; "Subscribe to continue reading" inside a link is an advertisement.
        return bool(_PAYWALL_TEXT.search(_visible_text(self._tree, outside_links=True)))

    @cached_property
    def _structured_data(self) -> str:
        return " ".join(
            element.text_content() for element in self._tree.xpath('//script[contains(@type, "ld+json")]')
        )

    @cached_property
    def declared_not_free(self) -> bool:
        microdata = self._tree.xpath('//*[@itemprop="isAccessibleForFree"]/@content')
        return bool(_NOT_FREE.search(self._structured_data)) or any(
            str(value).strip().lower() == "false" for value in microdata
        )

    @cached_property
    def declares_article(self) -> bool:
        og_types = self._tree.xpath('//meta[@property="og:type"]/@content')
        return any(str(value).strip().lower() == "article" for value in og_types) or bool(
            _ARTICLE_TYPE.search(self._structured_data)
        )

    @cached_property
    def needs_script_notice(self) -> bool:
        noscript = " ".join(element.text_content() for element in self._tree.iterfind(".//noscript"))
        return bool(_NEEDS_SCRIPT.search(noscript) or _NEEDS_SCRIPT.search(self.visible_text[:5000]))

    @cached_property
    def empty_app_root(self) -> bool:
        return _has_empty_app_root(self._tree)


def page_signals(tree: HtmlElement, markup: str) -> PageSignals:
    """The signals of a parsed page (``tree``, only read) and its markup."""
    return PageSignals(tree, markup)


def judge(signals: PageSignals, paragraphs: Sequence[str]) -> Verdict:
    """The verdict on a page from its signals and the article paragraphs the extractor found in it."""
    paragraph_words = [_words(paragraph) for paragraph in paragraphs]
    words = sum(paragraph_words)
    # Word counts first: they are free, and for most pages they settle it before any signal is computed.
    if words < WALL_TEASER_WORDS and signals.challenge:
        return Verdict(NotArticleReason.BOT_CHALLENGE, "the site shows a bot check instead of the page")
    if words < WALL_TEASER_WORDS and (
        _ERROR_TITLE.search(signals.title) or _ERROR_TITLE.search(signals.heading)
    ):
        return Verdict(NotArticleReason.ERROR_PAGE, f"the page is an error page ({signals.title[:80]!r})")
    if (
        words < MIN_ARTICLE_WORDS
        or (words < WALL_TEASER_WORDS and any(_CONSENT_TEXT.search(paragraph) for paragraph in paragraphs))
    ) and (signals.consent_manager or signals.consent_text):
        return Verdict(NotArticleReason.CONSENT_WALL, "the site asks for cookie consent before the article")
    if (words < WALL_TEASER_WORDS and signals.paywall_text) or (
        words < DECLARED_PAYWALL_TEASER_WORDS and signals.declared_not_free
    ):
        return Verdict(
            NotArticleReason.PAYWALL,
            f"the article is behind a paywall (only {_n_words(words)} public); "
            "send the page's HTML from your browser instead",
        )
    if words < MIN_ARTICLE_WORDS and (signals.needs_script_notice or signals.empty_app_root):
        return Verdict(
            NotArticleReason.NEEDS_JAVASCRIPT,
            "the page is built by JavaScript; send the page's HTML from your browser instead",
        )
    prose_paragraphs = sum(1 for count in paragraph_words if count >= PROSE_PARAGRAPH_WORDS)
    if (
        prose_paragraphs <= LISTING_MAX_PROSE_PARAGRAPHS
        and signals.links >= LISTING_MIN_LINKS
        and not signals.declares_article
        and signals.linked_headings >= LISTING_MIN_LINKED_HEADINGS
        and signals.visible_words
        and signals.link_words / signals.visible_words >= LISTING_LINK_SHARE
    ):
        return Verdict(NotArticleReason.LISTING_PAGE, "the page lists articles; give the URL of one of them")
    if words < MIN_ARTICLE_WORDS:
        return Verdict(
            NotArticleReason.TOO_SHORT,
            f"the page has {_n_words(words)} of article text, fewer than {MIN_ARTICLE_WORDS}",
        )
    return Verdict(None)


def _n_words(count: int) -> str:
    """A count of words as readers write it: 1 word, 12 words."""
    return f"{count} word" if count == 1 else f"{count} words"


# --- Text that is not prose ------------------------------------------------------------------------------

# A text of fewer lines than this is judged prose: a one-line story or a title and a paragraph. Files that
# are not articles (settings, code, tables, link lists) have many lines.
TEXT_MIN_LINES = 3
# The verdict reads the text's first lines up to this many characters: a config file or a table shows
# itself at once, and a 10 MB input is judged as fast as a short one.
TEXT_SCAN_CHARS = 100_000
# Not prose: at least this many structured lines holding at least as many words as the sentences do, or
# (from TEXT_LOW_PROSE_LINES lines on) fewer than this share of the words in sentences (a results table,
# a list of headlines or names).
TEXT_MIN_STRUCTURED_LINES = 3
TEXT_LOW_PROSE_LINES = 5
TEXT_MIN_PROSE_SHARE = 0.2
# A line of prose has at least this many words with letters, ends like a sentence or runs on for at least
# TEXT_RUN_ON_WORDS (a hard-wrapped paragraph), and is mostly letters.
PROSE_LINE_MIN_WORDS = 4
TEXT_RUN_ON_WORDS = 8
PROSE_LETTER_SHARE = 0.6
# Code and markup characters running prose hardly uses; above this share of a line's visible characters
# the line is code ("x = f(y) {", "<div>", "a | b").
_CODE_CHARACTERS = "{}[]<>=|\\_~^`@#*"
CODE_CHARACTER_SHARE = 0.04

_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’»)\]]*$")
# A comment of a config file or a program, or a log line's time stamp.
_COMMENT_OR_STAMP = re.compile(r"^(?:#|//|;|--|/\*|\*/|<!--|%|REM\s)|^\d{4}-\d\d-\d\d[ T]\d\d:\d\d")
# A setting: "key = value", "KEY=value", "key: value" with a bare lowercase key (YAML), "[section]".
_SETTING = re.compile(
    r"^(?:export\s+)?[\w.\-\"'\[\]]+\s*(?:=|:=|=>)\s*\S|^-?\s*[a-z_][\w.\-]*\s*:(?:\s|$)|^\[[^\]]+\]$"
)
_URL = re.compile(r"(?:https?://|ftp://|www\.)\S+", re.IGNORECASE)
# Cells of a CSV or TSV row.
_CELL_SEPARATOR = re.compile(r"[,;\t|]")
_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
# Kana and CJK ideographs: scripts written without spaces between words.
_UNSPACED_LETTER = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


class _LineKind(StrEnum):
    PROSE = "prose"
    STRUCTURED = "structured"
    OTHER = "other"


def judge_text(lines: Sequence[str]) -> Verdict:
    """The verdict on a plain text from its non-blank lines: an article unless most of it is code,
    settings, table rows or links rather than sentences (``not_prose``)."""
    sample = _first_lines(lines)
    if len(sample) < TEXT_MIN_LINES:
        return Verdict(None)
    words = dict.fromkeys(_LineKind, 0)
    structured_lines = 0
    for line in sample:
        kind = _line_kind(line)
        words[kind] += _word_count(line)
        structured_lines += kind is _LineKind.STRUCTURED
    prose, total = words[_LineKind.PROSE], sum(words.values())
    mostly_structured = structured_lines >= TEXT_MIN_STRUCTURED_LINES and words[_LineKind.STRUCTURED] >= prose
    if mostly_structured or (len(sample) >= TEXT_LOW_PROSE_LINES and prose < TEXT_MIN_PROSE_SHARE * total):
        what = "code, settings, table rows or links" if mostly_structured else "a table, a list or headings"
        return Verdict(
            NotArticleReason.NOT_PROSE,
            f"the text is not prose: only {prose} of its {total} words are in sentences; the rest is {what}",
        )
    return Verdict(None)


def _first_lines(lines: Sequence[str]) -> list[str]:
    sample: list[str] = []
    budget = TEXT_SCAN_CHARS
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        sample.append(stripped[:budget])
        budget -= len(stripped)
        if budget <= 0:
            break
    return sample


def _unspaced_words(line: str) -> int:
    """Words of Chinese and Japanese, written without spaces: about one per two characters."""
    return len(_UNSPACED_LETTER.findall(line)) // 2


def _word_count(line: str) -> int:
    return max(len(line.split()), _unspaced_words(line))


def _line_kind(line: str) -> _LineKind:
    """Prose (a sentence, or a run-on line of words), structured (code, a setting, a table row, a link) or
    other (a heading, a name, a label)."""
    if _COMMENT_OR_STAMP.match(line) or _SETTING.match(line):
        return _LineKind.STRUCTURED
    tokens = line.split()
    visible = len(line) - sum(1 for character in line if character.isspace())
    letters = len(_LETTER.findall(line))
    worded = max(sum(1 for token in tokens if _LETTER.search(token)), _unspaced_words(line))
    wordy = worded >= PROSE_LINE_MIN_WORDS and letters >= PROSE_LETTER_SHARE * visible
    ends_sentence = _SENTENCE_END.search(line) is not None
    # A line that reads as a sentence is prose, whatever markup it quotes ("It said <b> is bold."); code
    # lines end in ";", "{" or ")", not in a full stop.
    if wordy and ends_sentence:
        return _LineKind.PROSE
    code = sum(line.count(character) for character in _CODE_CHARACTERS)
    links = sum(len(link) for link in _URL.findall(line))
    cells = len(_CELL_SEPARATOR.findall(line))
    if (
        code > CODE_CHARACTER_SHARE * visible
        or links * 2 > visible
        or len(_DIGIT.findall(line)) > letters
        or (len(tokens) >= 3 and cells >= 2 and cells * 2 >= len(tokens))
    ):
        return _LineKind.STRUCTURED
    return _LineKind.PROSE if wordy and worded >= TEXT_RUN_ON_WORDS else _LineKind.OTHER
