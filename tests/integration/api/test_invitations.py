"""Invitations over HTTP: community staff invite a ranked organization, its staff accept (the claim is
submitted) or decline; unranked, duplicate, another's and repeated answers get the error shape."""

from __future__ import annotations

from linkage.models import utcnow
from linkage.services.matches import record_matches
from tests.integration.api.conftest import db_fingerprint, need_body


def _ranked_need(world, organizations: int = 1) -> int:
    need = world.call("POST", "/api/v1/needs", "community_staff", json=need_body(world.ids["community"])).json["id"]
    orgs = [world.ids["organization"]] + [10_000 + i for i in range(organizations - 1)]
    with world.platform.uow() as uow:
        record_matches(
            uow,
            consumer="test",
            event_id=f"r-{need}",
            need_id=need,
            ranked_at=utcnow(),
            matches={
                "organization": [
                    {"provider_id": o, "name": f"组织{o}", "score": 0.9 - i / 100} for i, o in enumerate(orgs)
                ],
                "volunteer": [{"provider_id": world.ids["volunteer"], "name": "李明", "score": 0.8}],
            },
        )
        uow.commit()
    return need


def _invite(world, need, who="community_staff", **over):
    body = {"kind": "claim", "invitee_kind": "organization", "invitee_id": world.ids["organization"], **over}
    return world.call("POST", f"/api/v1/needs/{need}/invitations", who, json=body)


def _refused(world, response, status, field=None):
    body = response.get_json()
    assert response.status_code == status and body["code"] == status and body["message"], body
    if field:
        assert field in body["errors"], body


def test_an_organization_invited_to_claim_accepts_and_its_claim_is_there(world):
    need = _ranked_need(world)
    sent = _invite(world, need, message="欢迎认领")
    assert sent.status_code == 201 and sent.json["status"] == "pending" and sent.json["message"] == "欢迎认领"
    mine = world.call("GET", "/api/v1/invitations", "org_staff").json
    assert [i["id"] for i in mine] == [sent.json["id"]]
    assert world.call("GET", "/api/v1/invitations", "other_org_staff").json == []
    answered = world.call(
        "POST",
        f"/api/v1/invitations/{sent.json['id']}/answer",
        "org_staff",
        json={"answer": "accept", "plan": "两名社工上门评估"},
    )
    assert answered.status_code == 200 and answered.json["status"] == "accepted" and answered.json["claim_id"]
    [claim] = world.call("GET", f"/api/v1/needs/{need}/claims", "community_staff").json
    assert (claim["id"], claim["organization_id"]) == (answered.json["claim_id"], world.ids["organization"])
    sent_list = world.call("GET", f"/api/v1/needs/{need}/invitations", "community_staff").json
    assert [i["status"] for i in sent_list] == ["accepted"]
    assert world.call("GET", f"/api/v1/needs/{need}/invitations", "volunteer").json == []


def test_bad_invitations_and_answers_get_the_error_shape_and_store_nothing(world):
    need = _ranked_need(world)
    before = db_fingerprint(world.platform)
    _refused(world, _invite(world, need, invitee_id=world.ids["other_organization"]), 422, "invitee_id")
    _refused(
        world, _invite(world, need, invitee_kind="volunteer", invitee_id=world.ids["volunteer"]), 422, "invitee_kind"
    )
    _refused(world, _invite(world, need, kind="party"), 422, "kind")
    _refused(world, _invite(world, need, who="other_community_staff"), 403)
    assert db_fingerprint(world.platform) == before
    sent = _invite(world, need).json
    before = db_fingerprint(world.platform)
    _refused(world, _invite(world, need, who="admin"), 409)
    answer = f"/api/v1/invitations/{sent['id']}/answer"
    _refused(world, world.call("POST", answer, "other_org_staff", json={"answer": "decline"}), 404)
    _refused(world, world.call("POST", answer, "org_staff", json={"answer": "accept"}), 422, "plan")
    _refused(world, world.call("POST", answer, "org_staff", json={"answer": "maybe"}), 422, "answer")
    assert db_fingerprint(world.platform) == before
    assert world.call("POST", answer, "org_staff", json={"answer": "decline"}).status_code == 200
    before = db_fingerprint(world.platform)
    _refused(world, world.call("POST", answer, "org_staff", json={"answer": "decline"}), 409)
    assert db_fingerprint(world.platform) == before


def test_the_matches_are_paged_per_kind(world):
    need = _ranked_need(world, organizations=12)
    url = f"/api/v1/needs/{need}/matches"
    page = world.call(
        "GET", url, "community_staff", query_string={"kind": "organization", "offset": 5, "limit": 5}
    ).json
    assert len(page["matches"]["organization"]) == 5 and page["totals"] == {"organization": 12}
    assert page["matches"]["organization"][0]["name"] == "组织10004"
    whole = world.call("GET", url, "community_staff").json
    assert len(whole["matches"]["organization"]) == 12 and whole["totals"]["volunteer"] == 1
    _refused(world, world.call("GET", url, "community_staff", query_string={"limit": 0}), 422, "limit")
