"""The settings: sections that cover every field once, and the environment names that stay as they were."""

import pytest

from newsbrief.config import SECTIONS, Settings


def test_every_setting_is_in_exactly_one_section() -> None:
    placed = [field for fields in SECTIONS.values() for field in fields]
    assert sorted(placed) == sorted(Settings.model_fields)
    assert len(placed) == len(set(placed))


def test_sections_read_the_same_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBRIEF_FETCH_TIMEOUT", "7.5")
    monkeypatch.setenv("NEWSBRIEF_DEFAULT_SENTENCES", "5")
    settings = Settings()
    assert settings.section("fetch")["fetch_timeout"] == 7.5
    assert settings.summary.sentences == 5
