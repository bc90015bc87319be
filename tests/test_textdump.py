from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from newsbrief.config import Settings
from newsbrief.extract.textdump import parse_text
from newsbrief.web import create_app
from tests.conftest import CliResult

CHROME_LINES = ("No time to read?", "Get a summary", "Previous Article", "Next Article")


def test_seed_page_keeps_title_standfirst_and_body_and_drops_chrome(seed_page: Path) -> None:
    article = parse_text(seed_page.read_text(encoding="utf-8"))
    assert article.title is not None and article.title.startswith("Russian Defense Leaders Meet")
    assert article.subtitle is not None and article.subtitle.startswith("Russian Deputy Ministers")
    assert len(article.paragraphs) == 8
    text = article.text
    assert article.paragraphs[0].startswith("Deputy Defense Ministers of the Russian Federation")
    assert article.paragraphs[-1].endswith("regional security environment.")
    for chrome in (*CHROME_LINES, "Negotiations Continue as Iberia", "US Expands Ukraine Training"):
        assert chrome not in text


# A page dump of our own, with another site's furniture: byline, share and subscribe lines, "Related".
OTHER_SITE_DUMP = """Menu
Search
City Library Extends Opening Hours

Readers can borrow books until 10 p.m. from next month

By Lena Hart

Share on Facebook
Share on Twitter

The central library will stay open until 10 p.m. on weekdays from next month, the city announced on Thursday.

The change follows a survey in which most readers asked for evening hours. Two more librarians will be hired.

Advertisement

"We want the library to fit people's lives," said the head librarian, Omar Said.

Subscribe to our newsletter
Related stories
New Playground Opens in the East Park
Council Approves Cycling Plan
© 2026 The City Courier
"""


def test_other_sites_chrome_is_dropped_by_the_same_general_rules() -> None:
    article = parse_text(OTHER_SITE_DUMP)
    assert article.title == "City Library Extends Opening Hours"
    assert article.subtitle == "Readers can borrow books until 10 p.m. from next month"
    assert article.byline == "By Lena Hart"
    assert article.paragraphs == (
        "The central library will stay open until 10 p.m. on weekdays from next month, the city announced on Thursday.",
        "The change follows a survey in which most readers asked for evening hours. Two more librarians will be hired.",
        '"We want the library to fit people\'s lives," said the head librarian, Omar Said.',
    )


def test_plain_prose_is_kept_whole_and_wrapped_lines_are_joined() -> None:
    text = (
        "The harbour authority said on Monday that the new ferry terminal\n"
        "would open in June, two months later than planned.\n\n"
        "Work was delayed by storms in the winter."
    )
    article = parse_text(text)
    assert article.title is None
    assert article.paragraphs == (
        "The harbour authority said on Monday that the new ferry terminal would open in June, two months later than planned.",
        "Work was delayed by storms in the winter.",
    )


def test_a_sentence_that_mentions_sharing_is_not_chrome() -> None:
    text = "Share prices rose sharply on Monday after the bank reported record profits for the quarter."
    assert parse_text(text).paragraphs == (text,)


def test_calls_to_action_are_dropped_and_a_short_last_sentence_is_kept() -> None:
    text = (
        "CLICK FOR FULL STATE SWIM RESULTS\n\n"
        "Jane Doe of Springfield High won the 100-yard freestyle at the state championships on Saturday.\n"
        "She touched in 52.11 seconds, a school record.\n"
        "Her coach was delighted.\n\n"
        "Tap here to watch the race\n"
    )
    article = parse_text(text)
    assert article.paragraphs == (
        "Jane Doe of Springfield High won the 100-yard freestyle at the state championships on Saturday.",
        "She touched in 52.11 seconds, a school record.",
        "Her coach was delighted.",
    )
    assert "CLICK" not in article.text and article.title is None


CONFIG = "[server]\nhost = 127.0.0.1\nport = 8000\n\n[database]\nurl = sqlite:///news.db\npool_size = 10\n"


def test_the_cli_refuses_a_config_file_in_one_line(run_cli: Callable[..., CliResult], tmp_path: Path) -> None:
    source = tmp_path / "settings.ini"
    source.write_text(CONFIG, encoding="utf-8")
    result = run_cli("summarize", str(source))
    assert result.code == 1 and result.out == ""
    assert result.err.count("\n") == 1 and result.err.startswith("error: ")
    assert "not_prose" in result.err and "not prose" in result.err


def test_the_api_refuses_a_config_file_with_422_not_article(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'news.db'}", api_keys="key-textdump")
    with TestClient(create_app(settings)) as client:
        for path, headers in (
            ("/api/v1/summarize", {}),
            ("/api/v1/articles", {"Authorization": "Bearer key-textdump"}),
        ):
            response = client.post(path, json={"text": CONFIG}, headers=headers)
            assert response.status_code == 422, response.text
            error = response.json()["error"]
            assert (error["code"], error["reason"]) == ("not_article", "not_prose")
        story = "The council met on Monday.\nIt agreed to build a bridge.\nWork starts in spring.\n"
        assert client.post("/api/v1/summarize", json={"text": story}).status_code == 200
