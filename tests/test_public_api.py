import types

import pytest

import newsbrief


def test_all_is_sorted_and_complete() -> None:
    # dir(), not vars(): the public names load on first use (newsbrief/__init__.py), and getattr loads them.
    assert newsbrief.__all__ == sorted(newsbrief.__all__)
    public = {name for name in dir(newsbrief) if not name.startswith("_")} - {"annotations"}
    modules = {name for name in public if isinstance(getattr(newsbrief, name), types.ModuleType)}
    assert set(newsbrief.__all__) - {"__version__"} == public - modules


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="no attribute 'summarise'"):
        _ = newsbrief.summarise  # type: ignore[attr-defined]


def test_summarize_from_text() -> None:
    summary = newsbrief.summarize(
        "The council approved the budget on Monday. It takes effect in May.", sentences=1
    )
    assert [s.text for s in summary.sentences] == ["The council approved the budget on Monday."]


def test_summarize_compresses_key_points_unless_told_not_to() -> None:
    text = (
        "Mayor Ana Ruiz, a former ferry captain, approved the new ferry terminal. "
        "Work starts in May. The terminal will handle 12,000 passengers a day."
    )
    compressed = newsbrief.summarize(text, sentences=1, engine="newsbrief.v3")
    whole = newsbrief.summarize(text, sentences=1, engine="newsbrief.v3", compress=False)
    assert whole.sentences[0].text == text[: text.index(".") + 1]
    assert compressed.sentences[0].text == "Mayor Ana Ruiz approved the new ferry terminal."
    assert [text[start:end] for start, end in compressed.sentences[0].spans] == [
        "Mayor Ana Ruiz",
        "approved the new ferry terminal.",
    ]
    with pytest.raises(newsbrief.InvalidInput, match="compress must be one of"):
        newsbrief.summarize(text, compress="sometimes")


def test_settings_follow_the_environment_between_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Calls without settings reuse one Settings per environment, and see a changed environment."""
    from newsbrief.config import current_settings

    text = "The council approved the budget on Monday. It takes effect in May. Critics objected."
    monkeypatch.delenv("NEWSBRIEF_DEFAULT_ENGINE", raising=False)
    assert current_settings() is current_settings()
    monkeypatch.setenv("NEWSBRIEF_DEFAULT_ENGINE", "lead.v1")
    assert current_settings().default_engine == "lead.v1"
    assert newsbrief.summarize(text, sentences=1).engine == "lead.v1"
    monkeypatch.setenv("NEWSBRIEF_DEFAULT_ENGINE", "newsbrief.v3")
    assert newsbrief.summarize(text, sentences=1).engine == "newsbrief.v3"
    monkeypatch.setenv("NEWSBRIEF_DEFAULT_ENGINE", "no.such")
    with pytest.raises(newsbrief.UnknownEngine):
        newsbrief.summarize(text, sentences=1)


def test_every_error_class_is_exported() -> None:
    from newsbrief import errors

    classes = {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, errors.NewsbriefError)
    }
    assert classes - set(newsbrief.__all__) == set()
    assert all(getattr(newsbrief, name) is getattr(errors, name) for name in classes)
