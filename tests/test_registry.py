import json

import pytest

from newsbrief.engines import available_engines, get_engine
from newsbrief.errors import UnknownEngine
from tests.conftest import TEST_DATA


def test_registry_matches_the_pinned_list() -> None:
    pinned = json.loads((TEST_DATA / "engines.json").read_text())
    assert [info.key for info in available_engines()] == pinned


def test_bare_name_resolves_to_newest_version() -> None:
    assert get_engine("lead").info.key == "lead.v1"


def test_unknown_engine_names_the_available_ones() -> None:
    with pytest.raises(UnknownEngine, match=r"lead\.v1"):
        get_engine("magic.v9")
