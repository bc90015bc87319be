"""The chrome trafilatura keeps: lines of site furniture inside what it took for the article.

General rules, not rules for sites: calls to action (subscribe, sign up, follow us, share), credits and
copyright lines, bare links and e-mail lines, lone dates, and the tail of "Related / More / Most read" lists
that follows the story. Each rule looks at one short line's whole text, so prose that merely mentions a
newsletter or Twitter is kept.
"""

from __future__ import annotations

import re

from newsbrief.extract.textdump import is_chrome_line, is_navigation_label

# Chrome lines are short; a longer line is prose whatever words it contains.
_MAX_CHROME_WORDS = 25
# A list label ("Related", "More from...") only ends the story when it comes this far into it.
_TAIL_START_SHARE = 0.5

_CALL_TO_ACTION = re.compile(
    r"^(?:(?:click|tap) here|sign ?up|subscribe|join|get (?:the|our)|download|register|follow|like us|"
    r"listen to|watch|stay on top|don't miss|thanks for (?:signing up|reading)|want more|"
    r"keep an eye on your inbox|an error has occurred|there was an error|sorry!?$|"
    r"(?:like|enjoyed) this (?:story|article)|share (?:it|this)|tell us what you think|"
    r"order reprints|print (?:this )?article|explore further|most read|popular on|also on|"
    r"note: we are|reach the (?:reporter|writer)s?|write to|contact the (?:reporter|writer|author)|"
    r"follow .{1,60} on (?:twitter|facebook|instagram|linkedin|youtube|x)\b|"
    r"(?:s'abonner|abonnez-vous|inscrivez-vous|suivez-nous|jetzt abonnieren|folgen sie uns|"
    r"suscríbete|síguenos|подпишитесь|читайте нас))(?:\b|$)",
    re.IGNORECASE,
)
_TRAILING_CALL = re.compile(r"\s*click to tweet\s*$", re.IGNORECASE)
_EMAIL_OR_HANDLE_LINE = re.compile(r"\S+@\S+\.\w{2,}", re.IGNORECASE)
_CONTACT_LINE_MAX = 300
# A line that is only a date and/or a time ("22 de janeiro de 2018 às 0:13", "2019-11-19T08:57:40+01:00",
# "Published 18 November 2019", "November 20, 2019 - 11:28 AMT").
_LONE_DATE = re.compile(
    r"^[\W_]*(?:(?:published|updated|posted|veröffentlicht|publié|publicado|опубликовано)\b[\s:]*)?"
    r"(?:\w+[,.]?\s+){0,6}"
    r"(?:\d{1,4}[-./]\d{1,2}[-./]\d{1,4}|\d{1,2}\.?\s+\w+\.?\s+\d{4}|\w+\.?\s+\d{1,2},?\s+\d{4}|"
    r"\d{1,2}\s+de\s+\w+\s+de\s+\d{4})"
    r"(?:[\sT,à-]+(?:às?|at|um|a las|в)?\s*\d{1,2}[:h.]\d{2}(?::\d{2})?"
    r"(?:[+-]\d{2}:?\d{2}|\s*[ap]\.?m\.?|\s*[A-Z]{2,4})?)?"
    r"[\W_]*$",
    re.IGNORECASE,
)
_READING_TIME = re.compile(
    r"^[\W_]*(?:\d+\s*(?:min(?:ute)?s?|мин\w*)\.?\s*(?:read|de lecture|lesezeit|de lectura|чтения)|"
    r"(?:reading time|tempo de leitura|temps de lecture|lesezeit|tiempo de lectura)\s*:?\s*\d+.*)$",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(
    r"^(?:copyright\b|©|\(c\)\s*\d{4}|all rights reserved).*$|.*\ball rights reserved\.?$", re.IGNORECASE
)
_RELATED_PREFIX = re.compile(
    r"^\W*(?:related|read more|read also|see also|more|also read|recommended|lire aussi|à lire aussi|"
    r"mehr zum thema|lesen sie auch|te puede interesar|читайте также)\s*[:\]]",
    re.IGNORECASE,
)


def _words(line: str) -> int:
    return len(line.split())


def is_boilerplate(line: str) -> bool:
    """True for one line of site furniture (short, and wholly a call to action, credit, link or date)."""
    if _words(line) > _MAX_CHROME_WORDS:
        return False
    text = line.strip().lstrip("-–—•·*> ").strip()
    if not text:
        return True
    return bool(
        is_chrome_line(text)
        or (_words(text) <= 6 and is_navigation_label(text))
        or _CALL_TO_ACTION.match(text)
        or _LONE_DATE.match(text)
        or _READING_TIME.match(text)
        or _COPYRIGHT.match(text)
        or _RELATED_PREFIX.match(text)
        # Only short lines can be a contact line; the length test first keeps the search linear (a long
        # line with no "@" made it try every start position: quadratic).
        or (len(text) <= _CONTACT_LINE_MAX and _words(text) <= 15 and _EMAIL_OR_HANDLE_LINE.search(text))
    )


def _tail_start(lines: list[str]) -> int:
    """Where a list of other stories begins after the article: a list label past the middle of the text."""
    total = sum(_words(line) for line in lines) or 1
    seen = 0
    for index, line in enumerate(lines):
        if seen / total >= _TAIL_START_SHARE and _words(line) <= 6 and is_navigation_label(line.strip()):
            return index
        seen += _words(line)
    return len(lines)


def strip_boilerplate(lines: list[str]) -> list[str]:
    """The article's lines without furniture lines and without a trailing list of other stories."""
    kept = [_TRAILING_CALL.sub("", line) for line in lines[: _tail_start(lines)]]
    cleaned = [line for line in kept if not is_boilerplate(line)]
    # Never strip an article to nothing: if every line looked like furniture, the rules were wrong here.
    return cleaned or lines
