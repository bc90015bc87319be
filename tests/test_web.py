"""The service through the real app: API, pages, widget, errors and safety (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from newsbrief.config import Settings
from newsbrief.web import create_app

KEY = "test-key-123"
AUTH = {"Authorization": f"Bearer {KEY}"}
STORY = (
    "Harbour Works Start\n\n"
    "Work on the new harbour wall started on Monday, the port authority said. "
    "The wall will protect the old town from winter storms.\n\n"
    "The project costs 12 million euros and should be finished in two years. Fishermen said they welcomed the plan."
)


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=database_url, api_keys=KEY, cors_origins="https://publisher.example")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def create(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/articles", json=body, headers=AUTH)
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


def test_create_get_summarize_delete(client: TestClient) -> None:
    response = client.post("/api/v1/articles", json={"text": STORY}, headers=AUTH)
    assert response.status_code == 201
    article = response.json()
    assert article["title"] == "Harbour Works Start" and article["language"] == "en"
    again = client.post("/api/v1/articles", json={"text": STORY}, headers=AUTH)
    assert again.status_code == 200 and again.json()["id"] == article["id"]
    got = client.get(f"/api/v1/articles/{article['id']}").json()
    summary = client.get(f"/api/v1/articles/{article['id']}/summary", params={"sentences": 2})
    assert summary.status_code == 200 and summary.json()["cached"] is False
    body = "\n\n".join(got["paragraphs"])
    for sentence in summary.json()["sentences"]:
        assert body[sentence["start"] : sentence["end"]] == sentence["text"]
    cached = client.get(f"/api/v1/articles/{article['id']}/summary", params={"sentences": 2})
    assert cached.json()["cached"] is True and cached.headers["etag"] == summary.headers["etag"]
    not_modified = client.get(
        f"/api/v1/articles/{article['id']}/summary",
        params={"sentences": 2},
        headers={"If-None-Match": summary.headers["etag"]},
    )
    assert not_modified.status_code == 304
    for params in (
        {"words": 20},
        {"seconds": 10},
        {"style": "headline"},
        {"engine": "lead.v1", "sentences": 1},
    ):
        assert client.get(f"/api/v1/articles/{article['id']}/summary", params=params).status_code == 200
    assert client.delete(f"/api/v1/articles/{article['id']}", headers=AUTH).status_code == 204
    assert client.get(f"/api/v1/articles/{article['id']}").status_code == 404


def test_html_input_list_search_and_url_lookup(client: TestClient) -> None:
    html = (
        "<html><head><title>Ferry news</title></head><body><nav>Home | World</nav><article><h1>Ferry news</h1>"
        "<p>The ferry will run every forty minutes in winter, the operator announced on Thursday morning.</p>"
        "<p>Commuters criticised the decision and asked for more crossings at rush hour on weekdays.</p>"
        "<p>The council will review the timetable in March after a survey of its passengers.</p>"
        "</article></body></html>"
    )
    created = create(client, html=html, url="https://courier.example/ferry?utm_source=rss")
    create(client, text=STORY)
    listing = client.get("/api/v1/articles").json()
    assert listing["count"] == 2
    assert client.get("/api/v1/articles", params={"q": "ferry commuters"}).json()["count"] == 1
    by_url = client.get("/api/v1/summary", params={"url": "https://courier.example/ferry", "sentences": 1})
    assert by_url.status_code == 200 and by_url.json()["article_id"] == created["id"]
    assert client.get("/api/v1/summary", params={"url": "https://nowhere.example/x"}).status_code == 404
    handed = client.post(
        "/api/v1/summarize", json={"html": html, "url": "https://x.example/", "sentences": 1}
    )
    assert handed.status_code == 200 and len(handed.json()["sentences"]) == 1


def _error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert {"code", "message"} <= set(error) <= {"code", "message", "reason"}
    if code:
        assert error["code"] == code
    return dict(error)


def test_errors_have_one_shape_and_the_right_status(client: TestClient) -> None:
    _error(client.post("/api/v1/articles", json={"text": STORY}), 401, "unauthorized")
    _error(
        client.post("/api/v1/articles", json={"text": STORY}, headers={"Authorization": "Bearer wrong"}), 401
    )
    _error(client.delete("/api/v1/articles/1"), 401)
    _error(client.get("/api/v1/articles/999999"), 404, "not_found")
    _error(client.get("/api/v1/articles/999999/summary"), 404)
    malformed = client.post(
        "/api/v1/articles", content=b"{not json", headers={**AUTH, "Content-Type": "application/json"}
    )
    _error(malformed, 422, "validation_error")
    assert (
        "title"
        in _error(client.post("/api/v1/articles", json={"text": STORY, "title": 5}, headers=AUTH), 422)[
            "message"
        ]
    )
    _error(client.post("/api/v1/articles", json={}, headers=AUTH), 422)
    _error(client.post("/api/v1/articles", json={"url": "https://example.com/a"}, headers=AUTH), 422)
    _error(client.post("/api/v1/articles", json={"text": "... 123 ..."}, headers=AUTH), 422)
    article = create(client, text=STORY)
    assert (
        "sentences"
        in _error(client.get(f"/api/v1/articles/{article['id']}/summary", params={"sentences": 0}), 422)[
            "message"
        ]
    )
    assert (
        "style"
        in _error(client.get(f"/api/v1/articles/{article['id']}/summary", params={"style": "poem"}), 422)[
            "message"
        ]
    )
    _error(
        client.get(f"/api/v1/articles/{article['id']}/summary", params={"sentences": 2, "words": 5}),
        422,
        "bad_length",
    )
    _error(
        client.get(f"/api/v1/articles/{article['id']}/summary", params={"engine": "magic.v9"}),
        422,
        "unknown_engine",
    )
    _error(client.get("/api/v1/articles/abc"), 422)
    _error(client.get("/api/v1/articles", params={"limit": 0}), 422)


def test_20_mb_body_is_refused_with_413(client: TestClient) -> None:
    big = b'{"text": "' + b"a" * 20_000_000 + b'"}'
    _error(
        client.post("/api/v1/articles", content=big, headers={**AUTH, "Content-Type": "application/json"}),
        413,
        "too_large",
    )


def test_healthz_and_metrics(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    create(client, text=STORY)
    client.get("/api/v1/articles/1/summary")
    metrics = client.get("/metrics", headers=AUTH)  # issue 12 item 14: metrics need a key
    assert metrics.status_code == 200
    assert (
        'newsbrief_http_requests_total{method="GET",route="/api/v1/articles/{article_id}/summary",status="200"}'
        in metrics.text
    )
    assert "newsbrief_summaries_total" in metrics.text
    assert client.get("/openapi.json").json()["info"]["title"] == "newsbrief"


def test_cors_for_the_configured_publisher(client: TestClient) -> None:
    allowed = client.get("/healthz", headers={"Origin": "https://publisher.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://publisher.example"
    other = client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_pages_list_article_summary_and_neighbours(client: TestClient) -> None:
    empty = client.get("/", headers={"Accept": "text/html"})
    assert empty.status_code == 200 and "No articles yet" in empty.text
    first = create(
        client, text="First Story\n\nThe first story happened on Monday in the town hall. It was short."
    )
    second = create(client, text=STORY)
    page = client.get(f"/articles/{second['id']}")
    assert page.status_code == 200
    assert page.text.count("No time to read? Get a summary") == 2
    assert "Previous Article" in page.text and "First Story" in page.text
    assert 'id="s-0"' in page.text
    opened = client.get(f"/articles/{second['id']}", params={"summary": 1, "length": "short"})
    links = re.findall(r'href="#s-(\d+)" data-sentence', opened.text)
    assert len(links) == 2 and all(f'id="s-{n}"' in opened.text for n in links)
    back = client.get(f"/articles/{first['id']}")
    assert "Next Article" in back.text and "Harbour Works Start" in back.text
    listing = client.get("/", params={"q": "harbour"})
    assert "Harbour Works Start" in listing.text and "First Story" not in listing.text
    missing = client.get("/articles/424242", headers={"Accept": "text/html"})
    assert (
        missing.status_code == 404
        and "<html" in missing.text
        and "There is no article 424242" in missing.text
    )
    assert client.get("/", params={"q": "zzzz nothing"}).text.count("No article matches") == 1


def test_widget_and_demo(client: TestClient) -> None:
    script = client.get("/widget.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "attachShadow" in script.text
    create(client, text=STORY, url="https://courier.example/harbour")
    demo = client.get("/widget-demo")
    assert demo.status_code == 200 and 'data-article-url="https://courier.example/harbour"' in demo.text


INJECTION = "<script>alert('x')</script>"


def test_html_in_every_field_is_escaped(client: TestClient) -> None:
    text = f"{INJECTION} Title\n\n{INJECTION} standfirst here\n\nBy {INJECTION}\n\nThe body says {INJECTION} and more words follow here. Another sentence {INJECTION} ends."
    article = create(client, text=text, title=f"Headline {INJECTION}", url="https://x.example/a")
    pages = [
        client.get("/").text,
        client.get("/", params={"q": INJECTION}).text,
        client.get(f"/articles/{article['id']}").text,
        client.get(f"/articles/{article['id']}", params={"summary": 1}).text,
        client.get("/widget-demo").text,
    ]
    for html in pages:
        assert "<script>alert" not in html
    assert "&lt;script&gt;" in pages[2]


def test_deleted_article_is_gone_from_the_response_cache(client: TestClient) -> None:
    article = create(client, text=STORY)
    for _ in range(2):  # the second answer comes from the in-process response cache
        assert client.get(f"/api/v1/articles/{article['id']}/summary").status_code == 200
    assert client.delete(f"/api/v1/articles/{article['id']}", headers=AUTH).status_code == 204
    assert client.get(f"/api/v1/articles/{article['id']}/summary").status_code == 404


def test_create_from_url_is_fetched_safely(database_url: str) -> None:
    import threading
    from http.server import ThreadingHTTPServer

    from tests.test_fetch import Handler

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/redirect"
    try:
        allowing = Settings(
            database_url=database_url, api_keys=KEY, fetch_allow="127.0.0.1", fetch_timeout=3, fetch_delay=0
        )
        with TestClient(create_app(allowing)) as client:
            created = client.post("/api/v1/articles", json={"url": url}, headers=AUTH)
            assert created.status_code == 201, created.text
            assert created.json()["title"] == "Bridge opens" and created.json()["url"].endswith("/article")
            again = client.post(
                "/api/v1/articles", json={"url": url.replace("/redirect", "/article")}, headers=AUTH
            )
            assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
            for path, reason in (
                ("/pdf", "not_html"),
                ("/missing", "http_error"),
                ("/to-private", "blocked_address"),
            ):
                error = _error(
                    client.post(
                        "/api/v1/articles", json={"url": url.replace("/redirect", path)}, headers=AUTH
                    ),
                    422,
                )
                assert error["code"] == "fetch_failed" and error["reason"] == reason
        default = Settings(database_url=database_url, api_keys=KEY)
        with TestClient(create_app(default)) as client:
            before = client.get("/api/v1/articles").json()["count"]
            refused = _error(
                client.post("/api/v1/articles", json={"url": url}, headers=AUTH), 422, "fetch_failed"
            )
            assert "blocked_address" in refused["message"]
            assert client.get("/api/v1/articles").json()["count"] == before  # nothing half-stored
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_keys_made_by_the_cli_open_writes(
    tmp_path: Any, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    monkeypatch.setenv("NEWSBRIEF_DATABASE_URL", url)
    made = run_cli("keys", "create", "--label", "tests")
    assert made.code == 0
    key = made.out.strip()
    assert key.startswith("nb_") and len(key) > 20
    with TestClient(create_app(Settings(database_url=url))) as client:  # no keys in the settings
        assert (
            client.post(
                "/api/v1/articles", json={"text": STORY}, headers={"Authorization": f"Bearer {key}"}
            ).status_code
            == 201
        )
        _error(
            client.post(
                "/api/v1/articles", json={"text": STORY}, headers={"Authorization": f"Bearer {key}x"}
            ),
            401,
        )


def _body_paragraphs(html: str) -> list[str]:
    """The article body's paragraphs as a reader's browser shows them (tags dropped, entities decoded)."""
    import html as html_module

    body = html[html.index('<div class="body">') : html.index("</div>", html.index('<div class="body">'))]
    return [
        html_module.unescape(re.sub(r"<[^>]+>", "", inner)) for inner in re.findall(r"<p>(.*?)</p>", body)
    ]


def test_the_article_page_shows_the_stored_text_exactly(client: TestClient) -> None:
    """Sentence spans wrap the stored text; they never add a space to it (issue 15, item 3)."""
    text = (
        "Stocks Slide\n\n"
        "The Dow Jones Industrial Average .DJI fell 1.2%, the S&P 500 .SPX lost 0.8% and the Nasdaq "
        "Composite .IXIC dropped 1%.Traders blamed the bond market for the fall on Wall Street. "
        "The dollar index .DXY rose 0.3% against a basket of currencies.\n\n"
        "Oil prices were little changed in late trading in New York on Friday, brokers said."
    )
    article = create(client, text=text)
    stored = client.get(f"/api/v1/articles/{article['id']}").json()["paragraphs"]
    for params in ({}, {"summary": 1}, {"summary": 1, "at": "bottom"}):
        page = client.get(f"/articles/{article['id']}", params=params).text
        assert _body_paragraphs(page) == stored
        assert 'class="sentence" id="s-0"' in page
    assert "Average .DJI fell" in _body_paragraphs(page)[0]
    # Without JavaScript, the bottom button's summary opens under it, not at the top (item 4).
    assert page.index('class="summary-form summary-bottom"') < page.index('id="summary"')
    top = client.get(f"/articles/{article['id']}", params={"summary": 1}).text
    assert top.index('id="summary"') < top.index('class="summary-form summary-bottom"')


def test_reader_facing_words(client: TestClient) -> None:
    """Plain words on pages and in API errors (issue 15, item 6)."""
    html_accept = {"Accept": "text/html"}
    page_html = (
        '<html><head><title>Tram line opens</title><meta property="article:published_time" '
        'content="2026-11-04T09:00:00+00:00"><meta property="og:site_name" content="Harbour Courier">'
        "</head><body><article><h1>Tram line opens</h1>"
        "<p>The new tram line between the station and the harbour opened on Wednesday after three years "
        "of works, the city said.</p><p>Trams will run every six minutes at rush hour and every ten "
        "minutes in the evening, the operator announced.</p><p>The line cost 210 million euros, a third "
        "more than planned, and the council has asked auditors to explain why.</p></article></body></html>"
    )
    article = create(client, html=page_html, url="https://courier.example/tram")
    page = client.get(f"/articles/{article['id']}", params={"summary": 1}).text
    assert "Key sentences from the article" in page and "chosen by" not in page
    assert "4 November 2026" in page and "04 November" not in page
    assert "4 November 2026" in client.get("/").text
    for path, params, words in (
        (f"/articles/{article['id']}", {"length": "huge"}, "must be one of: short, medium, long"),
        ("/articles/abc", {}, "must be a whole number"),
        ("/", {"page": 0}, "must be at least 1"),
    ):
        refused = client.get(path, params=params, headers=html_accept)
        assert refused.status_code == 422 and words in refused.text, refused.text
        assert not re.search(r"Input should|String should|(query|path)\.\w+:", refused.text)
    past_end = client.get("/", params={"page": 99}, headers=html_accept).text
    assert "Page 99 is past the end" in past_end and "No articles yet" not in past_end
    assert "there is 1 article, on 1 page" in past_end
    missing = client.get("/no/such/page", headers=html_accept)
    assert missing.status_code == 404 and missing.text.count("ot found") + missing.text.count("ot Found") == 1
    assert "There is no page at /no/such/page" in missing.text
    assert _error(client.get("/no/such/page"), 404, "not_found")["message"] != "Not Found"
    assert "each links to where it stands" not in client.get("/").text
    malformed = client.post(
        "/api/v1/articles", content=b'{"text": ', headers={**AUTH, "Content-Type": "application/json"}
    )
    assert _error(malformed, 422, "validation_error")["message"].startswith("the body must be JSON: ")
    for url in ("ftp://courier.example/a", "courier.example/a", "javascript:alert(1)"):
        error = _error(client.post("/api/v1/articles", json={"url": url}, headers=AUTH), 422, "fetch_failed")
        assert error["reason"] == "bad_scheme" and "robots" not in error["message"]
        assert "only http and https" in error["message"]


def test_article_source_link_image_and_undated_last(client: TestClient) -> None:
    """Source, a link to the original, the lead image (lazy, with alt text) and the date; undated articles
    after dated ones, on the page and in the API (issue 15, item 5)."""
    from tests.site import article_page

    dated_html = article_page(head='<meta property="article:published_time" content="2026-10-02T08:00:00Z">')
    dated = create(client, html=dated_html, url="https://courier.example/2026/10/ferry")
    undated = create(client, text=STORY)  # stored later, without a date
    assert dated["image_url"] == "https://courier.example/img/terminal.jpg"
    page = client.get(f"/articles/{dated['id']}").text
    image = re.search(r'<img src="https://courier\.example/img/terminal\.jpg"[^>]*>', page)
    assert image is not None and 'loading="lazy"' in image.group() and 'alt="Picture for' in image.group()
    assert re.search(r'<a class="original" href="https://courier\.example/2026/10/ferry"', page)
    assert "2 October 2026" in page
    listing = client.get("/").text
    assert listing.index("Harbour approves ferry terminal") < listing.index("Harbour Works Start")
    assert "unknown site" not in listing
    api_order = [row["id"] for row in client.get("/api/v1/articles").json()["data"]]
    assert api_order == [dated["id"], undated["id"]]


def test_page_html_mode_and_bookmarklet_refusals(client: TestClient) -> None:
    """A standfirst without a full stop is not a key point; a paywalled page sent by the bookmarklet gets
    advice a reader can follow (issue 15, item 11)."""
    from tests.site import PAYWALL, article_page

    standfirst = "Residents lose their two-year fight against the harbour project"
    html = article_page().replace(
        '<p class="byline">By Ana Ruiz</p>',
        f'<p class="standfirst">{standfirst}</p><p class="byline">By Ana Ruiz</p>',
    )
    summary = client.post("/api/v1/summarize", json={"html": html, "url": "https://courier.example/t"})
    assert summary.status_code == 200, summary.text
    points = [point["text"] for point in summary.json()["sentences"]]
    assert points and all(standfirst not in point for point in points)
    read = client.post("/read", data={"html": html, "url": "https://courier.example/t"})
    assert read.status_code == 200 and f"<li>{standfirst}" not in read.text
    refused = client.post("/read", data={"html": PAYWALL, "url": "https://courier.example/deal"})
    assert refused.status_code == 422
    assert "send the page" not in refused.text and "Log in to the site" in refused.text
    assert "[paywall]" not in refused.text
    stub = "<html><head><title>Tide</title></head><body><article><h1>Tide</h1><p>Closed.</p></article></body></html>"
    too_short = _error(client.post("/api/v1/summarize", json={"html": stub}), 422, "not_article")
    assert "has 1 word of article text" in too_short["message"]


def test_widget_demo_without_any_url(client: TestClient) -> None:
    """The newest article was posted as text (no URL): the demo's widget sends the page's own HTML."""
    create(client, text=STORY)
    demo = client.get("/widget-demo")
    assert demo.status_code == 200
    assert "data-article-url" not in demo.text and 'data-send-html="fallback"' in demo.text
