"""Ingesting from the web against real servers on 127.0.0.1: robots.txt, politeness, conditional GET,
verdicts (nothing stored for junk), charsets, AMP/mobile dedup, TLS failures; through the CLI and the API."""

from __future__ import annotations

import itertools
import ssl
import threading
from collections.abc import Callable, Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from newsbrief.config import Settings
from newsbrief.errors import FetchFailed, NotAnArticle
from newsbrief.services.ingest import Ingestor
from newsbrief.storage import repo
from newsbrief.storage.database import open_database, upgrade
from newsbrief.urls import canonical_url
from newsbrief.web import create_app
from tests.conftest import CliResult
from tests.site import (
    BOT_CHALLENGE,
    CONSENT_WALL,
    PAYWALL,
    SOFT_404,
    Site,
    article_page,
    handler_for,
    running_site,
)

KEY = "test-key"


@pytest.fixture
def site() -> Iterator[Site]:
    with running_site() as running:
        yield running


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Engine]:
    engine = open_database(f"sqlite:///{tmp_path / 'ingest.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


def settings_for(**overrides: object) -> Settings:
    values: dict[str, object] = {"fetch_allow": "127.0.0.1", "fetch_timeout": 5, "fetch_delay": 0}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def ingestor() -> Iterator[Ingestor]:
    made = Ingestor(settings_for())
    yield made
    made.close()


def count(database: Engine) -> int:
    with database.connect() as connection:
        return repo.count_articles(conn=connection)


def test_a_url_is_stored_once_and_refetched_conditionally(
    site: Site, database: Engine, ingestor: Ingestor
) -> None:
    url = site.add("/story", article_page(), headers={"ETag": '"v1"'})
    first = ingestor.store_url(database, url)
    assert first.created
    assert first.stored.article.title == "Harbour approves ferry terminal"
    assert first.stored.article.language == "en"
    assert first.stored.article.image_url == "https://courier.example/img/terminal.jpg"
    again = ingestor.store_url(database, url)
    assert again.not_modified
    assert not again.created
    assert again.stored.id == first.stored.id
    requests = site.requests_to("/story")
    assert "if-none-match" not in requests[0].headers
    assert requests[1].headers["if-none-match"] == '"v1"'
    assert requests[0].headers["user-agent"].startswith("newsbrief/")
    assert count(database) == 1


def test_last_modified_is_sent_back_too(site: Site, database: Engine, ingestor: Ingestor) -> None:
    stamp = "Tue, 24 Nov 2026 10:00:00 GMT"
    url = site.add("/dated", article_page(), headers={"Last-Modified": stamp})
    ingestor.store_url(database, url)
    ingestor.store_url(database, url)
    assert site.requests_to("/dated")[1].headers["if-modified-since"] == stamp


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        (CONSENT_WALL, "consent_wall"),
        (PAYWALL, "paywall"),
        (BOT_CHALLENGE, "bot_challenge"),
        (SOFT_404, "error_page"),
    ],
)
def test_junk_pages_are_refused_with_their_reason_and_never_stored(
    site: Site, database: Engine, ingestor: Ingestor, page: str, reason: str
) -> None:
    url = site.add("/junk", page)
    with pytest.raises(NotAnArticle) as raised:
        ingestor.store_url(database, url)
    assert raised.value.reason == reason
    assert count(database) == 0


def test_robots_txt_is_honoured_unless_turned_off(site: Site, database: Engine) -> None:
    site.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    private = site.add("/private/story", article_page())
    public = site.add("/public/story", article_page("Public story"))
    polite = Ingestor(settings_for())
    try:
        with pytest.raises(FetchFailed) as raised:
            polite.store_url(database, private)
        assert raised.value.reason == "robots_disallowed"
        assert not site.requests_to("/private/story")
        assert polite.store_url(database, public).created
        assert len(site.requests_to("/robots.txt")) == 1  # cached per site
    finally:
        polite.close()
    rude = Ingestor(settings_for(respect_robots=False))
    try:
        assert rude.store_url(database, private).stored.article.title == "Harbour approves ferry terminal"
    finally:
        rude.close()


def test_a_robots_txt_that_errors_means_nothing_may_be_fetched(site: Site, database: Engine) -> None:
    site.add("/robots.txt", "down", status=503, content_type="text/plain")
    url = site.add("/story", article_page())
    ingestor = Ingestor(settings_for())
    try:
        with pytest.raises(FetchFailed) as raised:
            ingestor.store_url(database, url)
        assert raised.value.reason == "robots_disallowed"
    finally:
        ingestor.close()


def test_one_request_at_a_time_per_host_with_a_pause_between(site: Site) -> None:
    for n in range(4):
        site.add(f"/slow-{n}", article_page(f"Story {n}"), delay=0.2)
    ingestor = Ingestor(settings_for(fetch_delay=0.3, respect_robots=False))
    try:
        threads = [
            threading.Thread(target=ingestor.fetch_page, args=(f"{site.base}/slow-{n}",)) for n in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        ingestor.close()
    assert site.max_active == 1
    visits = sorted(site.seen, key=lambda seen: seen.started)
    assert len(visits) == 4
    for before, after in itertools.pairwise(visits):
        assert after.started - before.ended >= 0.25  # the configured 0.3 s, less the clock's resolution


def test_robots_crawl_delay_is_honoured(site: Site) -> None:
    site.add("/robots.txt", "User-agent: newsbrief\nCrawl-delay: 1\n", content_type="text/plain")
    site.add("/a", article_page("A"))
    site.add("/b", article_page("B"))
    ingestor = Ingestor(settings_for())
    try:
        ingestor.fetch_page(f"{site.base}/a")
        ingestor.fetch_page(f"{site.base}/b")
    finally:
        ingestor.close()
    first, second = site.requests_to("/a")[0], site.requests_to("/b")[0]
    assert second.started - first.ended >= 0.9


def test_a_wrong_declared_charset_is_repaired(site: Site, database: Engine, ingestor: Ingestor) -> None:
    russian = (
        "Портовое управление одобрило строительство нового паромного терминала во вторник.",
        "Терминал будет принимать до двенадцати тысяч пассажиров в день, сообщили в управлении порта.",
        "Строительство обойдётся в сорок восемь миллионов евро, большую часть оплатит регион.",
    )
    page = article_page("Новый паромный терминал", russian, charset="iso-8859-1")
    url = site.add("/ru", page.encode("windows-1251"), content_type="text/html")
    stored = ingestor.store_url(database, url).stored
    assert stored.article.title == "Новый паромный терминал"
    assert "двенадцати тысяч" in stored.article.text
    assert stored.article.language == "ru"
    french = (
        "Le café du port a rouvert ses portes après deux ans de travaux, a annoncé la mairie jeudi.",
        "Les habitués étaient déjà là à sept heures pour le premier café, servi au comptoir d'origine.",
        "La rénovation a coûté près de deux cent mille euros, financés en partie par la région Bretagne.",
    )
    latin = article_page("Café à Saint-Malo", french)
    url = site.add("/fr", latin.replace('charset="utf-8"', "").encode("latin-1"), content_type="text/html")
    assert ingestor.store_url(database, url).stored.article.title == "Café à Saint-Malo"


def test_amp_and_mobile_copies_of_a_story_are_stored_once(
    site: Site, database: Engine, ingestor: Ingestor
) -> None:
    canonical = "https://www.courier.example/2026/11/ferry-terminal"
    main = site.add("/2026/11/ferry-terminal", article_page(canonical=canonical))
    amp_body = article_page(canonical=canonical, after="<p>Read the full site for more.</p>")
    amp = site.add("/2026/11/ferry-terminal/amp", amp_body)
    first = ingestor.store_url(database, main)
    second = ingestor.store_url(database, amp)
    assert second.stored.id == first.stored.id
    assert not second.created
    assert count(database) == 1
    assert canonical_url("https://m.courier.example/2026/11/ferry-terminal/?amp=1&utm_source=x") == (
        canonical_url("http://www.courier.example/2026/11/ferry-terminal")
    )
    assert canonical_url("https://amp.courier.example/amp/2026/story.amp.html") == (
        "https://courier.example/2026/story.html"
    )


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[str]:
    trustme = pytest.importorskip("trustme")
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    plain = Site()
    plain.add("/story", article_page())
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(plain))
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{httpd.server_address[1]}/story"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_certificate_that_does_not_verify_is_a_tls_failure(
    tls_server: str, database: Engine, ingestor: Ingestor
) -> None:
    with pytest.raises(FetchFailed) as raised:
        ingestor.store_url(database, tls_server)
    assert raised.value.reason == "tls_failure"
    assert count(database) == 0


def test_cli_ingest_prints_reasons_and_stores_only_articles(
    site: Site, loopback_cli_env: str, run_cli: Callable[..., CliResult]
) -> None:
    database_url = loopback_cli_env
    good = site.add("/good", article_page(), headers={"ETag": '"a"'})
    wall = site.add("/wall", CONSENT_WALL)
    result = run_cli("ingest", good, wall, f"{site.base}/missing")
    assert result.code == 1
    assert "\tnew\tHarbour approves ferry terminal" in result.out
    errors = result.err.strip().splitlines()
    assert len(errors) == 2
    assert "not an article (consent_wall)" in errors[0]
    assert "[http_error]" in errors[1]
    again = run_cli("ingest", good)
    assert again.code == 0
    assert "\tnot modified\t" in again.out
    engine = open_database(database_url)
    assert count(engine) == 1
    engine.dispose()


def test_api_refuses_junk_with_a_reason_and_stores_articles(site: Site, tmp_path: Path) -> None:
    settings = settings_for(database_url=f"sqlite:///{tmp_path / 'api.db'}", api_keys=KEY)
    paywalled = site.add("/paywalled", PAYWALL)
    good = site.add("/good", article_page())
    auth = {"Authorization": f"Bearer {KEY}"}
    with TestClient(create_app(settings)) as client:
        refused = client.post("/api/v1/articles", json={"url": paywalled}, headers=auth)
        assert refused.status_code == 422
        assert refused.json()["error"]["code"] == "not_article"
        assert refused.json()["error"]["reason"] == "paywall"
        html_refused = client.post(
            "/api/v1/articles", json={"html": CONSENT_WALL, "url": "https://courier.example/x"}, headers=auth
        )
        assert html_refused.json()["error"]["reason"] == "consent_wall"
        assert client.get("/api/v1/articles").json()["count"] == 0
        created = client.post("/api/v1/articles", json={"url": good}, headers=auth)
        assert created.status_code == 201, created.text
        page = client.get("/x-not-a-page", headers={"Accept": "text/html"})
        assert page.status_code == 404
        # The browser's own HTML of a paywalled page (the reader is logged in) is summarized.
        full = article_page("Inside the port deal")
        summary = client.post("/api/v1/summarize", json={"html": full, "url": paywalled, "sentences": 2})
        assert summary.status_code == 200, summary.text
        assert len(summary.json()["sentences"]) == 2


def test_the_read_page_summarizes_sent_html_and_explains_refusals(tmp_path: Path) -> None:
    settings = settings_for(database_url=f"sqlite:///{tmp_path / 'read.db'}")
    html_page = {"Accept": "text/html"}
    with TestClient(create_app(settings)) as client:
        read = client.post("/read", data={"html": article_page(), "url": "https://courier.example/a"})
        assert read.status_code == 200
        assert "Harbour approves ferry terminal" in read.text
        assert read.text.count("<li>") == 3
        refused = client.post("/read", data={"html": CONSENT_WALL}, headers=html_page)
        assert refused.status_code == 422
        assert "This page is not an article" in refused.text
        assert "consent_wall" in refused.text
        missing = client.post("/read", data={"url": "https://courier.example/a"}, headers=html_page)
        assert missing.status_code == 422
        bad_length = client.post("/read", data={"html": article_page(), "length": "huge"})
        assert bad_length.status_code == 422
        assert bad_length.json()["error"]["code"] == "validation_error"
        assert client.get("/api/v1/articles").json()["count"] == 0  # nothing stored
        bookmarklet = client.get("/bookmarklet")
        assert "javascript:" in bookmarklet.text
