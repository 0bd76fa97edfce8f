"""/consultations over HTTP: staff open and run them; residents propose and vote without a token; the
public result's count equals its receipts; the winner becomes a need; refusals store nothing."""

from __future__ import annotations

import re
from datetime import timedelta

from linkage.models import utcnow
from tests.integration.api.conftest import db_fingerprint
from tests.integration.api.test_limits import assert_too_many, clock, limited  # noqa: F401 (fixtures)


def consultation_body(community_id: int, **over) -> dict:
    now = utcnow()
    return {
        "community_id": community_id,
        "title": "楼道加装扶手还是办老年餐桌",
        "description": "每户一票",
        "opens_at": (now - timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(days=7)).isoformat(),
        "max_proposals": 5,
        **over,
    }


def open_with_codes(world, n: int = 30) -> tuple[int, list[str]]:
    made = world.call(
        "POST", "/api/v1/consultations", "community_staff", json=consultation_body(world.ids["community"])
    )
    assert made.status_code == 201, made.json
    cid = made.json["id"]
    codes = world.call("POST", f"/api/v1/consultations/{cid}/codes", "community_staff", json={"count": n})
    assert codes.status_code == 201, codes.json
    return cid, codes.json["codes"]


def test_thirty_residents_vote_the_count_equals_the_receipts_and_the_winner_becomes_a_need(world):
    cid, codes = open_with_codes(world)
    items = []
    for code, title in ((codes[0], "楼道加装扶手"), (codes[1], "老年餐桌")):
        got = world.call("POST", f"/api/v1/consultations/{cid}/proposals", json={"code": code, "title": title})
        assert got.status_code == 201, got.json
        items.append(got.json["id"])
    receipts = []
    for i, code in enumerate(codes):
        got = world.call(
            "POST",
            f"/api/v1/consultations/{cid}/votes",
            json={"code": code, "item_id": items[0] if i % 3 else items[1]},
        )
        assert got.status_code == 201, got.json
        receipts.append(got.json["receipt"])
    before = db_fingerprint(world.platform)
    again = world.call("POST", f"/api/v1/consultations/{cid}/votes", json={"code": codes[7], "item_id": items[1]})
    assert again.status_code == 409 and "code" in again.json["errors"], again.json
    assert db_fingerprint(world.platform) == before

    result = world.call("GET", f"/api/v1/consultations/{cid}/result")  # public: no token
    assert result.status_code == 200, result.json
    body = result.json
    assert [(i["title"], i["votes"]) for i in body["items"]] == [("楼道加装扶手", 20), ("老年餐桌", 10)]
    assert body["votes"] == 30 == sum(len(i["receipts"]) for i in body["items"])
    assert sorted(r for i in body["items"] for r in i["receipts"]) == sorted(receipts)

    assert world.call("POST", f"/api/v1/consultations/{cid}/closure", "community_staff").status_code == 200
    need = world.call(
        "POST", f"/api/v1/consultation-items/{items[0]}/need", "community_staff", json={"category": "养老"}
    )
    assert need.status_code == 201, need.json
    assert need.json["title"] == "楼道加装扶手" and need.json["community_id"] == world.ids["community"]
    shown = world.call("GET", f"/api/v1/consultations/{cid}/result").json["items"][0]
    assert shown["need_id"] == need.json["id"] and shown["need_status"] == "open"
    assert world.call("GET", f"/api/v1/needs/{need.json['id']}", "admin").json["title"] == "楼道加装扶手"


def test_refusals_store_nothing(world):
    cid, codes = open_with_codes(world, 3)
    item = world.call(
        "POST", f"/api/v1/consultations/{cid}/proposals", json={"code": codes[0], "title": "老年餐桌"}
    ).json
    assert (
        world.call(
            "POST", f"/api/v1/consultations/{cid}/votes", json={"code": codes[0], "item_id": item["id"]}
        ).status_code
        == 201
    )
    before = db_fingerprint(world.platform)
    for path, body, status, field in (
        ("votes", {"code": "ZZZZZZZZ", "item_id": item["id"]}, 422, "code"),
        ("votes", {"code": codes[0], "item_id": item["id"]}, 409, "code"),
        ("votes", {"code": codes[1], "item_id": 987654}, 422, "item_id"),
        ("votes", {"code": codes[1]}, 422, "item_id"),
        ("proposals", {"code": codes[0], "title": "再提一个"}, 409, "code"),
        ("proposals", {"code": codes[1], "title": ""}, 422, "title"),
    ):
        got = world.call("POST", f"/api/v1/consultations/{cid}/{path}", json=body)
        assert got.status_code == status and field in got.json["errors"], (path, body, got.json)
    for bad, field in (
        (consultation_body(world.ids["community"], title=""), "title"),
        (consultation_body(world.ids["community"], closes_at=(utcnow() - timedelta(days=2)).isoformat()), "closes_at"),
        (consultation_body(world.ids["community"], max_proposals=0), "max_proposals"),
    ):
        got = world.call("POST", "/api/v1/consultations", "community_staff", json=bad)
        assert got.status_code == 422 and field in got.json["errors"], (bad, got.json)
    assert db_fingerprint(world.platform) == before

    assert world.call("POST", f"/api/v1/consultations/{cid}/closure", "community_staff").status_code == 200
    before = db_fingerprint(world.platform)
    closed = world.call("POST", f"/api/v1/consultations/{cid}/votes", json={"code": codes[2], "item_id": item["id"]})
    assert closed.status_code == 409 and closed.json["message"], closed.json
    assert db_fingerprint(world.platform) == before


def test_another_communitys_staff_and_other_roles_are_told_nothing(world):
    cid, _ = open_with_codes(world, 1)
    for who in ("other_community_staff", "org_staff", "volunteer", "social_worker"):
        assert world.call("GET", f"/api/v1/consultations/{cid}", who).status_code == 404, who
        assert world.call("GET", "/api/v1/consultations", who).json == [], who
        assert world.call("POST", f"/api/v1/consultations/{cid}/codes", who, json={"count": 1}).status_code == 404
        assert world.call("POST", f"/api/v1/consultations/{cid}/closure", who).status_code == 404
    for who in ("community_staff", "admin", "auditor"):
        assert world.call("GET", f"/api/v1/consultations/{cid}", who).status_code == 200, who
    assert world.call("GET", f"/api/v1/consultations/{cid}").status_code == 401  # the staff view needs a login
    assert world.call("GET", f"/api/v1/consultations/{cid}/result").status_code == 200


def test_proposals_and_votes_are_rate_limited_per_address_on_the_api_and_the_pages_together(limited, world):
    cid, codes = open_with_codes(world, 2)
    client = limited(rate_limit_consultation="3 per minute").test_client()
    unknown = {"code": "ZZZZZZZZ", "item_id": 1}
    assert client.post(f"/api/v1/consultations/{cid}/votes", json=unknown).status_code == 422
    assert (
        client.post(f"/api/v1/consultations/{cid}/proposals", json={"code": "ZZZZZZZZ", "title": "扶手"}).status_code
        == 422
    )
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(f"/c/{cid}").get_data(as_text=True)).group(1)
    assert (
        client.post(f"/c/{cid}/vote", data={**unknown, "csrf_token": token}).status_code == 303
    )  # the page counts too
    assert_too_many(client.post(f"/api/v1/consultations/{cid}/proposals", json={"code": codes[0], "title": "扶手"}))
    assert world.call("GET", f"/api/v1/consultations/{cid}/result").json["items"] == []  # a good code, refused: nothing
    other = client.post(
        f"/api/v1/consultations/{cid}/proposals",
        json={"code": codes[0], "title": "扶手"},
        environ_base={"REMOTE_ADDR": "192.0.2.9"},
    )
    assert other.status_code == 201, other.json
    assert client.get(f"/api/v1/consultations/{cid}/result").status_code == 200  # reading is not guessing codes
