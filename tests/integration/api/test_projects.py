"""Claims, the project lifecycle, activities and residents' evaluations, over HTTP."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from linkage.services.providers import register_provider
from tests.integration.api.conftest import ADMIN, db_fingerprint, need_body, volunteer_body


def _iso(moment: datetime) -> str:
    return moment.isoformat()


@pytest.fixture
def need_id(world):
    r = world.call("POST", "/api/v1/needs", "community_staff", json=need_body(world.ids["community"]))
    assert r.status_code == 201
    return r.json["id"]


def _claim(world, need_id, who="org_staff", plan="派两名持证社工与志愿者陪同就医"):
    return world.call("POST", f"/api/v1/needs/{need_id}/claims", who, json={"plan": plan})


def _approved_project(world, need_id) -> int:
    claim = _claim(world, need_id).json
    r = world.call("POST", f"/api/v1/claims/{claim['id']}/decision", "community_staff", json={"decision": "approve"})
    assert r.status_code == 200, r.json
    return r.json["project_id"]


def test_two_organizations_claim_one_is_approved_and_the_other_declined_with_a_reason(world, need_id):
    mine = _claim(world, need_id)
    theirs = _claim(world, need_id, who="other_org_staff")
    assert mine.status_code == theirs.status_code == 201
    assert mine.json["status"] == "pending" and mine.json["ranked"] is False
    decided = world.call("POST", f"/api/v1/claims/{mine.json['id']}/decision", "community_staff",
                         json={"decision": "approve"})
    assert decided.status_code == 200 and decided.json["claim"]["status"] == "approved"
    project = world.call("GET", f"/api/v1/projects/{decided.json['project_id']}", "auditor").json
    assert project["status"] == "approved" and project["organization_id"] == world.ids["organization"]
    claims = {c["id"]: c for c in world.call("GET", f"/api/v1/needs/{need_id}/claims", "admin").json}
    assert claims[theirs.json["id"]]["status"] == "declined" and claims[theirs.json["id"]]["decline_reason"]
    assert world.call("GET", f"/api/v1/needs/{need_id}", "admin").json["status"] == "claimed"


def test_an_organization_cannot_claim_a_need_twice(world, need_id):
    assert _claim(world, need_id).status_code == 201
    before = db_fingerprint(world.platform)
    again = _claim(world, need_id)
    assert again.status_code == 409 and again.json["code"] == 409
    assert db_fingerprint(world.platform) == before


def test_a_claimed_need_takes_no_more_claims_or_approvals(world, need_id):
    other = _claim(world, need_id, who="other_org_staff").json
    _approved_project(world, need_id)
    assert world.call("POST", f"/api/v1/claims/{other['id']}/decision", "community_staff",
                      json={"decision": "approve"}).status_code == 409


def test_declining_needs_a_reason(world, need_id):
    claim = _claim(world, need_id).json
    r = world.call("POST", f"/api/v1/claims/{claim['id']}/decision", "community_staff", json={"decision": "decline"})
    assert r.status_code == 422 and "reason" in r.json["errors"]


@pytest.mark.parametrize("who", ["other_community_staff", "org_staff", "volunteer", "auditor"])
def test_only_the_needs_community_decides_claims(world, need_id, who):
    claim = _claim(world, need_id).json
    before = db_fingerprint(world.platform)
    r = world.call("POST", f"/api/v1/claims/{claim['id']}/decision", who, json={"decision": "approve"})
    assert r.status_code == 403
    assert db_fingerprint(world.platform) == before


@pytest.mark.parametrize("who", ["community_staff", "volunteer", "auditor"])
def test_only_org_staff_claim_needs(world, need_id, who):
    assert _claim(world, need_id, who=who).status_code == 403


@pytest.mark.parametrize("start,target", [("approved", "completed"), ("approved", "evaluated"),
                                          ("approved", "approved"), ("in_progress", "approved")])
def test_illegal_transitions_are_409_and_change_nothing(world, need_id, start, target):
    project_id = _approved_project(world, need_id)
    if start == "in_progress":
        assert world.call("POST", f"/api/v1/projects/{project_id}/transitions", "org_staff",
                          json={"to": "in_progress"}).status_code == 200
    before = db_fingerprint(world.platform)
    r = world.call("POST", f"/api/v1/projects/{project_id}/transitions", "org_staff", json={"to": target})
    assert r.status_code == 409 and r.json["code"] == 409
    assert db_fingerprint(world.platform) == before


@pytest.mark.parametrize("who,target", [("other_org_staff", "in_progress"), ("community_staff", "in_progress"),
                                        ("volunteer", "cancelled"), ("other_community_staff", "cancelled"),
                                        ("auditor", "in_progress")])
def test_wrong_parties_cannot_move_a_project(world, need_id, who, target):
    project_id = _approved_project(world, need_id)
    before = db_fingerprint(world.platform)
    r = world.call("POST", f"/api/v1/projects/{project_id}/transitions", who, json={"to": target, "reason": "x"})
    assert r.status_code == 403
    assert db_fingerprint(world.platform) == before


def test_cancelling_needs_a_reason_and_cancels_the_need(world, need_id):
    project_id = _approved_project(world, need_id)
    path = f"/api/v1/projects/{project_id}/transitions"
    assert world.call("POST", path, "community_staff", json={"to": "cancelled"}).status_code == 422
    r = world.call("POST", path, "community_staff", json={"to": "cancelled", "reason": "老人已由家属陪同"})
    assert r.status_code == 200 and r.json["status"] == "cancelled"
    assert world.call("GET", f"/api/v1/needs/{need_id}", "admin").json["status"] == "cancelled"
    assert world.call("POST", path, "org_staff", json={"to": "in_progress"}).status_code == 409


def _activity(world, project_id, slots=3, hours_from_now=-3, length_hours=2, who="org_staff"):
    start = datetime.now(timezone.utc) + timedelta(hours=hours_from_now)
    return world.call("POST", f"/api/v1/projects/{project_id}/activities", who, json={
        "title": "陪诊服务", "place": "滨海新区人民医院", "starts_at": _iso(start),
        "ends_at": _iso(start + timedelta(hours=length_hours)), "slots": slots, "skills_wanted": ["陪诊"]})


def _more_volunteers(world, n):
    tokens = []
    from linkage.services.accounts import create_user
    for k in range(n):
        with world.platform.uow() as u:
            vid = register_provider(u, ADMIN, "volunteer", volunteer_body(100 + k, world.ids["community"], name=f"志愿者{k}"),
                                    world.platform.cipher).id
        with world.platform.uow() as u:
            user = create_user(u, world.platform.passwords, username=f"vol{k}", password="lantern-river-42",
                               role="volunteer", volunteer_id=vid)
        tokens.append((vid, world.platform.tokens.issue(user.id, 0)))
    return tokens


def test_an_activity_with_three_slots_refuses_the_fourth_volunteer_and_check_out_records_hours(world, need_id):
    project_id = _approved_project(world, need_id)
    activity = _activity(world, project_id, slots=3, hours_from_now=-2, length_hours=3)  # under way
    assert activity.status_code == 201, activity.json
    path = f"/api/v1/activities/{activity.json['id']}/signups"
    results = [world.client.post(path, json={}, headers={"Authorization": f"Bearer {t}"})
               for _vid, t in _more_volunteers(world, 4)]
    # Under way and full: no waitlist (nobody is promoted once it has started), the fourth is refused.
    assert [r.status_code for r in results] == [201, 201, 201, 409]
    assert "full" in results[3].json["message"]
    signup = results[0].json
    now = datetime.now(timezone.utc)
    r = world.call("POST", f"/api/v1/signups/{signup['id']}/check-in", "org_staff", json={"at": _iso(now - timedelta(minutes=150))})
    assert r.status_code == 200 and r.json["signup"]["status"] == "checked_in"
    r = world.call("POST", f"/api/v1/signups/{signup['id']}/check-out", "org_staff",
                   json={"at": _iso(now - timedelta(minutes=30)), "content": "陪同王奶奶完成复诊"})
    # Arrived half an hour before the start: the hours count from the start (2 h ago) to the check-out.
    assert r.status_code == 200 and r.json["minutes"] == 90 and r.json["hour_entry_id"]


def test_attendance_must_fall_within_the_activity_and_obey_the_hour_rules(world, need_id):
    project_id = _approved_project(world, need_id)
    activity = _activity(world, project_id, slots=2, hours_from_now=-2, length_hours=3).json
    signup = world.call("POST", f"/api/v1/activities/{activity['id']}/signups", "volunteer", json={}).json
    now = datetime.now(timezone.utc)
    path = f"/api/v1/signups/{signup['id']}"
    too_early = world.call("POST", f"{path}/check-in", "org_staff", json={"at": _iso(now - timedelta(hours=5))})
    assert too_early.status_code == 422 and "at" in too_early.json["errors"]
    assert world.call("POST", f"{path}/check-in", "org_staff", json={"at": _iso(now - timedelta(minutes=100))}).status_code == 200
    # The volunteer already logged part of this time themselves: check-out may not count it twice.
    logged = world.call("POST", "/api/v1/hours", "volunteer", json={
        "activity_id": activity["id"], "starts_at": _iso(now - timedelta(minutes=110)),
        "ends_at": _iso(now - timedelta(minutes=70)), "content": "布置场地"})
    assert logged.status_code == 201, logged.json
    clash = world.call("POST", f"{path}/check-out", "org_staff", json={"at": _iso(now - timedelta(minutes=5))})
    assert clash.status_code == 409 and "starts_at" in clash.json["errors"]


def test_a_volunteer_cannot_sign_up_for_two_overlapping_activities_or_twice(world, need_id):
    project_id = _approved_project(world, need_id)
    first = _activity(world, project_id, hours_from_now=2).json
    overlapping = _activity(world, project_id, hours_from_now=3).json
    later = _activity(world, project_id, hours_from_now=10).json
    assert world.call("POST", f"/api/v1/activities/{first['id']}/signups", "volunteer", json={}).status_code == 201
    assert world.call("POST", f"/api/v1/activities/{first['id']}/signups", "volunteer", json={}).status_code == 409
    clash = world.call("POST", f"/api/v1/activities/{overlapping['id']}/signups", "volunteer", json={})
    assert clash.status_code == 409 and "overlaps" in clash.json["message"]
    assert world.call("POST", f"/api/v1/activities/{later['id']}/signups", "volunteer", json={}).status_code == 201
    # Cancelling frees the slot and the time.
    assert world.call("DELETE", f"/api/v1/activities/{first['id']}/signups", "volunteer").status_code == 200
    assert world.call("POST", f"/api/v1/activities/{overlapping['id']}/signups", "volunteer", json={}).status_code == 201


def test_a_volunteer_cannot_sign_up_someone_else_and_only_the_org_checks_in(world, need_id):
    project_id = _approved_project(world, need_id)
    activity = _activity(world, project_id, hours_from_now=2).json
    r = world.call("POST", f"/api/v1/activities/{activity['id']}/signups", "volunteer",
                   json={"volunteer_id": world.ids["other_volunteer"]})
    assert r.status_code == 403
    signup = world.call("POST", f"/api/v1/activities/{activity['id']}/signups", "volunteer", json={}).json
    for who in ("volunteer", "other_org_staff", "community_staff"):
        assert world.call("POST", f"/api/v1/signups/{signup['id']}/check-in", who, json={}).status_code == 403
    assert world.call("POST", f"/api/v1/signups/{signup['id']}/check-out", "org_staff", json={}).status_code == 409
    assert _activity(world, project_id, who="other_org_staff").status_code == 403


def test_residents_evaluate_once_per_code_without_logging_in(world, need_id):
    project_id = _approved_project(world, need_id)
    path = f"/api/v1/projects/{project_id}/transitions"
    early = world.call("POST", f"/api/v1/projects/{project_id}/evaluation-codes", "community_staff", json={"households": 2})
    assert early.status_code == 409
    for target in ("in_progress", "completed"):
        assert world.call("POST", path, "org_staff", json={"to": target}).status_code == 200
    assert world.call("POST", f"/api/v1/projects/{project_id}/evaluation-codes", "org_staff",
                      json={"households": 2}).status_code == 403
    codes = world.call("POST", f"/api/v1/projects/{project_id}/evaluation-codes", "community_staff",
                       json={"households": 2}).json["codes"]
    assert len(codes) == 2 and len(set(codes)) == 2
    evaluate = f"/api/v1/projects/{project_id}/evaluations"
    first = world.client.post(evaluate, json={"code": codes[0], "satisfaction": 5, "comment": "很满意"})
    assert first.status_code == 201 and first.json["evaluations"] == 1
    again = world.client.post(evaluate, json={"code": codes[0], "satisfaction": 1})
    assert again.status_code == 409
    bogus = world.client.post(evaluate, json={"code": "ZZZZZZZZ", "satisfaction": 3})
    assert bogus.status_code == 422 and "code" in bogus.json["errors"]
    bad = world.client.post(evaluate, json={"code": codes[1], "satisfaction": 6})
    assert bad.status_code == 422 and "satisfaction" in bad.json["errors"]
    assert world.client.post(evaluate, json={"code": codes[1], "satisfaction": 4}).json["mean_satisfaction"] == 4.5
    assert world.call("POST", path, "community_staff", json={"to": "evaluated"}).json["status"] == "evaluated"


def test_a_lead_social_worker_is_assigned_by_the_organization(world, need_id):
    project_id = _approved_project(world, need_id)
    path = f"/api/v1/projects/{project_id}/lead"
    assert world.call("POST", path, "other_org_staff", json={"social_worker_id": world.ids["social_worker"]}).status_code == 403
    r = world.call("POST", path, "org_staff", json={"social_worker_id": world.ids["social_worker"]})
    assert r.status_code == 200 and r.json["lead_social_worker_id"] == world.ids["social_worker"]
    assert world.call("POST", path, "org_staff", json={"social_worker_id": 99999}).status_code == 422
