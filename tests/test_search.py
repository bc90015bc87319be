"""Search: words, OR and quoted phrases, snippets with the matches highlighted, on SQLite and PostgreSQL,
through the repository, the JSON API and the list page (issue 15, item 13)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from newsbrief.config import Settings
from newsbrief.errors import InvalidInput
from newsbrief.models import Article
from newsbrief.storage import repo
from newsbrief.storage.database import open_database, upgrade
from newsbrief.storage.search import (
    MAX_SEARCH_WORDS,
    SearchQuery,
    Snippet,
    fts5_expression,
    parse_query,
    read_marked,
    tsquery_expression,
)
from newsbrief.web import create_app
from tests.browser_support import chromium, chromium_missing, cut_to_loopback, running_service

KEY = "test-key-search"
AUTH = {"Authorization": f"Bearer {KEY}"}
# Stories we wrote: "roof" only in the first, "tram" only in the second, both in the third; "harbour wall"
# is a phrase in the third only ("wall" and "harbour" both stand in the fourth, apart).
STORIES = {
    "Station roof": "The roof of the old station collapsed on Monday after the storm. Nobody was hurt.",
    "New tram line": "A new tram line opens in the east of the city next week, the council said.",
    "Depot repairs": "The tram depot roof leaks, and the harbour wall cracked in the same storm.",
    "Sea wall": "The wall by the beach held, the engineers said, and the harbour stayed calm.",
}
# (query, what it finds): operators of FTS5, tsquery and SQL are words like any other, never obeyed.
HOSTILE = [
    ('"unbalanced quote', set()),
    ('roof" OR "', set()),  # the second quote opens the phrase " OR "
    ('roof OR "', {"Station roof", "Depot repairs"}),
    ('"roof', {"Station roof", "Depot repairs"}),
    ("NEAR(roof* tram) ^ : - + { }", set()),
    ("title:roof", set()),
    ("roof AND NOT tram", set()),
    ("'; DROP TABLE articles; --", set()),
    ("!!! ??? &&& |||", set(STORIES)),  # no word at all: no search, the whole list
    ("roof & tram | ! <-> :*", {"Depot repairs"}),
    ("OR OR OR", set(STORIES)),
    ('""', set(STORIES)),
    ("\\", set(STORIES)),
    ("tram OR " * 60 + "roof", {"Station roof", "New tram line", "Depot repairs"}),  # 488 characters
    ("x " * 250, set()),  # 500 characters: the most words a search can have
]


def titles(rows: list[repo.StoredArticle]) -> set[str]:
    return {row.article.title or "" for row in rows}


# --- the query language (pure) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "alternatives"),
    [
        ("roof tram", ((("roof",), ("tram",)),)),
        ("roof OR tram", ((("roof",),), (("tram",),))),
        ('"harbour wall" OR tram', ((("harbour", "wall"),), (("tram",),))),
        ("storm roof OR tram", ((("storm",), ("roof",)), (("tram",),))),
        ("roof or tram", ((("roof",), ("or",), ("tram",)),)),  # only OR in capitals is the operator
        ('"unbalanced quote', ((("unbalanced", "quote"),),)),
        ("covid-19 U.S.", ((("covid", "19"), ("U", "S")),)),
        ("NEAR(roof* tram)", ((("NEAR", "roof"), ("tram",)),)),
        ("OR roof OR OR", ((("roof",),),)),
        ("roof OR roof", ((("roof",),),)),
        ("!!! ??? ''", ()),
        ("", ()),
    ],
)
def test_queries_are_read_into_words_phrases_and_ors(query: str, alternatives: tuple[Any, ...]) -> None:
    assert parse_query(query) == SearchQuery(alternatives)


def test_database_expressions_quote_every_word() -> None:
    query = parse_query('"harbour wall" storm OR tram')
    assert fts5_expression(query) == '("harbour wall" AND "storm") OR ("tram")'
    assert tsquery_expression(query) == "(('harbour' <-> 'wall') & ('storm')) | (('tram'))"


def test_a_search_of_too_many_words_is_refused() -> None:
    assert not parse_query(" ".join(["roof"] * MAX_SEARCH_WORDS)).is_empty
    with pytest.raises(InvalidInput, match="at most"):
        parse_query(" ".join(["roof"] * (MAX_SEARCH_WORDS + 1)))


def test_marks_become_offsets_and_adjacent_highlights_join() -> None:
    snippet = read_marked("…the \x02harbour\x03 \x02wall\x03\n\ncracked, the \x02roof\x03 leaks")
    assert snippet.text == "…the harbour wall cracked, the roof leaks"
    assert [snippet.text[start:end] for start, end in snippet.highlights] == ["harbour wall", "roof"]
    assert snippet.parts() == [
        ("…the ", False),
        ("harbour wall", True),
        (" cracked, the ", False),
        ("roof", True),
        (" leaks", False),
    ]
    assert read_marked("no match here") == Snippet("no match here", ())


# --- the repository on both databases ---------------------------------------------------------------


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_database(database_url)
    upgrade(engine)
    with engine.begin() as conn:
        for title, body in STORIES.items():
            article = Article(paragraphs=(body,), title=title, language="en")
            repo.save_article(conn=conn, article=article, source_kind="text")
    yield engine
    engine.dispose()


def search(engine: Engine, query: str) -> tuple[set[str], dict[str, Snippet]]:
    with engine.connect() as conn:
        rows, count = repo.list_articles(conn=conn, query=query, limit=10, offset=0)
        assert count == len(rows)
        found = repo.search_snippets(conn=conn, query=query, article_ids=[row.id for row in rows])
    by_title = {row.article.title or "": found[row.id] for row in rows if row.id in found}
    return titles(rows), by_title


# (query, what it finds) on both databases.
MATCHES = [
    ("roof", {"Station roof", "Depot repairs"}),
    ("roof tram", {"Depot repairs"}),
    ("roof OR tram", {"Station roof", "New tram line", "Depot repairs"}),
    ("ROOF or", set()),  # "or" in lowercase is a word, and no story has it
    ('"harbour wall"', {"Depot repairs"}),
    ('"wall harbour"', set()),
    ("harbour wall", {"Depot repairs", "Sea wall"}),
    ('"harbour wall" OR beach', {"Depot repairs", "Sea wall"}),
    ("station OR council tram", {"Station roof", "New tram line"}),
]


def test_words_or_and_phrases_match_the_same_on_both_databases(engine: Engine) -> None:
    # One database for every case: each PostgreSQL database made for a test costs about a second.
    for query, expected in MATCHES:
        assert search(engine, query)[0] == expected, query


def test_snippets_highlight_the_matched_words(engine: Engine) -> None:
    found, snippets = search(engine, 'roof OR "harbour wall"')
    assert found == {"Station roof", "Depot repairs"} == set(snippets)
    for title, snippet in snippets.items():
        for fragment in snippet.text.split("…"):  # a passage of the body, or passages apart
            assert fragment.strip() in STORIES[title]
        marked = {snippet.text[start:end].lower() for start, end in snippet.highlights}
        assert marked and marked <= {"roof", "harbour wall"}
    depot = snippets["Depot repairs"]
    assert {depot.text[start:end] for start, end in depot.highlights} == {"roof", "harbour wall"}


def test_hostile_queries_are_searched_as_words(engine: Engine) -> None:
    for query, expected in HOSTILE:
        assert search(engine, query)[0] == expected, query
    with engine.connect() as conn:
        assert repo.count_articles(conn=conn) == len(STORIES)


# --- the API and the list page ------------------------------------------------------------------------


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=database_url, api_keys=KEY)
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        for title, body in STORIES.items():
            response = test_client.post(
                "/api/v1/articles", json={"title": title, "text": f"{body} {body}"}, headers=AUTH
            )
            assert response.status_code == 201, response.text
        yield test_client


def test_api_search_returns_snippets_with_highlights(client: TestClient) -> None:
    response = client.get("/api/v1/articles", params={"q": "roof OR tram"}, headers=AUTH)
    assert response.status_code == 200, response.text
    listing = response.json()
    assert listing["count"] == 3
    assert {item["title"] for item in listing["data"]} == {"Station roof", "New tram line", "Depot repairs"}
    for item in listing["data"]:
        snippet = item["snippet"]
        marked = {snippet["text"][start:end].lower() for start, end in snippet["highlights"]}
        assert marked and marked <= {"roof", "tram"}
    plain = client.get("/api/v1/articles", headers=AUTH).json()
    assert plain["count"] == len(STORIES) and all(item["snippet"] is None for item in plain["data"])


def test_api_and_page_hostile_queries_get_results_not_errors(client: TestClient) -> None:
    for query, expected in HOSTILE:
        response = client.get("/api/v1/articles", params={"q": query}, headers=AUTH)
        assert response.status_code == 200, (query, response.text)
        assert {item["title"] for item in response.json()["data"]} == expected, query
        page = client.get("/", params={"q": query}, headers={**AUTH, "Accept": "text/html"})
        assert page.status_code == 200, query


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("roof\x00tram", "invalid_input"),
        ("roof " * 2000, "validation_error"),  # 10 kB
        ("x" * 501, "validation_error"),
    ],
    ids=["nul", "10kB", "501-chars"],
)
def test_api_refuses_what_is_no_search_with_a_clear_4xx(client: TestClient, query: str, code: str) -> None:
    for path, accept in (("/api/v1/articles", "application/json"), ("/", "text/html")):
        response = client.get(path, params={"q": query}, headers={**AUTH, "Accept": accept})
        assert 400 <= response.status_code < 500, (path, response.status_code, response.text[:300])
        if accept == "application/json":
            assert response.json()["error"]["code"] == code


def test_list_page_shows_escaped_snippets_with_marks(client: TestClient) -> None:
    hostile = "The <b>roof</b> & <script>alert(1)</script> roof fell in the storm on Monday afternoon."
    created = client.post("/api/v1/articles", json={"title": "Markup roof", "text": hostile}, headers=AUTH)
    assert created.status_code == 201, created.text
    page = client.get("/", params={"q": '"roof fell"'}, headers={**AUTH, "Accept": "text/html"})
    assert page.status_code == 200
    snippets = re.findall(r'<p class="snippet">(.*?)</p>', page.text, re.DOTALL)
    assert len(snippets) == 1
    assert "<mark>roof fell</mark>" in snippets[0]
    # The snippet is text, escaped (PostgreSQL's ts_headline even drops the tags; FTS5 keeps them as text).
    assert "<script" not in snippets[0] and "<b>" not in snippets[0] and "&amp;" in snippets[0]
    assert "roof fell in the storm" in html.unescape(re.sub(r"</?mark>", "", snippets[0]))
    form = client.get("/", headers={**AUTH, "Accept": "text/html"}).text
    assert "OR" in re.search(r'<input id="q"[^>]*>', form)[0]  # type: ignore[index]


# --- in a real browser ------------------------------------------------------------------------------------


@pytest.mark.skipif(chromium_missing(), reason="needs Debian's chromium (apt-get install chromium)")
def test_search_box_shows_highlighted_snippets_in_chromium(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'browser.db'}", feed_scheduler=False)
    with running_service(settings) as (base, service), chromium() as browser:
        for title, body in STORIES.items():
            service.store_article(Article(paragraphs=(body,), title=title), source_kind="text")
        context = browser.new_context()
        cut_to_loopback(context)
        page = context.new_page()
        page.goto(base + "/")
        search_box = page.locator("input#q")
        assert "OR" in (search_box.get_attribute("placeholder") or "")  # the syntax, told on the form
        search_box.fill('"harbour wall" OR beach')
        search_box.press("Enter")
        page.wait_for_url("**/?q=*")
        items = page.locator("ol.articles > li")
        assert items.count() == 2
        titles = set(items.locator("h2").all_inner_texts())
        assert titles == {"Depot repairs", "Sea wall"}
        marks = {text.lower() for text in page.locator("p.snippet mark").all_inner_texts()}
        assert "harbour wall" in marks and "beach" in marks
        assert page.locator("p.snippet").first.is_visible()
        context.close()
