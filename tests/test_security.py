"""Web security (issue 12, items 13, 14, 17, 18): links, form posts, private deployments, key roles and
ownership, and cross-origin writes. Through the real app on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html import unescape
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from newsbrief.config import Settings
from newsbrief.storage import feed_repo
from newsbrief.storage.database import open_database, upgrade
from newsbrief.storage.schema import api_keys, articles
from newsbrief.web import create_app
from tests.site import article_page, running_site

ADMIN = "env-admin-key-123"
STORY = (
    "Harbour Works Start\n\n"
    "Work on the new harbour wall started on Monday, the port authority said. "
    "The wall will protect the old town from winter storms.\n\n"
    "The project costs 12 million euros and should be finished in two years. Fishermen said they welcomed the plan."
)
PAGE = article_page()
EVIL = "https://evil.example"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def story(number: int) -> str:
    return STORY.replace("Monday", f"day {number}").replace("12 million", f"{number} million")


@pytest.fixture
def app_for(database_url: str) -> Iterator[Callable[..., TestClient]]:
    """A TestClient for the app with ``Settings(database_url=..., api_keys=ADMIN, **overrides)``."""
    clients: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        settings = Settings(database_url=database_url, api_keys=ADMIN, **overrides)
        client = TestClient(create_app(settings))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def new_key(
    database_url: str, run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, *args: str
) -> str:
    monkeypatch.setenv("NEWSBRIEF_DATABASE_URL", database_url)
    made = run_cli("keys", "create", *args)
    assert made.code == 0, made.err
    return str(made.out.strip())


def bookmarklet_token(client: TestClient) -> str:
    code = unquote(
        unescape(re.search(r'class="bookmarklet" href="([^"]+)"', client.get("/bookmarklet").text)[1])
    )
    token = re.search(r"add\('token',\"([^\"]+)\"\)", code)
    assert token is not None, code
    return token[1]


# Item 13: only http(s) URLs become links; /read refuses cross-site posts without the bookmarklet's token.


def test_read_links_only_http_urls(app_for: Callable[..., TestClient]) -> None:
    client = app_for()
    for url in ("javascript:alert(document.domain)", " JavaScript:alert(1)", "data:text/html,<b>x</b>"):
        page = client.post("/read", data={"html": PAGE, "url": url})
        assert page.status_code == 200, page.text
        assert 'href="javascript' not in page.text.lower() and 'href="data:' not in page.text.lower()
        assert 'href=" javascript' not in page.text.lower()
    good = client.post("/read", data={"html": PAGE, "url": "https://courier.example/ferry"})
    assert 'href="https://courier.example/ferry"' in good.text


def test_stored_urls_become_links_only_when_http(app_for: Callable[..., TestClient]) -> None:
    client = app_for()
    with client.app.state.service.database.begin() as conn:  # type: ignore[attr-defined]
        feed_repo.add_feed(conn=conn, url="javascript:alert(document.domain)", title="Evil feed")
    created = client.post(
        "/api/v1/articles", json={"text": STORY, "url": "javascript:alert(1)"}, headers=bearer(ADMIN)
    )
    assert created.status_code == 201, created.text
    feeds = client.get("/feeds").text
    assert "Evil feed" in feeds and 'href="javascript' not in feeds
    for path in ("/", f"/articles/{created.json()['id']}", "/widget-demo"):
        assert "javascript:alert" not in client.get(path).text, path


def test_read_refuses_cross_site_posts_without_the_bookmarklet_token(
    app_for: Callable[..., TestClient],
) -> None:
    client = app_for()
    form = {"html": PAGE, "url": "https://courier.example/ferry"}
    for headers in ({"Origin": EVIL}, {"Sec-Fetch-Site": "cross-site"}, {"Referer": EVIL + "/page"}):
        refused = client.post("/read", data=form, headers=headers)
        assert refused.status_code == 403, (headers, refused.text)
        assert refused.json()["error"]["code"] == "forbidden"
    assert client.post("/read", data={**form, "token": "forged"}, headers={"Origin": EVIL}).status_code == 403
    token = bookmarklet_token(client)
    sent = client.post(
        "/read", data={**form, "token": token}, headers={"Origin": EVIL, "Sec-Fetch-Site": "cross-site"}
    )
    assert sent.status_code == 200 and "Harbour approves ferry terminal" in sent.text
    same = client.post(
        "/read", data=form, headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    )
    assert same.status_code == 200


def test_the_bookmarklet_token_is_per_deployment(app_for: Callable[..., TestClient]) -> None:
    first = bookmarklet_token(app_for())
    assert first == bookmarklet_token(app_for())  # the same database: the same deployment
    assert first != bookmarklet_token(app_for(secret_key="another deployment's secret"))


# Item 14: a private deployment is private on every route; /healthz and /metrics reveal no counts.

PAGES = ("/", "/?q=harbour", "/articles/1", "/articles/1?summary=1", "/feeds", "/widget-demo", "/bookmarklet")
API_READS = ("/api/v1/articles", "/api/v1/articles/1", "/api/v1/articles/1/summary", "/api/v1/feeds")


def test_private_deployment_needs_a_login_on_every_page(app_for: Callable[..., TestClient]) -> None:
    client = app_for(read_requires_key=True)
    assert client.post("/api/v1/articles", json={"text": STORY}, headers=bearer(ADMIN)).status_code == 201
    for path in PAGES:
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login"), path
        assert "Harbour" not in answer.text
    assert client.post("/read", data={"html": PAGE}).status_code == 401
    for path in API_READS:
        assert client.get(path).status_code == 401, path
    assert client.post("/api/v1/summarize", json={"text": STORY}).status_code == 401
    assert client.get("/api/v1/summary", params={"url": "https://x.example/a"}).status_code == 401
    login = client.get("/login")
    assert login.status_code == 200 and 'type="password"' in login.text
    wrong = client.post("/login", data={"key": "wrong", "next": "/"}, follow_redirects=False)
    assert wrong.status_code == 401 and "set-cookie" not in wrong.headers
    cross = client.post("/login", data={"key": ADMIN}, headers={"Origin": EVIL}, follow_redirects=False)
    assert cross.status_code == 403 and "set-cookie" not in cross.headers
    entered = client.post("/login", data={"key": ADMIN, "next": "/articles/1"}, follow_redirects=False)
    assert entered.status_code == 303 and entered.headers["location"] == "/articles/1"
    cookie = entered.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower() and ADMIN not in cookie
    for path in PAGES:
        assert client.get(path, follow_redirects=False).status_code == 200, path
    # The article page's own script reads the summary API with the session.
    assert client.get("/api/v1/articles/1/summary").status_code == 200
    assert client.post("/read", data={"html": PAGE}).status_code == 200
    # Writes still need a key: a session cookie is not a write credential (no CSRF through the API).
    assert client.post("/api/v1/articles", json={"text": story(2)}).status_code == 401
    assert client.post("/logout", follow_redirects=False).status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_sessions_are_signed(app_for: Callable[..., TestClient]) -> None:
    client = app_for(read_requires_key=True)
    client.post("/login", data={"key": ADMIN}, follow_redirects=False)
    value = client.cookies["newsbrief_session"]
    client.cookies.clear()
    client.cookies.set("newsbrief_session", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert client.get("/", follow_redirects=False).status_code == 303
    assert (
        client.post("/login", data={"key": ADMIN, "next": "//evil.example/"}, follow_redirects=False).headers[
            "location"
        ]
        == "/"
    )  # no open redirect


def test_keys_and_tokens_that_are_not_ascii_are_refused(app_for: Callable[..., TestClient]) -> None:
    client = app_for(read_requires_key=True)
    latin = {"Authorization": "Bearer cl\u00e9".encode("latin-1")}  # a header byte that is not ASCII
    assert client.get("/api/v1/articles", headers=latin).status_code == 401
    assert client.post("/api/v1/articles", json={"text": STORY}, headers=latin).status_code == 401
    assert client.post("/login", data={"key": "\u043a\u043b\u044e\u0447"}).status_code == 401
    forged = client.post("/read", data={"html": PAGE, "token": "\u00e9t\u00e9"}, headers={"Origin": EVIL})
    assert forged.status_code == 403


def test_private_bookmarklet_posts_with_its_token(app_for: Callable[..., TestClient]) -> None:
    client = app_for(read_requires_key=True)
    client.post("/login", data={"key": ADMIN}, follow_redirects=False)
    token = bookmarklet_token(client)
    client.cookies.clear()  # a cross-site form post carries no SameSite=Lax cookie
    sent = client.post("/read", data={"html": PAGE, "token": token}, headers={"Origin": EVIL})
    assert sent.status_code == 200 and "Harbour approves ferry terminal" in sent.text


def test_healthz_and_metrics_reveal_no_counts_to_the_public(app_for: Callable[..., TestClient]) -> None:
    client = app_for()
    client.post("/api/v1/articles", json={"text": STORY}, headers=bearer(ADMIN))
    assert client.get("/healthz").json().keys() == {"status", "version"}
    assert client.get("/healthz", headers=bearer(ADMIN)).json()["articles"] == 1
    assert client.get("/metrics").status_code == 401
    assert "newsbrief_http_requests_total" in client.get("/metrics", headers=bearer(ADMIN)).text
    public = app_for(public_metrics=True)
    assert public.get("/healthz").json()["articles"] == 1
    assert public.get("/metrics").status_code == 200


# Item 17: roles, owners, revocation.


def test_only_the_owner_or_an_admin_deletes(
    database_url: str, app_for: Callable[..., TestClient], run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = app_for()
    alice = new_key(database_url, run_cli, monkeypatch, "--label", "alice")
    bob = new_key(database_url, run_cli, monkeypatch, "--label", "bob", "--role", "writer")
    boss = new_key(database_url, run_cli, monkeypatch, "--label", "boss", "--role", "admin")
    ids = [
        client.post("/api/v1/articles", json={"text": story(n)}, headers=bearer(alice)).json()["id"]
        for n in range(3)
    ]
    refused = client.delete(f"/api/v1/articles/{ids[0]}", headers=bearer(bob))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert client.get(f"/api/v1/articles/{ids[0]}").status_code == 200
    assert client.delete(f"/api/v1/articles/{ids[0]}", headers=bearer(alice)).status_code == 204
    assert client.delete(f"/api/v1/articles/{ids[1]}", headers=bearer(boss)).status_code == 204
    assert client.delete(f"/api/v1/articles/{ids[2]}", headers=bearer(ADMIN)).status_code == 204
    # A story already stored keeps its owner: posting it again does not make bob its owner.
    mine = client.post("/api/v1/articles", json={"text": story(9)}, headers=bearer(alice)).json()["id"]
    assert client.post("/api/v1/articles", json={"text": story(9)}, headers=bearer(bob)).json()["id"] == mine
    assert client.delete(f"/api/v1/articles/{mine}", headers=bearer(bob)).status_code == 403
    assert client.delete("/api/v1/articles/999999", headers=bearer(bob)).status_code == 404


def test_feeds_record_their_owner(
    database_url: str, app_for: Callable[..., TestClient], run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = app_for(fetch_allow="127.0.0.1", fetch_delay=0, fetch_timeout=5, feed_scheduler=False)
    alice = new_key(database_url, run_cli, monkeypatch, "--label", "alice")
    bob = new_key(database_url, run_cli, monkeypatch, "--label", "bob")
    with running_site() as site:
        feed_xml = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Courier</title>'
            f"<item><title>A</title><link>{site.base}/a</link></item></channel></rss>"
        )
        url = site.add("/feed.xml", feed_xml, content_type="application/rss+xml")
        made = client.post("/api/v1/feeds", json={"url": url}, headers=bearer(alice))
        assert made.status_code == 201, made.text
    feed_id = made.json()["id"]
    assert client.delete(f"/api/v1/feeds/{feed_id}", headers=bearer(bob)).status_code == 403
    assert client.delete(f"/api/v1/feeds/{feed_id}", headers=bearer(alice)).status_code == 204
    with client.app.state.service.database.begin() as conn:  # type: ignore[attr-defined]
        old, _ = feed_repo.add_feed(conn=conn, url="https://old.example/feed.xml")  # no owner recorded
    assert client.delete(f"/api/v1/feeds/{old.id}", headers=bearer(bob)).status_code == 403
    assert client.delete(f"/api/v1/feeds/{old.id}", headers=bearer(ADMIN)).status_code == 204


def test_keys_list_and_revoke(
    database_url: str, app_for: Callable[..., TestClient], run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = app_for(read_requires_key=True)
    key = new_key(database_url, run_cli, monkeypatch, "--label", "laptop", "--role", "admin")
    assert run_cli("keys", "create", "--role", "owner").code != 0
    listed = run_cli("keys", "list")
    assert listed.code == 0 and "laptop" in listed.out and "admin" in listed.out and key not in listed.out
    key_id = re.search(r"^\s*(\d+)\s+laptop", listed.out, re.MULTILINE)
    assert key_id is not None, listed.out
    assert client.post("/api/v1/articles", json={"text": STORY}, headers=bearer(key)).status_code == 201
    assert client.post("/login", data={"key": key}, follow_redirects=False).status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 200
    revoked = run_cli("keys", "revoke", key_id[1])
    assert revoked.code == 0, revoked.err
    # At once: the key, and the sessions opened with it.
    assert client.post("/api/v1/articles", json={"text": story(2)}, headers=bearer(key)).status_code == 401
    assert client.get("/api/v1/articles", headers=bearer(key)).status_code == 401
    assert client.get("/", follow_redirects=False).status_code == 303
    listed = run_cli("keys", "list")
    line = next(line for line in listed.out.splitlines() if "laptop" in line)
    assert re.search(r"\d{4}-\d\d-\d\d.*\d{4}-\d\d-\d\d", line), line  # created and revoked dates
    missing = run_cli("keys", "revoke", "424242")
    assert (
        missing.code == 1 and missing.err.startswith("error:") and len(missing.err.strip().splitlines()) == 1
    )


def test_old_rows_migrate_without_an_owner(database_url: str) -> None:
    engine = open_database(database_url)
    try:
        upgrade(engine, "0002")
        with engine.begin() as conn:
            conn.execute(insert(api_keys).values(key_hash="0" * 64, label="old", created_at=_now()))
            conn.execute(
                insert(articles).values(
                    content_hash="1" * 64, body="Old body.", word_count=2, created_at=_now()
                )
            )
        upgrade(engine)
        with engine.connect() as conn:
            assert conn.execute(articles.select()).one().created_by is None
            row = conn.execute(api_keys.select()).one()
            assert row.role == "writer" and row.revoked_at is None
    finally:
        engine.dispose()


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


# Item 18: no cross-origin writes unless listed; the widget's reads stay open.


def _preflight(client: TestClient, path: str, method: str, origin: str) -> Any:
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )


def test_no_cross_origin_writes_by_default(app_for: Callable[..., TestClient]) -> None:
    client = app_for()  # NEWSBRIEF_CORS_ORIGINS defaults to *
    for method, path in (
        ("POST", "/api/v1/articles"),
        ("DELETE", "/api/v1/articles/1"),
        ("POST", "/api/v1/feeds"),
    ):
        answer = _preflight(client, path, method, EVIL)
        assert "access-control-allow-origin" not in answer.headers, (method, path)
    # A request that skips the preflight (a form post, a script ignoring CORS) is refused too.
    refused = client.post("/api/v1/articles", json={"text": STORY}, headers={**bearer(ADMIN), "Origin": EVIL})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert client.get("/api/v1/articles").json()["count"] == 0
    # The widget's reads stay open: GET, HEAD and its POST /api/v1/summarize.
    for method, path in (("GET", "/api/v1/summary"), ("POST", "/api/v1/summarize")):
        assert _preflight(client, path, method, EVIL).headers["access-control-allow-origin"] in ("*", EVIL)
    summarized = client.post("/api/v1/summarize", json={"text": STORY}, headers={"Origin": EVIL})
    assert summarized.status_code == 200 and summarized.headers["access-control-allow-origin"] in ("*", EVIL)
    # The same site's own requests are not cross-origin.
    own = client.post(
        "/api/v1/articles", json={"text": STORY}, headers={**bearer(ADMIN), "Origin": "http://testserver"}
    )
    assert own.status_code == 201


def test_cross_origin_writes_for_listed_origins_only(app_for: Callable[..., TestClient]) -> None:
    admin_site = "https://admin.example"
    client = app_for(cors_origins="https://publisher.example", cors_write_origins=admin_site)
    allowed = _preflight(client, "/api/v1/articles", "POST", admin_site)
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == admin_site
    assert "POST" in allowed.headers["access-control-allow-methods"]
    assert (
        "access-control-allow-origin"
        not in _preflight(client, "/api/v1/articles", "POST", "https://publisher.example").headers
    )
    assert _preflight(client, "/api/v1/summary", "GET", "https://publisher.example").status_code == 200
    assert "access-control-allow-origin" not in _preflight(client, "/api/v1/summary", "GET", EVIL).headers
    made = client.post(
        "/api/v1/articles", json={"text": STORY}, headers={**bearer(ADMIN), "Origin": admin_site}
    )
    assert made.status_code == 201 and made.headers["access-control-allow-origin"] == admin_site
    refused = client.post(
        "/api/v1/articles",
        json={"text": story(2)},
        headers={**bearer(ADMIN), "Origin": "https://publisher.example"},
    )
    assert refused.status_code == 403
