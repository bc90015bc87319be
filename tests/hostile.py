"""The hostile-input corpus of issue 12: inputs we wrote, generated in code (nothing big is stored), each
named and tagged with the surfaces that take it. tests/test_hostile.py runs them all.

Five kinds of case:

- ``Document``: bytes given as a file to ``newsbrief summarize``, as a record to ``batch`` and as a
  ``text``/``html`` body to ``POST /api/v1/articles`` and ``POST /api/v1/summarize``;
- ``Page``: what the fake site (tests/site.py) answers at a path, for ``newsbrief ingest URL`` and
  ``POST /api/v1/articles {"url"}``; ``RawUrl``: a URL no site answers (schemes and addresses refused);
- ``ApiRequest``: a request to the JSON API (query parameters, bodies, content types);
- ``FeedDocument``: a feed the fake site serves, for ``POST /api/v1/feeds`` and ``newsbrief feeds add``.

Everything is deterministic. ``python -m tests.hostile`` lists the cases per surface;
``python -m tests.hostile DIR`` writes the documents to DIR to try them by hand.
"""

from __future__ import annotations

import codecs
import gzip
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Literal

Surface = Literal[
    "summarize",  # newsbrief summarize FILE
    "batch",  # newsbrief batch (a record of the mixed JSONL and JSONL.gz inputs)
    "ingest",  # newsbrief ingest URL...
    "api_create",  # POST /api/v1/articles
    "api_summary",  # GET /api/v1/articles/{id}/summary and GET /api/v1/summary
    "api_summarize",  # POST /api/v1/summarize
    "api_search",  # GET /api/v1/articles?q=
    "feeds",  # POST /api/v1/feeds and newsbrief feeds add
]
SURFACES: tuple[Surface, ...] = (
    "summarize",
    "batch",
    "ingest",
    "api_create",
    "api_summary",
    "api_summarize",
    "api_search",
    "feeds",
)

MB = 1_000_000
# The default NEWSBRIEF_MAX_INPUT_BYTES: the "10 MB" inputs stay just under it, so they are parsed, not refused.
MAX_INPUT = 10 * MB
NEAR_MAX = 9_600_000

STORY = (
    "Harbour Works Start\n\n"
    "Work on the new harbour wall started on Monday, the port authority said. "
    "The wall will protect the old town from winter storms.\n\n"
    "The project costs 12 million euros and should be finished in two years. "
    "Fishermen said they welcomed the plan."
)
SENTENCES = (
    "The council met on Monday to discuss the new bridge over the river.",
    "It agreed to spend four million euros on the project, the mayor said.",
    "Work will start in the spring and should last about two years.",
)


def _fill(unit: bytes, size: int) -> bytes:
    """``unit`` repeated to exactly ``size`` bytes."""
    return (unit * (size // len(unit) + 1))[:size]


def _text(*parts: str) -> bytes:
    return "".join(parts).encode("utf-8")


def _jsonl(*records: object) -> bytes:
    return b"".join(json.dumps(record).encode("ascii") + b"\n" for record in records)


def _html(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head><title>Hostile</title>{head}</head><body>{body}</body></html>"


# --- Documents: CLI summarize, batch records, API create/summarize bodies ---------------------------------

DocumentSurface = Literal["summarize", "batch", "api_create", "api_summarize"]
EVERYWHERE: frozenset[DocumentSurface] = frozenset({"summarize", "batch", "api_create", "api_summarize"})
# The near-10 MB documents: storing them through the API too would only repeat the summarize path at the
# price of writing 10 MB twice per database; the service's parse budget is exercised by /summarize.
NOT_STORED: frozenset[DocumentSurface] = frozenset({"summarize", "batch", "api_summarize"})
CLI_ONLY: frozenset[DocumentSurface] = frozenset({"summarize"})


@dataclass(frozen=True)
class Document:
    """Bytes as a user sends them; ``suffix`` is the file name's (``.jsonl`` makes the CLI read JSON lines)."""

    name: str
    build: Callable[[], bytes]
    suffix: str = ".txt"
    surfaces: frozenset[DocumentSurface] = EVERYWHERE

    @property
    def is_html(self) -> bool:
        return self.suffix == ".html"

    @property
    def is_jsonl(self) -> bool:
        return self.suffix == ".jsonl"


def _nested_json(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


DIGITS_5000 = "9" * 5000

DOCUMENTS: tuple[Document, ...] = (
    Document("empty", lambda: b""),
    Document("whitespace_only", lambda: b" \t\n\r\n\x0b\x0c " * 5000),
    Document("punctuation_only", lambda: _fill(b"!?.,;:-\"'()[]{}... ", 200_000)),
    Document("go_flood_10mb", lambda: _fill(b"Go. ", NEAR_MAX), surfaces=NOT_STORED),
    Document("one_word_10mb", lambda: _fill(b"a", NEAR_MAX), surfaces=NOT_STORED),
    Document("over_max_input", lambda: _fill(b"Go. ", MAX_INPUT + 1), surfaces=CLI_ONLY),
    Document(
        "million_newlines",
        lambda: _text(SENTENCES[0], "\n" * 1_000_000, SENTENCES[1], "\r" * 100_000, SENTENCES[2]),
    ),
    Document("binary_with_nul", lambda: bytes(range(256)) * 4000),
    Document("nul_inside_text", lambda: _text(SENTENCES[0], "\x00" * 1000, " ", SENTENCES[1], "\x00")),
    Document(
        "invalid_utf8",
        lambda: _fill(b"The council \xc3\x28 met \xa0\xa1 on Monday \xf0\x28\x8c\xbc. ", 300_000),
    ),
    Document(
        "surrogates_as_utf8_bytes",
        lambda: _fill(b"The council met \xed\xa0\x80\xed\xbf\xbf today. ", 100_000),
    ),
    Document("utf16_without_bom", lambda: STORY.encode("utf-16-le")),
    Document("utf32_with_bom", lambda: STORY.encode("utf-32")),
    Document(
        "bidi_overrides",
        lambda: (
            _text(
                *(
                    f"\u202e{sentence}\u202c \u2066\u2067\u2068{sentence}\u2069\u200f "
                    for sentence in SENTENCES
                )
            )
            * 2000
        ),
    ),
    Document(
        "zero_width_flood",
        lambda: _text(SENTENCES[0], "\u200b\u200c\u200d\u2060\ufeff" * 200_000, SENTENCES[1]),
    ),
    Document(
        "combining_mark_flood", lambda: _text("The cou", "\u0301" * 1_000_000, "ncil met. ", SENTENCES[1])
    ),
    Document(
        "emoji_only",
        lambda: _text("\U0001f600\U0001f389\U0001f468\u200d\U0001f469\u200d\U0001f467 " * 100_000),
    ),
    Document("million_one_letter_sentences", lambda: b"A. " * 1_000_000),
    Document("one_sentence_of_a_million_words", lambda: b"word " * 1_000_000 + b"end."),
    Document(
        "nested_divs_100k",
        lambda: _text(
            _html("<div>" * 100_000 + "".join(f"<p>{s}</p>" for s in SENTENCES) + "</div>" * 100_000)
        ),
        suffix=".html",
    ),
    Document(
        "p_tags_1_2m",
        lambda: _text("<!DOCTYPE html><html><body>") + b"<p>Go. " * 1_200_000 + b"</body></html>",
        suffix=".html",
        surfaces=NOT_STORED,
    ),
    Document(
        "script_only_html",
        lambda: _text(
            _html("<script>" + "var a = '<p>x</p>';" * 50_000 + "</script>", head="<script>1</script>")
        ),
        suffix=".html",
    ),
    Document(
        "comment_bomb",
        lambda: _text(
            _html("<!-- a -- b --->" * 200_000 + f"<p>{SENTENCES[0]}</p><!-- never closed" + "x" * 100_000)
        ),
        suffix=".html",
    ),
    Document(
        "entity_flood",
        lambda: _text(
            _html("<p>" + "&amp;&lt;&#x1F600;&#0;&#xD800;&#x110000;&#99999999999;&nosuch;&" * 16_000 + "</p>")
        ),
        suffix=".html",
        # 1 MB already takes the parser seconds of CPU (2.5 MB: past the 20 s parse budget); one run per
        # surface that parses HTML is enough.
        surfaces=frozenset({"summarize", "api_summarize"}),
    ),
    Document(
        "jsonl_nested_100k",
        lambda: (
            b'{"id": "nested", "text": '
            + _nested_json(100_000)
            + b"}\n"
            + _jsonl({"id": "ok", "text": STORY})
        ),
        suffix=".jsonl",
    ),
    Document(
        "jsonl_5000_digit_number",
        lambda: _text('{"id": ', DIGITS_5000, ', "text": ', json.dumps(STORY), "}\n"),
        suffix=".jsonl",
    ),
    Document(
        "jsonl_1e999",
        lambda: _text('{"id": 1e999, "text": ', json.dumps(STORY), ', "title": -1e999}\n'),
        suffix=".jsonl",
    ),
    Document(
        "jsonl_non_object_lines",
        lambda: _jsonl({"id": "first", "text": STORY}) + b'[1, 2]\n"text"\n42\nnull\ntrue\n',
        suffix=".jsonl",
    ),
    Document(
        "jsonl_missing_text", lambda: _jsonl({"id": "no-text", "title": "Only a title"}), suffix=".jsonl"
    ),
    Document("jsonl_text_is_number", lambda: _jsonl({"id": "number", "text": 42}), suffix=".jsonl"),
    Document("jsonl_text_is_list", lambda: _jsonl({"id": "list", "text": list(SENTENCES)}), suffix=".jsonl"),
    Document(
        "jsonl_id_is_object", lambda: _jsonl({"id": {"a": [1, {"b": None}]}, "text": STORY}), suffix=".jsonl"
    ),
    Document(
        "jsonl_title_10mb",
        lambda: _text(
            '{"id": "big-title", "title": "', "T" * NEAR_MAX, '", "text": ', json.dumps(STORY), "}\n"
        ),
        suffix=".jsonl",
        surfaces=CLI_ONLY,
    ),
    Document(
        "jsonl_lone_surrogates",
        lambda: _text(
            '{"id": "surrogate-\\udfff", "title": "\\ud800", "text": "The council \\ud800 met. \\udfff It agreed '
            'to build a bridge.\\udbff", "url": "https://courier.example/\\ud800"}\n'
        ),
        suffix=".jsonl",
    ),
    Document(
        "jsonl_bom_on_every_line",
        lambda: b"".join(
            b"\xef\xbb\xbf" + line
            for line in _jsonl(*({"id": f"bom-{n}", "text": STORY} for n in range(3))).splitlines(
                keepends=True
            )
        ),
        suffix=".jsonl",
    ),
    Document(
        "jsonl_crlf",
        lambda: _jsonl(*({"id": f"crlf-{n}", "text": STORY.replace("\n", "\r\n")} for n in range(3))).replace(
            b"\n", b"\r\n"
        ),
        suffix=".jsonl",
    ),
    Document(
        "text_crlf_and_lone_cr",
        lambda: STORY.replace("\n", "\r\n").encode() + b"\r" + STORY.replace("\n", "\r").encode(),
    ),
)


# --- Pages and URLs: newsbrief ingest URL..., POST /api/v1/articles {"url"} -------------------------------

PageSurface = Literal["ingest", "api_create"]
FETCHED: frozenset[PageSurface] = frozenset({"ingest", "api_create"})


def drip(handler: BaseHTTPRequestHandler) -> None:
    """A page that sends a byte every 0.25 s for a minute: well past any fetch deadline."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.end_headers()
    try:
        for _ in range(240):
            handler.wfile.write(b"<")
            handler.wfile.flush()
            time.sleep(0.25)
    except OSError:
        pass  # the client gave up, as it should


def lying_length(handler: BaseHTTPRequestHandler) -> None:
    """Content-Length says 100 bytes, the body runs on for 12 MB (past the size limit) and then stops."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Length", "100")
    handler.end_headers()
    try:
        for _ in range(12):
            handler.wfile.write(b"<p>Go. " * 150_000)
    except OSError:
        pass


def _half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _gzip_bomb(size: int) -> bytes:
    return gzip.compress(b"\x00" * size, compresslevel=9)


@dataclass(frozen=True)
class Page:
    """What the fake site answers at ``/hostile/<name>`` (``headers`` may point to other paths)."""

    name: str
    body: Callable[[], bytes] = lambda: b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    handler: Callable[[BaseHTTPRequestHandler], None] | None = None
    surfaces: frozenset[PageSurface] = FETCHED

    @property
    def path(self) -> str:
        return f"/hostile/{self.name}"


PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"

PAGES: tuple[Page, ...] = (
    Page("gzip_lie", lambda: _text(_html(f"<p>{SENTENCES[0]}</p>")), headers={"Content-Encoding": "gzip"}),
    Page(
        "gzip_truncated",
        lambda: _half(gzip.compress(story_page("/story/truncated"))),
        headers={"Content-Encoding": "gzip"},
    ),
    Page("gzip_bomb", lambda: _gzip_bomb(200 * MB), headers={"Content-Encoding": "gzip"}),
    Page("unknown_encoding", lambda: b"<p>x</p>", headers={"Content-Encoding": "br, zstd, x-nonsense"}),
    Page("redirect_backslash", status=302, headers={"Location": "http:\\\\127.0.0.1\\x"}),
    Page("redirect_garbage", status=302, headers={"Location": "http://[::1"}),
    Page("redirect_loop", status=302, headers={"Location": "/hostile/redirect_loop_back"}),
    Page("redirect_loop_back", status=302, headers={"Location": "/hostile/redirect_loop"}),
    Page("redirect_metadata", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}),
    Page("redirect_to_file", status=302, headers={"Location": "file:///etc/passwd"}),
    Page("slow_drip", handler=drip),
    Page("over_size_body", lambda: _fill(b"<p>Go. ", 11 * MB)),
    Page("content_length_lie", handler=lying_length),
    Page("image", lambda: PNG_HEADER + bytes(1000), content_type="image/png"),
    Page("no_content", status=204),
    Page("server_error", lambda: _text(_html("<p>Internal Server Error</p>")), status=500),
    Page(
        "paywall",
        lambda: _text(
            _html(
                f"<article><h1>Port deal</h1><p>{SENTENCES[0]}</p></article><div><h2>Subscribe to continue reading"
                "</h2></div>",
                head='<script type="application/ld+json">{"@type": "NewsArticle", "isAccessibleForFree": "False"}'
                "</script>",
            )
        ),
    ),
    Page("empty_page", lambda: b""),
    Page("binary_as_html", lambda: bytes(range(256)) * 100),
)


@dataclass(frozen=True)
class RawUrl:
    """A URL that must be refused before anything is fetched (scheme, or an address not allowlisted)."""

    name: str
    url: str
    surfaces: frozenset[PageSurface] = FETCHED


RAW_URLS: tuple[RawUrl, ...] = (
    RawUrl("javascript_url", "javascript:alert(document.domain)"),
    RawUrl("file_url", "file:///etc/passwd"),
    RawUrl("ftp_url", "ftp://127.0.0.1/pub/story.html"),
    RawUrl("ipv6_loopback", "http://[::1]/"),
    RawUrl("metadata_address", "http://169.254.169.254/latest/meta-data/"),
)


# --- API requests --------------------------------------------------------------------------------------

ApiSurface = Literal["api_create", "api_summary", "api_summarize", "api_search"]
Expect = Literal["2xx", "4xx", "any"]
# ``{article}`` in a path is replaced by the id of a stored good article.
SUMMARY = "/api/v1/articles/{article}/summary"
JSON_TYPE = "application/json"


@dataclass(frozen=True)
class ApiRequest:
    name: str
    surface: ApiSurface
    method: str
    path: str
    params: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    content_type: str | None = JSON_TYPE
    # Beyond "never a 5xx": "4xx" for requests that make no sense, "2xx" for ones that must work
    # (a search for FTS metacharacters is a search like any other).
    expect: Expect = "any"


def _summary(name: str, expect: Expect = "4xx", **params: str) -> ApiRequest:
    return ApiRequest(name, "api_summary", "GET", SUMMARY, tuple(params.items()), expect=expect)


def _search(name: str, q: str, expect: Expect = "2xx", **params: str) -> ApiRequest:
    return ApiRequest(
        name, "api_search", "GET", "/api/v1/articles", (("q", q), *params.items()), expect=expect
    )


def _post(
    name: str, surface: ApiSurface, body: bytes, content_type: str | None = JSON_TYPE, expect: Expect = "4xx"
) -> ApiRequest:
    path = "/api/v1/articles" if surface == "api_create" else "/api/v1/summarize"
    return ApiRequest(name, surface, "POST", path, body=body, content_type=content_type, expect=expect)


def _bodies(surface: ApiSurface) -> tuple[ApiRequest, ...]:
    """The same hostile bodies for create and summarize."""
    story = json.dumps(STORY)
    # Length options are /summarize's; create ignores fields it does not know, as it should.
    numbers: Expect = "4xx" if surface == "api_summarize" else "any"
    return (
        _post("invalid_json", surface, b'{"text": "unterminated'),
        _post("json_array", surface, _text("[", json.dumps({"text": STORY}), "]")),
        _post("json_string", surface, b'"just a string"'),
        _post("nested_100k", surface, b'{"text": ' + _nested_json(100_000) + b"}"),
        _post("nested_object_100k", surface, b'{"a":' * 100_000 + b"1" + b"}" * 100_000),
        _post("digits_5000", surface, _text('{"text": ', story, ', "sentences": ', DIGITS_5000, "}")),
        _post(
            "number_1e999",
            surface,
            _text('{"text": ', story, ', "ratio": 1e999, "sentences": 1e999}'),
            expect=numbers,
        ),
        _post("nan_literal", surface, _text('{"text": ', story, ', "ratio": NaN}'), expect=numbers),
        _post("text_is_number", surface, b'{"text": 42}'),
        _post("text_is_list", surface, b'{"text": ["a", "b"]}'),
        _post(
            "lone_surrogates",
            surface,
            b'{"text": "The council \\ud800 met. \\udfff It agreed \\udbff.", "title": "\\ud800"}',
            expect="any",
        ),
        _post(
            "nul_in_text",
            surface,
            b'{"text": "The council\\u0000 met on Monday.\\u0000 It agreed.", "title": "a\\u0000b"}',
            expect="any",
        ),
        _post(
            "nul_in_url", surface, _text('{"html": "<p>x</p>", "url": "https://courier.example/a\\u0000b"}')
        ),
        _post(
            "javascript_url_with_html",
            surface,
            _text('{"html": ', json.dumps(_html(f"<p>{STORY}</p>")), ', "url": "javascript:alert(1)"}'),
            expect="any",
        ),
        _post(
            "title_100k",
            surface,
            _text('{"text": ', story, ', "title": "', "T" * 100_000, '"}'),
            expect="any",
        ),
        _post("empty_body", surface, b"", content_type=JSON_TYPE),
        _post(
            "text_plain_type",
            surface,
            _text('{"text": ', story, "}"),
            content_type="text/plain",
            expect="any",
        ),
        _post(
            "form_type",
            surface,
            b"text=The+council+met.",
            content_type="application/x-www-form-urlencoded",
            expect="any",
        ),
        _post("no_content_type", surface, _text('{"text": ', story, "}"), content_type=None, expect="any"),
        _post(
            "utf16_json",
            surface,
            json.dumps({"text": STORY}).encode("utf-16"),
            content_type=JSON_TYPE,
            expect="any",
        ),
        _post("invalid_utf8_json", surface, b'{"text": "The council \xff\xfe met."}', expect="any"),
        _post("over_request_limit", surface, _text('{"text": "', "Go. " * 2_600_000, '"}')),
    )


_SCRIPT = "<script>alert(1)</script>"

API_REQUESTS: tuple[ApiRequest, ...] = (
    _summary("sentences_zero", sentences="0"),
    _summary("sentences_negative", sentences="-1"),
    _summary("sentences_1e10", sentences="1e10"),
    _summary("sentences_nan", sentences="nan"),
    _summary("ratio_inf", ratio="inf"),
    _summary("ratio_nan", ratio="nan"),
    _summary("ratio_two", ratio="2"),
    _summary("seconds_1e308", seconds="1e308"),
    _summary("words_10e30", words=str(10**30)),
    _summary("two_lengths", words="10", ratio="0.5"),
    _summary("style_script", style=_SCRIPT),
    _summary("engine_path", engine="../../etc/passwd"),
    _summary("engine_unknown", engine="nosuch.v9"),
    _summary("engine_nul", engine="lead.v1\x00"),
    ApiRequest(
        "article_id_huge", "api_summary", "GET", "/api/v1/articles/" + "9" * 30 + "/summary", expect="4xx"
    ),
    ApiRequest("article_id_negative", "api_summary", "GET", "/api/v1/articles/-1/summary", expect="4xx"),
    ApiRequest("article_id_text", "api_summary", "GET", "/api/v1/articles/abc/summary", expect="4xx"),
    ApiRequest(
        "by_url_nul",
        "api_summary",
        "GET",
        "/api/v1/summary",
        (("url", "https://courier.example/a\x00"),),
        expect="4xx",
    ),
    ApiRequest(
        "by_url_javascript",
        "api_summary",
        "GET",
        "/api/v1/summary",
        (("url", "javascript:alert(1)"),),
        expect="4xx",
    ),
    ApiRequest(
        "by_url_surrogate",
        "api_summary",
        "GET",
        "/api/v1/summary",
        (("url", "https://c.example/%ED%A0%80"),),
        expect="4xx",
    ),
    ApiRequest(
        "by_url_3000_chars",
        "api_summary",
        "GET",
        "/api/v1/summary",
        (("url", "https://c.example/" + "a" * 3000),),
        expect="4xx",
    ),
    _search("fts_quote", '"'),
    _search("fts_unbalanced_quotes", '"harbour wall'),
    _search("fts_star", "*"),
    _search("fts_prefix_star", "harb*"),
    _search("fts_near", "NEAR(harbour wall"),
    _search("fts_operators", "AND OR NOT"),
    _search("fts_caret", "^harbour"),
    _search("fts_column", "title:harbour"),
    _search("fts_minus", "-harbour -"),
    _search("fts_parentheses", "((harbour) OR (wall"),
    _search("fts_pg_tsquery", "harbour & | ! <-> :* wall"),
    _search("fts_sql_quote", "'; DROP TABLE articles; --"),
    _search("q_500_chars", "harbour " * 62 + "wall"),
    _search("q_501_chars", "x" * 501, expect="4xx"),
    _search("q_unicode", "\u202eh\u0301arbour \U0001f600 \u200b\u0645\u064a\u0646\u0627\u0621 \ufeff"),
    _search("q_nul", "harbour\x00wall", expect="any"),
    _search("q_backslashes", "\\\\ \\ % _"),
    _search("offset_huge", "harbour", offset=str(10**12), expect="4xx"),
    _search("offset_negative", "harbour", offset="-1", expect="4xx"),
    _search("limit_zero", "harbour", limit="0", expect="4xx"),
    _search("limit_huge", "harbour", limit=str(10**30), expect="4xx"),
    *_bodies("api_create"),
    *_bodies("api_summarize"),
    _post("url_javascript", "api_create", b'{"url": "javascript:alert(document.domain)"}'),
    _post("url_file", "api_create", b'{"url": "file:///etc/passwd"}'),
    _post("url_ipv6_loopback", "api_create", b'{"url": "http://[::1]/"}'),
    _post("url_metadata", "api_create", b'{"url": "http://169.254.169.254/latest/meta-data/"}'),
    _post("url_backslashes", "api_create", b'{"url": "http:\\\\\\\\127.0.0.1\\\\x"}'),
    _post("url_not_a_url", "api_create", b'{"url": "not a url at all"}'),
    _post("url_2049_chars", "api_create", _text('{"url": "https://c.example/', "a" * 2049, '"}')),
)


# --- Feeds: POST /api/v1/feeds, newsbrief feeds add ------------------------------------------------------

RSS_TYPE = "application/rss+xml"
JSON_FEED_TYPE = "application/feed+json"
ENCODINGS = (
    ("utf8", "utf-8", False),
    ("utf8_bom", "utf-8", True),
    ("utf16le", "utf-16-le", False),
    ("utf16_bom", "utf-16-le", True),
    ("utf16be", "utf-16-be", False),
    ("utf32le", "utf-32-le", False),
    ("utf32_bom", "utf-32-le", True),
)
_BOMS = {
    "utf-8": codecs.BOM_UTF8,
    "utf-16-le": codecs.BOM_UTF16_LE,
    "utf-16-be": codecs.BOM_UTF16_BE,
    "utf-32-le": codecs.BOM_UTF32_LE,
}


def billion_laughs(encoding: str) -> str:
    entities = "".join(
        f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "lol" * 10}">'
        for n in range(1, 10)
    )
    return (
        f'<?xml version="1.0" encoding="{encoding}"?><!DOCTYPE rss [{entities}]><rss version="2.0"><channel>'
        "<title>&lol9;</title><item><title>&lol9;</title><link>http://c.example/a</link></item></channel></rss>"
    )


def xxe(encoding: str) -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<rss version="2.0"><channel><title>&x;</title><item><title>&x;</title><link>http://c.example/a</link>'
        "</item></channel></rss>"
    )


def rss(base: str, links: list[str], title: str = "Hostile Courier") -> str:
    items = "".join(
        f"<item><title>Story {n}</title><link>{link}</link><guid>g-{n}</guid></item>"
        for n, link in enumerate(links)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>{base}/</link><description>News</description>{items}</channel></rss>"
    )


# Story pages the feeds' good entries point to (served by the runner at these paths).
STORY_PATHS = ("/story/one", "/story/two")


def story_page(path: str) -> bytes:
    topic = path.rsplit("/", 1)[-1]
    paragraphs = (
        f"The {topic} ferry was the talk of the harbour on Tuesday, when the council published its plans.",
        "The council said the works would start in the spring and last about eighteen months in all.",
        f"Residents were invited to a meeting about the {topic} ferry at the town hall next Thursday evening.",
    )
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return _text(
        _html(
            f"<article><h1>The {topic} ferry</h1>{body}</article>",
            head='<meta property="og:type" content="article">',
        )
    )


@dataclass(frozen=True)
class FeedDocument:
    """A feed at ``/feeds/<name>``; ``refused``: the guard must refuse it (entity declarations)."""

    name: str
    build: Callable[[str], bytes]  # the site's base URL -> the document
    content_type: str = RSS_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    refused: bool = False

    @property
    def path(self) -> str:
        return f"/feeds/{self.name}"


def _encoded(document: Callable[[str], str], encoding: str, bom: bool) -> Callable[[str], bytes]:
    label = encoding.upper().replace("-LE", "LE").replace("-BE", "BE")  # UTF-16LE, as declarations name it
    prefix = _BOMS[encoding] if bom else b""
    return lambda _base: prefix + document(label).encode(encoding)


def _entity_feeds() -> tuple[FeedDocument, ...]:
    return tuple(
        FeedDocument(f"{kind}_{tag}", _encoded(document, encoding, bom), refused=True)
        for kind, document in (("billion_laughs", billion_laughs), ("xxe", xxe))
        for tag, encoding, bom in ENCODINGS
    )


def _json_feed(items: str) -> bytes:
    return _text('{"version": "https://jsonfeed.org/version/1.1", "title": "Hostile", "items": ', items, "}")


FEEDS: tuple[FeedDocument, ...] = (
    *_entity_feeds(),
    FeedDocument(
        "entries_50k", lambda base: _text(rss(base, [f"{base}/missing/{n}" for n in range(50_000)]))
    ),
    FeedDocument(
        "json_feed_nested_100k", lambda _base: _json_feed(_nested_json(100_000).decode()), JSON_FEED_TYPE
    ),
    FeedDocument(
        "json_feed_5000_digits",
        lambda base: _json_feed(f'[{{"id": {DIGITS_5000}, "url": "{base}{STORY_PATHS[0]}"}}]'),
        JSON_FEED_TYPE,
    ),
    FeedDocument(
        "html_not_a_feed", lambda _base: _text(_html(f"<p>{STORY}</p>")), "text/html; charset=utf-8"
    ),
    FeedDocument("empty", lambda _base: b""),
    FeedDocument(
        "gzip_lie",
        lambda base: _text(rss(base, [base + STORY_PATHS[0]])),
        headers={"Content-Encoding": "gzip"},
    ),
    FeedDocument(
        "javascript_links",
        lambda base: _text(
            rss(
                base,
                [
                    "javascript:alert(document.domain)",
                    "data:text/html,<script>alert(1)</script>",
                    "file:///etc/passwd",
                    f"{base}/hostile/redirect_backslash",
                    base + STORY_PATHS[0],
                    base + STORY_PATHS[1],
                ],
                title="<script>alert(1)</script>Courier",
            )
        ),
    ),
)


def counts() -> dict[Surface, int]:
    """How many cases each surface takes (a case may take several)."""
    tally: dict[Surface, int] = dict.fromkeys(SURFACES, 0)
    for document in DOCUMENTS:
        for taken in document.surfaces:
            tally[taken] += 1
    fetched: list[Page | RawUrl] = [*PAGES, *RAW_URLS]
    for case in fetched:
        for surface in case.surfaces:
            tally[surface] += 1
    for request in API_REQUESTS:
        tally[request.surface] += 1
    tally["feeds"] += len(FEEDS)
    return tally


def main(argv: list[str]) -> None:
    if argv:
        folder = Path(argv[0])
        folder.mkdir(parents=True, exist_ok=True)
        for document in DOCUMENTS:
            (folder / f"{document.name}{document.suffix}").write_bytes(document.build())
        print(f"{len(DOCUMENTS)} documents written to {folder}")
        return
    for surface, count in counts().items():
        print(f"{surface:<14} {count}")


if __name__ == "__main__":
    main(sys.argv[1:])
