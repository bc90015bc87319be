"""llm.v1's HTTP side: an OpenAI-compatible ``/chat/completions`` client, and the engine's registration.

Not through the guarded fetch (``net/fetch.py``): that guard exists because page URLs come from users, and it
refuses loopback and private addresses. The LLM server's URL comes from the operator's configuration
(``NEWSBRIEF_LLM_BASE_URL``), and is usually on loopback or the local network: it is trusted like the database
URL. What this client adds instead:

- a total deadline per answer (``llm_timeout``), however slowly the server sends, so a request never hangs;
- at most ``llm_max_concurrency`` requests in flight per process, and four times as many waiting; a request
  that finds the queue full, or gets no slot within the deadline, falls back (``busy``) rather than queue
  without end, so a slow model never holds the service's threads;
- retries with doubling back-off for a refused connection, 429 and 5xx answers (within the deadline);
- the API key only in the Authorization header: never logged, never in an error, never in a summary.

The engine is registered here, through the ``newsbrief.engines`` entry point (pyproject.toml), because it is
built by name, without arguments, in whatever process summarizes (CLI, web workers, batch and Dask workers):
it reads its settings from that process's environment (``NEWSBRIEF_LLM_*``).
"""

from __future__ import annotations

import importlib.util
import json
import threading
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from newsbrief.config import LlmSettings, current_settings
from newsbrief.engines import register_engine
from newsbrief.engines.llm import LLM_INFO, ChatReply, LlmEngine

if TYPE_CHECKING:
    import httpx

# Reasons a reply failed (the summary's ``fallback_reason``).
UNREACHABLE = "unreachable"
TIMEOUT = "timeout"
SERVER_ERROR = "server_error"
BAD_RESPONSE = "bad_response"
BUSY = "busy"

# Worth another try: the server is starting, overloaded or restarting. Other statuses (400, 401, 404...) are
# our request's or our configuration's fault and would fail again.
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Requests that may wait for a slot, per slot: beyond that a request falls back at once (``busy``).
QUEUE_FACTOR = 4
# The largest answer read: a summary is a few hundred tokens; a server streaming without end is cut here.
_MAX_ANSWER_BYTES = 1_000_000


class HttpChatClient:
    """A chat-completions client for one server and model, shared by the threads of a process."""

    def __init__(self, settings: LlmSettings, *, transport: httpx.BaseTransport | None = None) -> None:
        # Imported here: every process that summarizes loads this module (the engine registry), and only
        # one that uses llm.v1 needs the HTTP client.
        import httpx

        self.settings = settings
        headers = {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}
        self._client = httpx.Client(
            base_url=settings.base_url.rstrip("/"),
            headers=headers,
            timeout=httpx.Timeout(settings.timeout),
            transport=transport,
            follow_redirects=False,
        )
        self._slots = threading.BoundedSemaphore(settings.max_concurrency)
        self._queue_lock = threading.Lock()
        self._waiting = 0

    @property
    def model(self) -> str:
        return self.settings.model

    def complete(self, messages: Sequence[Mapping[str, str]], *, max_tokens: int) -> ChatReply:
        """The model's answer, or a ``ChatReply`` whose ``failure`` says why there is none (never raises
        for what the server does)."""
        started = time.monotonic()
        deadline = started + self.settings.timeout
        if not self._take_slot():
            busy = f"all {self.settings.max_concurrency} LLM request slots taken, and the queue full"
            return _timed(ChatReply(failure=BUSY, detail=busy), started)
        try:
            reply = self._with_retries(self._body(messages, max_tokens), deadline)
        finally:
            self._slots.release()
        return _timed(reply, started)

    def _take_slot(self) -> bool:
        """A slot within the timeout; refused at once when the queue is full. Each waiting request holds a
        web worker thread (FastAPI runs sync handlers in a pool of 40): the queue bound keeps most of them
        for other requests however slow the model is."""
        with self._queue_lock:
            if self._waiting >= self.settings.max_concurrency * QUEUE_FACTOR:
                return False
            self._waiting += 1
        try:
            return self._slots.acquire(timeout=self.settings.timeout)
        finally:
            with self._queue_lock:
                self._waiting -= 1

    def close(self) -> None:
        self._client.close()

    def _body(self, messages: Sequence[Mapping[str, str]], max_tokens: int) -> dict[str, Any]:
        # temperature 0: the same article gives the same summary, which the cache assumes.
        return {
            "model": self.settings.model,
            "messages": [dict(message) for message in messages],
            "max_tokens": max_tokens,
            "temperature": 0,
            "stream": False,
        }

    def _with_retries(self, body: dict[str, Any], deadline: float) -> ChatReply:
        reply = ChatReply(failure=TIMEOUT, detail="no time left for a request")
        for attempt in range(self.settings.retries + 1):
            if attempt:
                pause = self.settings.backoff * 2 ** (attempt - 1)
                if time.monotonic() + pause >= deadline:
                    break
                time.sleep(pause)
            reply, retry = self._attempt(body, deadline)
            if not retry:
                break
        return reply

    def _attempt(self, body: dict[str, Any], deadline: float) -> tuple[ChatReply, bool]:
        """One request: (reply, worth retrying)."""
        import httpx

        try:
            status, payload = self._post(body, deadline)
        except httpx.ConnectError as error:
            return ChatReply(failure=UNREACHABLE, detail=_describe(error)), True
        except (httpx.TimeoutException, _Deadline):
            return ChatReply(failure=TIMEOUT, detail=f"no answer within {self.settings.timeout:g} s"), False
        except httpx.HTTPError as error:
            return ChatReply(failure=UNREACHABLE, detail=_describe(error)), True
        if status != 200:
            detail = f"the server answered HTTP {status}"
            return ChatReply(failure=SERVER_ERROR, detail=detail), status in _RETRY_STATUSES
        return parse_reply(payload), False

    def _post(self, body: dict[str, Any], deadline: float) -> tuple[int, bytes]:
        """POST /chat/completions, reading the answer in chunks under the total deadline."""
        # httpx's timeout is per operation (connect, each read): what is left of the total deadline bounds it.
        remaining = max(0.05, deadline - time.monotonic())
        with self._client.stream("POST", "/chat/completions", json=body, timeout=remaining) as response:
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if time.monotonic() > deadline:
                    raise _Deadline
                if size > _MAX_ANSWER_BYTES:
                    return 502, b""
                chunks.append(chunk)
            if time.monotonic() > deadline:
                raise _Deadline
            return response.status_code, b"".join(chunks)


class _Deadline(Exception):
    """The answer did not complete before the total deadline (internal: becomes a TIMEOUT reply)."""


def parse_reply(payload: bytes) -> ChatReply:
    """A ChatReply from an OpenAI-style chat completion body (``bad_response`` when it is not one)."""
    try:
        data = json.loads(payload)
        text = data["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        return ChatReply(failure=BAD_RESPONSE, detail="the answer is not an OpenAI chat completion")
    if not isinstance(text, str):
        return ChatReply(failure=BAD_RESPONSE, detail="the answer's message has no text content")
    usage = data.get("usage") if isinstance(data, dict) else None
    usage = usage if isinstance(usage, dict) else {}
    return ChatReply(
        text=text,
        tokens_in=_count(usage.get("prompt_tokens")),
        tokens_out=_count(usage.get("completion_tokens")),
    )


def _count(value: object) -> int:
    return value if isinstance(value, int) and value >= 0 else 0


def _timed(reply: ChatReply, started: float) -> ChatReply:
    return ChatReply(
        text=reply.text,
        tokens_in=reply.tokens_in,
        tokens_out=reply.tokens_out,
        latency_ms=(time.monotonic() - started) * 1000,
        failure=reply.failure,
        detail=reply.detail,
    )


def _describe(error: Exception) -> str:
    # The error's class, not its text: httpx puts the request URL in some messages, and never the headers,
    # but a class name cannot leak anything.
    return f"cannot reach the LLM server ({type(error).__name__})"


_CLIENTS: dict[LlmSettings, HttpChatClient] = {}
_CLIENTS_LOCK = threading.Lock()


def chat_client(settings: LlmSettings) -> HttpChatClient:
    """One client per configuration and process: its concurrency cap holds for the whole process. Made
    under a lock, because web workers' first requests come at once (lru_cache would make several)."""
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(settings)
        if client is None:
            client = _CLIENTS[settings] = HttpChatClient(settings)
        return client


def _httpx_installed() -> bool:
    return importlib.util.find_spec("httpx") is not None


def _usable() -> bool:
    return _httpx_installed() and bool(current_settings().llm.base_url)


def _needs() -> str:
    if not _httpx_installed():
        return "optional dependencies: pip install 'newsbrief[llm]'"
    return "an OpenAI-compatible server: set NEWSBRIEF_LLM_BASE_URL (e.g. http://127.0.0.1:8080/v1)"


@register_engine(LLM_INFO, available=_usable, needs=_needs)
def _llm_engine() -> LlmEngine:
    settings = current_settings().llm
    return LlmEngine(
        chat_client(settings), fallback_engine=settings.fallback_engine, max_words=settings.max_article_words
    )
