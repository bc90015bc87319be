"""``create_app(settings)``: the FastAPI application, its one error handler, limits and metrics."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from jinja2 import Environment, FileSystemLoader, select_autoescape
from prometheus_client import CollectorRegistry, Counter, Histogram
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newsbrief._version import __version__
from newsbrief.config import Settings
from newsbrief.errors import InvalidInput, NewsbriefError
from newsbrief.services import Service
from newsbrief.services.feeds import FeedScheduler
from newsbrief.web.cache import ResponseCache
from newsbrief.web.security import CorsPolicy, CrossOrigin, deployment_secret, http_url

HERE = Path(__file__).resolve().parent
LOGGER = logging.getLogger("newsbrief.web")


class Metrics:
    """Prometheus metrics of one app (its own registry: no module-level state)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "newsbrief_http_requests", "HTTP requests", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "newsbrief_http_request_seconds", "Request latency", ["route"], registry=self.registry
        )
        self.summaries = Counter("newsbrief_summaries", "Summaries served", ["cache"], registry=self.registry)
        # llm.v1 (issue 16): what the model calls cost, and how often the gate or the server sent the
        # summary to the extractive fallback ("written" when the model's text was used).
        self.llm_tokens = Counter(
            "newsbrief_llm_tokens", "Tokens sent to and from the LLM", ["direction"], registry=self.registry
        )
        self.llm_latency = Histogram(
            "newsbrief_llm_request_seconds", "Latency of LLM answers", registry=self.registry
        )
        self.llm_summaries = Counter(
            "newsbrief_llm_summaries", "llm.v1 summaries by outcome", ["outcome"], registry=self.registry
        )

    def observe_generation(self, payload: Mapping[str, Any]) -> None:
        """Count a newly made summary's model call (a summary of an engine that writes; others: nothing)."""
        generation = payload.get("generation")
        if not isinstance(generation, dict):
            return
        self.llm_tokens.labels("in").inc(generation.get("tokens_in", 0))
        self.llm_tokens.labels("out").inc(generation.get("tokens_out", 0))
        self.llm_latency.observe(generation.get("latency_ms", 0) / 1000)
        self.llm_summaries.labels(payload.get("fallback_reason") or "written").inc()


def create_app(
    settings: Settings | None = None, *, service: Service | None = None, migrate: bool = True
) -> FastAPI:
    """The web service over ``service``, or over a new ``Service(settings)`` whose database is migrated to
    the newest schema unless ``migrate`` is False (``newsbrief serve`` migrates once, before its workers)."""
    owned = service is None
    settings = service.settings if service is not None else settings or Settings()
    service = service if service is not None else Service(settings, migrate=migrate)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        scheduler = (
            FeedScheduler(service.database, service.ingestor, tick_seconds=settings.feed_check_seconds)
            if settings.feed_scheduler
            else None
        )
        if scheduler is not None:
            scheduler.start()
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.stop()
            if owned:
                service.close()

    # /docs and /redoc with Swagger UI and ReDoc served from the fastapi-offline wheel, not a CDN: the
    # API docs work on an intranet or a machine with no internet.
    app = FastAPIOffline(
        title="newsbrief",
        version=__version__,
        description="Faithful news summaries with every sentence traced to its source.",
        lifespan=lifespan,
        static_url="/static/docs",
    )
    app.state.settings = settings
    app.state.service = service
    app.state.metrics = Metrics()
    app.state.response_cache = ResponseCache()
    app.state.page_cache = ResponseCache(max_entries=2_000)
    app.state.templates = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True),
        auto_reload=False,
    )
    app.state.templates.filters["http_url"] = http_url  # only http(s) URLs become links
    app.state.templates.filters["long_date"] = long_date
    app.state.templates.filters["site_of"] = site_of
    app.state.secret = deployment_secret(
        settings, service.database
    )  # signs sessions and the bookmarklet token
    _install_errors(app)
    # Reads for NEWSBRIEF_CORS_ORIGINS, writes only for NEWSBRIEF_CORS_WRITE_ORIGINS (none by default).
    app.add_middleware(CrossOrigin, policy=CorsPolicy.of(settings))
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(RefuseNulQuery)
    app.add_middleware(Measure, metrics=app.state.metrics)
    from newsbrief.web import api, editorial, pages

    app.include_router(api.router)
    app.include_router(api.probes)
    app.include_router(pages.router)
    app.include_router(pages.public)
    app.include_router(editorial.router)  # editors' pinned summaries
    app.include_router(editorial.pages)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app


class Measure:
    """Counts requests by route and status and times them (plain ASGI: no per-request task or copy)."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            self.metrics.latency.labels(route).observe(time.perf_counter() - started)


def error_response(status: int, code: str, message: str, reason: str | None = None) -> JSONResponse:
    error: dict[str, str] = {"code": code, "message": message}
    if reason is not None:
        error["reason"] = reason
    return JSONResponse({"error": error}, status_code=status)


def long_date(value: date | None) -> str:
    """A date as readers write it: "4 November 2026" (no zero padding, no locale surprises)."""
    if value is None:
        return ""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def site_of(url: object) -> str | None:
    """The host of an http(s) URL without ``www.``, for a source line when the page named no site."""
    link = http_url(url)
    if link is None:
        return None
    host = urlsplit(link).hostname or ""
    return host.removeprefix("www.") or None


def api_problem(issue: Mapping[str, Any]) -> str:
    """One request-validation problem for an API client: where it is and what is wrong."""
    if issue.get("type") == "json_invalid":
        return _json_problem(issue)
    where = ".".join(str(part) for part in issue.get("loc", ()))
    return f"{where}: {issue.get('msg', 'invalid')}"


def _json_problem(issue: Mapping[str, Any]) -> str:
    detail = str((issue.get("ctx") or {}).get("error", "it could not be parsed"))
    position = next((part for part in reversed(issue.get("loc", ())) if isinstance(part, int)), None)
    at = f" (at character {position})" if position is not None else ""
    return f"the body must be JSON: {detail}{at}"


def plain_problem(issue: Mapping[str, Any]) -> str:
    """One request-validation problem as a sentence a reader understands (for HTML pages)."""
    kind = str(issue.get("type", ""))
    if kind == "json_invalid":
        return _json_problem(issue).capitalize() + "."
    loc = [str(part) for part in issue.get("loc", ()) if not isinstance(part, int)]
    name = loc[-1] if loc else "value"
    what = "The article number" if name == "article_id" else f"The {name.replace('_', ' ')}"
    ctx = issue.get("ctx") or {}
    value = issue.get("input")
    shown = f" “{str(value)[:60]}”" if isinstance(value, str | int | float) and str(value) else ""
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{what}{shown} must be a whole number."
    if kind in ("float_parsing", "float_type"):
        return f"{what}{shown} must be a number."
    if kind in ("greater_than_equal", "greater_than"):
        return f"{what}{shown} must be at least {ctx.get('ge', ctx.get('gt'))}."
    if kind in ("less_than_equal", "less_than"):
        return f"{what}{shown} must be at most {ctx.get('le', ctx.get('lt'))}."
    if kind == "string_pattern_mismatch":
        choices = _choices(str(ctx.get("pattern", "")))
        return f"{what}{shown} must be one of: {', '.join(choices)}." if choices else f"{what} is not valid."
    if kind == "string_too_long":
        return f"{what} is too long (at most {ctx.get('max_length')} characters)."
    if kind == "missing":
        return f"{what} is missing."
    return f"{what} is not valid."


def _choices(pattern: str) -> list[str]:
    """The words of an anchored alternation such as ``^(short|medium|long)$``; [] for any other pattern."""
    inner = pattern.removeprefix("^(").removesuffix(")$")
    if inner == pattern or not all(word.isalnum() for word in inner.split("|")):
        return []
    return inner.split("|")


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith(
        ("/api/", "/healthz", "/metrics")
    ) and "text/html" in request.headers.get("accept", "")


def _install_errors(app: FastAPI) -> None:
    async def newsbrief_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, NewsbriefError)
        return _render_error(request, error.status, error.code, error.message, error.reason)

    async def validation_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        issues = list(error.errors())
        if _wants_html(request):  # a reader: plain sentences, no field paths or pydantic wording
            message = " ".join(plain_problem(issue) for issue in issues)
        else:
            message = "; ".join(api_problem(issue) for issue in issues)
        return _render_error(request, 422, "validation_error", message)

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        code = {401: "unauthorized", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
            error.status_code, "http_error"
        )
        detail = str(error.detail)
        if error.status_code == 404 and detail == "Not Found":  # Starlette's words for an unknown route
            detail = f"There is no page at {request.url.path[:200]}."
        elif error.status_code == 405 and detail == "Method Not Allowed":
            detail = f"{request.method} is not allowed at {request.url.path[:200]}."
        response = _render_error(request, error.status_code, code, detail)
        for name, value in (error.headers or {}).items():
            response.headers[name] = value
        return response

    async def unexpected(request: Request, error: Exception) -> Response:
        LOGGER.error("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
        return _render_error(request, 500, "internal_error", "something went wrong on our side")

    async def database_error(request: Request, error: Exception) -> Response:
        # SQLite writers queue for the write lock up to the busy timeout, and requests for a pooled
        # connection up to the pool timeout; one that waits longer meets a busy server, not a broken one:
        # nothing was written, and the client may try again.
        if isinstance(error, SQLAlchemyTimeout) or "database is locked" in str(error):
            LOGGER.warning("database busy on %s %s", request.method, request.url.path)
            response = _render_error(request, 503, "busy", "the database is busy; try again in a moment")
            response.headers["Retry-After"] = "1"
            return response
        return await unexpected(request, error)

    app.add_exception_handler(NewsbriefError, newsbrief_error)
    app.add_exception_handler(OperationalError, database_error)
    app.add_exception_handler(SQLAlchemyTimeout, database_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)


def _render_error(
    request: Request, status: int, code: str, message: str, reason: str | None = None
) -> Response:
    if _wants_html(request):
        from newsbrief.web.pages import render

        if reason is not None:  # the page shows the reason on its own line
            message = message.removesuffix(f" [{reason}]")
        return render(
            request,
            "error.html",
            {"status": status, "code": code, "message": message, "reason": reason},
            status=status,
        )
    return error_response(status, code, message, reason)


class RefuseNulQuery:
    """A query string with a NUL character (``%00``) is refused as InvalidInput on every route: no search,
    URL or option means one, and PostgreSQL cannot even compare text holding it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and b"%00" in scope.get("query_string", b""):
            response = _render_error(
                Request(scope),
                InvalidInput.status,
                InvalidInput.code,
                "the query string holds a NUL character (%00)",
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class BodyLimit:
    """Refuses request bodies over the limit with 413, by Content-Length or while the body streams in."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # An HTTPException passes FastAPI's body parsing untouched and reaches the error handler.
                    raise StarletteHTTPException(413, f"the request body is over {self.max_bytes:,} bytes")
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except StarletteHTTPException as error:
            if error.status_code != 413 or started:
                raise
            await self._too_large(send)

    async def _too_large(self, send: Send) -> None:
        response = error_response(413, "too_large", f"the request body is over {self.max_bytes:,} bytes")
        await response({"type": "http"}, _no_body, send)


async def _no_body() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}
