"""The one error tree: every class in errors.py, drawn in its docstring (and in docs/architecture.md), built
alike, and sent with its own status (SQLite and PostgreSQL for the service)."""

from __future__ import annotations

import ast
import inspect
import pickle
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from newsbrief import errors
from newsbrief.config import Settings
from newsbrief.errors import BadLength, InvalidInput, NewsbriefError, NotAnArticle, NotFound
from newsbrief.web import create_app
from tests.conftest import ROOT

KEY = "test-key-123"
AUTH = {"Authorization": f"Bearer {KEY}"}
CLASSES = sorted(
    (
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, NewsbriefError)
    ),
    key=lambda cls: cls.__name__,
)
# A row of the drawn tree: its prefix (the depth), class, code, status.
_ROW = re.compile(r"^(?P<prefix>[\s│├└─]*)(?P<name>[A-Z]\w+)\s+(?P<code>[a-z_]+)\s+(?P<status>\d{3})\s")


def _tree(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if _ROW.match(line.strip("\n"))]


def test_no_module_but_errors_py_defines_an_error_class() -> None:
    names = {cls.__name__ for cls in CLASSES}
    elsewhere = [
        f"{path.relative_to(ROOT)}: {node.name}"
        for path in sorted((ROOT / "src" / "newsbrief").rglob("*.py"))
        if path.name != "errors.py" or path.parent.name != "newsbrief"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
        and any(isinstance(base, ast.Name) and base.id in names for base in node.bases)
    ]
    assert elsewhere == []


def test_the_docstring_draws_every_class_with_its_code_status_and_parent() -> None:
    assert errors.__doc__ is not None
    drawn: dict[str, tuple[str, int, str | None]] = {}
    parents: list[str] = []  # the open branch, one class per depth
    rows = [_ROW.match(line) for line in _tree(errors.__doc__)]
    indent = len(rows[0]["prefix"]) if rows[0] else 0  # the root's: each level adds 4 characters
    for row in rows:
        assert row is not None
        depth = (len(row["prefix"]) - indent) // 4
        parents[depth:] = [row["name"]]
        drawn[row["name"]] = (row["code"], int(row["status"]), parents[depth - 1] if depth else None)
    assert drawn == {
        cls.__name__: (
            cls.code,
            cls.status,
            None if cls is NewsbriefError else cls.__bases__[0].__name__,
        )
        for cls in CLASSES
    }


def test_the_architecture_doc_quotes_the_same_tree() -> None:
    assert errors.__doc__ is not None
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert _tree(doc) == _tree(errors.__doc__)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_every_class_is_built_alike(cls: type[NewsbriefError]) -> None:
    """``Error(message, *, reason=None, ...)``: the message first and alone, everything else by name."""
    parameters = list(inspect.signature(cls).parameters.values())
    assert parameters[0].name == "message"
    assert parameters[0].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert all(parameter.kind is inspect.Parameter.KEYWORD_ONLY for parameter in parameters[1:])
    required = {p.name: "x" for p in parameters[1:] if p.default is inspect.Parameter.empty}
    error = cls("the message", **required)
    assert "the message" in str(error)
    assert type(pickle.loads(pickle.dumps(error))) is cls


def test_a_reason_is_kept_and_shown() -> None:
    refused = NotAnArticle("behind a paywall", reason="paywall")
    assert refused.reason == "paywall"
    assert str(refused) == "not an article (paywall): behind a paywall"
    assert NotFound("no feed 9").status == 404 and NotFound.code == "not_found"


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=database_url, api_keys=KEY))) as test_client:
        yield test_client


def _sent(response: Response, cls: type[NewsbriefError]) -> None:
    assert response.status_code == cls.status, response.text


def test_the_status_sent_is_the_class_status_on_the_api_and_on_pages(client: TestClient) -> None:
    created = client.post(
        "/api/v1/articles", json={"text": "Title\n\nThe council met on Monday."}, headers=AUTH
    )
    article = created.json()["id"]
    bad_length = client.get(f"/api/v1/articles/{article}/summary", params={"sentences": 2, "words": 30})
    _sent(bad_length, BadLength)
    assert bad_length.json()["error"]["code"] == BadLength.code
    nothing = client.post("/api/v1/articles", json={}, headers=AUTH)
    _sent(nothing, InvalidInput)
    assert nothing.json()["error"]["code"] == InvalidInput.code
    page = client.get("/?q=%00", headers={"Accept": "text/html"})
    _sent(page, InvalidInput)
    assert page.headers["content-type"].startswith("text/html")


def test_a_missing_article_or_feed_is_not_found(client: TestClient) -> None:
    for response in (
        client.get("/api/v1/articles/999999"),
        client.delete("/api/v1/articles/999999", headers=AUTH),
        client.delete("/api/v1/feeds/999999", headers=AUTH),
        client.get("/api/v1/summary", params={"url": "https://nowhere.example/story"}),
    ):
        _sent(response, NotFound)
        assert response.json()["error"]["code"] == NotFound.code
    _sent(client.get("/articles/999999", headers={"Accept": "text/html"}), NotFound)


def test_an_overloaded_database_is_a_503_with_retry_after(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    from newsbrief.config import Settings
    from newsbrief.web import create_app

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'busy.db'}"))

    @app.get("/locked")
    def locked() -> None:
        raise OperationalError("INSERT ...", {}, Exception("database is locked"))

    @app.get("/pool")
    def pool() -> None:
        raise PoolTimeout("QueuePool limit of size 5 overflow 10 reached")

    @app.get("/other")
    def other() -> None:
        raise OperationalError("SELECT ...", {}, Exception("no such table: x"))

    with TestClient(app, raise_server_exceptions=False) as client:
        for path in ("/locked", "/pool"):
            response = client.get(path)
            assert response.status_code == 503
            assert response.headers["retry-after"] == "1"
            assert response.json()["error"]["code"] == "busy"
        assert client.get("/other").status_code == 500  # a real fault stays a fault
