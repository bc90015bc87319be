"""Editors keep the last word: the API to pin, edit and clear an article's summary, its history, and the
editor's page (a plain form: no JavaScript needed).

    PUT    /api/v1/articles/{id}/summary          pin the points sent (a write key that may edit the article)
    DELETE /api/v1/articles/{id}/summary          clear the pin: readers get the machine's summary again
    GET    /api/v1/articles/{id}/summary/edits    the pinned version and every pin, edit and clear
    GET    /articles/{id}/edit, POST the same     the editor's page, for a logged-in editor

The reading side is in services/summaries.py: a summary request that names no engine gets the pinned
version. Pages and summary responses are cached per process for up to a minute (web/cache.py); a pin or a
clear drops the article's entries in the process that made it, and other processes follow within that
minute, as browsers do (Cache-Control max-age=60).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from newsbrief.config import Settings
from newsbrief.errors import Forbidden, InvalidInput
from newsbrief.models import Style
from newsbrief.options import SummaryOptions
from newsbrief.services import Service
from newsbrief.services.editorial import (
    MAX_POINTS,
    Editor,
    PinnedPoint,
    PointDraft,
    SummaryEdit,
    pinned_payload,
    typed_point,
)
from newsbrief.services.summaries import summary_of_stored
from newsbrief.storage.database import reading
from newsbrief.storage.editorial_repo import StoredPin
from newsbrief.storage.repo import StoredArticle
from newsbrief.web import security
from newsbrief.web.api import ERRORS
from newsbrief.web.deps import (
    ArticleId,
    Caller,
    WriterDep,
    caller_for_key,
    require_page_access,
    session_caller,
)
from newsbrief.web.pages import render
from newsbrief.web.schemas import SummaryPublic
from newsbrief.web.service import PAGE_LENGTHS

router = APIRouter(prefix="/api/v1", tags=["editorial"], responses=ERRORS)  # type: ignore[arg-type]
pages = APIRouter(include_in_schema=False, dependencies=[Depends(require_page_access)])


class PointIn(BaseModel):
    """One point of a pinned summary, in the order readers see it."""

    text: str = Field(description="The point as readers see it (at most 2,000 characters).")
    source_span: tuple[int, int] | None = Field(
        default=None,
        description="[start, end]: the characters of the article text the point came from (kept when the "
        "editor rewords it). Omitted: the point must be the article's text as it stands (it is found), or "
        "written_by_editor.",
    )
    written_by_editor: bool = Field(default=False, description="The editor's own words, from no span.")


class PinRequest(BaseModel):
    """The points to pin (1 to 20), in order: the article's summary for every reader until cleared."""

    points: list[PointIn]


class EditPointPublic(BaseModel):
    text: str
    source_span: list[int] | None
    index: int | None = Field(description="The article sentence the span starts in.")
    paragraph: int | None
    exact: bool = Field(description="The text is exactly the article's text at source_span.")
    written_by_editor: bool


class SummaryEditPublic(BaseModel):
    id: int
    action: str = Field(description="pin (the first), edit (a pin replaced) or clear.")
    editor: str = Field(description="The key's label ('admin' for a key of NEWSBRIEF_API_KEYS).")
    at: datetime
    points: list[EditPointPublic] | None = Field(description="What was pinned (None for a clear).")

    @classmethod
    def of(cls, edit: SummaryEdit) -> SummaryEditPublic:
        points = (
            None if edit.points is None else [EditPointPublic(**point.as_dict()) for point in edit.points]
        )
        return cls(id=edit.id, action=edit.action, editor=edit.editor, at=edit.at, points=points)


class SummaryEditsPublic(BaseModel):
    article_id: int
    pinned: SummaryPublic | None = Field(description="The pinned summary readers get now, if any.")
    edits: list[SummaryEditPublic] = Field(description="Every pin, edit and clear, newest first.")


def _editor(caller: Caller) -> Editor:
    return Editor(key_id=caller.key_id, role=caller.role)


def _service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def _forget(request: Request, article_id: int) -> None:
    """Drop this process's cached pages and summary responses of the article: the next reader sees the
    change at once (other processes within their cache's minute)."""
    request.app.state.response_cache.drop_article(article_id)
    request.app.state.page_cache.drop_article(article_id)


def _public(stored: StoredArticle, pin: StoredPin) -> SummaryPublic:
    return SummaryPublic.model_validate(pinned_payload(stored, pin, Style.BULLETS))


@router.put("/articles/{article_id}/summary", response_model=SummaryPublic)
def pin_summary(
    article_id: ArticleId, body: PinRequest, request: Request, caller: WriterDep
) -> SummaryPublic:
    """Pin the newsroom's summary of an article: the points sent, in their order (a write key that stored
    the article, or an admin key). Pages, the widget and this API then serve it, marked ``edited``, to every
    request that names no engine (``?engine=`` still gives the machine's). A pin replaces the previous one;
    each is kept in the history.

    Each point is taken from the article (``source_span``, kept when the editor rewords it; a point that is
    the article's text as it stands is found without one) or ``written_by_editor``. Refused with 422: no
    points, more than 20, an empty point, one over 2,000 characters, one holding NUL, a span outside the
    article, a point neither in the article nor marked as the editor's; 403: another key's article;
    401: no valid key; 404: no such article."""
    drafts = [PointDraft(point.text, point.source_span, point.written_by_editor) for point in body.points]
    stored, pin = _service(request).editorial.pin(article_id, drafts, _editor(caller))
    _forget(request, article_id)
    return _public(stored, pin)


@router.delete("/articles/{article_id}/summary", status_code=204)
def clear_summary(article_id: ArticleId, request: Request, caller: WriterDep) -> Response:
    """Clear the pinned summary: readers get the machine's again (the clear is kept in the history);
    404 when nothing is pinned."""
    _service(request).editorial.clear(article_id, _editor(caller))
    _forget(request, article_id)
    return Response(status_code=204)


@router.get("/articles/{article_id}/summary/edits", response_model=SummaryEditsPublic)
def summary_edits(
    article_id: ArticleId,
    request: Request,
    caller: WriterDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> SummaryEditsPublic:
    """For the article's editors (the key that stored it, or an admin key): the pinned summary and the
    history of every pin, edit and clear, newest first, with who and when."""
    editorial = _service(request).editorial
    stored = editorial.may_edit(article_id, _editor(caller))
    pin = editorial.pinned(article_id)
    history = editorial.history(article_id, limit=limit, offset=offset)
    return SummaryEditsPublic(
        article_id=article_id,
        pinned=None if pin is None else _public(stored, pin),
        edits=[SummaryEditPublic.of(edit) for edit in history],
    )


# The editor's page -------------------------------------------------------------------------------------

# Empty rows under the points, for points the editor adds.
NEW_ROWS = 2


def _page_caller(request: Request) -> Caller | None:
    """The logged-in editor (a session), or a key in the Authorization header."""
    settings: Settings = request.app.state.settings
    with reading(_service(request).database) as connection:
        authorization = request.headers.get("authorization", "")
        if authorization.lower().startswith("bearer "):
            return caller_for_key(settings, connection, authorization[7:].strip())
        return session_caller(request, connection)


def _login_first(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/login?next={request.url.path}", status_code=303)


@pages.get("/articles/{article_id}/edit", response_class=HTMLResponse, response_model=None)
def editor_page(article_id: ArticleId, request: Request) -> Response:
    """The summary readers get, as a form: reword, reorder (the numbers), remove (empty the text), add
    points, then pin; or clear the pin. Below: the history."""
    caller = _page_caller(request)
    if caller is None:
        return _login_first(request)
    return _editor_form(request, article_id, _editor(caller), error=None, status=200)


@pages.post("/articles/{article_id}/edit", response_class=HTMLResponse, response_model=None)
async def editor_post(
    article_id: ArticleId,
    request: Request,
    action: Annotated[str, Form(pattern="^(pin|clear)$")] = "pin",
    text: Annotated[list[str] | None, Form()] = None,
    span: Annotated[list[str] | None, Form()] = None,
    order: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Pin the form's points, or clear the pin; then show the article with its summary open."""
    if security.is_same_origin(request.headers, request.headers.get("host", "")) is False:
        raise Forbidden("this form only works from this site")
    caller = await run_in_threadpool(_page_caller, request)
    if caller is None:
        return _login_first(request)
    editor = _editor(caller)
    editorial = _service(request).editorial
    try:
        if action == "clear":
            await run_in_threadpool(editorial.clear, article_id, editor)
        else:
            stored = await run_in_threadpool(editorial.may_edit, article_id, editor)
            drafts = form_drafts(stored, text or [], span or [], order or [])
            await run_in_threadpool(editorial.pin, article_id, drafts, editor)
    except InvalidInput as error:
        return await run_in_threadpool(
            _editor_form, request, article_id, editor, error=error.message, status=error.status
        )
    _forget(request, article_id)
    return RedirectResponse(f"/articles/{article_id}?summary=1#summary", status_code=303)


def form_drafts(
    stored: StoredArticle, texts: list[str], spans: list[str], orders: list[str]
) -> list[PointDraft]:
    """The form's rows as drafts: empty rows dropped, sorted by their numbers (a row without a valid number
    keeps its place). A row with a span keeps it; a new row is linked when it is the article's text."""
    filled = [position for position, said in enumerate(texts) if said.strip()]
    if len(filled) > MAX_POINTS:  # refused before each row is looked up in the article
        raise InvalidInput(f"a pinned summary has at most {MAX_POINTS} points, not {len(filled):,}")
    rows: list[tuple[float, int, PointDraft]] = []
    for position in filled:
        said = texts[position]
        where = _span(spans[position] if position < len(spans) else "")
        draft = PointDraft(said, source_span=where) if where else typed_point(said, stored.article)
        rows.append((_number(orders[position] if position < len(orders) else "", position), position, draft))
    return [draft for _, _, draft in sorted(rows, key=lambda row: (row[0], row[1]))]


def _span(value: str) -> tuple[int, int] | None:
    start, _, end = value.partition(":")
    if not (start.isascii() and start.isdigit() and end.isascii() and end.isdigit()):
        return None
    return int(start), int(end)


def _number(value: str, position: int) -> float:
    try:
        number = float(value)
    except ValueError:
        return position + 1
    return number if number == number and abs(number) < 1e9 else position + 1  # NaN, inf: keep the place


def _editor_form(
    request: Request, article_id: int, editor: Editor, *, error: str | None, status: int
) -> Response:
    editorial = _service(request).editorial
    stored = editorial.may_edit(article_id, editor)
    pin = editorial.pinned(article_id)
    if pin is not None:
        points = [PinnedPoint.of(point) for point in pin.points]
    else:
        points = _machine_points(request, stored)
    context: dict[str, Any] = {
        "stored": stored,
        "article": stored.article,
        "pin": pin,
        "points": points,
        "new_rows": NEW_ROWS,
        "history": editorial.history(article_id, limit=20),
        "error": error,
    }
    return render(request, "edit_summary.html", context, status=status)


def _machine_points(request: Request, stored: StoredArticle) -> list[PinnedPoint]:
    """The machine's summary readers get by default, as points to start from."""
    settings: Settings = request.app.state.settings
    options = SummaryOptions.parse(defaults=settings.summary, sentences=PAGE_LENGTHS["medium"])
    database = _service(request).database
    with reading(database) as conn:
        payload, _ = summary_of_stored(
            database=database, conn=conn, stored=stored, options=options, reading_wpm=settings.reading_wpm
        )
    text = stored.article.text
    points = []
    for sentence in payload["sentences"]:
        start, end = sentence.get("start"), sentence.get("end")
        # An engine's point without a span (none today) starts as the editor's words: never a 500 here.
        span = (start, end) if isinstance(start, int) and isinstance(end, int) else None
        points.append(
            PinnedPoint(
                str(sentence["text"]),
                span,
                sentence.get("index"),
                sentence.get("paragraph"),
                exact=span is not None and text[span[0] : span[1]] == sentence["text"],
                written_by_editor=span is None,
            )
        )
    return points
