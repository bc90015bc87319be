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


def test_first_lookups_from_many_threads_all_see_every_engine() -> None:
    """Web workers serve their first requests concurrently: none may see a half-loaded registry."""
    import subprocess
    import sys

    script = (
        "import threading\n"
        "from newsbrief.engines import get_engine\n"
        "errors = []\n"
        "def look():\n"
        "    try:\n"
        "        get_engine('newsbrief.v1'); get_engine('lead.v1')\n"
        "    except Exception as error:\n"
        "        errors.append(error)\n"
        "threads = [threading.Thread(target=look) for _ in range(16)]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "print(len(errors))\n"
    )
    for _ in range(3):  # a fresh process each time: the race is in the first load
        output = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        ).stdout
        assert output.strip() == "0"
