"""The JSON API under /api/v1 (plus /healthz and /metrics)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import generate_latest
from sqlalchemy import Connection

from newsbrief._version import __version__
from newsbrief.errors import InvalidInput
from newsbrief.feeds import fetch_feed
from newsbrief.storage import feed_repo, repo
from newsbrief.web.cache import CachedResponse, ResponseCache
from newsbrief.web.deps import (
    ArticleId,
    ConnectionDep,
    FeedId,
    IngestorDep,
    SettingsDep,
    require_read_access,
    require_write_key,
)
from newsbrief.web.schemas import (
    ArticleCreate,
    ArticlePublic,
    ArticlesPublic,
    ErrorPublic,
    FeedCreate,
    FeedPublic,
    FeedsPublic,
    SummarizeRequest,
    SummaryPublic,
)
from newsbrief.web.service import (
    SummaryRequest,
    article_from_payload,
    etag_of,
    summarize_payload,
    summary_for,
)

ERRORS = {code: {"model": ErrorPublic} for code in (401, 404, 413, 422)}
router = APIRouter(prefix="/api/v1", tags=["api"], responses=ERRORS)  # type: ignore[arg-type]
probes = APIRouter(tags=["operations"])
ReadAccess = Depends(require_read_access)

SentencesQuery = Annotated[int | None, Query(gt=0, le=100, description="Number of sentences.")]
WordsQuery = Annotated[int | None, Query(gt=0, le=100_000, description="At most this many words.")]
RatioQuery = Annotated[float | None, Query(gt=0, le=1, description="Share of the sentences.")]
SecondsQuery = Annotated[float | None, Query(gt=0, le=36_000, description="Reading-time budget.")]
StyleQuery = Annotated[
    str, Query(pattern="^(bullets|paragraph|headline)$", description="bullets, paragraph or headline.")
]
EngineQuery = Annotated[str | None, Query(max_length=64, description="Engine name, e.g. lead.v1.")]


async def summary_request_from_query(
    settings: SettingsDep,
    sentences: SentencesQuery = None,
    words: WordsQuery = None,
    ratio: RatioQuery = None,
    seconds: SecondsQuery = None,
    style: StyleQuery = "bullets",
    engine: EngineQuery = None,
) -> SummaryRequest:
    """The CLI's summary options as query parameters (async: no thread hop on the cached path)."""
    return SummaryRequest.from_options(
        settings, sentences=sentences, words=words, ratio=ratio, seconds=seconds, style=style, engine=engine
    )


SummaryRequestDep = Annotated[SummaryRequest, Depends(summary_request_from_query)]


@router.post(
    "/articles", status_code=201, response_model=ArticlePublic, dependencies=[Depends(require_write_key)]
)
def create_article(
    body: ArticleCreate, conn: ConnectionDep, ingestor: IngestorDep, request: Request, response: Response
) -> ArticlePublic:
    """Store an article from a URL (fetched safely), HTML (with its URL) or text; a story is stored once.

    A page that is not an article (paywall, consent wall, error page, listing...) is refused with a 422
    whose ``reason`` says which; nothing is stored."""
    if body.html is None and body.text is None:
        if not body.url:
            raise InvalidInput("send 'url', 'html' with its 'url', or 'text'")
        outcome = ingestor.store_url(request.app.state.engine, body.url, title=body.title)
        stored, created = outcome.stored, outcome.created
    else:
        article = article_from_payload(
            ingestor, text=body.text, html=body.html, url=body.url, title=body.title
        )
        if not article.paragraphs:
            raise InvalidInput("no article text found")
        source_kind = "html" if body.html else "text"
        stored, created = repo.save_article(conn=conn, article=article, source_kind=source_kind)
    request.app.state.page_cache.clear()  # previous/next links of other pages may change
    if not created:
        response.status_code = 200
    response.headers["Location"] = f"/api/v1/articles/{stored.id}"
    return ArticlePublic.of(stored, with_body=True)


@router.get("/articles", response_model=ArticlesPublic, dependencies=[ReadAccess])
def list_articles(
    conn: ConnectionDep,
    q: Annotated[
        str | None, Query(max_length=500, description="Words to search in titles and bodies.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ArticlesPublic:
    """Articles newest first, optionally matching all the words of ``q``."""
    rows, count = repo.list_articles(conn=conn, query=q, limit=limit, offset=offset)
    return ArticlesPublic(data=[ArticlePublic.of(row, with_body=False) for row in rows], count=count)


@router.get("/articles/{article_id}", response_model=ArticlePublic, dependencies=[ReadAccess])
def get_article(article_id: ArticleId, conn: ConnectionDep) -> ArticlePublic:
    return ArticlePublic.of(_stored(conn, article_id), with_body=True)


@router.delete("/articles/{article_id}", status_code=204, dependencies=[Depends(require_write_key)])
def delete_article(article_id: ArticleId, conn: ConnectionDep, request: Request) -> Response:
    if not repo.delete_article(conn=conn, article_id=article_id):
        raise HTTPException(404, f"no article {article_id}")
    request.app.state.response_cache.drop_article(article_id)
    request.app.state.page_cache.drop_article(article_id)
    return Response(status_code=204)


@router.get("/feeds", response_model=FeedsPublic, dependencies=[ReadAccess])
def list_feeds(conn: ConnectionDep) -> FeedsPublic:
    """Subscribed feeds with their entry counts, last and next poll, and the last error (with back-off)."""
    return FeedsPublic(feeds=[FeedPublic.of(feed) for feed in feed_repo.list_feeds(conn=conn)])


@router.post("/feeds", status_code=201, response_model=FeedPublic, dependencies=[Depends(require_write_key)])
def add_feed(body: FeedCreate, ingestor: IngestorDep, request: Request, response: Response) -> FeedPublic:
    """Subscribe to a feed: it is fetched and parsed first (a page that is no feed is a 422 with a
    reason); its entries are then fetched, judged and summarized by the scheduler's next poll."""
    parsed = fetch_feed(ingestor, body.url)
    with request.app.state.engine.begin() as connection:
        feed, created = feed_repo.add_feed(conn=connection, url=body.url, title=parsed.title)
    if not created:
        response.status_code = 200
    return FeedPublic.of(feed)


@router.delete("/feeds/{feed_id}", status_code=204, dependencies=[Depends(require_write_key)])
def remove_feed(feed_id: FeedId, conn: ConnectionDep) -> Response:
    """Unsubscribe; the articles the feed brought stay."""
    if not feed_repo.remove_feed(conn=conn, feed_id=feed_id):
        raise HTTPException(404, f"no feed {feed_id}")
    return Response(status_code=204)


@router.get("/articles/{article_id}/summary", response_model=SummaryPublic, dependencies=[ReadAccess])
async def get_summary(
    article_id: ArticleId, request: Request, summary_request: SummaryRequestDep
) -> Response:
    """The summary (made on first request, then cached), each sentence with its span in the article text."""
    options = repo.options_key(summary_request.options())
    key = (article_id, summary_request.engine, options)
    cache: ResponseCache = request.app.state.response_cache
    hit = cache.get(key)
    if hit is not None:  # served on the event loop: no thread, no database
        return _cached_response(request, hit)
    payload, cached = await run_in_threadpool(
        _load_or_make_summary, request, article_id, summary_request, options
    )
    response = _summary_response(request, payload, cached)
    # Later requests are cache hits, and their body says so.
    cache.put(
        key, CachedResponse(body=bytes(JSONResponse({**payload, "cached": True}).body), etag=etag_of(payload))
    )
    return response


def _load_or_make_summary(
    request: Request, article_id: int, summary_request: SummaryRequest, options: str
) -> tuple[dict[str, object], bool]:
    with request.app.state.engine.begin() as conn:
        stored_payload = repo.get_cached_summary_of_article(
            conn=conn, article_id=article_id, engine=summary_request.engine, options=options
        )
        if stored_payload is not None:
            return stored_payload, True
        stored = _stored(conn, article_id)
        return summary_for(
            conn=conn, stored=stored, request=summary_request, settings=request.app.state.settings
        )


@router.get("/summary", response_model=SummaryPublic, dependencies=[ReadAccess])
def get_summary_by_url(
    request: Request,
    conn: ConnectionDep,
    settings: SettingsDep,
    summary_request: SummaryRequestDep,
    url: Annotated[str, Query(max_length=2048, description="The article's URL, as stored.")],
) -> Response:
    """The summary of the stored article at ``url`` (the widget's request on a publisher's page)."""
    stored = repo.find_article_by_url(conn=conn, url=url)
    if stored is None:
        raise HTTPException(404, "no stored article has this URL")
    payload, cached = summary_for(conn=conn, stored=stored, request=summary_request, settings=settings)
    return _summary_response(request, payload, cached)


@router.post("/summarize", response_model=SummaryPublic, dependencies=[ReadAccess])
def summarize(body: SummarizeRequest, settings: SettingsDep, ingestor: IngestorDep) -> SummaryPublic:
    """Summarize a page's own HTML (sent by the widget or a bookmarklet) or a text, without storing it."""
    article = article_from_payload(ingestor, text=body.text, html=body.html, url=body.url, title=None)
    summary_request = SummaryRequest.from_options(
        settings,
        sentences=body.sentences,
        words=body.words,
        ratio=body.ratio,
        seconds=body.seconds,
        style=body.style,
        engine=body.engine,
    )
    return SummaryPublic(**summarize_payload(article, summary_request, settings))


def _stored(conn: Connection, article_id: int) -> repo.StoredArticle:
    stored = repo.get_article(conn=conn, article_id=article_id)
    if stored is None:
        raise HTTPException(404, f"no article {article_id}")
    return stored


def _cached_response(request: Request, hit: CachedResponse) -> Response:
    request.app.state.metrics.summaries.labels("hit").inc()
    headers = {"ETag": hit.etag, "Cache-Control": "public, max-age=60"}
    if hit.etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(hit.body, media_type="application/json", headers=headers)


def _summary_response(request: Request, payload: dict[str, object], cached: bool) -> Response:
    request.app.state.metrics.summaries.labels("hit" if cached else "miss").inc()
    etag = etag_of(payload)
    headers = {"ETag": etag, "Cache-Control": "public, max-age=60"}
    if etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return JSONResponse({**payload, "cached": cached}, headers=headers)


@probes.get("/healthz")
def healthz(conn: ConnectionDep) -> dict[str, object]:
    """Liveness and database reachability."""
    return {"status": "ok", "version": __version__, "articles": repo.count_articles(conn=conn)}


@probes.get("/metrics", response_class=PlainTextResponse)
def metrics(request: Request) -> PlainTextResponse:
    """Prometheus metrics in the text exposition format."""
    return PlainTextResponse(
        generate_latest(request.app.state.metrics.registry).decode(), media_type="text/plain; version=0.0.4"
    )
