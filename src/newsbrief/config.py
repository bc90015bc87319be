"""The one configuration object. Build it once at the edge (``Settings()`` in the CLI) and pass it down.

Settings()                                    # from NEWSBRIEF_* environment variables
Settings(max_input_bytes=1_000_000)           # explicit, e.g. in tests
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_ENGINE = "newsbrief.v1"


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
        default=230, gt=0, description="Reading speed, in words per minute, behind --seconds budgets."
    )
    default_sentences: int = Field(default=3, gt=0, description="Summary length when none is given.")
