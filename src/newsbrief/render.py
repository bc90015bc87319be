"""Summaries as text, Markdown or JSON for people and programs (pure: values in, strings out)."""

from __future__ import annotations

import json
from typing import Any

from newsbrief.models import Style, Summary


def summary_to_dict(summary: Summary, *, source_id: str | None = None) -> dict[str, Any]:
    """A JSON-ready dict with every sentence's span and the features that chose it."""
    data: dict[str, Any] = {
        "title": summary.title,
        "language": summary.language,
        "engine": summary.engine,
        "engine_version": summary.engine_version,
        "style": summary.style.value,
        "options": summary.options,
        "content_hash": summary.content_hash,
        "elapsed_ms": round(summary.elapsed_ms, 3),
        "text": summary.text,
        "sentences": [
            {
                "text": sentence.text,
                "index": sentence.index,
                "paragraph": sentence.paragraph,
                "start": sentence.start,
                "end": sentence.end,
                "score": sentence.score,
                "features": sentence.features,
                # The article pieces the text is made of, and what compression removed (and why).
                "spans": [list(span) for span in sentence.evidence],
                "removed": [
                    {"start": piece.start, "end": piece.end, "text": piece.text, "reason": piece.reason}
                    for piece in sentence.removed
                ],
            }
            for sentence in summary.sentences
        ],
    }
    # Only an engine that writes (llm.v1) has these: the extractive engines' JSON stays as it was.
    if summary.generation:
        data["fallback_reason"] = summary.fallback_reason
        data["generation"] = summary.generation
    if source_id is not None:
        data["id"] = source_id
    return data


def render_json(summary: Summary, *, source_id: str | None = None) -> str:
    """One line of JSON."""
    return json.dumps(summary_to_dict(summary, source_id=source_id), ensure_ascii=False)


def render_text(summary: Summary) -> str:
    """Bullets as "• " lines, a paragraph, or the one headline line."""
    return summary.text


def render_markdown(summary: Summary) -> str:
    """A Markdown section: the title as a heading, then list items, a paragraph or a bold line."""
    parts = [f"## {summary.title}", ""] if summary.title else []
    if summary.style is Style.BULLETS:
        parts.extend(f"- {sentence.text}" for sentence in summary.sentences)
    elif summary.style is Style.HEADLINE:
        parts.append(f"**{summary.text}**")
    else:
        parts.append(summary.text)
    return "\n".join(parts)
