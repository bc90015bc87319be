"""NUL characters and lone surrogates: one rule on both databases (issue 12, items 6 and 7).

Text is made storable (NUL removed, a lone surrogate becomes U+FFFD) wherever it comes in; a URL holding
them is refused; a query string with %00 is invalid input (422). Never a 500.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from newsbrief.config import Settings
from newsbrief.errors import InvalidInput
from newsbrief.models import Article, storable
from newsbrief.web import create_app

KEY = "test-key-nul"
AUTH = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
# Raw JSON bodies: the escapes reach the server exactly as a hostile client writes them.
STORY_WITH_NUL = (
    '{"title": "Ferry\\u0000 news", "text": "The ferry\\u0000 left the harbour at noon on Monday. '
    "Passengers said the crossing was calm and the boat was on time. The operator plans two more "
    'sailings\\ud800 next week."}'
)


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=database_url, api_keys=KEY)
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


def test_storable_removes_nul_and_replaces_lone_surrogates() -> None:
    assert storable("a\x00b") == "ab"
    assert storable("a\ud800b\udfffc") == "a\ufffdb\ufffdc"
    assert storable("plain text, ünïcode 😀") == "plain text, ünïcode 😀"


def test_every_text_field_of_an_article_is_storable() -> None:
    text_fields = {
        field.name: "x\x00\ud800"
        for field in dataclasses.fields(Article)
        if field.name != "paragraphs" and "str" in str(field.type)
    }
    article = Article(paragraphs=("one\x00 two\ud800",), **text_fields)  # type: ignore[arg-type]
    assert article.paragraphs == ("one two\ufffd",)
    for name in text_fields:
        assert getattr(article, name) == "x\ufffd", name


def test_create_with_nul_and_lone_surrogates_is_stored_clean(client: TestClient) -> None:
    response = client.post("/api/v1/articles", content=STORY_WITH_NUL.encode(), headers=AUTH)
    assert response.status_code == 201, response.text
    article = response.json()
    assert article["title"] == "Ferry news"
    body = "\n\n".join(article["paragraphs"])
    assert "\x00" not in body and "\ufffd" in body
    summary = client.get(f"/api/v1/articles/{article['id']}/summary")
    assert summary.status_code == 200
    assert client.get(f"/articles/{article['id']}").status_code == 200


def test_summarize_with_a_lone_surrogate_is_not_a_server_error(client: TestClient) -> None:
    for body in (STORY_WITH_NUL, '{"html": "<html><body><p>\\ud800\\u0000 Short.</p></body></html>"}'):
        response = client.post("/api/v1/summarize", content=body.encode(), headers=AUTH)
        assert response.status_code < 500, response.text


@pytest.mark.parametrize(
    "url", ["https://news.example/a\u0000b", "https://news.example/\ud800", "http://x/\n"]
)
def test_a_url_with_control_characters_or_surrogates_is_refused(client: TestClient, url: str) -> None:
    import json

    for path in ("/api/v1/articles", "/api/v1/summarize", "/api/v1/feeds"):
        payload = json.dumps({"url": url, "text": "The ferry left on time."})
        response = client.post(path, content=payload.encode(), headers=AUTH)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/summary?url=https://news.example/a%00b",
        "/api/v1/articles?q=ferry%00",
        "/?q=%00",
        "/api/v1/articles/1/summary?engine=lead.v1%00",
    ],
)
def test_a_nul_in_the_query_string_is_invalid_input(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Authorization": f"Bearer {KEY}"})
    assert response.status_code == InvalidInput.status == 422, response.text
    assert response.json()["error"]["code"] == InvalidInput.code
