"""Full-text search of stored articles, the same on SQLite (FTS5) and PostgreSQL (tsvector).

The syntax is small and the same on both databases:

    harbour ferry           both words (in any order)
    roof OR tram            either word (``OR`` in capitals; a lowercase "or" is a word)
    "harbour wall"          the words next to each other, in this order
    "harbour wall" OR tram  any mix: OR binds looser than the words beside it

Nothing a user types reaches the database's own query syntax: the text is read into words, phrases and
ORs here (an unbalanced quote closes at the end), and each database gets an expression built from words
only, so FTS5 operators, tsquery characters and SQL are searched as the words they contain, never parsed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, Connection, bindparam, text

from newsbrief.errors import InvalidInput

# A word is letters and digits: both FTS5's unicode61 tokenizer and PostgreSQL's parser split at anything
# else (an underscore too), so "covid-19" or "U.S." is searched as a phrase of its words.
_WORD = re.compile(r"[^\W_]+")
# A quoted phrase (closed by the end of the text when the quote is not), the OR operator, or a run of
# anything else up to the next space or quote.
_TOKEN = re.compile(r'"(?P<phrase>[^"]*)"?|(?P<chunk>[^\s"]+)')
# A bound on the work of one search for callers of the library (the pages and the API cap the text at 500
# characters, which holds at most 250 words: every search they send stays under it).
MAX_SEARCH_WORDS = 256
# What the databases put around the matched words in a snippet: control characters, which the text we
# store never holds (normalisation removes them), so they cannot be confused with the article's own text.
_START, _STOP = "\x02", "\x03"
_SNIPPET_WORDS = 24
_HEADLINE_OPTIONS = (
    f'StartSel={_START}, StopSel={_STOP}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'
)

Phrase = tuple[str, ...]
Conjunction = tuple[Phrase, ...]


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A search as alternatives (OR) of conjunctions (every phrase) of phrases (words side by side)."""

    alternatives: tuple[Conjunction, ...]

    @property
    def is_empty(self) -> bool:
        return not self.alternatives


@dataclass(frozen=True, slots=True)
class Snippet:
    """A passage of an article around what a search matched; ``highlights`` are ``(start, end)`` offsets
    into ``text`` of the matched words."""

    text: str
    highlights: tuple[tuple[int, int], ...]

    def parts(self) -> list[tuple[str, bool]]:
        """The text in pieces, each with whether it is highlighted (for a page to escape and mark)."""
        pieces: list[tuple[str, bool]] = []
        cursor = 0
        for start, end in self.highlights:
            if start > cursor:
                pieces.append((self.text[cursor:start], False))
            pieces.append((self.text[start:end], True))
            cursor = end
        if cursor < len(self.text):
            pieces.append((self.text[cursor:], False))
        return pieces


def parse_query(query: str) -> SearchQuery:
    """Words, quoted phrases and ORs of a search (see the module's docstring); never an error for odd
    text: what is not a word is a separator.

    Raises:
        InvalidInput: more than MAX_SEARCH_WORDS words.
    """
    alternatives: list[Conjunction] = []
    current: list[Phrase] = []
    words = 0
    for match in _TOKEN.finditer(query):
        if match["chunk"] == "OR":
            if current:
                alternatives.append(tuple(current))
                current = []
            continue
        phrase = tuple(_WORD.findall(match[0]))  # each database folds case its own way
        if phrase:
            words += len(phrase)
            current.append(phrase)
    if current:
        alternatives.append(tuple(current))
    if words > MAX_SEARCH_WORDS:
        raise InvalidInput(f"the search has {words} words; use at most {MAX_SEARCH_WORDS}")
    return SearchQuery(tuple(dict.fromkeys(alternatives)))


def fts5_expression(query: SearchQuery) -> str:
    """The query for SQLite's FTS5 ``MATCH``: every word in double quotes, so none is an operator."""
    return " OR ".join(
        "(" + " AND ".join('"' + " ".join(phrase) + '"' for phrase in conjunction) + ")"
        for conjunction in query.alternatives
    )


def tsquery_expression(query: SearchQuery) -> str:
    """The query for PostgreSQL's ``to_tsquery``: every word a quoted lexeme (words hold no quote)."""
    return " | ".join(
        "(" + " & ".join(_tsquery_phrase(phrase) for phrase in conjunction) + ")"
        for conjunction in query.alternatives
    )


def _tsquery_phrase(phrase: Phrase) -> str:
    return "(" + " <-> ".join(f"'{word}'" for word in phrase) + ")"


def matching_condition(conn: Connection, query: SearchQuery) -> Any:
    """A WHERE condition on ``articles`` for the articles matching a (non-empty) query."""
    if conn.dialect.name == "sqlite":
        from newsbrief.storage.schema import articles

        matching = text("SELECT rowid FROM articles_fts WHERE articles_fts MATCH :match").bindparams(
            match=fts5_expression(query)
        )
        return articles.c.id.in_(matching.columns(rowid=articles.c.id.type).subquery().select())
    return text("articles.search @@ to_tsquery('simple', :tsquery)").bindparams(
        tsquery=tsquery_expression(query)
    )


def snippets(*, conn: Connection, query: SearchQuery, article_ids: Sequence[int]) -> dict[int, Snippet]:
    """For each article of ``article_ids``, a passage of its body with the query's words highlighted (only
    the page being shown: a snippet costs a pass over the article's text)."""
    if query.is_empty or not article_ids:
        return {}
    ids: BindParameter[list[int]] = bindparam("ids", value=list(article_ids), expanding=True)
    if conn.dialect.name == "sqlite":
        statement = text(
            "SELECT rowid, snippet(articles_fts, 1, :start, :stop, '…', :words) FROM articles_fts "
            "WHERE articles_fts MATCH :match AND rowid IN :ids"
        ).bindparams(ids, start=_START, stop=_STOP, words=_SNIPPET_WORDS, match=fts5_expression(query))
    else:
        statement = text(
            "SELECT id, ts_headline('simple', body, to_tsquery('simple', :tsquery), :options) "
            "FROM articles WHERE id IN :ids"
        ).bindparams(ids, tsquery=tsquery_expression(query), options=_HEADLINE_OPTIONS)
    return {int(row[0]): read_marked(str(row[1] or "")) for row in conn.execute(statement)}


def read_marked(marked: str) -> Snippet:
    """A snippet from the database's text with start and stop marks: the marks become offsets, runs of
    white space one space, and highlights only a space apart one highlight ("harbour wall")."""
    pieces: list[str] = []
    highlights: list[tuple[int, int]] = []
    length = 0
    inside = False
    for part in re.split(f"([{_START}{_STOP}])", marked):
        if part in (_START, _STOP):
            inside = part == _START
            continue
        piece = re.sub(r"\s+", " ", part)
        if pieces and pieces[-1].endswith(" ") and piece.startswith(" "):
            piece = piece[1:]
        if not pieces:
            piece = piece.lstrip()
        if inside and piece:
            if highlights and not _keeps_apart("".join(pieces)[highlights[-1][1] :]):
                highlights[-1] = (highlights[-1][0], length + len(piece))
            else:
                highlights.append((length, length + len(piece)))
        pieces.append(piece)
        length += len(piece)
    joined = "".join(pieces)
    trimmed = joined.rstrip()
    return Snippet(trimmed, tuple((start, min(end, len(trimmed))) for start, end in highlights))


def _keeps_apart(between: str) -> bool:
    """Whether text between two highlights keeps them apart (anything but white space)."""
    return between.strip() != ""
