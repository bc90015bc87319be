"""Editors keep the last word: a newsroom pins its own version of an article's summary.

An editor (a write key that may change the article: its owner, or an admin) sends the points in the order
readers should see them. Each point is either taken from the article (``source_span``: the characters of
the article text it came from, kept even when the editor reworded it) or ``written_by_editor``. The pinned
version is what pages, the widget and the API serve when a request names no engine; ``?engine=`` still
gives the machine's. Every pin, edit and clear is kept in the history with who did it and when.

    editorial = Editorial(database)
    editorial.pin(7, [PointDraft("The council approved the bridge.", source_span=(0, 31))], editor)
    editorial.clear(7, editor)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from newsbrief.errors import Forbidden, InvalidInput, NotFound
from newsbrief.models import Article, Sentence, Style, has_unstorable
from newsbrief.options import SummaryOptions
from newsbrief.pipeline import prepare
from newsbrief.storage import editorial_repo, repo
from newsbrief.storage.database import reading
from newsbrief.storage.editorial_repo import StoredEdit, StoredPin
from newsbrief.storage.repo import StoredArticle

# A summary is a few points; past this it is an article of its own (and 10,000 points are an attack).
MAX_POINTS = 20
# The longest news sentences run to ~600 characters; a point three times that is no longer a point.
MAX_POINT_CHARS = 2_000
# What a pinned summary names as its engine: the newsroom, never a model.
EDITOR_ENGINE = "newsroom"
# The styles a pin serves. A headline is one line a machine picks for its length; a pinned list of points
# is not one, so headline requests keep the machine's answer.
PINNED_STYLES = (Style.BULLETS, Style.PARAGRAPH)
HISTORY_LIMIT = 100


@dataclass(frozen=True, slots=True)
class PointDraft:
    """One point as an editor sends it: its text and where it came from (a span of the article text), or
    that the editor wrote it. A point with neither is looked up in the article as it is."""

    text: str
    source_span: tuple[int, int] | None = None
    written_by_editor: bool = False


@dataclass(frozen=True, slots=True)
class PinnedPoint:
    """A checked point: ``exact`` when its text is the article's text at ``source_span``; ``index`` and
    ``paragraph`` name the article sentence the span starts in (what pages link to)."""

    text: str
    source_span: tuple[int, int] | None
    index: int | None
    paragraph: int | None
    exact: bool
    written_by_editor: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "source_span": list(self.source_span) if self.source_span else None,
            "index": self.index,
            "paragraph": self.paragraph,
            "exact": self.exact,
            "written_by_editor": self.written_by_editor,
        }

    @classmethod
    def of(cls, stored: dict[str, Any]) -> PinnedPoint:
        span = stored.get("source_span")
        return cls(
            text=str(stored["text"]),
            source_span=(int(span[0]), int(span[1])) if span else None,
            index=stored.get("index"),
            paragraph=stored.get("paragraph"),
            exact=bool(stored.get("exact")),
            written_by_editor=bool(stored.get("written_by_editor")),
        )

    def served(self) -> dict[str, Any]:
        """The point as a summary sentence of the API: ``start``/``end`` only when the text is exactly the
        article's there (clients check spans against the text), ``source_span`` whenever it came from one."""
        start, end = self.source_span if self.exact and self.source_span else (None, None)
        return {
            "text": self.text,
            "index": self.index,
            "paragraph": self.paragraph,
            "start": start,
            "end": end,
            "score": None,
            "features": {},
            "spans": [] if start is None else [[start, end]],  # the article text the point is made of
            "source_span": list(self.source_span) if self.source_span else None,
            "written_by_editor": self.written_by_editor,
        }


@dataclass(frozen=True, slots=True)
class Editor:
    """Who edits: a key's id (None for a key of NEWSBRIEF_API_KEYS) and its role."""

    key_id: int | None
    role: str

    def may_edit(self, ownership: repo.Ownership) -> bool:
        """The delete rule: admins edit any article's summary, a writer those of articles it stored."""
        return self.role == "admin" or (
            ownership.created_by is not None and ownership.created_by == self.key_id
        )


@dataclass(frozen=True, slots=True)
class SummaryEdit:
    """One row of the history."""

    id: int
    action: str
    points: tuple[PinnedPoint, ...] | None
    editor: str
    at: datetime


# Pure: drafts -> checked points ---------------------------------------------------------------------


def check_points(
    article: Article, sentences: Sequence[Sentence], drafts: Sequence[PointDraft]
) -> tuple[PinnedPoint, ...]:
    """The drafts as points, in their order; InvalidInput naming the first wrong point otherwise."""
    if not drafts:
        raise InvalidInput("a pinned summary needs at least one point")
    if len(drafts) > MAX_POINTS:
        raise InvalidInput(f"a pinned summary has at most {MAX_POINTS} points, not {len(drafts):,}")
    text = article.text
    return tuple(_point(number, draft, text, sentences) for number, draft in enumerate(drafts, 1))


def _point(number: int, draft: PointDraft, text: str, sentences: Sequence[Sentence]) -> PinnedPoint:
    said = draft.text.strip()
    if not said:
        raise InvalidInput(f"point {number} is empty")
    if len(said) > MAX_POINT_CHARS:
        raise InvalidInput(
            f"point {number} has {len(said):,} characters; a point has at most {MAX_POINT_CHARS:,}"
        )
    if has_unstorable(said):
        raise InvalidInput(f"point {number} holds a NUL character or a broken (surrogate) character")
    if draft.written_by_editor and draft.source_span is not None:
        raise InvalidInput(f"point {number}: give its source_span or written_by_editor, not both")
    if draft.written_by_editor:
        return PinnedPoint(said, None, None, None, exact=False, written_by_editor=True)
    span = draft.source_span or _find(said, text)
    if span is None:
        raise InvalidInput(
            f"point {number} is not in the article: give the source_span it came from, "
            "or written_by_editor: true"
        )
    start, end = span
    if not 0 <= start < end <= len(text):
        raise InvalidInput(
            f"point {number}: source_span [{start}, {end}] is not in the article "
            f"(its text has {len(text):,} characters)"
        )
    sentence = _sentence_at(sentences, start)
    return PinnedPoint(
        said,
        (start, end),
        None if sentence is None else sentence.index,
        None if sentence is None else sentence.paragraph,
        exact=text[start:end] == said,
        written_by_editor=False,
    )


def typed_point(text: str, article: Article) -> PointDraft:
    """A point typed into the editor page's empty row: linked to the article when it is the article's
    text as it stands, else the editor's own words."""
    return PointDraft(text, written_by_editor=_find(text.strip(), article.text) is None)


def _find(said: str, text: str) -> tuple[int, int] | None:
    start = text.find(said)
    return None if start < 0 else (start, start + len(said))


def _sentence_at(sentences: Sequence[Sentence], offset: int) -> Sentence | None:
    """The sentence holding ``offset``, or the next one (an offset between two sentences)."""
    return next((sentence for sentence in sentences if offset < sentence.end), None)


def pinned_payload(stored: StoredArticle, pin: StoredPin, style: Style) -> dict[str, Any]:
    """The pinned summary in the one JSON shape of summaries (render.summary_to_dict), marked as edited."""
    points = [PinnedPoint.of(point) for point in pin.points]
    texts = [point.text for point in points]
    return {
        "article_id": stored.id,
        "title": stored.article.title,
        "language": stored.article.language,
        "engine": EDITOR_ENGINE,
        "engine_version": "",
        "style": style.value,
        "options": {"style": style.value, "pinned": True},
        "content_hash": stored.article.content_hash,
        "elapsed_ms": 0.0,
        "text": "\n".join(f"• {text}" for text in texts) if style is Style.BULLETS else " ".join(texts),
        "sentences": [point.served() for point in points],
        "edited": True,
        "pinned_by": pin.pinned_by,
        "pinned_at": pin.pinned_at.isoformat(),
    }


def serves_pin(options: SummaryOptions) -> bool:
    return options.style in PINNED_STYLES


def pinned_summary_of(
    conn: Connection, stored: StoredArticle, options: SummaryOptions
) -> dict[str, Any] | None:
    """The pinned summary of ``stored`` in the style asked, or None (nothing pinned, or a headline)."""
    if not serves_pin(options):
        return None
    pin = editorial_repo.get_pin(conn=conn, article_id=stored.id)
    return None if pin is None else pinned_payload(stored, pin, options.style)


def pinned_summary_of_article(
    conn: Connection, article_id: int, options: SummaryOptions
) -> dict[str, Any] | None:
    """As ``pinned_summary_of`` from an id; the article is read only when a pin exists."""
    if not serves_pin(options):
        return None
    pin = editorial_repo.get_pin(conn=conn, article_id=article_id)
    if pin is None:
        return None
    stored = repo.get_article(conn=conn, article_id=article_id)
    return None if stored is None else pinned_payload(stored, pin, options.style)


# The use cases ----------------------------------------------------------------------------------------


class Editorial:
    """Pinning, editing and clearing summaries over one database (``Service.editorial``)."""

    def __init__(self, database: Engine) -> None:
        self.database = database

    def pin(
        self, article_id: int, drafts: Sequence[PointDraft], editor: Editor
    ) -> tuple[StoredArticle, StoredPin]:
        """Pin ``drafts`` as the article's summary (a new pin, or an edit of the pinned one)."""
        with reading(self.database) as conn:
            stored = self._editable(conn, article_id, editor)
        # Checked outside the write transaction: segmenting a long article must not hold the write lock.
        points = check_points(stored.article, prepare(stored.article).sentences, drafts)
        with self.database.begin() as writer:
            self._editable(writer, article_id, editor)  # still there, still theirs
            pin = editorial_repo.save_pin(
                conn=writer,
                article_id=article_id,
                points=[point.as_dict() for point in points],
                editor=_editor_name(writer, editor),
                editor_key=editor.key_id,
            )
        return stored, pin

    def clear(self, article_id: int, editor: Editor) -> None:
        """Unpin the article's summary: readers get the machine's again."""
        with self.database.begin() as writer:
            self._editable(writer, article_id, editor)
            cleared = editorial_repo.clear_pin(
                conn=writer,
                article_id=article_id,
                editor=_editor_name(writer, editor),
                editor_key=editor.key_id,
            )
        if not cleared:
            raise NotFound(f"article {article_id} has no pinned summary")

    def pinned(self, article_id: int) -> StoredPin | None:
        with reading(self.database) as conn:
            return editorial_repo.get_pin(conn=conn, article_id=article_id)

    def history(self, article_id: int, *, limit: int = HISTORY_LIMIT, offset: int = 0) -> list[SummaryEdit]:
        """The article's pins, edits and clears, newest first (NotFound for an unknown article)."""
        with reading(self.database) as conn:
            if repo.article_ownership(conn=conn, article_id=article_id) is None:
                raise NotFound(f"no article {article_id}")
            rows = editorial_repo.list_edits(conn=conn, article_id=article_id, limit=limit, offset=offset)
        return [_edit(row) for row in rows]

    def may_edit(self, article_id: int, editor: Editor) -> StoredArticle:
        """The article when ``editor`` may edit its summary (NotFound, Forbidden otherwise)."""
        with reading(self.database) as conn:
            return self._editable(conn, article_id, editor)

    @staticmethod
    def _editable(conn: Connection, article_id: int, editor: Editor) -> StoredArticle:
        ownership = repo.article_ownership(conn=conn, article_id=article_id)
        stored = None if ownership is None else repo.get_article(conn=conn, article_id=article_id)
        if ownership is None or stored is None:
            raise NotFound(f"no article {article_id}")
        if not editor.may_edit(ownership):
            raise Forbidden("only the key that stored this article, or an admin key, may edit its summary")
        return stored


def _editor_name(conn: Connection, editor: Editor) -> str:
    """How the history and readers name an editor: the key's label, else its number; "admin" for a key of
    NEWSBRIEF_API_KEYS (those have no name, and the key itself is never shown)."""
    if editor.key_id is None:
        return "admin"
    key = repo.get_active_api_key(conn=conn, key_id=editor.key_id)
    return (key.label if key is not None and key.label else None) or f"key {editor.key_id}"


def _edit(row: StoredEdit) -> SummaryEdit:
    points = None if row.points is None else tuple(PinnedPoint.of(point) for point in row.points)
    return SummaryEdit(id=row.id, action=row.action, points=points, editor=row.editor, at=row.created_at)
