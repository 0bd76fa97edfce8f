"""/growth/brands and /growth/placements: the records behind the seeds' growth targets, over the API."""

from __future__ import annotations

from datetime import timedelta

from linkage.services.qualifications import china_day
from tests.integration.api.conftest import db_fingerprint

TODAY = china_day()


def _brand(world, **over):
    body = {"organization_id": world.ids["organization"], "year": TODAY.year, "reason": "服务成效突出", **over}
    return world.call("POST", "/api/v1/growth/brands", "admin", json=body)


def _placement(world, who="admin", **over):
    body = {
        "social_worker_id": world.ids["social_worker"],
        "organization_id": world.ids["organization"],
        "placed_on": TODAY.isoformat(),
        **over,
    }
    body = {k: v for k, v in body.items() if v is not None}  # None: left out
    return world.call("POST", "/api/v1/growth/placements", who, json=body)


def _stat(world, key, **scope):
    got = world.call("GET", "/api/v1/stats/linkage", "admin", query_string=scope)
    assert got.status_code == 200, got.json
    return got.json["indicators"][key]


def test_1_the_district_designates_and_revokes_a_brand_organization_and_the_indicator_follows(world):
    before = _stat(world, "brand_organizations")
    made = _brand(world)
    assert made.status_code == 201, made.json
    assert made.json["standing"] is True and made.json["organization_name"]
    assert _stat(world, "brand_organizations") == before + 1
    assert _brand(world).status_code == 409  # one standing designation per organization
    revoked = world.call(
        "POST", f"/api/v1/growth/brands/{made.json['id']}/revocation", "admin", json={"reason": "年度考核不合格"}
    )
    assert revoked.status_code == 200 and revoked.json["standing"] is False, revoked.json
    assert _stat(world, "brand_organizations") == before
    listed = world.call("GET", "/api/v1/growth/brands", "volunteer")
    assert [b["id"] for b in listed.json] == [made.json["id"]]
    assert world.call("GET", "/api/v1/growth/brands", "volunteer", query_string={"standing": "true"}).json == []


def test_2_org_staff_record_a_placement_into_their_own_organization_and_the_street_counts_it(world):
    before = _stat(world, "organizations_with_social_workers")
    made = _placement(world, "org_staff", organization_id=None)
    assert made.status_code == 201, made.json
    assert made.json["organization_id"] == world.ids["organization"] and made.json["social_worker_name"] == "张华"
    assert _stat(world, "organizations_with_social_workers") == before + 1
    assert _placement(world, "org_staff").status_code == 409  # the same day again
    assert _placement(world, "org_staff", placed_on=(TODAY - timedelta(days=1)).isoformat()).status_code == 201
    assert _stat(world, "organizations_with_social_workers") == before + 1  # one organization, counted once
    mine = world.call("GET", "/api/v1/growth/placements", "org_staff")
    assert len(mine.json) == 2
    assert world.call("GET", "/api/v1/growth/placements", "other_org_staff").json == []
    assert len(world.call("GET", "/api/v1/growth/placements", "social_worker").json) == 2  # the worker placed
    assert world.call("GET", "/api/v1/growth/placements", "community_staff").status_code == 403
    assert world.call("DELETE", f"/api/v1/growth/placements/{made.json['id']}", "other_org_staff").status_code == 404
    assert world.call("DELETE", f"/api/v1/growth/placements/{made.json['id']}", "org_staff").status_code == 204


def test_3_refusals_get_their_status_and_store_nothing(world):
    made = _brand(world).json
    before = db_fingerprint(world.platform)
    assert _placement(world, "other_org_staff").status_code == 403  # into another organization
    assert _placement(world, "volunteer").status_code == 403
    assert _brand(world).status_code == 409
    assert (
        world.call(
            "POST",
            "/api/v1/growth/brands",
            "org_staff",
            json={"organization_id": world.ids["organization"], "year": TODAY.year, "reason": "自荐"},
        ).status_code
        == 403
    )
    assert (
        world.call(
            "POST", f"/api/v1/growth/brands/{made['id']}/revocation", "auditor", json={"reason": "无权撤销"}
        ).status_code
        == 403
    )
    for bad, field in (
        ({"year": TODAY.year + 1}, "year"),
        ({"year": 1999}, "year"),
        ({"organization_id": 999999}, "organization_id"),
        ({"reason": ""}, "reason"),
    ):
        got = _brand(world, **{"organization_id": world.ids["other_organization"], **bad})
        assert got.status_code == 422 and field in got.json["errors"], (bad, got.json)
    for bad, field in (
        ({"placed_on": (TODAY + timedelta(days=1)).isoformat()}, "placed_on"),
        ({"placed_on": "2026/01/01"}, "placed_on"),
        ({"social_worker_id": 999999}, "social_worker_id"),
        ({"organization_id": 999999}, "organization_id"),
    ):
        got = _placement(world, **bad)
        assert got.status_code == 422 and field in got.json["errors"], (bad, got.json)
    assert db_fingerprint(world.platform) == before
