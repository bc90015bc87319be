"""Plain values that flow through the pipeline: no framework imports, picklable (Dask ships them)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from newsbrief.errors import BadLength

PARAGRAPH_SEPARATOR = "\n\n"
# What no store keeps and no encoder writes: NUL (PostgreSQL refuses it in text) and lone surrogates (JSON's
# "\ud800" makes them; UTF-8 cannot encode them). One rule for every way text comes in: NUL is removed, a lone
# surrogate becomes U+FFFD. Articles apply it to every field (below); the API applies it to what it is sent.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """``text`` without NUL characters and with each lone surrogate replaced by U+FFFD."""
    if _UNSTORABLE.search(text) is None:
        return text
    return _UNSTORABLE.sub(lambda found: "" if found.group() == "\x00" else "\ufffd", text)


def has_unstorable(text: str) -> bool:
    """True when ``text`` holds a NUL or a lone surrogate (a URL that does is refused, not repaired)."""
    return _UNSTORABLE.search(text) is not None


class Style(StrEnum):
    """How the selected sentences are presented."""

    BULLETS = "bullets"
    PARAGRAPH = "paragraph"
    HEADLINE = "headline"


class LengthUnit(StrEnum):
    """What a length budget counts."""

    SENTENCES = "sentences"
    WORDS = "words"
    RATIO = "ratio"
    SECONDS = "seconds"


# The one set of bounds of a length budget, whatever interface it comes from: (minimum, maximum, whether the
# minimum itself is excluded). Past these maxima no summary is a summary any more (and a 10**30-word budget
# is an attack, not a request).
LENGTH_BOUNDS: dict[LengthUnit, tuple[float, float, bool]] = {
    LengthUnit.SENTENCES: (1, 100, False),
    LengthUnit.WORDS: (1, 100_000, False),
    LengthUnit.RATIO: (0, 1, True),
    LengthUnit.SECONDS: (0, 36_000, True),
}


@dataclass(frozen=True, slots=True)
class Length:
    """A summary length budget: ``Length.sentences(3)``, ``Length.ratio(0.2)``, ``Length.parse("20%")``."""

    unit: LengthUnit
    value: float

    def __post_init__(self) -> None:
        if not self.value > 0:  # also refuses NaN
            raise BadLength(f"{self.unit.value} must be greater than 0, got {self.value:g}")
        maximum = LENGTH_BOUNDS[self.unit][1]
        if not self.value <= maximum:
            raise BadLength(f"{self.unit.value} must be at most {maximum:g}, got {self.value:g}")
        if self.unit in (LengthUnit.SENTENCES, LengthUnit.WORDS) and self.value != int(self.value):
            raise BadLength(f"{self.unit.value} must be a whole number, got {self.value:g}")

    @classmethod
    def sentences(cls, count: int) -> Length:
        return cls(LengthUnit.SENTENCES, count)

    @classmethod
    def words(cls, count: int) -> Length:
        return cls(LengthUnit.WORDS, count)

    @classmethod
    def ratio(cls, share: float) -> Length:
        return cls(LengthUnit.RATIO, share)

    @classmethod
    def seconds(cls, reading_seconds: float) -> Length:
        return cls(LengthUnit.SECONDS, reading_seconds)

    @classmethod
    def parse(cls, spec: str) -> Length:
        """Read ``"3"`` (sentences), ``"20%"`` (ratio), ``"100w"`` (words) or ``"30s"`` (seconds)."""
        text = spec.strip().lower()
        try:
            if text.endswith("%"):
                return cls.ratio(float(text[:-1]) / 100)
            if text.endswith("w"):
                return cls.words(int(text[:-1]))
            if text.endswith("s"):
                return cls.seconds(float(text[:-1]))
            return cls.sentences(int(text))
        except ValueError:
            raise BadLength(f"cannot read length {spec!r}: use 3, 20%, 100w or 30s") from None

    def describe(self) -> str:
        return f"{self.value:g} {self.unit.value}"


@dataclass(frozen=True, slots=True)
class Article:
    """An extracted article. ``text`` is the paragraphs joined by a blank line; spans index into it."""

    paragraphs: tuple[str, ...]
    title: str | None = None
    subtitle: str | None = None
    byline: str | None = None
    published: datetime | None = None
    url: str | None = None
    site: str | None = None
    language: str | None = None
    source_id: str | None = None
    image_url: str | None = None  # the lead image (Open Graph / schema.org), as the page gives it

    def __post_init__(self) -> None:
        # Whatever built it, an Article holds only storable text (see ``storable``).
        if any(_UNSTORABLE.search(paragraph) for paragraph in self.paragraphs):
            object.__setattr__(self, "paragraphs", tuple(storable(p) for p in self.paragraphs))
        for name in _ARTICLE_TEXT_FIELDS:
            value = getattr(self, name)
            if value is not None and _UNSTORABLE.search(value):
                object.__setattr__(self, name, storable(value))

    @property
    def text(self) -> str:
        return PARAGRAPH_SEPARATOR.join(self.paragraphs)

    @property
    def content_hash(self) -> str:
        """SHA-256 of the title and body: the cache key part that says "same article"."""
        digest = hashlib.sha256()
        digest.update((self.title or "").encode("utf-8"))
        digest.update(b"\x00")
        digest.update(self.text.encode("utf-8"))
        return digest.hexdigest()

    @property
    def word_count(self) -> int:
        return len(self.text.split())


_ARTICLE_TEXT_FIELDS = ("title", "subtitle", "byline", "url", "site", "language", "source_id", "image_url")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of an article: its text and where it stands (paragraph, character span in ``text``)."""

    index: int
    text: str
    paragraph: int
    start: int
    end: int

    @property
    def word_count(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True, slots=True)
class Removal:
    """A piece compression removed from a sentence: its span in the article, its text and why it could go
    (a reason code of newsbrief.compression: "dateline", "appositive", ...)."""

    start: int
    end: int
    text: str
    reason: str

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)


@dataclass(frozen=True, slots=True)
class SummarySentence:
    """A sentence chosen for a summary, with its place in the article and why it was chosen.

    ``start``/``end`` span the whole source sentence; ``text`` is what is shown, made of the article pieces
    in ``spans`` (one span when nothing was removed; empty means the whole ``start``/``end``), and
    ``removed`` lists what compression took out, with its reason.
    """

    text: str
    index: int
    paragraph: int
    start: int
    end: int
    score: float
    features: dict[str, float] = field(default_factory=dict)
    spans: tuple[tuple[int, int], ...] = ()
    removed: tuple[Removal, ...] = ()

    @property
    def evidence(self) -> tuple[tuple[int, int], ...]:
        """The article spans the shown text is made of."""
        return self.spans or ((self.start, self.end),)


@dataclass(frozen=True, slots=True)
class Summary:
    """The result of summarizing one article, with provenance (engine, options) and timing."""

    sentences: tuple[SummarySentence, ...]
    style: Style
    engine: str
    engine_version: str
    options: dict[str, Any]
    content_hash: str
    language: str | None
    elapsed_ms: float
    title: str | None = None
    # An engine that writes (llm.v1, issue 16): why its text was replaced by the extractive fallback's, and
    # what the model call cost (model, tokens in and out, latency) and what the checker dropped.
    fallback_reason: str | None = None
    generation: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The summary as one text in its style: bullet lines, a paragraph, or one line."""
        if self.style is Style.BULLETS:
            return "\n".join(f"• {sentence.text}" for sentence in self.sentences)
        return " ".join(sentence.text for sentence in self.sentences)

    @property
    def word_count(self) -> int:
        return sum(len(sentence.text.split()) for sentence in self.sentences)


@dataclass(frozen=True, slots=True)
class Document:
    """An article with its sentences: what engines score."""

    article: Article
    sentences: tuple[Sentence, ...]

    @property
    def language(self) -> str | None:
        return self.article.language


@dataclass(frozen=True, slots=True)
class Validators:
    """What a server said about a page's version, sent back on re-fetch (conditional GET)."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry of a feed: its stable key, the link to its story page, title and date."""

    key: str  # SHA-256 of the entry's id, or of its link when it has none
    url: str | None
    title: str | None
    published: datetime | None
