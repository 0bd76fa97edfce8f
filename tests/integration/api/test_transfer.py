"""Record transfer over HTTP between two deployments on two databases; insurance and guardian consent."""

from __future__ import annotations

import copy
import shutil

import pytest

from app import create_app
from linkage.services.accounts import create_user
from linkage.services.communities import register_community
from linkage.services.providers import register_provider
from tests.conftest import _empty_all, settings_for_tests
from tests.factories import ADMIN, PASSWORD, community_body, volunteer_body
from tests.integration.api.conftest import db_fingerprint
from tests.integration.api.matrix_scene import Scene

API = "/api/v1"


@pytest.fixture
def app_b(request, database_url, tmp_path):
    """Deployment B: its own secret (so its own signing key), on PostgreSQL when A is on SQLite, else SQLite."""
    if database_url.startswith("sqlite"):
        url = request.getfixturevalue("postgres_url")
        _empty_all(url)
    else:
        path = tmp_path / "deployment-b.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    application = create_app(settings_for_tests(url, secret_key="deployment-b-secret"), testing=True)
    yield application
    application.extensions["linkage"].dispose()


def _b_people(app_b) -> dict:
    """On B: volunteer 1 of tests.factories (the same person as A's), their community's staff, the district."""
    platform = app_b.extensions["linkage"]
    with platform.uow() as u:
        community = register_community(u, ADMIN, community_body()).id
    with platform.uow() as u:
        volunteer = register_provider(u, ADMIN, "volunteer", volunteer_body(1, community), platform.cipher).id
    tokens = {}
    for name, binding in {
        "admin": dict(role="admin"),
        "staff": dict(role="community_staff", community_id=community),
        "volunteer": dict(role="volunteer", volunteer_id=volunteer),
    }.items():
        with platform.uow() as u:
            user = create_user(u, platform.passwords, username=f"b-{name}", password=PASSWORD, **binding)
        tokens[name] = {"Authorization": f"Bearer {platform.tokens.issue(user.id, user.token_version)}"}
    return {"volunteer": volunteer, "headers": tokens, "platform": platform}


def test_a_signed_export_travels_to_another_deployment(world, app_b):
    Scene(world).verified_record()
    vid = world.ids["volunteer"]
    export = world.call("GET", f"{API}/volunteers/{vid}/transfer-export", "volunteer")
    assert export.status_code == 200, export.get_json()
    signed = export.get_json()
    assert signed["algorithm"] == "Ed25519" and signed["document"]["totals"]["minutes"] == 120
    pdf = world.call("GET", f"{API}/volunteers/{vid}/transfer-export.pdf", "volunteer")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    key = world.client.get("/.well-known/linkage-signing-key").get_json()  # public
    assert key == world.client.get(f"{API}/meta/signing-key").get_json()
    assert key["public_key"] == signed["public_key"] and key["fingerprint"] == signed["key_fingerprint"]

    b = _b_people(app_b)
    client, headers = app_b.test_client(), b["headers"]
    body = {"document": signed["document"], "signature": signed["signature"]}
    path = f"{API}/volunteers/{b['volunteer']}/imported-hours"
    refused = client.post(path, json=body, headers=headers["staff"])  # A not trusted yet
    assert refused.status_code == 422 and refused.get_json()["reason"] == "transfer.unknown_platform"
    trusted = client.post(
        f"{API}/trusted-platforms", json={"name": "甲区平台", "public_key": key["public_key"]}, headers=headers["admin"]
    )
    assert trusted.status_code == 201, trusted.get_json()

    tampered = copy.deepcopy(body)
    tampered["document"]["records"][0]["minutes"] -= 1
    before = db_fingerprint(b["platform"])
    answer = client.post(path, json=tampered, headers=headers["staff"])
    assert answer.status_code == 422 and "signature" in answer.get_json()["errors"]
    assert answer.get_json()["message"]
    assert db_fingerprint(b["platform"]) == before

    done = client.post(path, json=body, headers=headers["staff"])
    assert done.status_code == 200 and done.get_json()["imported"] == 1
    again = client.post(path, json=body, headers=headers["admin"])
    assert (again.get_json()["imported"], again.get_json()["already_imported"]) == (0, 1)
    summary = client.get(f"{API}/volunteers/{b['volunteer']}/hours", headers=headers["volunteer"]).get_json()
    assert (summary["imported_minutes"], summary["verified_minutes"], summary["records"]) == (120, 0, [])
    listed = client.get(path, headers=headers["volunteer"]).get_json()
    assert [(r["minutes"], r["platform"]) for r in listed] == [(120, "甲区平台")]


def test_an_export_of_another_volunteer_is_404_and_without_hours_409(world):
    vid = world.ids["volunteer"]
    assert world.call("GET", f"{API}/volunteers/{vid}/transfer-export", "other_volunteer").status_code == 404
    empty = world.call("GET", f"{API}/volunteers/{vid}/transfer-export", "volunteer")
    assert empty.status_code == 409 and empty.get_json()["reason"] == "transfer.no_hours"


@pytest.mark.parametrize(
    "body",
    [
        {"document": "x", "signature": "y"},
        {"document": {}, "signature": "y"},
        {"signature": "y"},
        {"document": {"format": 1}, "signature": ""},
    ],
)
def test_a_malformed_import_is_422_and_stores_nothing(world, body):
    before = db_fingerprint(world.platform)
    answer = world.call("POST", f"{API}/volunteers/{world.ids['volunteer']}/imported-hours", "admin", json=body)
    assert answer.status_code == 422 and answer.get_json()["errors"], answer.get_json()
    assert db_fingerprint(world.platform) == before


def test_insurance_and_guardian_consent_over_the_api(world):
    path = f"{API}/volunteers/{world.ids['volunteer']}"
    assert world.call("GET", f"{path}/insurance", "volunteer").status_code == 404
    policy = {"insurer": "中国人寿", "policy_number": "P-1", "starts_on": "2026-01-01", "ends_on": "2026-12-31"}
    assert world.call("PUT", f"{path}/insurance", "volunteer", json=policy).status_code == 200
    assert world.call("GET", f"{path}/insurance", "volunteer").get_json()["ends_on"] == "2026-12-31"
    backwards = world.call("PUT", f"{path}/insurance", "volunteer", json={**policy, "ends_on": "2025-01-01"})
    assert backwards.status_code == 422 and "ends_on" in backwards.get_json()["errors"]
    bad_phone = world.call(
        "PUT",
        f"{path}/guardian-consent",
        "volunteer",
        json={"guardian_name": "李强", "relation": "父亲", "phone": "123", "given_on": "2026-01-01"},
    )
    assert bad_phone.status_code == 422 and "phone" in bad_phone.get_json()["errors"]
