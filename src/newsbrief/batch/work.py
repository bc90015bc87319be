"""What a worker does with one partition: records in, result rows out. One bad record never stops it."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from newsbrief.config import Settings
from newsbrief.engines import get_engine
from newsbrief.errors import NewsbriefError
from newsbrief.models import Length, Style, Summary
from newsbrief.pipeline import summarize_article
from newsbrief.sources import article_from_record

STATUS_OK = "ok"


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """Everything a worker needs to summarize a partition (picklable, shipped to workers)."""

    engine: str
    length: Length
    style: Style = Style.BULLETS
    reading_wpm: int = 230

    def describe(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "length": {"unit": self.length.unit.value, "value": self.length.value},
            "style": self.style.value,
            "reading_wpm": self.reading_wpm,
        }


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One input record as read: a JSON line not yet parsed (workers parse it), or a Parquet row.

    ``fallback_id`` ("file:line") names records that carry no ``id`` of their own.
    """

    fallback_id: str
    line: str | None = None
    data: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class ParsedRecord:
    id: str
    data: dict[str, Any] | None
    error: str | None = None


def parse_record(record: RawRecord) -> ParsedRecord:
    """The record's id and fields, or why it cannot be read (that becomes its error row)."""
    data = record.data
    if data is None:
        try:
            data = json.loads(record.line or "")
        except json.JSONDecodeError as error:
            return ParsedRecord(record.fallback_id, None, f"not valid JSON ({error.msg})")
        if not isinstance(data, dict):
            return ParsedRecord(record.fallback_id, None, "not a JSON object")
    record_id = data.get("id")
    return ParsedRecord(record.fallback_id if record_id is None else str(record_id), data)


def summarize_partition(records: list[RawRecord], options: BatchOptions) -> list[dict[str, Any]]:
    """Result rows, in input order, one per record. The engine is built once for the partition."""
    engine = get_engine(options.engine)
    settings = Settings(default_engine=options.engine, reading_wpm=options.reading_wpm)
    return [_summarize_record(record, engine, options, settings) for record in records]


def _summarize_record(
    raw: RawRecord, engine: Any, options: BatchOptions, settings: Settings
) -> dict[str, Any]:
    started = time.perf_counter()
    record = parse_record(raw)
    if record.data is None:
        return error_row(record.id, "invalid_record", record.error or "unreadable record", options)
    try:
        article = article_from_record(record.data, where=f"record {record.id}")
        summary = summarize_article(
            article, engine=engine, length=options.length, style=options.style, settings=settings
        )
    except NewsbriefError as error:
        return error_row(record.id, error.code, error.message, options)
    except Exception as error:  # a bug on one record must not cost the other records of the partition
        return error_row(record.id, "internal_error", f"{type(error).__name__}: {error}", options)
    return ok_row(record.id, summary, (time.perf_counter() - started) * 1000)


def ok_row(record_id: str, summary: Summary, elapsed_ms: float) -> dict[str, Any]:
    return {
        "id": record_id,
        "status": STATUS_OK,
        "error": None,
        "title": summary.title,
        "summary": summary.text,
        "sentences": [
            {"text": s.text, "index": s.index, "paragraph": s.paragraph, "start": s.start, "end": s.end}
            for s in summary.sentences
        ],
        "engine": summary.engine,
        "engine_version": summary.engine_version,
        "options": json.dumps(summary.options, sort_keys=True),
        "elapsed_ms": round(elapsed_ms, 3),
    }


def error_row(record_id: str, status: str, message: str, options: BatchOptions) -> dict[str, Any]:
    return {
        "id": record_id,
        "status": status,
        "error": message,
        "title": None,
        "summary": None,
        "sentences": [],
        "engine": options.engine,
        "engine_version": options.engine.rsplit(".", 1)[-1],
        "options": json.dumps(options.describe(), sort_keys=True),
        "elapsed_ms": 0.0,
    }
