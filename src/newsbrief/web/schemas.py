"""Pydantic shapes of the JSON API (the core stays on dataclasses)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field

from newsbrief.models import has_unstorable, storable
from newsbrief.options import OPTIONS_BY_NAME, SummaryDefaults, SummaryOptions
from newsbrief.storage.feed_repo import StoredFeed
from newsbrief.storage.repo import StoredArticle
from newsbrief.storage.search import Snippet


def _url_text(value: str) -> str:
    if has_unstorable(value) or any(ord(character) < 32 for character in value):
        raise ValueError("the URL holds control characters")
    return value


# Text a client sends is made storable (NUL removed, lone surrogates replaced: models.storable), as every
# Article's text is; a URL with such characters is refused instead, since no repair gives the URL meant.
SentText = Annotated[str, AfterValidator(storable)]
SentUrl = Annotated[str, AfterValidator(_url_text)]


def option_constraints(name: str) -> dict[str, Any]:
    """The bounds of summary option ``name`` from the one table (newsbrief.options.OPTIONS), as keyword
    arguments of pydantic's Field and FastAPI's Query: the API checks what the CLI and the core check."""
    spec = OPTIONS_BY_NAME[name]
    bounds: dict[str, Any] = {"description": spec.help}
    if spec.minimum is not None:
        bounds["gt" if spec.minimum_open else "ge"] = spec.minimum
    if spec.maximum is not None:
        bounds["le"] = spec.maximum
    if spec.choices:
        bounds["pattern"] = f"^({'|'.join(spec.choices)})$"
    if spec.max_length is not None:
        bounds["max_length"] = spec.max_length
    return bounds


class ArticleCreate(BaseModel):
    """One of ``url``, ``html`` (with its ``url``) or ``text``; ``title`` overrides the extracted one."""

    url: SentUrl | None = Field(default=None, max_length=2048)
    html: SentText | None = None
    text: SentText | None = None
    title: SentText | None = Field(default=None, max_length=1000)


class SummarizeRequest(BaseModel):
    """A page's own HTML or a text to summarize without storing it (the widget's hand-off)."""

    url: SentUrl | None = Field(default=None, max_length=2048)
    html: SentText | None = None
    text: SentText | None = None
    sentences: Annotated[int | None, Field(**option_constraints("sentences"))] = None
    words: Annotated[int | None, Field(**option_constraints("words"))] = None
    ratio: Annotated[float | None, Field(**option_constraints("ratio"))] = None
    seconds: Annotated[float | None, Field(**option_constraints("seconds"))] = None
    style: Annotated[str, Field(**option_constraints("style"))] = "bullets"
    engine: Annotated[str | None, Field(**option_constraints("engine"))] = None
    compress: Annotated[str, Field(**option_constraints("compress"))] = "auto"

    def options(self, defaults: SummaryDefaults) -> SummaryOptions:
        return SummaryOptions.parse(
            defaults=defaults,
            sentences=self.sentences,
            words=self.words,
            ratio=self.ratio,
            seconds=self.seconds,
            style=self.style,
            engine=self.engine,
            compress=self.compress,
        )


class SnippetPublic(BaseModel):
    """A passage of an article around what a search matched (plain text, never HTML)."""

    text: str
    highlights: list[tuple[int, int]] = Field(
        description="``[start, end]`` character offsets into ``text`` of the matched words."
    )

    @classmethod
    def of(cls, snippet: Snippet) -> SnippetPublic:
        return cls(text=snippet.text, highlights=list(snippet.highlights))


class ArticlePublic(BaseModel):
    id: int
    title: str | None
    subtitle: str | None
    byline: str | None
    published: datetime | None
    url: str | None
    site: str | None
    language: str | None
    image_url: str | None = Field(default=None, description="The page's lead image, when it names one.")
    word_count: int
    content_hash: str
    created_at: datetime
    paragraphs: list[str] | None = None
    snippet: SnippetPublic | None = Field(
        default=None, description="In search results only: a passage of the body around the matches."
    )

    @classmethod
    def of(cls, stored: StoredArticle, *, with_body: bool) -> ArticlePublic:
        article = stored.article
        return cls(
            id=stored.id,
            title=article.title,
            subtitle=article.subtitle,
            byline=article.byline,
            published=article.published,
            url=article.url,
            site=article.site,
            language=article.language,
            image_url=article.image_url,
            word_count=article.word_count,
            content_hash=article.content_hash,
            created_at=stored.created_at,
            paragraphs=list(article.paragraphs) if with_body else None,
        )


class ArticlesPublic(BaseModel):
    data: list[ArticlePublic]
    count: int


class RemovedPiecePublic(BaseModel):
    start: int
    end: int
    text: str
    reason: str = Field(description="dateline, wire_credit, byline, chrome, parenthetical, appositive, ...")


class SummarySentencePublic(BaseModel):
    text: str
    # None only in a pinned summary (``edited``): a point the editor wrote has no sentence, and a reworded
    # point has no span of its own (its ``source_span`` says where it came from).
    index: int | None = Field(description="The article sentence it comes from (None: written by an editor).")
    paragraph: int | None
    start: int | None
    end: int | None
    score: float | None = Field(description="The engine's score (None in a pinned summary).")
    features: dict[str, float]
    spans: list[tuple[int, int]] = Field(
        default_factory=list, description="The article spans ([start, end]) the shown text is made of."
    )
    removed: list[RemovedPiecePublic] = Field(
        default_factory=list, description="The pieces compression removed from the sentence, and why."
    )
    source_span: list[int] | None = Field(
        default=None,
        description="Pinned summaries: the article span ([start, end]) an edited point came from.",
    )
    written_by_editor: bool = Field(default=False, description="Pinned summaries: a point an editor wrote.")


class SummaryPublic(BaseModel):
    article_id: int | None = None
    title: str | None
    language: str | None
    engine: str
    engine_version: str
    style: str
    options: dict[str, Any]
    content_hash: str
    elapsed_ms: float
    text: str
    sentences: list[SummarySentencePublic]
    fallback_reason: str | None = Field(
        default=None,
        description="llm.v1 only: why the summary is the extractive engine's (server down, unsupported...).",
    )
    generation: dict[str, Any] | None = Field(
        default=None, description="llm.v1 only: model, tokens in and out, latency, what the checker dropped."
    )
    cached: bool = False
    edited: bool = Field(
        default=False, description="True: the newsroom's pinned version (ask ?engine= for the machine's)."
    )
    pinned_by: str | None = Field(default=None, description="Who pinned it (edited summaries).")
    pinned_at: datetime | None = Field(default=None, description="When it was pinned (edited summaries).")


class CheckRequest(BaseModel):
    """An article and a summary of it to check: ``summary`` (split into sentences here) or
    ``summary_sentences`` (taken as they are)."""

    article: str
    summary: str | None = None
    summary_sentences: list[str] | None = Field(default=None, max_length=500)
    language: str | None = Field(default=None, max_length=8, description="Default: detected.")


class UnsupportedPartPublic(BaseModel):
    text: str
    start: int = Field(description="Offset in the summary text (given sentences are joined by newlines).")
    end: int
    reason: str = Field(description="number, date, name, quote, negation, relation or word.")


class CheckedSentencePublic(BaseModel):
    text: str
    start: int
    end: int
    score: float
    supported: bool
    spans: list[list[int]] = Field(description="[start, end] of each supporting article sentence.")
    unsupported: list[UnsupportedPartPublic]


class CheckPublic(BaseModel):
    score: float = Field(description="0..1, higher is more faithful: the worst sentence's score.")
    supported: bool
    language: str | None
    sentences: list[CheckedSentencePublic]


class ErrorBody(BaseModel):
    code: str
    message: str
    reason: str | None = Field(
        default=None,
        description="Why, for pages that are not articles (paywall, consent_wall, bot_challenge, "
        "error_page, listing_page, too_short, needs_javascript) and failed fetches (timeout, dns_timeout, "
        "dns_failure, too_large, blocked_address...).",
    )


class ErrorPublic(BaseModel):
    error: ErrorBody


class FeedCreate(BaseModel):
    """A feed to subscribe to (RSS, Atom or JSON Feed); it is fetched once to check it is a feed."""

    url: SentUrl = Field(max_length=2048)


class FeedPublic(BaseModel):
    id: int
    url: str
    title: str | None
    site_url: str | None
    entries: int
    stored: int
    pending: int
    last_polled_at: datetime | None
    next_poll_at: datetime
    error_reason: str | None = Field(description="Why the last poll failed (kept until a poll succeeds).")
    error_message: str | None
    failures: int = Field(description="Failed polls in a row; each doubles the wait before the next one.")

    @classmethod
    def of(cls, feed: StoredFeed) -> FeedPublic:
        return cls(
            id=feed.id,
            url=feed.url,
            title=feed.title,
            site_url=feed.site_url,
            entries=feed.entries,
            stored=feed.done,
            pending=feed.pending,
            last_polled_at=feed.last_polled_at,
            next_poll_at=feed.next_poll_at,
            error_reason=feed.error_reason,
            error_message=feed.error_message,
            failures=feed.failures,
        )


class FeedsPublic(BaseModel):
    feeds: list[FeedPublic]
