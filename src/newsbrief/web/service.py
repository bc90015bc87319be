"""What the API and the pages share: articles from what a client sent, the page lengths, summary ETags."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from typing import Any

from newsbrief.errors import InvalidInput
from newsbrief.extract.textdump import parse_text
from newsbrief.models import Article
from newsbrief.pipeline import readable
from newsbrief.services.ingest import Ingestor

# The page's length choices, in sentences.
PAGE_LENGTHS = {"short": 2, "medium": 3, "long": 5}


def article_from_payload(
    ingestor: Ingestor, *, text: str | None, html: str | None, url: str | None, title: str | None
) -> Article:
    """An Article from what a client sent: HTML (parsed under the budget, judged) or text."""
    if html is not None and html.strip():
        return lift_standfirst(ingestor.article_from_html(html, url=url, title=title))
    if text is not None and text.strip():
        article = parse_text(text, url=url)
    else:
        raise InvalidInput("send 'text' or 'html' with the article")
    return readable(dataclasses.replace(article, title=title) if title else article)


# Where a line ends as a sentence: a stop, maybe inside closing quotes or brackets.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*$")
STANDFIRST_MAX_WORDS = 60


def lift_standfirst(article: Article) -> Article:
    """A page's HTML often puts the standfirst (the line under the headline) in the article body, where
    it would be summarized as the first key point although it is no sentence of the story. A first
    paragraph with no final stop, short, and followed by the body becomes the subtitle (or is dropped
    when it repeats the subtitle), so the article starts with the body as a stored article does."""
    if len(article.paragraphs) < 2:
        return article
    first = article.paragraphs[0].strip()
    if not first or _SENTENCE_END.search(first) or len(first.split()) > STANDFIRST_MAX_WORDS:
        return article
    if article.subtitle is None:
        return dataclasses.replace(article, subtitle=first, paragraphs=article.paragraphs[1:])
    if " ".join(article.subtitle.split()).casefold() == " ".join(first.split()).casefold():
        return dataclasses.replace(article, paragraphs=article.paragraphs[1:])
    return article


def etag_of(payload: dict[str, Any]) -> str:
    """A strong ETag: the summary's content, not its timing, decides it."""
    stable = {key: value for key, value in payload.items() if key != "elapsed_ms"}
    digest = hashlib.sha256(json.dumps(stable, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return f'"{digest[:32]}"'
