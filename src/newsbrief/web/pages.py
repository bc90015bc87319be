"""HTML pages: the article list with search, and the article page with "No time to read? Get a summary"."""

from __future__ import annotations

import json
import math
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from newsbrief.config import Settings
from newsbrief.errors import Forbidden, NotAnArticle, NotFound
from newsbrief.models import PARAGRAPH_SEPARATOR, Sentence
from newsbrief.options import SummaryOptions
from newsbrief.pipeline import prepare
from newsbrief.services.ingest import Ingestor
from newsbrief.services.summaries import summarize_payload, summary_of_stored
from newsbrief.storage import feed_repo, repo
from newsbrief.storage.database import reading
from newsbrief.web import security
from newsbrief.web.cache import CachedResponse, ResponseCache
from newsbrief.web.deps import (
    ArticleId,
    Caller,
    ConnectionDep,
    caller_for_key,
    require_page_access,
    session_subject,
)
from newsbrief.web.service import PAGE_LENGTHS, lift_standfirst

# Every page needs a login on a private deployment (NEWSBRIEF_READ_REQUIRES_KEY); ``public`` holds what
# must stay reachable without one: the login itself, the widget's script, and /read (own checks).
router = APIRouter(include_in_schema=False, dependencies=[Depends(require_page_access)])
public = APIRouter(include_in_schema=False)
PAGE_SIZE = 5
STATIC = Path(__file__).resolve().parent / "static"


def render(request: Request, template: str, context: dict[str, Any], *, status: int = 200) -> HTMLResponse:
    html = request.app.state.templates.get_template(template).render(request=request, **context)
    return HTMLResponse(html, status_code=status)


@router.get("/", response_class=HTMLResponse)
def front_page(
    request: Request,
    conn: ConnectionDep,
    q: Annotated[str | None, Query(max_length=500)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    rows, count = repo.list_articles(conn=conn, query=q, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    pages = max(1, math.ceil(count / PAGE_SIZE))
    context = {
        "articles": rows,
        "count": count,
        "q": q or "",
        "page": page,
        "pages": pages,
        "past_end": not rows and count > 0,  # ?page=99 of 3: say so, not "no articles yet"
        "snippets": repo.search_snippets(conn=conn, query=q, article_ids=[row.id for row in rows]),
    }
    return render(request, "index.html", context)


@router.get("/articles/{article_id}", response_class=HTMLResponse)
async def article_page(
    request: Request,
    article_id: ArticleId,
    summary: Annotated[int, Query(ge=0, le=1)] = 0,
    length: Annotated[str, Query(pattern="^(short|medium|long)$")] = "medium",
    style: Annotated[str, Query(pattern="^(bullets|paragraph)$")] = "bullets",
    at: Annotated[str, Query(pattern="^(top|bottom)$")] = "top",
) -> Response:
    """The article page. Rendered pages are kept for a minute per process (new neighbours show after that).

    ``at`` is which of the two buttons asked (the page without JavaScript): the summary opens there, so a
    reader who pressed the button under the article is not sent back to the top."""
    key = ("page", article_id, summary, length, style, at)
    cache: ResponseCache = request.app.state.page_cache
    hit = cache.get(key)
    if hit is None:
        body = await run_in_threadpool(
            _render_article_page, request, article_id, bool(summary), length, style, at
        )
        hit = CachedResponse(body=body, etag="")
        cache.put(key, hit)
    return HTMLResponse(hit.body)


def _render_article_page(
    request: Request, article_id: int, summary: bool, length: str, style: str, at: str
) -> bytes:
    settings: Settings = request.app.state.settings
    database = request.app.state.service.database
    with reading(database) as conn:
        stored = repo.get_article(conn=conn, article_id=article_id)
        if stored is None:
            raise NotFound(f"There is no article {article_id}.")
        document = prepare(stored.article)
        shown = None
        if summary:
            options = SummaryOptions.parse(
                defaults=settings.summary, sentences=PAGE_LENGTHS[length], style=style
            )
            shown, _ = summary_of_stored(
                database=database,
                conn=conn,
                stored=stored,
                options=options,
                reading_wpm=settings.reading_wpm,
                editorial=True,  # the page names no engine: the newsroom's pinned version, when there is one
            )
        context = {
            "stored": stored,
            "article": stored.article,
            "paragraphs": paragraph_pieces(document.article.paragraphs, document.sentences),
            "reading_minutes": _reading_minutes(stored.article.word_count, settings),
            "neighbours": repo.neighbours(conn=conn, stored=stored),
            "summary": shown,
            "length": length,
            "style": style,
            "lengths": list(PAGE_LENGTHS),
            "at": at,
        }
    return bytes(render(request, "article.html", context).body)


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of one paragraph's text: a sentence (``index``: the target a key point links to) or the text
    between two sentences (``index`` None), exactly as stored."""

    text: str
    index: int | None = None


def paragraph_pieces(paragraphs: tuple[str, ...], sentences: tuple[Sentence, ...]) -> list[list[Piece]]:
    """Each paragraph cut into sentence pieces and the text between them, so the page can wrap every
    sentence in a target while showing the stored text exactly: the pieces of a paragraph join back to
    it, whatever the splitter did (no space is added where the article had none, none is dropped)."""
    grouped: dict[int, list[Sentence]] = defaultdict(list)
    for sentence in sentences:
        grouped[sentence.paragraph].append(sentence)
    result: list[list[Piece]] = []
    offset = 0  # where the paragraph starts in the article text (paragraphs joined by a blank line)
    for number, paragraph in enumerate(paragraphs):
        pieces: list[Piece] = []
        cursor = 0
        for sentence in sorted(grouped[number], key=lambda found: found.start):
            start, end = sentence.start - offset, sentence.end - offset
            if start < cursor or end > len(paragraph) or start >= end:
                continue  # a span that does not fit this paragraph: its text stays plain, never doubled
            if start > cursor:
                pieces.append(Piece(paragraph[cursor:start]))
            pieces.append(Piece(paragraph[start:end], sentence.index))
            cursor = end
        if cursor < len(paragraph):
            pieces.append(Piece(paragraph[cursor:]))
        result.append(pieces)
        offset += len(paragraph) + len(PARAGRAPH_SEPARATOR)
    return result


def _reading_minutes(words: int, settings: Settings) -> int:
    return max(1, round(words / settings.reading_wpm))


@public.get("/widget.js")
def widget_script() -> Response:
    return FileResponse(
        STATIC / "widget.js", media_type="text/javascript", headers={"Cache-Control": "public, max-age=300"}
    )


@router.get("/widget-demo", response_class=HTMLResponse)
def widget_demo(request: Request, conn: ConnectionDep) -> HTMLResponse:
    """A publisher-like page with the widget: the newest article, by its URL when it has one. An article
    posted as text has none; the widget then sends the page's own HTML (``data-send-html="fallback"``)."""
    rows, _ = repo.list_articles(conn=conn, query=None, limit=1, offset=0)
    demo = rows[0] if rows else None
    url = security.http_url(demo.article.url) if demo is not None else None
    return render(request, "widget_demo.html", {"demo": demo, "demo_url": url})


@router.get("/feeds", response_class=HTMLResponse)
def feeds_page(request: Request, conn: ConnectionDep) -> HTMLResponse:
    """Subscribed feeds, with the last error and back-off of those that fail."""
    return render(request, "feeds.html", {"feeds": feed_repo.list_feeds(conn=conn)})


@router.get("/bookmarklet", response_class=HTMLResponse)
def bookmarklet_page(request: Request) -> HTMLResponse:
    """The bookmarklet: it sends the page the reader is on (paywall or JavaScript included) to ``/read``."""
    base = str(request.base_url).rstrip("/")
    token = security.bookmarklet_token(request.app.state.secret)
    return render(request, "bookmarklet.html", {"bookmarklet": bookmarklet_code(base, token)})


def bookmarklet_code(base: str, token: str) -> str:
    """A ``javascript:`` link that posts the current page's HTML and URL to ``base``/read in a new tab.

    A form post, not fetch(): it works from any site without CORS, and the reader's page is not changed.
    The post comes from another site on purpose, so it carries the deployment's token as its proof.
    """
    script = (
        "(function(){var f=document.createElement('form');f.method='POST';f.action=BASE+'/read';"
        "f.target='_blank';f.acceptCharset='utf-8';f.style.display='none';"
        "function add(n,v){var t=document.createElement('textarea');t.name=n;t.value=v;f.appendChild(t);}"
        "add('html',document.documentElement.outerHTML);add('url',location.href);add('token',TOKEN);"
        "document.body.appendChild(f);f.submit();f.remove();})();"
    )
    script = script.replace("BASE", json.dumps(base)).replace("TOKEN", json.dumps(token))
    return "javascript:" + quote(script, safe="(){}[];,=+/'.:!&*?@$-_~")


async def require_read_post(
    request: Request, token: Annotated[str | None, Form(max_length=200)] = None
) -> None:
    """A post to /read needs the bookmarklet's token or to come from this site (no cross-site posts); on
    a private deployment, one without the token also needs a login (a cross-site post carries no
    SameSite=Lax cookie, so the bookmarklet's token is its proof there too)."""
    if security.token_is_valid(request.app.state.secret, token):
        return
    if security.is_same_origin(request.headers, request.headers.get("host", "")) is False:
        raise Forbidden(
            "a post from another site needs the bookmarklet's token: install it again from /bookmarklet"
        )
    await require_page_access(request)


@public.post("/read", response_class=HTMLResponse, dependencies=[Depends(require_read_post)])
async def read_page(
    request: Request,
    html: Annotated[str, Form(max_length=20_000_000)],
    url: Annotated[str | None, Form(max_length=2048)] = None,
    length: Annotated[str, Form(pattern="^(short|medium|long)$")] = "medium",
) -> HTMLResponse:
    """The summary of a page the reader's browser sent (bookmarklet hand-off); nothing is stored."""
    ingestor: Ingestor = request.app.state.service.ingestor
    settings: Settings = request.app.state.settings
    try:
        article = lift_standfirst(await run_in_threadpool(ingestor.article_from_html, html, url=url))
    except NotAnArticle as error:
        raise _for_bookmarklet(error) from None
    options = SummaryOptions.parse(defaults=settings.summary, sentences=PAGE_LENGTHS[length])
    summary = await run_in_threadpool(summarize_payload, article, options, settings.reading_wpm)
    context = {"article": article, "summary": summary, "url": url}
    return render(request, "read.html", context)


def _for_bookmarklet(error: NotAnArticle) -> NotAnArticle:
    """The refusal a reader gets after the bookmarklet already sent their browser's copy of the page: what
    to do next, not "send the page's HTML" (that is what just happened)."""
    if error.reason == "paywall":
        return NotAnArticle(
            "Your browser's copy of this page holds only the free part of the article: the rest is behind "
            "the site's paywall. Log in to the site (or subscribe), open the article until you can read it "
            "all, then press the bookmark again.",
            reason="paywall",
        )
    return error


@public.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: Annotated[str, Query(max_length=2048)] = "/") -> HTMLResponse:
    return render(request, "login.html", {"next": security.safe_next(next), "error": None})


@public.post("/login", response_model=None)
async def log_in(
    request: Request,
    key: Annotated[str, Form(max_length=500)],
    next: Annotated[str, Form(max_length=2048)] = "/",
) -> Response:
    """A valid key opens a session: a signed, HttpOnly, SameSite=Lax cookie naming the key (never holding
    it), so revoking the key ends its sessions at once."""
    _refuse_cross_site(request)  # no login CSRF: another site cannot log a reader in as someone else
    caller = await run_in_threadpool(_caller_for, request, key.strip())
    if caller is None:
        context = {"next": security.safe_next(next), "error": "That key is not valid (or was revoked)."}
        return render(request, "login.html", context, status=401)
    secret: str = request.app.state.secret
    value = security.sign_session(secret, session_subject(secret, caller, key.strip()), int(time.time()))
    response = RedirectResponse(security.safe_next(next), status_code=303)
    response.set_cookie(
        security.SESSION_COOKIE,
        value,
        max_age=security.SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@public.post("/logout", response_model=None)
def log_out(request: Request) -> Response:
    _refuse_cross_site(request)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(security.SESSION_COOKIE, httponly=True, samesite="lax")
    return response


def _refuse_cross_site(request: Request) -> None:
    if security.is_same_origin(request.headers, request.headers.get("host", "")) is False:
        raise Forbidden("this form only works from this site")


def _caller_for(request: Request, key: str) -> Caller | None:
    with reading(request.app.state.service.database) as connection:
        return caller_for_key(request.app.state.settings, connection, key)
