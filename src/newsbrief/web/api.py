"""The JSON API under /api/v1 (plus /healthz and /metrics)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import generate_latest
from sqlalchemy import Connection

from newsbrief._version import __version__
from newsbrief.errors import Forbidden, InvalidInput, NotFound
from newsbrief.options import SummaryOptions
from newsbrief.services import Service
from newsbrief.services.editorial import pinned_summary_of_article
from newsbrief.services.summaries import lasting, summarize_payload, summary_of_stored
from newsbrief.storage import feed_repo, repo
from newsbrief.storage.database import reading
from newsbrief.web.cache import CachedResponse, ResponseCache
from newsbrief.web.deps import (
    ArticleId,
    Caller,
    ConnectionDep,
    FeedId,
    IngestorDep,
    SettingsDep,
    WriterDep,
    may_see_counts,
    require_read_access,
)
from newsbrief.web.schemas import (
    ArticleCreate,
    ArticlePublic,
    ArticlesPublic,
    CheckPublic,
    CheckRequest,
    ErrorPublic,
    FeedCreate,
    FeedPublic,
    FeedsPublic,
    SnippetPublic,
    SummarizeRequest,
    SummaryPublic,
    option_constraints,
)
from newsbrief.web.service import article_from_payload, etag_of

ERRORS = {code: {"model": ErrorPublic} for code in (401, 403, 404, 413, 422)}
router = APIRouter(prefix="/api/v1", tags=["api"], responses=ERRORS)  # type: ignore[arg-type]
probes = APIRouter(tags=["operations"])
ReadAccess = Depends(require_read_access)


def _option_query(name: str) -> Any:
    return Query(**option_constraints(name))


async def summary_options_from_query(
    settings: SettingsDep,
    sentences: Annotated[int | None, _option_query("sentences")] = None,
    words: Annotated[int | None, _option_query("words")] = None,
    ratio: Annotated[float | None, _option_query("ratio")] = None,
    seconds: Annotated[float | None, _option_query("seconds")] = None,
    style: Annotated[str, _option_query("style")] = "bullets",
    engine: Annotated[str | None, _option_query("engine")] = None,
    compress: Annotated[str, _option_query("compress")] = "auto",
) -> SummaryOptions:
    """The summary options as query parameters, bounded by the one table (async: no thread hop on the
    cached path)."""
    return SummaryOptions.parse(
        defaults=settings.summary,
        sentences=sentences,
        words=words,
        ratio=ratio,
        seconds=seconds,
        style=style,
        engine=engine,
        compress=compress,
    )


SummaryOptionsDep = Annotated[SummaryOptions, Depends(summary_options_from_query)]


@router.post("/articles", status_code=201, response_model=ArticlePublic)
def create_article(
    body: ArticleCreate, request: Request, response: Response, caller: WriterDep
) -> ArticlePublic:
    """Store an article from a URL (fetched safely), HTML (with its URL) or text; a story is stored once.

    A page that is not an article (paywall, consent wall, error page, listing...) is refused with a 422
    whose ``reason`` says which; nothing is stored."""
    service: Service = request.app.state.service
    if body.html is None and body.text is None:
        if not body.url:
            raise InvalidInput("send 'url', 'html' with its 'url', or 'text'")
        outcome = service.store_url(body.url, title=body.title, owner=caller.key_id)
        stored, created = outcome.stored, outcome.created
    else:
        article = article_from_payload(
            service.ingestor, text=body.text, html=body.html, url=body.url, title=body.title
        )
        # Committed before the 201 leaves.
        stored, created = service.store_article(
            article, source_kind="html" if body.html else "text", owner=caller.key_id
        )
    request.app.state.page_cache.clear()  # previous/next links of other pages may change
    if not created:
        response.status_code = 200
    response.headers["Location"] = f"/api/v1/articles/{stored.id}"
    return ArticlePublic.of(stored, with_body=True)


@router.get("/articles", response_model=ArticlesPublic, dependencies=[ReadAccess])
def list_articles(
    conn: ConnectionDep,
    q: Annotated[
        str | None,
        Query(
            max_length=500,
            description='Search titles and bodies: all the words; `OR` for either; "quoted phrases".',
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ArticlesPublic:
    """Articles newest first, optionally matching ``q`` (words, ``OR``, "quoted phrases"), each match with a
    snippet of its body, the matched words highlighted."""
    rows, count = repo.list_articles(conn=conn, query=q, limit=limit, offset=offset)
    found = repo.search_snippets(conn=conn, query=q, article_ids=[row.id for row in rows])
    data = [ArticlePublic.of(row, with_body=False) for row in rows]
    for item in data:
        if item.id in found:
            item.snippet = SnippetPublic.of(found[item.id])
    return ArticlesPublic(data=data, count=count)


@router.get("/articles/{article_id}", response_model=ArticlePublic, dependencies=[ReadAccess])
def get_article(article_id: ArticleId, conn: ConnectionDep) -> ArticlePublic:
    return ArticlePublic.of(_stored(conn, article_id), with_body=True)


@router.delete("/articles/{article_id}", status_code=204)
def delete_article(article_id: ArticleId, request: Request, caller: WriterDep) -> Response:
    """Delete an article: the key that stored it, or an admin key."""
    with request.app.state.service.database.begin() as writer:
        _may_change(caller, repo.article_ownership(conn=writer, article_id=article_id), "article")
        deleted = repo.delete_article(conn=writer, article_id=article_id)
    if not deleted:
        raise NotFound(f"no article {article_id}")
    request.app.state.response_cache.drop_article(article_id)
    request.app.state.page_cache.drop_article(article_id)
    return Response(status_code=204)


@router.get("/feeds", response_model=FeedsPublic, dependencies=[ReadAccess])
def list_feeds(conn: ConnectionDep) -> FeedsPublic:
    """Subscribed feeds with their entry counts, last and next poll, and the last error (with back-off)."""
    return FeedsPublic(feeds=[FeedPublic.of(feed) for feed in feed_repo.list_feeds(conn=conn)])


@router.post("/feeds", status_code=201, response_model=FeedPublic)
def add_feed(body: FeedCreate, request: Request, response: Response, caller: WriterDep) -> FeedPublic:
    """Subscribe to a feed: it is fetched and parsed first (a page that is no feed is a 422 with a
    reason); its entries are then fetched, judged and summarized by the scheduler's next poll."""
    service: Service = request.app.state.service
    feed, created, _ = service.add_feed(body.url, owner=caller.key_id)
    if not created:
        response.status_code = 200
    return FeedPublic.of(feed)


@router.delete("/feeds/{feed_id}", status_code=204)
def remove_feed(feed_id: FeedId, request: Request, caller: WriterDep) -> Response:
    """Unsubscribe (the key that subscribed, or an admin key); the articles the feed brought stay."""
    with request.app.state.service.database.begin() as writer:
        _may_change(caller, repo.feed_ownership(conn=writer, feed_id=feed_id), "feed")
        removed = feed_repo.remove_feed(conn=writer, feed_id=feed_id)
    if not removed:
        raise NotFound(f"no feed {feed_id}")
    return Response(status_code=204)


@router.get("/articles/{article_id}/summary", response_model=SummaryPublic, dependencies=[ReadAccess])
async def get_summary(article_id: ArticleId, request: Request, options: SummaryOptionsDep) -> Response:
    """The summary (made on first request, then cached), each sentence with its span in the article text.

    With no ``engine`` asked, the newsroom's pinned version when an editor pinned one (``edited``: true)."""
    editorial = not request.query_params.get("engine")
    key = (article_id, options.engine, options.key(), editorial)
    cache: ResponseCache = request.app.state.response_cache
    hit = cache.get(key)
    if hit is not None:  # served on the event loop: no thread, no database
        return _cached_response(request, hit)
    payload, cached = await run_in_threadpool(_load_or_make_summary, request, article_id, options, editorial)
    response = _summary_response(request, payload, cached)
    # Later requests are cache hits, and their body says so (not an LLM fallback for a passing server fault).
    if lasting(payload):
        cache.put(
            key,
            CachedResponse(
                body=bytes(JSONResponse({"edited": False, **payload, "cached": True}).body),
                etag=etag_of(payload),
            ),
        )
    return response


def _load_or_make_summary(
    request: Request, article_id: int, options: SummaryOptions, editorial: bool
) -> tuple[dict[str, object], bool]:
    database = request.app.state.service.database
    with reading(database) as conn:
        pinned = pinned_summary_of_article(conn, article_id, options) if editorial else None
        if pinned is not None:
            return pinned, True
        stored_payload = repo.get_cached_summary_of_article(
            conn=conn, article_id=article_id, engine=options.engine, options=options.key()
        )
        if stored_payload is not None:
            return stored_payload, True
        stored = _stored(conn, article_id)
        return summary_of_stored(
            database=database,
            conn=conn,
            stored=stored,
            options=options,
            reading_wpm=request.app.state.settings.reading_wpm,
        )


@router.get("/summary", response_model=SummaryPublic, dependencies=[ReadAccess])
def get_summary_by_url(
    request: Request,
    conn: ConnectionDep,
    settings: SettingsDep,
    options: SummaryOptionsDep,
    url: Annotated[str, Query(max_length=2048, description="The article's URL, as stored.")],
) -> Response:
    """The summary of the stored article at ``url`` (the widget's request on a publisher's page); with no
    ``engine`` asked, the newsroom's pinned version when there is one."""
    stored = repo.find_article_by_url(conn=conn, url=url)
    if stored is None:
        raise NotFound("no stored article has this URL")
    payload, cached = summary_of_stored(
        database=request.app.state.service.database,
        conn=conn,
        stored=stored,
        options=options,
        reading_wpm=settings.reading_wpm,
        editorial=not request.query_params.get("engine"),
    )
    return _summary_response(request, payload, cached)


@router.post("/summarize", response_model=SummaryPublic, dependencies=[ReadAccess])
def summarize(
    request: Request, body: SummarizeRequest, settings: SettingsDep, ingestor: IngestorDep
) -> SummaryPublic:
    """Summarize a page's own HTML (sent by the widget or a bookmarklet) or a text, without storing it."""
    article = article_from_payload(ingestor, text=body.text, html=body.html, url=body.url, title=None)
    payload = summarize_payload(article, body.options(settings.summary), settings.reading_wpm)
    request.app.state.metrics.observe_generation(payload)
    return SummaryPublic(**payload)


@router.post("/check", response_model=CheckPublic, dependencies=[ReadAccess])
def check_summary(body: CheckRequest) -> CheckPublic:
    """Check a summary against its article: a score 0..1 and, per summary sentence, the article spans that
    support it and the parts the article does not (numbers, dates, names, quotes, negations...)."""
    from newsbrief.check import check

    if (body.summary is None) == (body.summary_sentences is None):
        raise InvalidInput("send 'summary' (text) or 'summary_sentences' (a list), one of them")
    summary = body.summary if body.summary is not None else body.summary_sentences or []
    return CheckPublic.model_validate(check(body.article, summary, language=body.language).as_dict())


def _may_change(caller: Caller, ownership: repo.Ownership | None, kind: str) -> None:
    """Refuse a delete by a writer key that did not store the row (a missing row is the handler's 404)."""
    if ownership is not None and not caller.may_change(ownership):
        raise Forbidden(f"only the key that stored this {kind}, or an admin key, may delete it")


def _stored(conn: Connection, article_id: int) -> repo.StoredArticle:
    stored = repo.get_article(conn=conn, article_id=article_id)
    if stored is None:
        raise NotFound(f"no article {article_id}")
    return stored


def _cached_response(request: Request, hit: CachedResponse) -> Response:
    request.app.state.metrics.summaries.labels("hit").inc()
    headers = {"ETag": hit.etag, "Cache-Control": "public, max-age=60"}
    if hit.etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(hit.body, media_type="application/json", headers=headers)


def _summary_response(request: Request, payload: dict[str, object], cached: bool) -> Response:
    request.app.state.metrics.summaries.labels("hit" if cached else "miss").inc()
    if not cached:
        request.app.state.metrics.observe_generation(payload)
    etag = etag_of(payload)
    headers = {"ETag": etag, "Cache-Control": "public, max-age=60"}
    if etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return JSONResponse({"edited": False, **payload, "cached": cached}, headers=headers)


CountsAccess = Annotated[bool, Depends(may_see_counts)]


@probes.get("/healthz")
def healthz(conn: ConnectionDep, counts: CountsAccess) -> dict[str, object]:
    """Liveness and database reachability; the article count only with a key (or NEWSBRIEF_PUBLIC_METRICS)."""
    health: dict[str, object] = {"status": "ok", "version": __version__}
    articles = repo.count_articles(conn=conn)  # queried either way: the probe checks the database answers
    if counts:
        health["articles"] = articles
    return health


@probes.get("/metrics", response_class=PlainTextResponse)
def metrics(request: Request, counts: CountsAccess) -> PlainTextResponse:
    """Prometheus metrics in the text exposition format (with a key, or NEWSBRIEF_PUBLIC_METRICS)."""
    if not counts:
        raise HTTPException(
            401, "metrics need a key: Authorization: Bearer KEY", {"WWW-Authenticate": "Bearer"}
        )
    return PlainTextResponse(
        generate_latest(request.app.state.metrics.registry).decode(), media_type="text/plain; version=0.0.4"
    )
