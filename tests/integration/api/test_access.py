"""Who may write what: 401 without a token, 403 for the wrong party, and nothing changes."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from linkage.models import Volunteer
from tests.integration.api.conftest import (
    PASSWORD,
    community_body,
    db_fingerprint,
    need_body,
    org_body,
    resource_body,
    social_worker_body,
    volunteer_body,
)

# Every write endpoint with a valid body, so the only thing wrong is who is asking.
WRITES = {
    "create community": ("POST", "/api/v1/communities", lambda i: community_body(code="510107009")),
    "change community": ("PATCH", "/api/v1/communities/{community}", lambda i: {"households": 1300}),
    "post need": ("POST", "/api/v1/needs", lambda i: need_body(i["community"])),
    "change need": ("PATCH", "/api/v1/needs/{need}", lambda i: {"volunteers_needed": 3}),
    "cancel need": ("PATCH", "/api/v1/needs/{need}", lambda i: {"cancel": True}),
    "register organization": ("POST", "/api/v1/organizations", lambda i: org_body(9)),
    "change organization": ("PATCH", "/api/v1/organizations/{organization}", lambda i: {"capacity": 6}),
    "deactivate organization": ("DELETE", "/api/v1/organizations/{organization}", lambda i: None),
    "register social worker": ("POST", "/api/v1/social-workers", lambda i: social_worker_body(i["organization"])),
    "change social worker": ("PATCH", "/api/v1/social-workers/{social_worker}", lambda i: {"specialties": ["助残"]}),
    "deactivate social worker": ("DELETE", "/api/v1/social-workers/{social_worker}", lambda i: None),
    "register volunteer": ("POST", "/api/v1/volunteers", lambda i: volunteer_body(9, i["community"])),
    "change volunteer": ("PATCH", "/api/v1/volunteers/{volunteer}", lambda i: {"skills": ["理发"]}),
    "deactivate volunteer": ("DELETE", "/api/v1/volunteers/{volunteer}", lambda i: None),
    "register resource": ("POST", "/api/v1/resources", lambda i: resource_body(name="冬衣")),
    "change resource": ("PATCH", "/api/v1/resources/{resource}", lambda i: {"tags": ["冬衣"]}),
    "withdraw resource": ("DELETE", "/api/v1/resources/{resource}", lambda i: None),
}

# Who is the wrong party for each write (an authenticated user with no right to that object).
WRONG_PARTIES = {
    "create community": ["community_staff", "org_staff", "volunteer", "auditor"],
    "change community": ["other_community_staff", "org_staff", "volunteer", "auditor"],
    "post need": ["other_community_staff", "org_staff", "volunteer", "social_worker", "auditor"],
    "change need": ["other_community_staff", "org_staff", "volunteer", "auditor"],
    "cancel need": ["other_community_staff", "org_staff", "auditor"],
    "register organization": ["org_staff", "community_staff", "auditor"],
    "change organization": ["other_org_staff", "community_staff", "volunteer", "auditor"],
    "deactivate organization": ["other_org_staff", "community_staff", "auditor"],
    "register social worker": ["other_org_staff", "community_staff", "social_worker", "auditor"],
    "change social worker": ["other_org_staff", "volunteer", "community_staff", "auditor"],
    "deactivate social worker": ["other_org_staff", "volunteer", "auditor"],
    "register volunteer": ["other_community_staff", "volunteer", "org_staff", "auditor"],
    "change volunteer": ["other_volunteer", "community_staff", "org_staff", "auditor"],
    "deactivate volunteer": ["other_volunteer", "org_staff", "auditor"],
    "register resource": ["org_staff", "community_staff", "volunteer", "auditor"],
    "change resource": ["org_staff", "community_staff", "auditor"],
    "withdraw resource": ["org_staff", "volunteer", "auditor"],
}

# The rightful party for each write succeeds (so a 403 above is about the party, not the body).
RIGHT_PARTY = {
    "create community": ("admin", 201), "change community": ("community_staff", 200),
    "post need": ("community_staff", 201), "change need": ("community_staff", 200),
    "cancel need": ("community_staff", 200), "register organization": ("admin", 201),
    "change organization": ("org_staff", 200), "deactivate organization": ("org_staff", 200),
    "register social worker": ("org_staff", 201), "change social worker": ("social_worker", 200),
    "deactivate social worker": ("org_staff", 200), "register volunteer": ("community_staff", 201),
    "change volunteer": ("volunteer", 200), "deactivate volunteer": ("volunteer", 200),
    "register resource": ("admin", 201), "change resource": ("admin", 200),
    "withdraw resource": ("admin", 200),
}


@pytest.fixture
def ids(world):
    response = world.call("POST", "/api/v1/needs", "community_staff", json=need_body(world.ids["community"]))
    return {**world.ids, "need": response.json["id"]}


def _send(world, ids, name, who):
    method, template, body = WRITES[name]
    payload = body(ids)
    kwargs = {"json": payload} if payload is not None else {}
    return world.call(method, template.format(**ids), who, **kwargs)


@pytest.mark.parametrize("name", list(WRITES))
def test_writes_without_a_token_are_401_and_change_nothing(world, ids, name):
    before = db_fingerprint(world.platform)
    response = _send(world, ids, name, None)
    assert response.status_code == 401 and response.json["code"] == 401
    assert db_fingerprint(world.platform) == before


@pytest.mark.parametrize("name,who", [(n, w) for n, parties in WRONG_PARTIES.items() for w in parties])
def test_writes_by_the_wrong_party_are_403_and_change_nothing(world, ids, name, who):
    before = db_fingerprint(world.platform)
    response = _send(world, ids, name, who)
    assert response.status_code == 403, response.json
    assert response.json["code"] == 403 and response.json["message"]
    assert db_fingerprint(world.platform) == before


@pytest.mark.parametrize("name", list(WRITES))
def test_the_rightful_party_may_write(world, ids, name):
    who, status = RIGHT_PARTY[name]
    response = _send(world, ids, name, who)
    assert response.status_code == status, response.json


def test_a_forged_or_garbled_token_is_401(world):
    for header in ("Bearer not-a-token", "Bearer " + world.tokens["admin"][:-3] + "xyz", "Basic abc"):
        response = world.client.get("/api/v1/needs", headers={"Authorization": header})
        assert response.status_code == 401


def test_every_demo_role_can_log_in_and_gets_its_role(world):
    for username, role in (("admin", "admin"), ("community_staff", "community_staff"),
                           ("org_staff", "org_staff"), ("volunteer", "volunteer"),
                           ("social_worker", "social_worker"), ("auditor", "auditor")):
        response = world.call("POST", "/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200 and response.json["role"] == role
        me = world.client.get("/api/v1/needs", headers={"Authorization": "Bearer " + response.json["access_token"]})
        assert me.status_code == 200


def test_phone_is_whole_for_the_person_and_masked_for_everyone_else_even_admins(world):
    path = f"/api/v1/volunteers/{world.ids['volunteer']}"
    assert world.call("GET", path, "volunteer").json["phone"] == "13800000001"
    # their community's volunteer; the auditor and the district read all (whole only by a reveal)
    for other in ("community_staff", "auditor", "admin"):
        assert world.call("GET", path, other).json["phone"] == "138****0001"
    # Without a relation to the volunteer (no sign-up, no hours with them) the record is not there.
    for stranger in ("other_volunteer", "org_staff"):
        assert world.call("GET", path, stranger).status_code == 404
    listed = world.call("GET", "/api/v1/volunteers", "community_staff").json["items"]
    assert listed and all("****" in v["phone"] for v in listed)


def test_the_id_number_is_encrypted_at_rest_and_never_returned_whole(world):
    from tests.integration.api.conftest import valid_id_number
    number = valid_id_number(1)
    for who in ("volunteer", "admin", "community_staff"):
        body = world.call("GET", f"/api/v1/volunteers/{world.ids['volunteer']}", who).get_data(as_text=True)
        assert number not in body
        assert "id_number_masked" in body
    shown = world.call("GET", f"/api/v1/volunteers/{world.ids['volunteer']}", "volunteer").json
    assert shown["id_number_masked"] == number[:4] + "*" * 10 + number[-4:]
    with world.platform.engine.connect() as conn:
        raw = conn.execute(select(Volunteer.__table__)).all()
    assert number not in repr(raw)


def test_revoking_tokens_logs_out_everywhere(world):
    token = world.call("POST", "/api/v1/auth/token", json={"username": "volunteer", "password": PASSWORD}).json["access_token"]
    assert world.client.get("/api/v1/needs", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert world.client.post("/api/v1/auth/revoke").status_code == 401
    assert world.client.post("/api/v1/auth/revoke", headers={"Authorization": f"Bearer {token}"}).status_code == 204
    assert world.client.get("/api/v1/needs", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    fresh = world.call("POST", "/api/v1/auth/token", json={"username": "volunteer", "password": PASSWORD}).json["access_token"]
    assert world.client.get("/api/v1/needs", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200


def test_repeated_wrong_passwords_lock_that_username_for_a_while(world):
    for _ in range(5):
        assert world.call("POST", "/api/v1/auth/token", json={"username": "org_staff", "password": "guess-guess"}).status_code == 401
    locked = world.call("POST", "/api/v1/auth/token", json={"username": "org_staff", "password": PASSWORD})
    assert locked.status_code == 429 and locked.json["code"] == 429
    # Other accounts are not affected.
    assert world.call("POST", "/api/v1/auth/token", json={"username": "admin", "password": PASSWORD}).status_code == 200


def test_responses_carry_security_headers(world):
    response = world.call("GET", "/api/v1/needs", "admin")
    for header in ("X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy", "X-Request-Id"):
        assert response.headers.get(header), header
