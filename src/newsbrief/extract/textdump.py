"""Plain text and text dumps of news pages (a page saved as text) to an Article, without the site's chrome.

The rules are general, not tuned to one site: a dump is a sequence of lines; prose lines are the article,
and what sits around them is judged by shape and by the vocabulary web pages use for their furniture
(calls to action, share and subscribe buttons, navigation labels with the linked titles under them, lines
repeated above and below the article). The first headline-like line is the title, the next the standfirst.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from newsbrief.errors import NotAnArticle
from newsbrief.extract.verdict import TEXT_SCAN_CHARS, judge_text
from newsbrief.models import Article
from newsbrief.text.normalize import normalize_text

# A line ending like a sentence (closing quotes and brackets allowed after the mark).
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)\]]*$")
# Prose: a sentence-like line of at least this many words, or any line this long (unpunctuated text).
_PROSE_MIN_WORDS = 6
_LONG_LINE_WORDS = 25
# Chrome is short: a line repeated above and below the article, or a button label, has few words.
_CHROME_MAX_WORDS = 10
# A wrapped line (hard line breaks inside a paragraph) is at least this long and runs on without punctuation.
_WRAPPED_MIN_CHARS = 40

_WORDS = r"(?:[\w'’-]+\s*){0,6}"
# Interface vocabulary of news sites (English first, then the other languages we serve).
_CHROME_PATTERNS = [
    r"no time to read\??",
    r"get (?:a|the|your) summary",
    r"(?:read|show|see|load|view) (?:more|less|all|full (?:story|article))\b.*",
    r"continue reading.*",
    # Calls to action: "Click here", "CLICK FOR FULL RESULTS", "Tap to watch".
    r"(?:click|tap) (?:here|for|to|through)\b.*",
    r"(?:share|tweet|pin|email|print|copy link|save)(?: (?:this|the))?(?: (?:article|story|page|post|link))?"
    rf"(?: (?:on|via|to) {_WORDS})?",
    r"(?:facebook|twitter|x|linkedin|whatsapp|telegram|reddit|pinterest|instagram|youtube|tiktok|vk|email)",
    r"(?:subscribe|sign up|sign in|log ?in|register|join)(?: (?:now|today|for free|here))?"
    rf"(?: (?:to|for) {_WORDS})?",
    rf"(?:follow|like) us(?: on {_WORDS})?",
    r"(?:our |the |daily |weekly )?newsletters?",
    r"advertisement|advert|ad|sponsored(?: content)?|promoted|paid content",
    r"(?:\d+ )?comments?|leave a (?:comment|reply)|add a comment",
    r"(?:©|\(c\)|copyright\b).*",
    r"(?:tags?|topics?|filed under|categories)\s*:.*",
    r"(?:photo|image|picture|video|credit|illustration)s?\s*:.*",
    r"skip to (?:main )?content|back to top|top of page|menu|search|home",
    # Russian, French, German, Spanish equivalents of the commonest buttons.
    r"поделиться|подписаться|читать (?:далее|также|еще|ещё)|реклама|комментарии",
    r"partager|s'abonner|lire (?:aussi|la suite)|publicité",
    r"teilen|abonnieren|weiterlesen|mehr zum thema|anzeige|werbung",
    r"compartir|suscríbete|suscribirse|leer más|publicidad",
]
# Labels after which a site lists links to other stories: the label and the linked titles are chrome.
_NAVIGATION_PATTERNS = [
    r"(?:previous|next|prev|older|newer)(?: (?:article|post|story|page|item))?",
    r"related(?: (?:articles|stories|news|content|posts|coverage))?",
    r"more (?:stories|news|articles|from\b.*)",
    r"read (?:next|also)|also read|see also|recommended(?: for you)?|you may also like|don't miss",
    r"most (?:read|popular|viewed|shared)|trending(?: now)?|latest(?: news)?|top stories|editor's picks",
    r"предыдущая(?: статья)?|следующая(?: статья)?|похожие (?:статьи|новости)|читайте также",
    r"article (?:précédent|suivant)|à lire aussi|voir aussi",
    r"(?:vorheriger|nächster) artikel|das könnte sie auch interessieren",
    r"(?:artículo|noticia) (?:anterior|siguiente)|te puede interesar|noticias relacionadas",
]
_CHROME = re.compile(r"^(?:" + "|".join(_CHROME_PATTERNS) + r")[\s.!:>»›→]*$", re.IGNORECASE)
_NAVIGATION = re.compile(r"^(?:" + "|".join(_NAVIGATION_PATTERNS) + r")[\s.!:>»›→<«‹←]*$", re.IGNORECASE)
_BYLINE = re.compile(r"^(?:by|от|par|von|por)\s+\S.{0,80}$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Line:
    text: str
    block: int  # index of the blank-line-separated block the line sits in

    @property
    def word_count(self) -> int:
        return len(self.text.split())

    @property
    def is_prose(self) -> bool:
        words = self.word_count
        return words >= _LONG_LINE_WORDS or (
            words >= _PROSE_MIN_WORDS and _SENTENCE_END.search(self.text) is not None
        )


def parse_text(text: str, *, url: str | None = None, language: str | None = None) -> Article:
    """A text or a page dump as an Article: title, standfirst, byline and body paragraphs, chrome dropped.

    Raises:
        NotAnArticle: the text is not prose (settings, code, a table, a list of links): reason
            ``not_prose``, as the HTML verdict refuses pages that are not articles.
    """
    read = _read_lines(text)
    _refuse_if_not_prose(read)
    lines = _drop_chrome(_join_wrapped(read))
    first_prose = next((i for i, line in enumerate(lines) if line.is_prose), None)
    if first_prose is None:
        return Article(paragraphs=tuple(line.text for line in lines), url=url, language=language)
    last_prose = _last_body_line(lines, max(i for i, line in enumerate(lines) if line.is_prose))
    head, body = lines[:first_prose], lines[first_prose : last_prose + 1]
    title, subtitle, byline = _read_head(head)
    return Article(
        paragraphs=tuple(line.text for line in body),
        title=title,
        subtitle=subtitle,
        byline=byline,
        url=url,
        language=language,
    )


def _last_body_line(lines: list[_Line], last_prose: int) -> int:
    """The last line of the body: the last prose line, and the short sentences typed right under it in the
    same block ("Work starts in spring."), which are the story's end, not the page's furniture."""
    while (
        last_prose + 1 < len(lines)
        and lines[last_prose + 1].block == lines[last_prose].block
        and _SENTENCE_END.search(lines[last_prose + 1].text) is not None
    ):
        last_prose += 1
    return last_prose


def _refuse_if_not_prose(lines: list[_Line]) -> None:
    """NotAnArticle unless the text's first lines, as typed (before wrapped lines are joined: a CSV row
    starting with a digit would join the row above), chrome dropped, are prose."""
    head: list[_Line] = []
    size = 0
    for line in lines:
        head.append(line)
        size += len(line.text)
        if size >= TEXT_SCAN_CHARS:
            break
    verdict = judge_text([line.text for line in _drop_chrome(head)])
    if verdict.reason is not None:
        raise NotAnArticle(verdict.detail, reason=verdict.reason.value)


def _read_lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    block = 0
    for raw in normalize_text(text).split("\n"):
        if raw:
            lines.append(_Line(raw, block))
        else:
            block += 1
    return lines


def _drop_chrome(lines: list[_Line]) -> list[_Line]:
    """Remove interface lines, navigation labels with the titles they link, and short repeated lines."""
    counts = Counter(_key(line) for line in lines if not line.is_prose)
    kept: list[_Line] = []
    in_navigation = False
    for line in lines:
        if _NAVIGATION.match(line.text):
            in_navigation = True
            continue
        if in_navigation and not line.is_prose:
            continue  # a linked title under "Next Article", "Related", ...
        in_navigation = False
        short = line.word_count <= _CHROME_MAX_WORDS
        if short and (_CHROME.match(line.text) or counts[_key(line)] > 1):
            continue
        kept.append(line)
    return kept


def _key(line: _Line) -> str:
    return " ".join(line.text.lower().split())


def _read_head(head: list[_Line]) -> tuple[str | None, str | None, str | None]:
    """Title, standfirst and byline from the lines above the first prose line."""
    byline = next((line.text for line in head if _BYLINE.match(line.text)), None)
    headings = [line.text for line in head if line.text != byline]
    title = headings[0] if headings else None
    subtitle = headings[1] if len(headings) > 1 else None
    return title, subtitle, byline


def _join_wrapped(lines: list[_Line]) -> list[_Line]:
    """Join hard-wrapped lines: a long unpunctuated line continued by a lowercase line in the same block."""
    joined: list[_Line] = []
    for line in lines:
        previous = joined[-1] if joined else None
        wrapped = (
            previous is not None
            and previous.block == line.block
            and len(previous.text) >= _WRAPPED_MIN_CHARS
            and _SENTENCE_END.search(previous.text) is None
            and (line.text[0].islower() or line.text[0].isdigit())
        )
        if previous is not None and wrapped:
            joined[-1] = _Line(f"{previous.text} {line.text}", line.block)
        else:
            joined.append(line)
    return joined


def is_chrome_line(text: str) -> bool:
    """True for a short interface line (a button, share or subscribe label, a credit) of a news page."""
    return len(text.split()) <= _CHROME_MAX_WORDS and _CHROME.match(text) is not None


def is_navigation_label(text: str) -> bool:
    """True for a label under which a page lists other stories ("Related", "Most read", "Next article")."""
    return _NAVIGATION.match(text) is not None
