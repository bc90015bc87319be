"""``create_app(settings)``: the FastAPI application, its one error handler, limits and metrics."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
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

    app = FastAPI(
        title="newsbrief",
        version=__version__,
        description="Faithful news summaries with every sentence traced to its source.",
        lifespan=lifespan,
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
    app.state.secret = deployment_secret(
        settings, service.database
    )  # signs sessions and the bookmarklet token
    _install_errors(app)
    # Reads for NEWSBRIEF_CORS_ORIGINS, writes only for NEWSBRIEF_CORS_WRITE_ORIGINS (none by default).
    app.add_middleware(CrossOrigin, policy=CorsPolicy.of(settings))
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(RefuseNulQuery)
    app.add_middleware(Measure, metrics=app.state.metrics)
    from newsbrief.web import api, pages

    app.include_router(api.router)
    app.include_router(api.probes)
    app.include_router(pages.router)
    app.include_router(pages.public)
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
        problems = [
            f"{'.'.join(str(part) for part in issue['loc'])}: {issue['msg']}" for issue in error.errors()
        ]
        return _render_error(request, 422, "validation_error", "; ".join(problems))

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        code = {401: "unauthorized", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
            error.status_code, "http_error"
        )
        response = _render_error(request, error.status_code, code, str(error.detail))
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
