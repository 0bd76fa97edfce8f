"""Every endpoint answers bad input with the JSON error shape, field messages, and no change."""
from __future__ import annotations

import pytest

from tests.integration.api.conftest import (
    community_body,
    db_fingerprint,
    need_body,
    org_body,
    resource_body,
    social_worker_body,
    volunteer_body,
)


def assert_error_shape(response, status: int, *fields: str) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["code"] == status and body["status"] and body["message"]
    for field in fields:
        assert field in body["errors"], body
        assert all(isinstance(m, str) and m for m in body["errors"][field]) or isinstance(body["errors"][field], dict)


# (method, path template, who, body factory(ids), expected status, fields that must be named)
CASES = [
    ("POST", "/api/v1/communities", "admin", lambda i: community_body(lat=200, code="x"), 422, ("lat", "code")),
    ("POST", "/api/v1/communities", "admin", lambda i: {"name": ""}, 422, ("name", "code", "street", "district", "lat", "lon")),
    ("POST", "/api/v1/communities", "admin", lambda i: community_body(households=-1), 422, ("households",)),
    ("PATCH", "/api/v1/communities/{community}", "community_staff", lambda i: {"population": "many"}, 422, ("population",)),
    ("POST", "/api/v1/needs", "community_staff", lambda i: need_body(i["community"], ends_at="2026-12-05T08:00:00+08:00"), 422, ("ends_at",)),
    ("POST", "/api/v1/needs", "community_staff", lambda i: need_body(i["community"], category="炒股", urgency="now"), 422, ("category", "urgency")),
    ("POST", "/api/v1/needs", "community_staff", lambda i: need_body(i["community"], budget_fen=-100), 422, ("budget_fen",)),
    ("POST", "/api/v1/needs", "community_staff", lambda i: need_body(i["community"], title="长" * 101, target_groups=["aliens"]), 422, ("title", "target_groups")),
    ("POST", "/api/v1/needs", "community_staff", lambda i: need_body(i["community"], lat=117.7, lon=39.0), 422, ("lat", "lon")),
    ("POST", "/api/v1/needs", "community_staff", lambda i: need_body(i["community"], starts_at="next tuesday"), 422, ("starts_at",)),
    ("POST", "/api/v1/needs", "community_staff", lambda i: need_body(i["community"], status="claimed"), 422, ("status",)),
    ("POST", "/api/v1/needs", "community_staff", lambda i: need_body(999999), 422, ("community_id",)),
    ("PATCH", "/api/v1/needs/{need}", "community_staff", lambda i: {"starts_at": "2026-12-05T13:00:00+08:00"}, 422, ("ends_at",)),
    ("PATCH", "/api/v1/needs/{need}", "community_staff", lambda i: {"status": "completed", "id": 5}, 422, ("status", "id")),
    ("POST", "/api/v1/organizations", "admin", lambda i: org_body(3, uscc="91350100M000100Y44"), 422, ("uscc",)),
    ("POST", "/api/v1/organizations", "admin", lambda i: org_body(3, registration="secret", capacity=-1), 422, ("registration", "capacity")),
    ("POST", "/api/v1/organizations", "admin", lambda i: org_body(3, contact_phone="12345"), 422, ("contact_phone",)),
    ("PATCH", "/api/v1/organizations/{organization}", "org_staff", lambda i: {"service_radius_km": 0}, 422, ("service_radius_km",)),
    ("POST", "/api/v1/volunteers", "admin", lambda i: volunteer_body(7, phone="23800001234"), 422, ("phone",)),
    ("POST", "/api/v1/volunteers", "admin", lambda i: volunteer_body(7, id_number="120116198501010071"), 422, ("id_number",)),
    ("POST", "/api/v1/volunteers", "admin", lambda i: volunteer_body(7, availability=["someday"]), 422, ("availability",)),
    ("PATCH", "/api/v1/volunteers/{volunteer}", "volunteer", lambda i: {"travel_radius_km": -3, "code": "V1"}, 422, ("travel_radius_km", "code")),
    ("POST", "/api/v1/social-workers", "admin", lambda i: social_worker_body(i["organization"], certificate_level="guru"), 422, ("certificate_level",)),
    ("PATCH", "/api/v1/social-workers/{social_worker}", "social_worker", lambda i: {"lat": "north"}, 422, ("lat",)),
    ("POST", "/api/v1/resources", "admin", lambda i: resource_body(amount_fen=None), 422, ("amount_fen",)),
    ("POST", "/api/v1/resources", "admin", lambda i: resource_body(amount_fen=-5, kind="gold"), 422, ("amount_fen", "kind")),
    ("POST", "/api/v1/resources", "admin", lambda i: resource_body(available_from="2027-01-01T00:00:00+08:00", available_until="2026-01-01T00:00:00+08:00"), 422, ("available_until",)),
    ("PATCH", "/api/v1/resources/{resource}", "admin", lambda i: {"restricted_categories": ["赌博"]}, 422, ("restricted_categories",)),
    ("POST", "/api/v1/auth/token", None, lambda i: {"username": ""}, 422, ("username", "password")),
    # A fraction in an integer field is refused, not cut off: money in fen above all.
    ("POST", "/api/v1/funding-rounds", "admin", lambda i: {"name": "2027年社区公益创投", "budget_fen": 100000.9,
                                                           "cap_fen": 40000}, 422, ("budget_fen",)),
    ("POST", "/api/v1/needs", "community_staff", lambda i: need_body(i["community"], budget_fen=150.5,
                                                                     volunteers_needed=2.5), 422, ("budget_fen", "volunteers_needed")),
    ("PATCH", "/api/v1/communities/{community}", "community_staff", lambda i: {"households": 1200.2}, 422, ("households",)),
]


def _path(template: str, ids: dict) -> str:
    return template.format(**ids)


@pytest.fixture
def ids_with_need(world):
    response = world.call("POST", "/api/v1/needs", "community_staff", json=need_body(world.ids["community"]))
    assert response.status_code == 201
    return {**world.ids, "need": response.json["id"]}


@pytest.mark.parametrize("method,path,who,body,status,fields", CASES,
                         ids=[f"{c[0]} {c[1]} #{n}" for n, c in enumerate(CASES)])
def test_bad_input_gets_field_errors_and_changes_nothing(world, ids_with_need, method, path, who, body, status, fields):
    before = db_fingerprint(world.platform)
    response = world.call(method, _path(path, ids_with_need), who, json=body(ids_with_need))
    assert_error_shape(response, status, *fields)
    assert db_fingerprint(world.platform) == before


WRITE_PATHS = ["/api/v1/communities", "/api/v1/needs", "/api/v1/organizations", "/api/v1/volunteers",
               "/api/v1/social-workers", "/api/v1/resources", "/api/v1/auth/token"]


@pytest.mark.parametrize("path", WRITE_PATHS)
def test_a_body_that_is_not_json_is_a_clear_400(world, path):
    before = db_fingerprint(world.platform)
    response = world.client.post(path, data="{not json", content_type="application/json",
                                 headers=world.headers("admin"))
    assert_error_shape(response, 400)
    assert db_fingerprint(world.platform) == before


@pytest.mark.parametrize("path", WRITE_PATHS[:-1])
def test_a_json_array_instead_of_an_object_is_refused(world, path):
    response = world.call("POST", path, "admin", json=[1, 2, 3])
    assert response.status_code == 422 and response.json["errors"]


QUERY_CASES = [
    ("/api/v1/needs?near=39,117", ("near",)),
    ("/api/v1/needs?near=95,117,3", ("near",)),
    ("/api/v1/needs?status=lost&page=0", ("status", "page")),
    ("/api/v1/needs?category=炒股&page_size=5000", ("category", "page_size")),
    ("/api/v1/communities?page=abc", ("page",)),
    ("/api/v1/organizations?page_size=0", ("page_size",)),
    ("/api/v1/volunteers?community_id=x", ("community_id",)),
    ("/api/v1/social-workers?organization_id=-1", ("organization_id",)),
    ("/api/v1/resources?include_inactive=perhaps", ("include_inactive",)),
    ("/api/v1/needs/{need}/matches?kind=aliens", ("kind",)),
]


@pytest.mark.parametrize("path,fields", QUERY_CASES)
def test_bad_query_parameters_get_field_errors(world, ids_with_need, path, fields):
    response = world.call("GET", _path(path, ids_with_need), "admin")
    assert_error_shape(response, 422, *fields)


@pytest.mark.parametrize("path", ["/api/v1/needs/999999", "/api/v1/communities/999999",
                                  "/api/v1/organizations/999999", "/api/v1/volunteers/999999",
                                  "/api/v1/social-workers/999999", "/api/v1/resources/999999",
                                  "/api/v1/needs/999999/matches"])
def test_unknown_ids_are_404_in_the_error_shape(world, path):
    assert_error_shape(world.call("GET", path, "admin"), 404)


def test_a_registered_credit_code_or_id_number_cannot_be_registered_twice(world):
    before = db_fingerprint(world.platform)
    again = world.call("POST", "/api/v1/organizations", "admin", json=org_body(1))
    assert_error_shape(again, 409, "uscc")
    again = world.call("POST", "/api/v1/volunteers", "admin", json=volunteer_body(1, name="重复"))
    assert_error_shape(again, 409, "id_number")
    assert db_fingerprint(world.platform) == before


def test_wrong_password_is_401_and_does_not_say_which_part_was_wrong(world):
    for body in ({"username": "admin", "password": "nope-nope"}, {"username": "ghost", "password": "nope-nope"}):
        response = world.call("POST", "/api/v1/auth/token", json=body)
        assert_error_shape(response, 401)
        assert response.json["message"] == "wrong username or password"


@pytest.mark.parametrize("path", ["/api/v1/communities/{community}", "/api/v1/needs/{need}",
                                  "/api/v1/organizations/{organization}", "/api/v1/volunteers/{volunteer}"])
@pytest.mark.parametrize("body", [{}, None])
def test_a_patch_that_changes_nothing_is_a_422_and_changes_nothing(world, ids_with_need, path, body):
    before = db_fingerprint(world.platform)
    kwargs = {"json": body} if body is not None else {}
    response = world.call("PATCH", _path(path, ids_with_need), "admin", **kwargs)
    assert_error_shape(response, 422, "_body")
    assert db_fingerprint(world.platform) == before


def test_a_method_the_resource_does_not_take_is_a_405_that_says_which_it_does(world, ids_with_need):
    response = world.call("PUT", f"/api/v1/needs/{ids_with_need['need']}", "admin", json={"title": "x"})
    assert_error_shape(response, 405)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "PATCH"}


def test_a_body_over_the_limit_is_a_413_before_a_byte_of_it_is_read(world, monkeypatch):
    from flask import Request

    reads = []
    original = Request.get_data

    def counting(self, *args, **kwargs):
        reads.append(self.path)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Request, "get_data", counting)
    body = b'{"title": "' + b"x" * (2 * 1024 * 1024) + b'"}'  # 2 MiB
    before = db_fingerprint(world.platform)
    response = world.call("POST", "/api/v1/needs", "community_staff", data=body,
                          content_type="application/json")
    assert_error_shape(response, 413)
    assert reads == []  # never read, so never parsed
    assert db_fingerprint(world.platform) == before
    small = world.call("POST", "/api/v1/needs", "community_staff", json=need_body(world.ids["community"]))
    assert small.status_code == 201 and reads  # the counter does see a body that is read


def test_behind_a_configured_proxy_the_client_address_and_scheme_are_the_forwarded_ones(tmp_path):
    from flask import request

    from app import create_app
    from linkage.migrate import upgrade
    from tests.conftest import settings_for_tests

    url = f"sqlite:///{tmp_path / 'proxy.db'}"
    upgrade(url)
    seen = {}
    for proxies in (0, 1):
        app = create_app(settings_for_tests(url, proxies=proxies), testing=True)

        @app.get("/_probe")
        def probe():
            seen[proxies] = (request.remote_addr, request.scheme)
            return "ok"

        app.test_client().get("/_probe", headers={"X-Forwarded-For": "203.0.113.7",
                                                  "X-Forwarded-Proto": "https"})
        app.extensions["linkage"].dispose()
    assert seen[0] == ("127.0.0.1", "http")  # untrusted headers are ignored
    assert seen[1] == ("203.0.113.7", "https")


def test_a_url_over_the_limit_is_a_414_in_the_error_shape(world):
    before = db_fingerprint(world.platform)
    long_query = "district=" + "x" * 4096
    response = world.call("GET", f"/api/v1/communities?{long_query}", "admin")
    assert_error_shape(response, 414)
    response = world.call("POST", f"/api/v1/needs?{long_query}", "community_staff",
                          json=need_body(world.ids["community"]))
    assert_error_shape(response, 414)
    assert db_fingerprint(world.platform) == before
    just_under = world.call("GET", "/api/v1/categories?q=" + "x" * 4000, "admin")
    assert just_under.status_code == 200
