"""Reading sources at the edge: a path or ``-`` (stdin) to Articles, with size limits and format sniffing."""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from newsbrief.config import Settings, current_settings
from newsbrief.errors import BadDataset, EmptyInput, InputTooLarge, InvalidInput, SourceNotFound
from newsbrief.extract.decode import decode_bytes
from newsbrief.extract.html import looks_like_html, parse_html
from newsbrief.extract.textdump import parse_text
from newsbrief.models import Article

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
# Fields a JSON-lines record may carry its body in, most specific first.
_TEXT_FIELDS = ("text", "article", "body", "content")
# How an HTML page becomes an Article: ``(markup, url) -> Article``, raising NotAnArticle and friends.
HtmlParser = Callable[[str, str | None], Article]


def parse_html_in_budget(html: str, url: str | None = None) -> Article:
    """``parse_html`` under the parse budgets of the environment (see ``html_parser_for``)."""
    return html_parser_for(current_settings())(html, url)


def html_parser_for(settings: Settings) -> HtmlParser:
    """``parse_html`` in a worker process under the service's budgets (``parse_cpu_seconds`` and
    ``parse_memory_mb``), so a hostile page given to the CLI, a batch or a library call is refused with a
    BudgetExceeded error instead of taking minutes and gigabytes; in this process when ``parse_in_worker``
    is false."""
    if not settings.parse_in_worker:
        return _parse_here
    from newsbrief.isolation import shared_pool

    pool = shared_pool(
        cpu_seconds=settings.parse_cpu_seconds,
        memory_bytes=settings.parse_memory_mb << 20,
        wall_seconds=settings.parse_cpu_seconds * 3,  # as the service's Ingestor
        preload=("newsbrief.extract.html", "trafilatura"),
    )

    def parse_in_worker(html: str, url: str | None) -> Article:
        return pool.call(parse_html, html, url=url)

    return parse_in_worker


def _parse_here(html: str, url: str | None) -> Article:
    return parse_html(html, url=url)


def load_json_line(line: str) -> Any:
    """``json.loads`` of one input line; InvalidInput saying why for a line that is not JSON we can read
    (a syntax error, nesting deeper than the interpreter's recursion limit, a number too long to convert).
    """
    try:
        return json.loads(line)
    except json.JSONDecodeError as error:
        raise InvalidInput(f"not valid JSON ({error.msg})") from None
    except RecursionError:
        raise InvalidInput("not readable JSON (nested too deeply)") from None
    except ValueError as error:  # Python refuses to convert integers of more than 4,300 digits
        if "digits" in str(error):
            limit = sys.get_int_max_str_digits()
            raise InvalidInput(f"not readable JSON (a number of more than {limit:,} digits)") from None
        raise InvalidInput(f"not readable JSON ({error})") from None


def read_source_bytes(source: str, *, max_bytes: int, stdin: BinaryIO | None = None) -> bytes:
    """The bytes of a file path or of stdin (``-``), refusing more than ``max_bytes``.

    Raises:
        SourceNotFound: a missing path, or one that is not a regular file.
        InputTooLarge: more bytes than allowed (read no further than the limit).
        EmptyInput: zero bytes.
    """
    if source == "-":
        data = _read_limited(stdin or sys.stdin.buffer, max_bytes, "standard input")
    else:
        path = Path(source)
        if path.is_dir():
            raise SourceNotFound(f"{source} is a directory, not a file")
        if not path.exists():
            raise SourceNotFound(f"{source}: no such file")
        if not path.is_file():
            raise SourceNotFound(f"{source} is not a regular file")
        try:
            with path.open("rb") as handle:
                data = _read_limited(handle, max_bytes, source)
        except PermissionError:
            raise SourceNotFound(f"{source}: permission denied") from None
        if path.name.endswith(".gz"):
            data = _gunzip_limited(data, max_bytes, source)
    if not data:
        raise EmptyInput(f"{'standard input' if source == '-' else source} is empty")
    return data


def _read_limited(handle: BinaryIO, max_bytes: int, name: str) -> bytes:
    data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputTooLarge(
            f"{name} is larger than the {_megabytes(max_bytes)} limit (NEWSBRIEF_MAX_INPUT_BYTES)"
        )
    return data


def _gunzip_limited(data: bytes, max_bytes: int, name: str) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as unzipped:
            # Read at most one byte past the limit, so a gzip bomb is never inflated whole.
            return _read_limited(unzipped, max_bytes, f"{name} (uncompressed)")  # type: ignore[arg-type]
    except (OSError, EOFError) as error:
        raise InvalidInput(f"{name} is not a valid gzip file: {error}") from None


def _megabytes(count: int) -> str:
    return f"{count / 1_000_000:g} MB"


def is_jsonl(source: str, text: str) -> bool:
    """JSON lines by name, or by content: every one of the first lines is a JSON object."""
    if source.endswith(JSONL_SUFFIXES):
        return True
    first_lines = [line for line in text.lstrip().split("\n", 5)[:5] if line.strip()]
    return bool(first_lines) and all(_is_json_object(line) for line in first_lines)


def _is_json_object(line: str) -> bool:
    stripped = line.strip()
    if not (stripped.startswith("{") and stripped.endswith("}")):
        return False
    try:
        return isinstance(load_json_line(stripped), dict)
    except InvalidInput:
        return False


def article_from_text(
    text: str,
    *,
    url: str | None = None,
    language: str | None = None,
    parse: HtmlParser = parse_html_in_budget,
) -> Article:
    """An Article from a text that is either HTML (parsed by ``parse``: under the parse budgets by
    default) or plain text / a page dump."""
    if looks_like_html(text):
        return parse(text, url)
    return parse_text(text, url=url, language=language)


def iter_jsonl_records(text: str, name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, record)`` for each non-blank line; a line that is not a JSON object is an error."""
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = load_json_line(line)
        except InvalidInput as error:
            raise InvalidInput(f"{name}, line {number}: {error.message}") from None
        if not isinstance(record, dict):
            raise InvalidInput(f"{name}, line {number}: expected a JSON object")
        yield number, record


def article_from_record(
    record: dict[str, Any], *, where: str, parse: HtmlParser = parse_html_in_budget
) -> Article:
    """An Article from one JSON-lines record with ``text``/``article``/``html`` and optional metadata."""
    url = _optional_str(record, "url", where)
    language = _optional_str(record, "language", where)
    html = record.get("html")
    if isinstance(html, str) and html.strip():
        article = parse(html, url)
    else:
        body = next((record[key] for key in _TEXT_FIELDS if isinstance(record.get(key), str)), None)
        if body is None:
            raise BadDataset(f"{where}: no text field (one of {', '.join((*_TEXT_FIELDS, 'html'))})")
        article = parse_text(body, url=url, language=language)
    title = _optional_str(record, "title", where)
    source_id = record.get("id")
    return _with_metadata(article, title=title, source_id=None if source_id is None else str(source_id))


def _with_metadata(article: Article, *, title: str | None, source_id: str | None) -> Article:
    return dataclasses.replace(article, title=title or article.title, source_id=source_id)


def _optional_str(record: dict[str, Any], key: str, where: str) -> str | None:
    value = record.get(key)
    if value is None or isinstance(value, str):
        return value or None
    raise BadDataset(f"{where}: field {key!r} must be a string")


def read_articles(
    source: str,
    *,
    max_bytes: int,
    stdin: BinaryIO | None = None,
    parse: HtmlParser = parse_html_in_budget,
) -> list[Article]:
    """Every article in a source: one for a text or HTML file, one per line for JSON lines. HTML goes
    through ``parse``: under the parse budgets by default."""
    text = decode_bytes(read_source_bytes(source, max_bytes=max_bytes, stdin=stdin))
    name = "standard input" if source == "-" else source
    if is_jsonl(source, text):
        articles = [
            article_from_record(record, where=f"{name}, line {n}", parse=parse)
            for n, record in iter_jsonl_records(text, name)
        ]
        if not articles:
            raise EmptyInput(f"{name} has no records")
        return articles
    return [article_from_text(text, parse=parse)]
