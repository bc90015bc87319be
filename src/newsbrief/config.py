"""The one configuration object. Build it once at the edge (``Settings()`` in the CLI) and pass it down.

Settings()                                    # from NEWSBRIEF_* environment variables
current_settings()                            # the same, built once per distinct environment
Settings(max_input_bytes=1_000_000)           # explicit, e.g. in tests
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from newsbrief.models import LENGTH_BOUNDS, LengthUnit
from newsbrief.options import DEFAULT_ENGINE, DEFAULT_READING_WPM, DEFAULT_SENTENCES, SummaryDefaults

# The sections of the settings: each field belongs to exactly one (tests/test_config.py checks it). The fields
# stay flat, so every NEWSBRIEF_<NAME> variable keeps its name; code that needs one section takes that
# section's view (``settings.section("fetch")``) rather than the whole object.
SECTIONS: dict[str, tuple[str, ...]] = {
    "summary": ("default_engine", "default_sentences", "reading_wpm"),
    "input": ("data", "max_input_bytes", "parse_in_worker", "parse_cpu_seconds", "parse_memory_mb"),
    "database": ("database_url",),
    "web": (
        "host",
        "port",
        "api_keys",
        "read_requires_key",
        "cors_origins",
        "cors_write_origins",
        "secret_key",
        "public_metrics",
        "max_request_bytes",
    ),
    "fetch": ("fetch_allow", "fetch_timeout", "fetch_delay", "respect_robots"),
    "feeds": ("feed_poll_minutes", "feed_scheduler", "feed_check_seconds", "feed_max_entries"),
    "llm": (
        "llm_base_url",
        "llm_model",
        "llm_api_key",
        "llm_timeout",
        "llm_max_concurrency",
        "llm_retries",
        "llm_backoff",
        "llm_max_article_words",
    ),
}


@dataclass(frozen=True, slots=True)
class LlmSettings:
    """The llm section as a plain, picklable value (batch ships it to workers). ``api_key`` never shows in
    its repr."""

    base_url: str = ""
    model: str = "default"
    api_key: str = field(default="", repr=False)
    timeout: float = 60.0
    max_concurrency: int = 2
    retries: int = 2
    backoff: float = 0.5
    max_article_words: int = 1000
    fallback_engine: str = DEFAULT_ENGINE


class Settings(BaseSettings):
    """Every tunable of newsbrief, read from ``NEWSBRIEF_<FIELD>`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="NEWSBRIEF_", extra="ignore", frozen=True)

    data: Path = Field(
        default=Path("../shared/data"),
        description="Folder of the evaluation and training datasets (summ/, extract/, train/).",
    )
    max_input_bytes: int = Field(
        default=10_000_000, gt=0, description="Largest input (file, stdin or page) accepted, in bytes."
    )
    default_engine: str = Field(default=DEFAULT_ENGINE, description="Engine used when none is named.")
    reading_wpm: int = Field(
        default=DEFAULT_READING_WPM,
        gt=0,
        description="Reading speed, in words per minute, behind --seconds budgets.",
    )
    default_sentences: int = Field(
        default=DEFAULT_SENTENCES,
        gt=0,
        le=LENGTH_BOUNDS[LengthUnit.SENTENCES][1],
        description="Summary length when none is given.",
    )
    database_url: str = Field(
        default="sqlite:///newsbrief.db",
        description="Where the service stores articles and summaries: a SQLite file or postgresql+psycopg://...",
    )
    api_keys: str = Field(
        default="",
        description="Comma-separated keys accepted for API writes (besides `newsbrief keys create` keys).",
    )
    read_requires_key: bool = Field(
        default=False, description="A private deployment: every page needs a login, every API read a key."
    )
    cors_origins: str = Field(
        default="*",
        description="Comma-separated origins allowed to read the API from a browser (the widget).",
    )
    cors_write_origins: str = Field(
        default="",
        description="Comma-separated origins allowed to write (POST, DELETE) through the API from a browser.",
    )
    secret_key: str = Field(
        default="",
        description="Signs login sessions and the bookmarklet token (empty: a random one kept in the DB).",
    )
    public_metrics: bool = Field(
        default=False, description="Show /metrics and the article count of /healthz without a key."
    )
    max_request_bytes: int = Field(
        default=10_000_000, gt=0, description="Largest request body the service accepts."
    )
    fetch_allow: str = Field(
        default="",
        description="Comma-separated hosts, addresses or networks that may be fetched although private.",
    )
    fetch_timeout: float = Field(default=15.0, gt=0, description="Total seconds a page fetch may take.")
    fetch_delay: float = Field(
        default=1.0, ge=0, description="Seconds between two requests to the same host (politeness)."
    )
    respect_robots: bool = Field(default=True, description="Honour robots.txt before fetching a page.")
    parse_in_worker: bool = Field(
        default=True, description="Parse fetched pages in worker processes under a CPU and memory budget."
    )
    parse_cpu_seconds: float = Field(
        default=20.0, gt=0, description="CPU seconds one page may take to parse."
    )
    parse_memory_mb: int = Field(default=1024, gt=0, description="Memory (MB) one page's parsing may add.")
    feed_poll_minutes: float = Field(
        default=30.0, gt=0, description="Minutes between two polls of a feed (failures back off from it)."
    )
    feed_scheduler: bool = Field(default=True, description="Let `newsbrief serve` poll due feeds itself.")
    feed_check_seconds: float = Field(
        default=30.0, gt=0, description="How often the service's scheduler looks for due feeds."
    )
    feed_max_entries: int = Field(
        default=200, gt=0, description="Most entries a poll takes from a feed (the newest; the rest counted)."
    )
    host: str = Field(default="127.0.0.1", description="Address `newsbrief serve` listens on.")
    port: int = Field(default=8000, gt=0, lt=65536, description="Port `newsbrief serve` listens on.")
    llm_base_url: str = Field(
        default="",
        description="llm.v1's OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1 (empty: none).",
    )
    llm_model: str = Field(default="default", description="The model name sent to the LLM server.")
    # A secret: SecretStr keeps it out of repr(), logs and every JSON the service writes.
    llm_api_key: SecretStr = Field(
        default=SecretStr(""), description="Bearer key for the LLM server (never logged nor shown)."
    )
    llm_timeout: float = Field(
        default=60.0,
        gt=0,
        description="Total seconds one LLM answer may take before the extractive fallback.",
    )
    llm_max_concurrency: int = Field(
        default=2,
        gt=0,
        le=256,
        description="Most LLM requests in flight per process (others wait or fall back).",
    )
    llm_retries: int = Field(
        default=2, ge=0, le=10, description="Retries of a failed LLM request (refused connection, 429, 5xx)."
    )
    llm_backoff: float = Field(
        default=0.5, ge=0, le=60, description="Seconds before the first retry; doubled for each next one."
    )
    llm_max_article_words: int = Field(
        default=1000, gt=0, description="Article words sent to the LLM (the rest is cut to fit small models)."
    )

    def section(self, name: str) -> dict[str, Any]:
        """The fields of one section (see SECTIONS), by name."""
        return {field: getattr(self, field) for field in SECTIONS[name]}

    @property
    def summary(self) -> SummaryDefaults:
        """The summary section: what a request that names no engine or length gets."""
        return SummaryDefaults(
            engine=self.default_engine, sentences=self.default_sentences, reading_wpm=self.reading_wpm
        )

    @property
    def llm(self) -> LlmSettings:
        """The llm section, as the llm.v1 engine takes it (the key stays a secret)."""
        return LlmSettings(
            base_url=self.llm_base_url.strip(),
            model=self.llm_model,
            api_key=self.llm_api_key.get_secret_value(),
            timeout=self.llm_timeout,
            max_concurrency=self.llm_max_concurrency,
            retries=self.llm_retries,
            backoff=self.llm_backoff,
            max_article_words=self.llm_max_article_words,
            fallback_engine=self.default_engine,
        )

    def api_key_list(self) -> list[str]:
        return [key.strip() for key in self.api_keys.split(",") if key.strip()]

    def fetch_allow_list(self) -> frozenset[str]:
        return frozenset(entry.strip() for entry in self.fetch_allow.split(",") if entry.strip())

    def cors_origin_list(self) -> list[str]:
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]

    def cors_write_origin_list(self) -> list[str]:
        return [origin.strip() for origin in self.cors_write_origins.split(",") if origin.strip()]


def current_settings() -> Settings:
    """``Settings()`` from the environment, built once for each distinct set of NEWSBRIEF_* variables.

    For library calls that pass no settings: building a Settings object costs about 2 ms, as much as
    summarizing a news article, so a loop of ``newsbrief.summarize(text)`` would run at half speed.
    """
    # Keys first, values only for ours: reading every value of os.environ costs 3x more.
    snapshot = tuple(
        sorted((name, os.environ[name]) for name in os.environ if name[:10].upper() == "NEWSBRIEF_")
    )
    return _settings_for(snapshot)


@lru_cache(maxsize=8)
def _settings_for(snapshot: tuple[tuple[str, str], ...]) -> Settings:
    """One Settings per environment snapshot (the argument is only the cache key)."""
    return Settings()
