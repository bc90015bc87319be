"""Summaries of stored articles: the request options the CLI, API, pages and feeds share, and the cache."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine

from newsbrief.config import Settings
from newsbrief.engines import get_engine
from newsbrief.errors import BadLength, InvalidInput
from newsbrief.models import Article, Length, LengthUnit, Style
from newsbrief.pipeline import summarize_article
from newsbrief.render import summary_to_dict
from newsbrief.storage import repo
from newsbrief.storage.repo import StoredArticle


@dataclass(frozen=True, slots=True)
class SummaryRequest:
    """The CLI's summary options, as the API and the pages receive them."""

    length: Length
    style: Style
    engine: str

    @classmethod
    def from_options(
        cls,
        settings: Settings,
        *,
        sentences: int | None = None,
        words: int | None = None,
        ratio: float | None = None,
        seconds: float | None = None,
        style: str = "bullets",
        engine: str | None = None,
    ) -> SummaryRequest:
        given = {
            LengthUnit.SENTENCES: sentences,
            LengthUnit.WORDS: words,
            LengthUnit.RATIO: ratio,
            LengthUnit.SECONDS: seconds,
        }
        chosen = [(unit, value) for unit, value in given.items() if value is not None]
        if len(chosen) > 1:
            raise BadLength(f"give one length, not {' and '.join(unit.value for unit, _ in chosen)}")
        length = Length(*chosen[0]) if chosen else Length.sentences(settings.default_sentences)
        try:
            parsed_style = Style(style)
        except ValueError:
            raise InvalidInput(f"style must be one of {', '.join(s.value for s in Style)}") from None
        key = get_engine(engine or settings.default_engine).info.key
        return cls(length=length, style=parsed_style, engine=key)

    def options(self) -> dict[str, Any]:
        return {
            "length": {"unit": self.length.unit.value, "value": self.length.value},
            "style": self.style.value,
        }


def summary_for(
    *, conn: Connection, stored: StoredArticle, request: SummaryRequest, settings: Settings
) -> tuple[dict[str, Any], bool]:
    """The summary of a stored article, from the cache or made now and cached on ``conn`` (the caller's
    write transaction: the summary commits with what the caller writes). Returns (payload, cached)."""
    cached = _cached_summary(conn, stored, request)
    if cached is not None:
        return cached, True
    payload = _new_summary(stored, request, settings)
    _save_summary(conn, stored, request, payload)
    return payload, False


def summary_of_stored(
    *, database: Engine, conn: Connection, stored: StoredArticle, request: SummaryRequest, settings: Settings
) -> tuple[dict[str, Any], bool]:
    """As ``summary_for``, for readers: the cache is read on ``conn`` (a read transaction) and a new summary
    is saved in a short write transaction of its own, committed before this returns."""
    cached = _cached_summary(conn, stored, request)
    if cached is not None:
        return cached, True
    payload = _new_summary(stored, request, settings)
    with database.begin() as writer:
        _save_summary(writer, stored, request, payload)
    return payload, False


def _cached_summary(
    conn: Connection, stored: StoredArticle, request: SummaryRequest
) -> dict[str, Any] | None:
    return repo.get_cached_summary(
        conn=conn,
        content_hash=stored.article.content_hash,
        engine=request.engine,
        options=repo.options_key(request.options()),
    )


def _new_summary(stored: StoredArticle, request: SummaryRequest, settings: Settings) -> dict[str, Any]:
    payload = summarize_payload(stored.article, request, settings)
    payload["article_id"] = stored.id
    return payload


def _save_summary(
    conn: Connection, stored: StoredArticle, request: SummaryRequest, payload: dict[str, Any]
) -> None:
    repo.save_summary(
        conn=conn,
        article_id=stored.id,
        content_hash=stored.article.content_hash,
        engine=request.engine,
        options=repo.options_key(request.options()),
        payload=payload,
    )


def summarize_payload(article: Article, request: SummaryRequest, settings: Settings) -> dict[str, Any]:
    summary = summarize_article(
        article, engine=request.engine, length=request.length, style=request.style, settings=settings
    )
    return summary_to_dict(summary)
