"""Sweeps over the OpenAPI document: every write endpoint refuses a caller without a token, and
every JSON body that is not an object is a 422 with the error shape — changing nothing."""
from __future__ import annotations

import re

import pytest

from tests.integration.api.conftest import db_fingerprint

PUBLIC_WRITES = {("POST", "/api/v1/auth/token"), ("POST", "/api/v1/projects/{project_id}/evaluations"),
                 ("POST", "/api/v1/filings"),
                 ("POST", "/api/v1/consultations/{consultation_id}/proposals"),
                 ("POST", "/api/v1/consultations/{consultation_id}/votes")}


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


def test_the_document_marks_exactly_the_operations_reachable_without_a_token_as_public(world, app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    assert spec["security"] == [{"bearer": []}]  # the default: a bearer token
    public = set()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method.upper() not in ("GET", "POST", "PATCH", "DELETE", "PUT"):
                continue
            if operation.get("security") == []:
                public.add((method.upper(), path))
            # Reads change nothing; a write without a token is tried above. A GET marked public is
            # answered without one (at worst "not found"), every other GET asks for one.
            if method.upper() == "GET":
                response = world.call("GET", _concrete(path, world.ids), None)
                assert (response.status_code != 401) == (operation.get("security") == []), \
                    (path, response.status_code, operation.get("security"))
    assert public == {("POST", "/api/v1/auth/token"), ("POST", "/api/v1/projects/{project_id}/evaluations"),
                      ("GET", "/api/v1/projects/{project_id}/evaluations"), ("GET", "/api/v1/certificates/{code}"),
                      ("GET", "/api/v1/funding-rounds/{round_id}/public-summary"),
                      ("GET", "/api/v1/privacy-notice"), ("GET", "/api/v1/meta/signing-key"),
                      ("POST", "/api/v1/filings"),
                      ("GET", "/api/v1/cultivation-rubric"),
                      ("GET", "/api/v1/consultations/{consultation_id}/result"),
                      ("POST", "/api/v1/consultations/{consultation_id}/proposals"),
                      ("POST", "/api/v1/consultations/{consultation_id}/votes")}


def _integers(node, where=""):
    """Every integer schema in the document, with where it is."""
    if isinstance(node, dict):
        if node.get("type") == "integer":
            yield where, node
        for key, value in node.items():
            yield from _integers(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _integers(value, f"{where}/{i}")


def test_the_document_states_the_rules_a_schema_can_say(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    ours = {**spec, "components": {"schemas": {name: schema for name, schema in schemas.items()
                                               if name not in ("Error", "PaginationMetadata")}}}  # flask-smorest's
    unbounded = [where for where, node in _integers(ours) if "maximum" not in node or "minimum" not in node]
    assert not unbounded, unbounded  # an integer field that is not a WholeNumber
    patches = {name for name in schemas if name.endswith("Patch")}
    assert len(patches) >= 6 and all(schemas[name]["minProperties"] == 1 for name in patches)
    assert schemas["RoundRequest"]["properties"]["budget_fen"]["minimum"] == 1
    assert schemas["Need"]["properties"]["community_id"]["maximum"] == 2**63 - 1  # every integer is bounded
    assert schemas["Volunteer"]["properties"]["id_number"]["pattern"] == r"^[0-9]{17}[0-9Xx]$"
    assert schemas["Need"]["properties"]["starts_at"]["format"] == "date-time"
    assert "pattern" in schemas["Need"]["properties"]["starts_at"]  # the years 1902–9000
    assert schemas["Need"]["properties"]["urgency"]["enum"]
    assert set(schemas["Need"]["required"]) >= {"community_id", "title", "category", "starts_at", "ends_at"}
