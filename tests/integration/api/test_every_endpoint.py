"""Sweeps over the OpenAPI document: every write endpoint refuses a caller without a token, and
every JSON body that is not an object is a 422 with the error shape — changing nothing."""
from __future__ import annotations

import re

import pytest

from tests.integration.api.conftest import db_fingerprint

PUBLIC_WRITES = {("POST", "/api/v1/auth/token"), ("POST", "/api/v1/projects/{project_id}/evaluations")}


def _write_operations(app) -> list[tuple[str, str, bool]]:
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    operations = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method.upper() in ("POST", "PATCH", "DELETE", "PUT"):
                operations.append((method.upper(), path, "requestBody" in operation))
    return sorted(operations)


def _concrete(path: str, ids: dict) -> str:
    # Point every id at an object that exists where the world has one (else 1).
    return re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1).removesuffix("_id"), 1)), path)


def test_the_sweep_covers_the_api(app):
    operations = _write_operations(app)
    assert len(operations) >= 40, operations  # a guard against an empty or shrunken spec


def test_every_write_endpoint_without_a_token_is_401_and_changes_nothing(world, app):
    for method, path, _has_body in _write_operations(app):
        if (method, path) in PUBLIC_WRITES:
            continue
        before = db_fingerprint(world.platform)
        response = world.call(method, _concrete(path, world.ids), None, json={})
        assert response.status_code == 401, (method, path, response.status_code, response.get_json())
        body = response.get_json()
        assert body["code"] == 401 and body["message"], (method, path, body)
        assert db_fingerprint(world.platform) == before, (method, path)


@pytest.mark.parametrize("bad_body", [[1, 2], "text", 42])
def test_every_json_body_that_is_not_an_object_is_refused_with_the_error_shape(world, app, bad_body):
    for method, path, has_body in _write_operations(app):
        if not has_body:
            continue
        before = db_fingerprint(world.platform)
        response = world.call(method, _concrete(path, world.ids), "admin", json=bad_body)
        assert response.status_code in (400, 404, 422), (method, path, response.status_code)
        body = response.get_json()
        assert body["code"] == response.status_code and body["message"], (method, path, body)
        if response.status_code == 422:
            assert body["errors"], (method, path, body)
        assert db_fingerprint(world.platform) == before, (method, path)
