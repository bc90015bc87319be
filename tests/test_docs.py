"""The README documents every setting, engine and command (as datasette's test_docs)."""

import re

import click
import pytest

from newsbrief.cli import cli
from newsbrief.config import Settings
from newsbrief.engines import available_engines
from newsbrief.options import OPTIONS, OptionSpec
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_documented(field: str) -> None:
    assert f"NEWSBRIEF_{field.upper()}" in README
    assert Settings.model_fields[field].description


@pytest.mark.parametrize("engine", [info.key for info in available_engines()])
def test_every_engine_is_documented(engine: str) -> None:
    assert f"`{engine}`" in README


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_documented(command: str) -> None:
    assert f"newsbrief {command}" in README


@pytest.mark.parametrize("spec", OPTIONS, ids=[spec.name for spec in OPTIONS])
def test_every_summary_option_and_its_bounds_are_documented(spec: OptionSpec) -> None:
    row = next((line for line in README.splitlines() if line.startswith(f"| `{spec.name}` |")), None)
    assert row is not None, f"README's summary options table has no row for {spec.name}"
    if spec.maximum is not None:
        assert f"{spec.maximum:,.0f}" in row, row
    for choice in spec.choices:
        assert f"`{choice}`" in row


def _command_words(text: str) -> set[tuple[str, ...]]:
    """The commands a text quotes: `newsbrief feeds add URL` -> ("feeds", "add")."""
    return {
        tuple(word for word in match if word)
        for match in re.findall(r"`newsbrief ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?", text)
    }


def test_every_command_the_readme_quotes_exists() -> None:
    quoted = _command_words(README)
    assert ("summaries", "warm") in quoted  # the test reads what it should
    for words in sorted(quoted):
        command = cli.commands.get(words[0])
        assert command is not None, f"README quotes `newsbrief {' '.join(words)}`: no command {words[0]!r}"
        if isinstance(command, click.Group) and len(words) > 1:
            assert words[1] in command.commands, f"README quotes `newsbrief {' '.join(words)}`"


def test_the_first_screen_tells_a_publisher_the_three_steps() -> None:
    """Issue 15: README's first screen (its first 40 lines) says how the button gets on a site: run the
    service, give it the articles (or let the widget send the page), add the one script tag; and shows the
    summarize-URL example and the port setting."""
    first_screen = "\n".join(README.splitlines()[:40])
    steps = re.findall(r"^(\d)\. \*\*", first_screen, flags=re.MULTILINE)
    assert steps == ["1", "2", "3"]
    assert '<script src="https://YOUR-NEWSBRIEF/widget.js"' in first_screen
    assert "newsbrief serve" in first_screen and "data-send-html" in first_screen
    assert "`newsbrief summarize https://" in first_screen
    assert "NEWSBRIEF_PORT=" in first_screen and "make run" in first_screen
