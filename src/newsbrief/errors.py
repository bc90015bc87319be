"""The one error tree of newsbrief: every error class is here (no module defines its own).

Every error a user can cause is a ``NewsbriefError`` with a stable ``code`` (for API clients and tests), an
HTTP ``status`` (exactly what the service answers: no handler rewrites it) and an optional ``reason`` (a
finer cause: why a fetch failed, why a page is not an article). Every class is built alike:
``Error(message, *, reason=None, ...)``. Interfaces map them: the CLI prints ``error: <message>`` on one line
and exits 1; the API answers ``{"error": {"code": ..., "message": ..., "reason": ...}}`` with ``status``
(``reason`` only when there is one); pages render the same code and message as HTML with ``status``.

    class                     code                status  what
    NewsbriefError            newsbrief_error     500     base of every error raised on purpose
    ├── InvalidInput          invalid_input       422     the input or an option is wrong
    │   ├── SourceNotFound    source_not_found    422     missing path, or a directory
    │   ├── EmptyInput        empty_input         422     nothing to read
    │   ├── BinaryInput       binary_input        422     not text (NUL bytes, undecodable)
    │   ├── UndecodableInput  undecodable_input   422     text that no encoding fits (broken UTF-8)
    │   ├── NoSentences       no_sentences        422     text without any words
    │   ├── BadLength         bad_length          422     a length budget that makes no sense
    │   ├── UnknownEngine     unknown_engine      422     no engine of that name (``.name``, ``.available``)
    │   ├── BadDataset        bad_dataset         422     an evaluation file without the needed fields
    │   └── BadFeed           bad_feed            422     not a feed or OPML file we can (safely) read
    ├── Forbidden             forbidden           403     not the owner; a cross-site form post or write
    ├── NotFound              not_found           404     no such article, feed or key
    ├── InputTooLarge         input_too_large     413     over the configured size limit
    ├── ExtractionFailed      extraction_failed   422     a page with no article in it
    │   └── NotAnArticle      not_article         422     judged not an article; ``reason`` says why
    ├── FetchFailed           fetch_failed        422     a URL that could not be fetched (``.http_status``)
    ├── BudgetExceeded        budget_exceeded     422     parsing went over its CPU, memory or time budget
    ├── BatchIncomplete       batch_incomplete    500     batch output that misses rows (a bug, not input)
    └── EngineUnavailable     engine_unavailable  503     an engine whose optional dependencies are missing

Input errors are 422, as FastAPI's own request validation errors (``validation_error``): one status for
"the request is understood but its content is wrong", whichever layer found it.
"""

from __future__ import annotations

from collections.abc import Sequence


class NewsbriefError(Exception):
    """Base of every error newsbrief raises on purpose."""

    code = "newsbrief_error"
    status = 500
    # A finer cause within the code, for clients and logs (``blocked_address``, ``paywall``, ``cpu``...).
    reason: str | None = None

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        if reason is not None:
            message = f"{message} [{reason}]"
            self.reason = reason
        super().__init__(message)
        self.message = message

    def __reduce__(self) -> tuple[object, ...]:
        # Errors cross process boundaries (parser workers, batch workers); subclasses whose __init__ takes
        # more than the message (a reason, a name) would not survive pickle's default of re-calling it.
        return (_rebuild_error, (type(self), self.message, dict(self.__dict__)))


def _rebuild_error(cls: type[NewsbriefError], message: str, state: dict[str, object]) -> NewsbriefError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class InvalidInput(NewsbriefError):
    """The input or an option is not acceptable."""

    code = "invalid_input"
    # 422, not 400: the status FastAPI gives the same kind of error found by request validation, and what
    # API clients have always received for these (see the docstring above).
    status = 422


class SourceNotFound(InvalidInput):
    """A source path that does not exist or is not a regular file."""

    code = "source_not_found"


class EmptyInput(InvalidInput):
    """The input holds nothing (or only whitespace)."""

    code = "empty_input"


class BinaryInput(InvalidInput):
    """The input is not text."""

    code = "binary_input"


class UndecodableInput(InvalidInput):
    """Bytes that no text encoding decodes cleanly."""

    code = "undecodable_input"


class NoSentences(InvalidInput):
    """Text with no words in it, so nothing to summarize."""

    code = "no_sentences"


class BadLength(InvalidInput):
    """A length budget that is negative, zero, or mixed with another one."""

    code = "bad_length"


class UnknownEngine(InvalidInput):
    """No engine is registered under the requested name."""

    code = "unknown_engine"

    def __init__(self, message: str, *, name: str, available: Sequence[str]) -> None:
        super().__init__(message)
        self.name = name
        self.available = list(available)


class BadDataset(InvalidInput):
    """An evaluation dataset whose rows lack the fields evaluation needs."""

    code = "bad_dataset"


class BadFeed(InvalidInput):
    """A document that is not a feed we can read (or not a safe one); ``reason`` says why."""

    code = "bad_feed"


class Forbidden(NewsbriefError):
    """A request the caller may not make: another key's article, a cross-site form post or write."""

    code = "forbidden"
    status = 403


class NotFound(NewsbriefError):
    """No such thing: an article, feed or key id (or URL) that is not stored."""

    code = "not_found"
    status = 404


class InputTooLarge(NewsbriefError):
    """The input is over the configured size limit."""

    code = "input_too_large"
    status = 413


class ExtractionFailed(NewsbriefError):
    """The page holds no article text to summarize."""

    code = "extraction_failed"
    status = 422


class NotAnArticle(ExtractionFailed):
    """A page that is not an article (paywall, consent wall, error page...): ``reason`` names which."""

    code = "not_article"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(f"not an article ({reason}): {message}" if reason else f"not an article: {message}")
        self.reason = reason  # already in the message's words, so not appended as "[reason]"


class FetchFailed(NewsbriefError):
    """A URL that could not be fetched; ``reason`` says why (blocked_address, timeout, dns_timeout,
    too_large, ...)."""

    code = "fetch_failed"
    status = 422

    def __init__(self, message: str, *, reason: str | None = None, http_status: int | None = None) -> None:
        super().__init__(message, reason=reason)
        self.http_status = http_status  # what the server answered, when it answered with an error


class BudgetExceeded(NewsbriefError):
    """Work that went over its CPU, memory or time budget; ``reason`` says which."""

    code = "budget_exceeded"
    status = 422


class BatchIncomplete(NewsbriefError):
    """The output does not account for every input row (should never happen; the check is the guarantee)."""

    code = "batch_incomplete"
    status = 500


class EngineUnavailable(NewsbriefError):
    """The engine exists but its optional dependencies are not installed."""

    code = "engine_unavailable"
    status = 503
