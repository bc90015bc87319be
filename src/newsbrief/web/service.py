"""What the API and the pages share: articles from what a client sent, the page lengths, summary ETags."""

from __future__ import annotations

import dataclasses
import hashlib
import json
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
        return ingestor.article_from_html(html, url=url, title=title)
    if text is not None and text.strip():
        article = parse_text(text, url=url)
    else:
        raise InvalidInput("send 'text' or 'html' with the article")
    return readable(dataclasses.replace(article, title=title) if title else article)


def etag_of(payload: dict[str, Any]) -> str:
    """A strong ETag: the summary's content, not its timing, decides it."""
    stable = {key: value for key, value in payload.items() if key != "elapsed_ms"}
    digest = hashlib.sha256(json.dumps(stable, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return f'"{digest[:32]}"'
