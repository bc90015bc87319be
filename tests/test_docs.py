"""The README documents every setting, engine and command (as datasette's test_docs)."""

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
