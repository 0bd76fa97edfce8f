"""/cohorts…, /cultivation-rubric, /annual-reports: the incubation track and annual reports over the API."""

from __future__ import annotations

from datetime import timedelta

from linkage.models import Organization
from linkage.services.qualifications import china_day
from tests.factories import valid_uscc
from tests.integration.api.conftest import db_fingerprint

TODAY = china_day()
PASSING = {"governance": 80, "activity": 75, "finance": 60, "resources": 55, "resident_satisfaction": 90}
COHORT = {
    "name": "2026年第一期",
    "street": "新港街道",
    "starts_on": (TODAY - timedelta(days=10)).isoformat(),
    "ends_on": (TODAY + timedelta(days=170)).isoformat(),
}


def _file(world, *keys):
    """Make the world's organizations filed (备案, no USCC), as filing leaves them."""
    with world.platform.uow() as uow:
        for key in keys:
            org = uow.session.get(Organization, world.ids[key])
            org.registration, org.uscc = "filed", None
        uow.commit()


def test_the_rubric_is_published_without_a_token(world):
    got = world.call("GET", "/api/v1/cultivation-rubric")
    assert got.status_code == 200 and got.json["pass_mark"] == 60
    assert sum(c["weight"] for c in got.json["criteria"]) == 100


def test_a_cohort_story_over_the_api(world):
    _file(world, "organization", "other_organization")
    org, other = world.ids["organization"], world.ids["other_organization"]
    # 1. The centre opens a cohort and admits both filed organizations.
    cohort = world.call("POST", "/api/v1/cohorts", "admin", json=COHORT)
    assert cohort.status_code == 201, cohort.json
    cid = cohort.json["id"]
    for oid in (org, other):
        admitted = world.call("POST", f"/api/v1/cohorts/{cid}/members", "admin", json={"organization_id": oid})
        assert admitted.status_code == 201 and admitted.json["status"] == "active", admitted.json
    # 2. A mentoring session and a training; an assessment; graduation.
    base = f"/api/v1/cohorts/{cid}/members/{org}"
    for kind in ("mentoring", "training"):
        made = world.call(
            "POST",
            f"{base}/records",
            "admin",
            json={"kind": kind, "held_on": TODAY.isoformat(), "title": "议事规则", "hours": 2},
        )
        assert made.status_code == 201, made.json
    assessed = world.call(
        "POST", f"{base}/assessments", "admin", json={"assessed_on": TODAY.isoformat(), "scores": PASSING}
    )
    assert assessed.status_code == 201 and assessed.json["passed"] is True, assessed.json
    graduated = world.call("POST", f"{base}/graduate", "admin")
    assert graduated.status_code == 200 and graduated.json["status"] == "graduated"
    # 3. The other is upgraded to registered with its USCC.
    upgraded = world.call(
        "POST", f"/api/v1/cohorts/{cid}/members/{other}/upgrade", "admin", json={"uscc": valid_uscc(7001)}
    )
    assert upgraded.status_code == 200 and upgraded.json["registration"] == "registered", upgraded.json
    # 4. Its own staff read the member; the other organization's staff get 404 for it.
    mine = world.call("GET", base, "org_staff")
    assert mine.status_code == 200 and len(mine.json["records"]) == 2
    assert world.call("GET", base, "other_org_staff").status_code == 404
    assert [m["organization_id"] for m in world.call("GET", f"/api/v1/cohorts/{cid}", "org_staff").json["members"]] == [
        org
    ]
    assert world.call("GET", "/api/v1/cohorts", "volunteer").json == []


def test_refusals_answer_with_a_message_and_store_nothing(world):
    _file(world, "organization")
    cid = world.call("POST", "/api/v1/cohorts", "admin", json=COHORT).json["id"]
    org = world.ids["organization"]
    world.call("POST", f"/api/v1/cohorts/{cid}/members", "admin", json={"organization_id": org})
    base = f"/api/v1/cohorts/{cid}/members/{org}"
    before = db_fingerprint(world.platform)
    for method, path, who, body, status in (
        ("POST", f"/api/v1/cohorts/{cid}/members", "admin", {"organization_id": world.ids["other_organization"]}, 409),
        ("POST", f"{base}/graduate", "admin", None, 409),
        ("POST", f"{base}/assessments", "admin", {"assessed_on": TODAY.isoformat(), "scores": {"governance": 80}}, 422),
        ("POST", f"{base}/upgrade", "admin", {"uscc": "123"}, 422),
        ("POST", f"{base}/records", "org_staff", {"kind": "training", "held_on": TODAY.isoformat(), "title": "x"}, 403),
        (
            "POST",
            f"{base}/records",
            "other_org_staff",
            {"kind": "training", "held_on": TODAY.isoformat(), "title": "x"},
            404,
        ),
        ("POST", "/api/v1/cohorts", "org_staff", COHORT, 403),
    ):
        got = world.call(method, path, who, json=body)
        assert got.status_code == status, (path, who, got.json)
        assert got.json["message"], got.json
    assert db_fingerprint(world.platform) == before


def test_annual_reports_over_the_api(world):
    year = TODAY.year - 1
    body = {"year": year, "activities_count": 12, "members": 30, "income_fen": 100000, "spending_fen": 80000}
    made = world.call("POST", "/api/v1/annual-reports", "org_staff", json=body)
    assert made.status_code == 201 and made.json["due_on"] == f"{TODAY.year}-03-31", made.json
    before = db_fingerprint(world.platform)
    assert world.call("POST", "/api/v1/annual-reports", "org_staff", json=body).status_code == 409
    assert world.call("POST", "/api/v1/annual-reports", "admin", json=body).status_code == 403
    assert world.call("POST", "/api/v1/annual-reports", "org_staff", json=dict(body, members=-1)).status_code == 422
    assert db_fingerprint(world.platform) == before
    assert world.call("GET", f"/api/v1/annual-reports/{made.json['id']}", "other_org_staff").status_code == 404
    assert world.call("GET", "/api/v1/annual-reports", "other_org_staff").json == []
    assert len(world.call("GET", "/api/v1/annual-reports", "auditor").json) == 1
    assert world.call("GET", "/api/v1/annual-reports/overdue", "admin").status_code == 200
    assert world.call("GET", "/api/v1/annual-reports/overdue", "org_staff").status_code == 403
