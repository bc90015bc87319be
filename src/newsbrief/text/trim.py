"""Trimming non-content from the edges of a sentence (the span shrinks, still pointing into the text)."""

from __future__ import annotations

from newsbrief.text.dateline import dateline_end


def dateline_length(sentence: str) -> int:
    """How many leading characters of a sentence are a dateline (0 when there is none). The one rule is
    ``text.dateline.dateline_end``; this name stays for the pipeline's and compression's callers."""
    return dateline_end(sentence)
