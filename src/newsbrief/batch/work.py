"""What a worker does with one partition: records in, result rows out. One bad record never stops it."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from newsbrief.config import Settings
from newsbrief.engines import get_engine
from newsbrief.errors import InvalidInput, NewsbriefError
from newsbrief.models import Summary, storable
from newsbrief.options import DEFAULT_READING_WPM, SummaryOptions
from newsbrief.pipeline import make_summary
from newsbrief.render import summary_to_dict
from newsbrief.sources import HtmlParser, article_from_record, html_parser_for, load_json_line

STATUS_OK = "ok"


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """Everything a worker needs to summarize a partition (picklable, shipped to workers)."""

    summary: SummaryOptions
    reading_wpm: int = DEFAULT_READING_WPM
    # The parse budget of HTML records (NEWSBRIEF_PARSE_IN_WORKER, _CPU_SECONDS, _MEMORY_MB), shipped to the
    # workers: they may have started with another environment. None: as in the worker's environment. Not
    # in ``describe``: a page parsed within its budget gives the same summary under any budget.
    parse_in_worker: bool | None = None
    parse_cpu_seconds: float | None = None
    parse_memory_mb: int | None = None

    def parse_budget(self) -> dict[str, Any]:
        """The parse settings given, as Settings fields."""
        given = {
            "parse_in_worker": self.parse_in_worker,
            "parse_cpu_seconds": self.parse_cpu_seconds,
            "parse_memory_mb": self.parse_memory_mb,
        }
        return {name: value for name, value in given.items() if value is not None}

    def describe(self) -> dict[str, Any]:
        """What makes the job's output what it is (the resume fingerprint and the error rows' options)."""
        return {"engine": self.summary.engine, **self.summary.as_dict(), "reading_wpm": self.reading_wpm}


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One input record as read: a JSON line not yet parsed (workers parse it), or a Parquet row.

    ``fallback_id`` ("file:line") names records that carry no ``id`` of their own. A record the reader
    could not take (a line over the size limit) has no line, only its ``error`` and ``error_code``.
    """

    fallback_id: str
    line: str | None = None
    data: dict[str, Any] | None = None
    error: str | None = None
    error_code: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedRecord:
    id: str
    data: dict[str, Any] | None
    error: str | None = None
    error_code: str = "invalid_record"


def parse_record(record: RawRecord) -> ParsedRecord:
    """The record's id and fields, or why it cannot be read (that becomes its error row)."""
    if record.error is not None:
        return ParsedRecord(record.fallback_id, None, record.error, record.error_code or "invalid_record")
    data = record.data
    if data is None:
        try:
            data = load_json_line(record.line or "")
        except InvalidInput as error:  # not JSON, nested too deeply, a number too long to convert
            return ParsedRecord(record.fallback_id, None, error.message)
        if not isinstance(data, dict):
            return ParsedRecord(record.fallback_id, None, "not a JSON object")
    record_id = data.get("id")
    # An id is written to every output row: storable, like all text (a lone surrogate cannot be encoded).
    return ParsedRecord(record.fallback_id if record_id is None else storable(str(record_id)), data)


def summarize_partition(records: list[RawRecord], options: BatchOptions) -> list[dict[str, Any]]:
    """Result rows, in input order, one per record. The engine is built once for the partition."""
    get_engine(options.summary.engine)  # loads the engine's model once, before the first record
    settings = Settings(**options.parse_budget())
    parse = html_parser_for(settings)
    return [_summarize_record(record, options, parse) for record in records]


def _summarize_record(raw: RawRecord, options: BatchOptions, parse: HtmlParser) -> dict[str, Any]:
    started = time.perf_counter()
    record = parse_record(raw)
    if record.data is None:
        return error_row(record.id, record.error_code, record.error or "unreadable record", options)
    try:
        article = article_from_record(record.data, where=f"record {record.id}", parse=parse)
        summary = make_summary(article, options.summary, reading_wpm=options.reading_wpm)
    except NewsbriefError as error:
        return error_row(record.id, error.code, error.message, options)
    except Exception as error:  # a bug on one record must not cost the other records of the partition
        return error_row(record.id, "internal_error", f"{type(error).__name__}: {error}", options)
    return ok_row(record.id, summary, (time.perf_counter() - started) * 1000)


# The documented columns of a sentence in a batch row: the summary's JSON shape without scores and features
# (``spans``: the article pieces a compressed sentence shows; ``removed`` stays in the summary's own JSON).
SENTENCE_COLUMNS = ("text", "index", "paragraph", "start", "end", "spans")


def ok_row(record_id: str, summary: Summary, elapsed_ms: float) -> dict[str, Any]:
    """A batch row: the summary's one JSON shape (render.summary_to_dict) flattened into batch columns."""
    shown = summary_to_dict(summary)
    return {
        "id": record_id,
        "status": STATUS_OK,
        "error": None,
        "title": shown["title"],
        "summary": shown["text"],
        "sentences": [{name: sentence[name] for name in SENTENCE_COLUMNS} for sentence in shown["sentences"]],
        "engine": shown["engine"],
        "engine_version": shown["engine_version"],
        "options": json.dumps(shown["options"], sort_keys=True),
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
        "engine": options.summary.engine,
        "engine_version": options.summary.engine.rsplit(".", 1)[-1],
        "options": json.dumps(options.describe(), sort_keys=True),
        "elapsed_ms": 0.0,
    }
