"""/filings: a group of residents files a community social organization (备案), the community reviews,
the street confirms, and the organization is a provider with registration "filed"."""

from __future__ import annotations

import json

from sqlalchemy import select

from linkage.catalogue import Topics, Types
from linkage.models import Filing, Organization, OutboxEvent
from tests.factories_filings import filing_body
from tests.integration.api.conftest import db_fingerprint


def _file(world, **over):
    made = world.call("POST", "/api/v1/filings", None, json=filing_body(world.ids["community"], **over))
    assert made.status_code == 201, made.json
    return made.json


def test_story_20_1_a_group_files_the_community_accepts_the_street_confirms_and_it_is_a_provider(world):
    # 1. Residents file without an account; the answer is their receipt, personal data masked.
    filed = _file(world)
    assert filed["status"] == "pending_community" and filed["receipt_url"].startswith("/filings/t/")
    assert filed["responsible_phone"] == "139****5678" and "responsible_id_number" not in filed
    assert filed["responsible_id_number_masked"].startswith("1201") and "*" in filed["responsible_id_number_masked"]
    assert [m["phone"] for m in filed["members"]] == ["138****5601", "138****5602", "138****5603"]
    fid = filed["id"]
    # 2. The community's staff see it (the mobile whole, to call back); another community's do not.
    listed = world.call("GET", "/api/v1/filings", "community_staff").json
    assert [f["id"] for f in listed["items"]] == [fid] and listed["items"][0]["responsible_phone"] == "13912345678"
    assert world.call("GET", "/api/v1/filings", "other_community_staff").json["items"] == []
    assert world.call("GET", "/api/v1/filings", "auditor").json["items"][0]["responsible_phone"] == "139****5678"
    # 3. The street cannot confirm before the community accepted; the community accepts.
    early = world.call("POST", f"/api/v1/filings/{fid}/confirmation", "admin", json={"decision": "confirm"})
    assert early.status_code == 409, early.json
    accepted = world.call("POST", f"/api/v1/filings/{fid}/review", "community_staff", json={"decision": "accept"})
    assert accepted.status_code == 200 and accepted.json["status"] == "pending_street"
    # 4. The street confirms: an organization, filed, no USCC, in the community, of the field.
    confirmed = world.call("POST", f"/api/v1/filings/{fid}/confirmation", "admin", json={"decision": "confirm"})
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json["status"] == "confirmed" and confirmed.json["organization_id"]
    oid = confirmed.json["organization_id"]
    org = world.call("GET", f"/api/v1/organizations/{oid}", "admin").json
    assert org["registration"] == "filed" and org["uscc"] is None and org["community_id"] == world.ids["community"]
    assert org["categories"] == ["文体"] and org["name"] == "海棠舞蹈队"
    assert (org["lat"], org["lon"]) == (39.02, 117.70)  # the community's: no place coordinates were given
    names = [o["name"] for o in world.call("GET", "/api/v1/organizations?page_size=50", "admin").json["items"]]
    assert "海棠舞蹈队" in names
    # 5. The matcher learns it by the normal provider event, with its registration.
    with world.platform.read_session() as s:
        row = s.scalars(
            select(OutboxEvent).where(OutboxEvent.topic == Topics.PROVIDERS, OutboxEvent.key == f"organization:{oid}")
        ).one()
    envelope = json.loads(row.envelope)
    assert envelope["type"] == Types.PROVIDER_UPSERTED and envelope["data"]["provider"]["registration"] == "filed"
    # 6. Filed once: the same group cannot file again, nor can it be confirmed twice.
    again = world.call("POST", f"/api/v1/filings/{fid}/confirmation", "admin", json={"decision": "confirm"})
    assert again.status_code == 409


def test_each_bad_filing_is_refused_with_a_clear_message_and_stores_nothing(world):
    community = world.ids["community"]
    _file(world)  # pending: the same group again is a conflict
    before = db_fingerprint(world.platform)
    members = filing_body(community)["members"]
    for over, status, field in (
        ({"members": members[:2]}, 422, "members"),
        ({"name": " 海棠舞蹈队 "}, 409, "name"),
        ({"name": "ＡＢ舞蹈队", "community_id": 999999}, 422, "community_id"),
        ({"name": "乙队", "responsible_phone": "12345"}, 422, "responsible_phone"),
        ({"name": "乙队", "responsible_id_number": "120116198501010000"}, 422, "responsible_id_number"),
        ({"name": "乙队", "members": [*members, {"name": "赵", "phone": "555"}]}, 422, "members"),
        ({"name": "乙队", "field": "跳舞"}, 422, "field"),
    ):
        got = world.call("POST", "/api/v1/filings", None, json={**filing_body(community), **over})
        assert got.status_code == status, (over, got.json)
        assert field in got.json["errors"], (over, got.json)
        assert got.json["message"]
    assert db_fingerprint(world.platform) == before
    too_few = world.call("POST", "/api/v1/filings", None, json=filing_body(community, name="丙队", members=members[:1]))
    assert too_few.json["errors"]["members"] == ["List at least 3 members"], too_few.json


def test_an_organization_of_the_same_name_in_the_community_is_a_conflict(world):
    made = world.call(
        "POST",
        "/api/v1/organizations",
        "admin",
        json={
            "name": "夕阳红互助组",
            "uscc": None,
            "registration": "filed",
            "categories": ["养老"],
            "community_id": world.ids["community"],
            "lat": 39.02,
            "lon": 117.7,
        },
    )
    assert made.status_code == 201, made.json
    before = db_fingerprint(world.platform)
    got = world.call("POST", "/api/v1/filings", None, json=filing_body(world.ids["community"], name="夕阳红 互助组"))
    assert got.status_code == 409 and "name" in got.json["errors"]
    assert db_fingerprint(world.platform) == before


def test_a_returned_filing_gives_its_reason_and_the_group_may_file_again(world):
    fid = _file(world)["id"]
    blank = world.call("POST", f"/api/v1/filings/{fid}/review", "community_staff", json={"decision": "return"})
    assert blank.status_code == 422 and "reason" in blank.json["errors"]
    back = world.call(
        "POST",
        f"/api/v1/filings/{fid}/review",
        "community_staff",
        json={"decision": "return", "reason": "成员名单请补充联系方式"},
    )
    assert back.json["status"] == "returned" and back.json["return_reason"] == "成员名单请补充联系方式"
    assert _file(world)["status"] == "pending_community"  # a returned filing does not block a new one
    with world.platform.read_session() as s:
        assert s.scalar(select(Organization).where(Organization.name == "海棠舞蹈队")) is None
        assert len(s.scalars(select(Filing)).all()) == 2


def test_another_communitys_staff_and_other_roles_find_no_filing(world):
    fid = _file(world)["id"]
    for who in ("other_community_staff", "org_staff", "volunteer", "social_worker"):
        assert world.call("GET", f"/api/v1/filings/{fid}", who).status_code == 404, who
        assert world.call("POST", f"/api/v1/filings/{fid}/review", who, json={"decision": "accept"}).status_code == 404
        assert (
            world.call("POST", f"/api/v1/filings/{fid}/confirmation", who, json={"decision": "confirm"}).status_code
            == 404
        )
        assert world.call("GET", "/api/v1/filings", who).json["items"] == []
    # The street sees it but does not review for the community; the community does not confirm.
    assert world.call("POST", f"/api/v1/filings/{fid}/review", "admin", json={"decision": "accept"}).status_code == 403
    world.call("POST", f"/api/v1/filings/{fid}/review", "community_staff", json={"decision": "accept"})
    assert (
        world.call(
            "POST", f"/api/v1/filings/{fid}/confirmation", "community_staff", json={"decision": "confirm"}
        ).status_code
        == 403
    )
    assert world.call("GET", "/api/v1/filings", None).status_code == 401
