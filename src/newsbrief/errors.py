"""The one error tree of newsbrief.

Every error a user can cause is a ``NewsbriefError`` with a stable ``code`` (for API clients and tests)
and an HTTP ``status`` (for the service). Interfaces map them: the CLI prints ``error: <message>`` on
one line and exits 1; the API answers ``{"error": {"code": ..., "message": ..., "reason": ...}}`` (``reason``
only for errors that have one: why a fetch failed, why a page is not an article).

    NewsbriefError
    ├── InvalidInput (400)                 the input or an option is wrong
    │   ├── SourceNotFound                 missing path, or a directory
    │   ├── EmptyInput                     nothing to read
    │   ├── BinaryInput                    not text (NUL bytes, undecodable)
    │   ├── UndecodableInput               text that no encoding fits (e.g. broken UTF-8)
    │   ├── NoSentences                    text without any words
    │   ├── BadLength                      a length budget that makes no sense
    │   ├── UnknownEngine                  no engine of that name
    │   └── BadDataset                     an evaluation file without the needed fields
    ├── Forbidden (403)                    a request the caller may not make (not the owner, cross-site)
    ├── InputTooLarge (413)                over the configured size limit
    ├── ExtractionFailed (422)             a page with no article in it
    │   └── NotAnArticle                   a page judged not an article; ``reason`` says why
    └── EngineUnavailable (503)            an engine whose optional dependencies are missing
"""

from __future__ import annotations


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
    status = 400


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

    def __init__(self, name: str, available: list[str]) -> None:
        super().__init__(f"no engine named {name!r}; available: {', '.join(available)}")
        self.name = name
        self.available = available


class BadDataset(InvalidInput):
    """An evaluation dataset whose rows lack the fields evaluation needs."""

    code = "bad_dataset"


class Forbidden(NewsbriefError):
    """A request the caller may not make: another key's article, a cross-site form post or write."""

    code = "forbidden"
    status = 403


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

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"not an article ({reason}): {message}")
        self.reason = reason  # already in the message's words, so not appended as "[reason]"


class EngineUnavailable(NewsbriefError):
    """The engine exists but its optional dependencies are not installed."""

    code = "engine_unavailable"
    status = 503
