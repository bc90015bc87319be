"""Editors keep the last word (issue 15, item 15): pin, edit, reorder and clear an article's summary; the
pinned version is what the API, the widget's endpoint and the page serve unless an engine is asked; every
change is in the history. API and pages on SQLite and PostgreSQL; the page in Chromium."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from newsbrief.config import Settings
from newsbrief.services import Service
from newsbrief.storage.database import open_database, upgrade
from newsbrief.web import create_app
from tests.site import running_site
from tests.test_e2e import CHROMIUM, _free_port

ADMIN = "editorial-admin-key-1"
STORY = (
    "Harbour Works Start\n\n"
    "Work on the new harbour wall started on Monday, the port authority said. "
    "The wall will protect the old town from winter storms.\n\n"
    "The project costs 12 million euros and should be finished in two years. "
    "Fishermen said they welcomed the plan."
)
URL = "https://news.example/harbour-works"
COSTS = "The project costs 12 million euros and should be finished in two years."
FISHERMEN = "Fishermen said they welcomed the plan."
OWN_WORDS = "Our reporter walked the length of the wall on Tuesday."


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=database_url, api_keys=ADMIN))) as test_client:
        yield test_client


def service_of(client: TestClient) -> Service:
    service: Service = client.app.state.service  # type: ignore[attr-defined]
    return service


def new_key(client: TestClient, label: str, role: str = "writer") -> str:
    return service_of(client).create_key(label=label, role=role)


def store(client: TestClient, key: str, text: str = STORY, url: str | None = URL) -> tuple[int, str]:
    """Store an article; its id and its text (the paragraphs joined as spans index them)."""
    body: dict[str, Any] = {"text": text} if url is None else {"text": text, "url": url}
    made = client.post("/api/v1/articles", json=body, headers=bearer(key))
    assert made.status_code == 201, made.text
    return int(made.json()["id"]), "\n\n".join(made.json()["paragraphs"])


def span_of(text: str, part: str) -> list[int]:
    start = text.index(part)
    return [start, start + len(part)]


def pin(client: TestClient, article_id: int, key: str, points: list[dict[str, Any]]) -> httpx.Response:
    return client.put(f"/api/v1/articles/{article_id}/summary", json={"points": points}, headers=bearer(key))


def error_of(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    return str(error["message"])


def test_pinned_summary_is_served_marked_until_cleared(client: TestClient) -> None:
    alice = new_key(client, "alice")
    article_id, text = store(client, alice)
    machine = client.get(f"/api/v1/articles/{article_id}/summary").json()
    assert machine["edited"] is False and machine["engine"] != "newsroom"

    first = text[: text.index(" The wall")]  # the first sentence, reworded below
    made = pin(
        client,
        article_id,
        alice,
        [
            {"text": COSTS},  # the article's text as it stands: found without a span
            {"text": "Work on the harbour wall began on Monday.", "source_span": span_of(text, first)},
            {"text": OWN_WORDS, "written_by_editor": True},
        ],
    )
    assert made.status_code == 200, made.text
    served = client.get(f"/api/v1/articles/{article_id}/summary").json()
    assert served["edited"] is True and served["pinned_by"] == "alice" and served["pinned_at"]
    assert served["engine"] == "newsroom"
    points = served["sentences"]
    assert [point["text"] for point in points] == [
        COSTS,
        "Work on the harbour wall began on Monday.",
        OWN_WORDS,
    ]
    exact, reworded, own = points
    assert text[exact["start"] : exact["end"]] == COSTS and exact["source_span"] == span_of(text, COSTS)
    assert exact["written_by_editor"] is False
    # A reworded point keeps the span it came from and the sentence it links to, but claims no exact span.
    assert reworded["source_span"] == span_of(text, first) and reworded["index"] == 0
    assert reworded["start"] is None and reworded["written_by_editor"] is False
    assert own["written_by_editor"] is True and own["source_span"] is None and own["index"] is None
    assert served["text"].splitlines() == [
        f"• {COSTS}",
        "• Work on the harbour wall began on Monday.",
        f"• {OWN_WORDS}",
    ]

    paragraph = client.get(f"/api/v1/articles/{article_id}/summary?style=paragraph").json()
    assert paragraph["edited"] is True and paragraph["text"].startswith(COSTS + " Work on")
    # An engine asked by name, or a headline, is the machine's.
    asked = client.get(f"/api/v1/articles/{article_id}/summary?engine=lead.v1").json()
    assert asked["edited"] is False and asked["engine"] == "lead.v1"
    assert client.get(f"/api/v1/articles/{article_id}/summary?style=headline").json()["edited"] is False
    # The widget's request (by URL) and the page.
    widget = client.get("/api/v1/summary", params={"url": URL}).json()
    assert widget["edited"] is True and widget["sentences"][2]["text"] == OWN_WORDS
    assert client.get("/api/v1/summary", params={"url": URL, "engine": "lead.v1"}).json()["edited"] is False
    page = client.get(f"/articles/{article_id}?summary=1").text
    assert "Edited by the newsroom" in page and OWN_WORDS in page
    assert f'<span class="editor-point">{OWN_WORDS}</span>' in page  # written by the editor: no link
    assert re.search(
        r'<a href="#s-0" data-sentence="0"[^>]*>Work on the harbour wall began on Monday\.</a>', page
    )

    # An edit (reordered, one point dropped), then a clear: each is a row of the history.
    assert (
        pin(
            client, article_id, alice, [{"text": OWN_WORDS, "written_by_editor": True}, {"text": COSTS}]
        ).status_code
        == 200
    )
    reordered = client.get(f"/api/v1/articles/{article_id}/summary").json()
    assert [point["text"] for point in reordered["sentences"]] == [OWN_WORDS, COSTS]
    assert client.delete(f"/api/v1/articles/{article_id}/summary", headers=bearer(ADMIN)).status_code == 204
    after = client.get(f"/api/v1/articles/{article_id}/summary").json()
    assert after["edited"] is False and [p["text"] for p in after["sentences"]] == [
        p["text"] for p in machine["sentences"]
    ]
    assert "Edited by the newsroom" not in client.get(f"/articles/{article_id}?summary=1").text
    again = client.delete(f"/api/v1/articles/{article_id}/summary", headers=bearer(alice))
    assert "no pinned summary" in error_of(again, 404, "not_found")

    history = client.get(f"/api/v1/articles/{article_id}/summary/edits", headers=bearer(alice)).json()
    assert history["pinned"] is None
    assert [(edit["action"], edit["editor"]) for edit in history["edits"]] == [
        ("clear", "admin"),
        ("edit", "alice"),
        ("pin", "alice"),
    ]
    assert history["edits"][0]["points"] is None
    assert [point["text"] for point in history["edits"][1]["points"]] == [OWN_WORDS, COSTS]
    stamps = [edit["at"] for edit in history["edits"]]
    assert stamps == sorted(stamps, reverse=True)


def test_hostile_edits_are_refused_with_a_clear_4xx(client: TestClient) -> None:
    alice = new_key(client, "alice")
    bob = new_key(client, "bob")
    article_id, text = store(client, alice)
    path = f"/api/v1/articles/{article_id}/summary"
    cases: list[tuple[list[dict[str, Any]], str]] = [
        ([], "at least one point"),
        ([{"text": COSTS}] * 10_000, "at most 20 points"),
        ([{"text": "x" * 1_000_000, "written_by_editor": True}], "at most 2,000"),
        ([{"text": "Harbour\u0000works", "written_by_editor": True}], "NUL"),
        ([{"text": "   ", "written_by_editor": True}], "point 1 is empty"),
        ([{"text": COSTS}, {"text": "Reworded.", "source_span": [0, len(text) + 1]}], "point 2: source_span"),
        ([{"text": "Reworded.", "source_span": [-5, 10]}], "is not in the article"),
        ([{"text": "Reworded.", "source_span": [40, 40]}], "is not in the article"),
        ([{"text": "A sentence the article never had."}], "written_by_editor: true"),
        ([{"text": COSTS, "source_span": [0, 10], "written_by_editor": True}], "not both"),
    ]
    for points, said in cases:
        message = error_of(pin(client, article_id, alice, points), 422, "invalid_input")
        assert said in message, (said, message)
    malformed = client.put(
        path, json={"points": [{"text": COSTS, "source_span": "0-10"}]}, headers=bearer(alice)
    )
    assert malformed.status_code == 422 and malformed.json()["error"]["code"] == "validation_error"

    valid = [{"text": COSTS}]
    assert "only the key that stored" in error_of(pin(client, article_id, bob, valid), 403, "forbidden")
    assert error_of(client.delete(path, headers=bearer(bob)), 403, "forbidden")
    assert error_of(client.get(path + "/edits", headers=bearer(bob)), 403, "forbidden")
    assert error_of(client.put(path, json={"points": valid}), 401, "unauthorized")
    assert error_of(client.delete(path), 401, "unauthorized")
    assert error_of(client.get(path + "/edits"), 401, "unauthorized")
    # Read-only credentials: a login session (it reads, never writes through the API) and a revoked key.
    client.post("/login", data={"key": alice}, follow_redirects=False)
    assert error_of(client.put(path, json={"points": valid}), 401, "unauthorized")
    client.cookies.clear()
    service = service_of(client)
    carol = new_key(client, "carol", role="admin")
    made_keys = service.keys()
    service.revoke_key(next(key.id for key in made_keys if key.label == "carol"))
    assert error_of(pin(client, article_id, carol, valid), 401, "unauthorized")
    assert error_of(pin(client, 999_999, ADMIN, valid), 404, "not_found")

    # Nothing of the above was pinned or recorded.
    assert client.get(path).json()["edited"] is False
    assert client.get(path + "/edits", headers=bearer(alice)).json()["edits"] == []
    # A writer edits what it stored; an admin key anything.
    assert pin(client, article_id, alice, valid).status_code == 200
    assert pin(client, article_id, new_key(client, "boss", role="admin"), valid).status_code == 200


def test_the_editor_page(client: TestClient) -> None:
    alice = new_key(client, "alice")
    article_id, text = store(client, alice)
    edit = f"/articles/{article_id}/edit"
    assert client.get(edit, follow_redirects=False).headers["location"].startswith("/login")
    client.post("/login", data={"key": new_key(client, "bob")}, follow_redirects=False)
    assert client.get(edit, headers={"Accept": "text/html"}).status_code == 403
    client.post("/login", data={"key": alice}, follow_redirects=False)
    form = client.get(edit)
    assert form.status_code == 200 and "Pin this summary" in form.text and "Clear the pin" not in form.text
    machine = [
        point["text"] for point in client.get(f"/api/v1/articles/{article_id}/summary").json()["sentences"]
    ]
    assert all(point in form.text for point in machine)

    # Reword the first point and move it last, drop the second, keep the third, add one of the editor's own
    # and one copied from the article.
    first_span = span_of(text, machine[0]) if machine[0] in text else None
    rows = {
        "text": ["Harbour wall work began on Monday.", "", machine[2], OWN_WORDS, FISHERMEN],
        "span": [f"{first_span[0]}:{first_span[1]}" if first_span else "", "", "", "", ""],
        "order": ["9", "2", "1", "3", "4"],
        "action": "pin",
    }
    posted = client.post(edit, data=rows, follow_redirects=False)
    assert posted.status_code == 303 and posted.headers["location"].startswith(
        f"/articles/{article_id}?summary=1"
    )
    served = client.get(f"/api/v1/articles/{article_id}/summary").json()
    assert [point["text"] for point in served["sentences"]] == [
        machine[2],
        OWN_WORDS,
        FISHERMEN,
        "Harbour wall work began on Monday.",
    ]
    assert served["sentences"][1]["written_by_editor"] is True
    assert served["sentences"][2]["source_span"] == span_of(text, FISHERMEN)
    assert served["pinned_by"] == "alice"
    page = client.get(f"/articles/{article_id}?summary=1")
    assert "Edited by the newsroom" in page.text and OWN_WORDS in page.text
    form = client.get(edit)
    assert (
        "Clear the pin" in form.text
        and "pinned by alice" in form.text
        and "Written by the newsroom" in form.text
    )

    # A form with no point is refused on the form itself; a post from another site is refused.
    empty = client.post(
        edit, data={"text": ["", " "], "span": ["", ""], "order": ["1", "2"], "action": "pin"}
    )
    assert (
        empty.status_code == 422 and "at least one point" in empty.text and "Pin this summary" in empty.text
    )
    hostile = [
        ({"text": [COSTS] * 25}, "at most 20 points, not 25"),
        ({"text": ["x" * 1_000_000]}, "at most 2,000"),
        ({"text": ["Harbour\u0000works"]}, "NUL"),
        ({"text": ["Reworded."], "span": ["5:999999"]}, "is not in the article"),
    ]
    for rows_sent, said in hostile:
        refused = client.post(edit, data={"action": "pin", **rows_sent})
        assert refused.status_code == 422 and said in refused.text, (said, refused.text[-500:])
    # 10,000 rows: the form parser's own limit (1,000 fields) refuses them first.
    flood = client.post(edit, data={"action": "pin", "text": [COSTS] * 10_000})
    assert flood.status_code == 400 and "Too many fields" in flood.json()["error"]["message"]
    cross = client.post(edit, data={"action": "clear"}, headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403
    assert client.get(f"/api/v1/articles/{article_id}/summary").json()["edited"] is True
    cleared = client.post(edit, data={"action": "clear"}, follow_redirects=False)
    assert cleared.status_code == 303
    assert client.get(f"/api/v1/articles/{article_id}/summary").json()["edited"] is False
    history = client.get(f"/api/v1/articles/{article_id}/summary/edits", headers=bearer(alice)).json()
    assert [edit["action"] for edit in history["edits"]] == ["clear", "pin"]


def test_the_routes_are_in_the_openapi_document_with_their_errors(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    summary = paths["/api/v1/articles/{article_id}/summary"]
    assert {"get", "put", "delete"} <= summary.keys()
    for operation in (
        summary["put"],
        summary["delete"],
        paths["/api/v1/articles/{article_id}/summary/edits"]["get"],
    ):
        assert {"401", "403", "404", "422"} <= operation["responses"].keys(), operation["summary"]
    assert "written_by_editor" in summary["put"]["description"]


def test_deleting_an_article_deletes_its_pin_and_history(client: TestClient) -> None:
    article_id, _ = store(client, ADMIN)
    assert pin(client, article_id, ADMIN, [{"text": COSTS}]).status_code == 200
    assert client.delete(f"/api/v1/articles/{article_id}", headers=bearer(ADMIN)).status_code == 204
    with client.app.state.service.database.connect() as conn:  # type: ignore[attr-defined]
        for table in ("pinned_summaries", "summary_edits"):
            assert conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one() == 0
    assert client.get(f"/api/v1/articles/{article_id}/summary").status_code == 404


def test_the_migration_goes_down_and_up(database_url: str) -> None:
    database = open_database(database_url)
    try:
        upgrade(database)
        from alembic import command
        from alembic.config import Config

        from newsbrief.storage.database import MIGRATIONS

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with database.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0003")
        with database.connect() as conn:
            names = set(database.dialect.get_table_names(conn))
        assert "pinned_summaries" not in names and "summary_edits" not in names
        upgrade(database)
        with database.connect() as conn:
            assert {"pinned_summaries", "summary_edits"} <= set(database.dialect.get_table_names(conn))
    finally:
        database.dispose()


@contextmanager
def serving(folder: Path, **env: str) -> Iterator[str]:
    """`newsbrief serve --samples` on a fresh SQLite file and a free loopback port, with ``env``."""
    port = _free_port()
    variables = {**os.environ, "NEWSBRIEF_DATABASE_URL": f"sqlite:///{folder / 'e.db'}", **env}
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "newsbrief", "serve", "--samples", "--port", str(port)],
        env=variables,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise AssertionError((folder / "server.log").read_text())
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Debian's chromium at {CHROMIUM}")
def test_page_and_widget_show_the_pinned_summary_marked_as_edited(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with (
        running_site() as site,
        serving(tmp_path, NEWSBRIEF_API_KEYS=ADMIN, NEWSBRIEF_CORS_ORIGINS=site.base) as base,
    ):
        article = httpx.get(base + "/api/v1/articles/1").json()
        text = "\n\n".join(article["paragraphs"])
        last = article["paragraphs"][-1]
        pinned = httpx.put(
            base + "/api/v1/articles/1/summary",
            json={"points": [{"text": OWN_WORDS, "written_by_editor": True}, {"text": last}]},
            headers=bearer(ADMIN),
        )
        assert pinned.status_code == 200, pinned.text
        assert pinned.json()["sentences"][1]["source_span"] == span_of(text, last)
        # A publisher's page on another origin with the widget for the same story.
        story = site.add(
            "/story",
            f"<!doctype html><html><body><h1>{article['title']}</h1>"
            f'<script src="{base}/widget.js" data-article-url="{article["url"]}"></script></body></html>',
        )
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1000, "height": 900})
            page.goto(base + "/articles/1")
            page.get_by_role("button", name="No time to read? Get a summary").first.click()
            summary = page.locator("#summary")
            expect(summary.locator("li")).to_have_count(2)
            expect(summary.locator("li").first).to_have_text(OWN_WORDS)
            expect(summary.locator(".provenance")).to_contain_text("Edited by the newsroom")
            expect(summary.locator("li a")).to_have_count(1)  # the editor's own point links nowhere
            page.goto(base + "/articles/1?summary=1")  # the same without JavaScript's help
            expect(page.locator("#summary .provenance")).to_contain_text("Edited by the newsroom")
            page.goto(story)
            widget = page.locator("div.newsbrief-widget")
            widget.locator("button").click()
            expect(widget.locator("li")).to_have_count(2)
            expect(widget.locator("li").first).to_have_text(OWN_WORDS)
            expect(widget).to_contain_text("Edited by the newsroom")
            browser.close()
