"""The API and the pages each stand on the shared HTTP layer alone: either is served without the other."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from app import create_app
from linkage.models import AuditEntry
from schemas.common import MAX_INTEGER
from tests.integration.api import conftest as api_fixtures
from tests.integration.api.conftest import PASSWORD, need_body
from tests.integration.web.conftest import Person
from tests.integration.web.test_pages import need_form

DESIGN_7 = {"code", "status", "message"}
fixture_password_hash, world = api_fixtures.fixture_password_hash, api_fixtures.world  # the API's world, shared


@pytest.fixture(params=["api", "web"])
def serves(request) -> str:
    return request.param


@pytest.fixture
def app(serves, settings):
    application = create_app(settings, testing=True, serve=(serves,))
    yield application
    application.extensions["linkage"].dispose()


def _signed_in(app, username: str) -> Person:
    someone = Person(app)
    assert someone.post("/login", {"username": username, "password": PASSWORD}).status_code == 302
    assert someone.get("/").status_code == 200  # the home page, and a fresh form token
    return someone


def _is_error_body(response, code: int) -> bool:
    body = response.get_json(silent=True) or {}
    return response.status_code == code and DESIGN_7 <= body.keys() and body["code"] == code


def test_the_other_half_is_absent_and_answers_404_in_the_json_error_shape(app, serves, world):
    client = app.test_client()
    if serves == "api":
        assert client.get("/api/v1/categories").status_code == 200
        assert _is_error_body(client.get("/login"), 404)
    else:
        assert client.get("/login").status_code == 200
        assert _is_error_body(client.get("/api/v1/categories"), 404)


def test_every_answer_carries_the_request_id_and_the_security_headers(app, serves, world):
    path = "/api/v1/categories" if serves == "api" else "/login"
    response = app.test_client().get(path, headers={"X-Request-Id": "trace-0123456789"})
    assert response.headers["X-Request-Id"] == "trace-0123456789"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_an_id_no_column_can_hold_matches_no_route(app, serves, world):
    path = "/api/v1/needs/{}" if serves == "api" else "/needs/{}"
    routes = app.url_map.bind("localhost")
    assert routes.match(path.format(MAX_INTEGER))[1] == {"need_id": MAX_INTEGER}
    with pytest.raises(NotFound):
        routes.match(path.format(MAX_INTEGER + 1))


def test_a_write_is_audited_under_its_author_and_request_id(app, serves, world):
    if serves == "api":
        response = world.call("POST", "/api/v1/needs", "community_staff", json=need_body(world.ids["community"]))
        assert response.status_code == 201
    else:
        response = _signed_in(app, "community_staff").post("/needs/new", need_form())
        assert response.status_code == 302
    with world.platform.read_session() as s:
        audit = s.scalars(select(AuditEntry).where(AuditEntry.object_type == "needs")).one()
    assert audit.username == "community_staff" and audit.request_id == response.headers["X-Request-Id"]


def test_an_over_long_url_is_refused_with_414_on_either_half(app, serves, world):
    limit = app.config["LINKAGE_MAX_URL_BYTES"]
    assert _is_error_body(app.test_client().get("/" + "a" * limit), 414)


@pytest.mark.parametrize("serves", ["web"])
def test_the_dashboard_links_its_json_only_when_the_api_is_served(app, settings, world):
    board = _signed_in(app, "admin").get("/dashboard")
    assert board.status_code == 200 and "/api/v1/stats/linkage" not in board.get_data(as_text=True)
    full = create_app(settings, testing=True)
    try:
        board = _signed_in(full, "admin").get("/dashboard")
        assert board.status_code == 200 and "/api/v1/stats/linkage" in board.get_data(as_text=True)
    finally:
        full.extensions["linkage"].dispose()
