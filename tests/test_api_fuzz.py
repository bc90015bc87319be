"""Schemathesis against the OpenAPI spec: generated requests for every operation never get a 5xx."""

from __future__ import annotations

import warnings
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings

from newsbrief.config import Settings
from newsbrief.web import create_app

KEY = "fuzz-key"


def _app(folder: Path) -> object:
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'fuzz.db'}", api_keys=KEY))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

        client = TestClient(app)
        client.post(
            "/api/v1/articles",
            json={"text": "Fuzz Title\\n\\nThe council met on Monday. It agreed to build a bridge."},
            headers={"Authorization": f"Bearer {KEY}"},
        )
    return app


def test_no_server_errors(tmp_path: Path) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", _app(tmp_path))
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def no_server_error(case: schemathesis.Case) -> None:
            response = case.call(headers={"Authorization": f"Bearer {KEY}"})
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}"
            )

        no_server_error()
        checked.append(operation.label)
    assert len(checked) >= 8, checked
