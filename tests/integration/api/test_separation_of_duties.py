"""Separation of duties (职责分离): who does a thing does not also check it (docs/security.md)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from linkage.models.funding import ReviewAssignment
from linkage.services.accounts import create_user
from tests.integration.api.conftest import PASSWORD, db_fingerprint, valid_uscc
from tests.integration.api.test_funding import API, application_body, apply, open_round, post_need, scores, user_id
from tests.integration.api.test_hours import log, past_activity, project_id, review  # noqa: F401 (fixture)


def refused(response, status: int, field: str | None = None) -> None:
    body = response.get_json()
    assert response.status_code == status, body
    assert body["code"] == status and body["message"], body
    if field is not None:
        assert field in body["errors"], body


# -- auditors audit: they never review or approve -------------------------------------------------

def test_an_auditor_cannot_be_made_a_funding_reviewer(world):
    round_id = open_round(world, cofunding_pct=0)["id"]
    app_id = apply(world, round_id, "org_staff", application_body(post_need(world), None, cofunding=0)).json["id"]
    before = db_fingerprint(world.platform)
    response = world.call("POST", f"{API}/applications/{app_id}/reviewers", "admin",
                          json={"user_id": user_id(world, "auditor")}, headers={"Accept-Language": "zh-CN"})
    refused(response, 422, "user_id")
    assert "职责分离" in response.json["errors"]["user_id"][0] and response.json["reason"] == "review.auditor"
    assert db_fingerprint(world.platform) == before
    assert world.call("POST", f"{API}/applications/{app_id}/reviewers", "admin",
                      json={"user_id": user_id(world, "admin")}).status_code == 201


def test_an_auditor_assigned_before_the_rule_still_cannot_review(world):
    """An assignment left from before auditors were refused (written straight to the table): the
    review itself is refused, not only the assignment."""
    round_id = open_round(world, cofunding_pct=0)["id"]
    app_id = apply(world, round_id, "org_staff", application_body(post_need(world), None, cofunding=0)).json["id"]
    with world.platform.uow() as u:
        u.session.add(ReviewAssignment(application_id=app_id, reviewer_user_id=user_id(world, "auditor"),
                                       assigned_by=user_id(world, "admin")))
        u.commit()
    assert world.call("POST", f"{API}/funding-rounds/{round_id}/transitions", "admin",
                      json={"to": "reviewing"}).status_code == 200
    before = db_fingerprint(world.platform)
    response = world.call("POST", f"{API}/applications/{app_id}/reviews", "auditor",
                          json={"scores": scores(80), "comments": "方案可行"})
    refused(response, 403)
    assert "auditors audit" in response.json["message"]
    assert db_fingerprint(world.platform) == before
    # The auditor still reads the application and its (absent) reviews: oversight, not a duty.
    assert world.call("GET", f"{API}/applications/{app_id}", "auditor").status_code == 200
    assert world.call("GET", f"{API}/applications/{app_id}/reviews", "auditor").json == []


def test_an_auditor_approves_nothing(world, project_id):  # noqa: F811
    activity = past_activity(world, project_id, days_ago=2)
    record = log(world, activity, 60).json
    claim_need = post_need(world, "助残")
    claim = world.call("POST", f"{API}/needs/{claim_need}/claims", "other_org_staff", json={"plan": "派两名志愿者上门探访"}).json
    before = db_fingerprint(world.platform)
    refused(review(world, record["id"], who="auditor"), 403)
    refused(world.call("POST", f"{API}/claims/{claim['id']}/decision", "auditor", json={"decision": "approve"}), 403)
    assert db_fingerprint(world.platform) == before


# -- nobody verifies hours they logged themselves -------------------------------------------------

@pytest.mark.parametrize("logger,checker", [("org_staff", "community_staff"), ("admin", "org_staff")])
def test_hours_entered_by_someone_are_verified_by_someone_else(world, project_id, logger, checker):  # noqa: F811
    activity = past_activity(world, project_id, days_ago=2)
    record = log(world, activity, 120, who=logger, volunteer_id=world.ids["volunteer"], reason="纸质签到表补录")
    assert record.status_code == 201 and record.json["source"] == "org_entry", record.json
    before = db_fingerprint(world.platform)
    for decision, note in (("verify", ""), ("reject", "时间不符")):
        response = review(world, record.json["id"], decision, who=logger, note=note)
        refused(response, 403)
        assert "nobody verifies hours they logged themselves" in response.json["message"]
    assert db_fingerprint(world.platform) == before
    verified = review(world, record.json["id"], who=checker)
    assert verified.status_code == 200 and verified.json["status"] == "verified"


def test_hours_recorded_at_check_out_are_verified_by_someone_other_than_who_checked_out(world, project_id):  # noqa: F811
    activity = past_activity(world, project_id, days_ago=3, signup=False)
    signup = world.call("POST", f"{API}/activities/{activity['id']}/signups", "org_staff",
                        json={"volunteer_id": world.ids["other_volunteer"]}).json["id"]
    start = activity["start"]
    assert world.call("POST", f"{API}/signups/{signup}/check-in", "org_staff",
                      json={"at": (start + timedelta(minutes=5)).isoformat()}).status_code == 200
    out = world.call("POST", f"{API}/signups/{signup}/check-out", "org_staff",
                     json={"at": (start + timedelta(minutes=125)).isoformat(), "content": "陪诊"})
    assert out.status_code == 200, out.json
    entry = out.json["hour_entry_id"]
    before = db_fingerprint(world.platform)
    refused(review(world, entry, who="org_staff"), 403)
    assert db_fingerprint(world.platform) == before
    assert review(world, entry, who="community_staff").json["status"] == "verified"


def test_hours_a_volunteer_logged_are_still_verified_by_their_organization(world, project_id):  # noqa: F811
    activity = past_activity(world, project_id, days_ago=2)
    record = log(world, activity, 60).json  # logged by the volunteer
    assert review(world, record["id"], who="org_staff").json["status"] == "verified"


# -- only the district changes an organization's USCC or registration ----------------------------

@pytest.mark.parametrize("field,value", [("uscc", valid_uscc(880)), ("registration", "filed")])
def test_organization_staff_cannot_change_their_credit_code_or_registration(world, field, value):
    path = f"{API}/organizations/{world.ids['organization']}"
    before = db_fingerprint(world.platform)
    response = world.call("PATCH", path, "org_staff", json={field: value})
    refused(response, 403)
    assert "only the district" in response.json["message"]
    # Not even hidden among fields they may change.
    refused(world.call("PATCH", path, "org_staff", json={field: value, "description": "改名了"}), 403)
    assert db_fingerprint(world.platform) == before
    changed = world.call("PATCH", path, "admin", json={field: value})
    assert changed.status_code == 200 and changed.json[field] == value


def test_organization_staff_still_edit_the_other_fields_of_their_own_organization(world):
    path = f"{API}/organizations/{world.ids['organization']}"
    shown = world.call("GET", path, "org_staff").json
    # Sending the unchanged code and status along with a change is not a change of either.
    response = world.call("PATCH", path, "org_staff", json={
        "uscc": shown["uscc"], "registration": shown["registration"], "description": "专业养老服务",
        "contact_name": "刘主任", "contact_phone": "(022)25321234", "capacity": 7})
    assert response.status_code == 200, response.json
    assert response.json["description"] == "专业养老服务" and response.json["capacity"] == 7
    assert response.json["contact_phone"] == "022-25321234"  # a landline, stored in one form
    refused(world.call("PATCH", f"{API}/organizations/{world.ids['other_organization']}", "org_staff",
                       json={"description": "x"}), 403)


# -- a reviewer never sees an application from their own organization -----------------------------

def _other_social_worker(world) -> str:
    platform = world.platform
    with platform.uow() as u:
        user = create_user(u, platform.passwords, username="other_social_worker", password=PASSWORD,
                           role="social_worker", social_worker_id=world.ids["other_social_worker"])
    world.tokens["other_social_worker"] = platform.tokens.issue(user.id, user.token_version)
    return "other_social_worker"


def test_a_reviewer_is_never_assigned_to_nor_shown_an_application_of_their_own_organization(world):
    reviewer = _other_social_worker(world)  # employed by the other organization
    round_id = open_round(world, cofunding_pct=0)["id"]
    ours = apply(world, round_id, "org_staff", application_body(post_need(world), None, cofunding=0)).json["id"]
    theirs = apply(world, round_id, "other_org_staff",
                   application_body(post_need(world, "助残"), None, cofunding=0)).json["id"]
    uid = user_id(world, reviewer)

    # Cannot be assigned to their own organization's application.
    before = db_fingerprint(world.platform)
    refused(world.call("POST", f"{API}/applications/{theirs}/reviewers", "admin", json={"user_id": uid}), 403)
    assert db_fingerprint(world.platform) == before
    # Assigned to the other one, they see it (and only it) while untied.
    assert world.call("POST", f"{API}/applications/{ours}/reviewers", "admin", json={"user_id": uid}).status_code == 201
    listed = world.call("GET", f"{API}/funding-rounds/{round_id}/applications", reviewer).json
    assert [a["id"] for a in listed] == [ours]
    assert world.call("GET", f"{API}/applications/{ours}", reviewer).status_code == 200
    refused(world.call("GET", f"{API}/applications/{theirs}", reviewer), 404)

    # The district moves them to the applicant: from then on they see nothing of it.
    assert world.call("PATCH", f"{API}/social-workers/{world.ids['other_social_worker']}", "admin",
                      json={"organization_id": world.ids["organization"]}).status_code == 200
    assert world.call("GET", f"{API}/funding-rounds/{round_id}/applications", reviewer).json == []
    refused(world.call("GET", f"{API}/applications/{ours}", reviewer), 404)
    refused(world.call("GET", f"{API}/applications/{ours}/reviews", reviewer), 404)
    assert world.call("POST", f"{API}/funding-rounds/{round_id}/transitions", "admin",
                      json={"to": "reviewing"}).status_code == 200
    before = db_fingerprint(world.platform)
    refused(world.call("POST", f"{API}/applications/{ours}/reviews", reviewer,
                       json={"scores": scores(90), "comments": "很好"}), 403)
    assert db_fingerprint(world.platform) == before
    # The applicant's own staff and the district still see it.
    assert world.call("GET", f"{API}/applications/{ours}", "org_staff").status_code == 200
    assert world.call("GET", f"{API}/applications/{ours}", "admin").status_code == 200


def test_a_social_worker_of_the_applicant_gets_a_404_for_its_application(world):
    round_id = open_round(world, cofunding_pct=0)["id"]
    ours = apply(world, round_id, "org_staff", application_body(post_need(world), None, cofunding=0)).json["id"]
    refused(world.call("GET", f"{API}/applications/{ours}", "social_worker"), 404)
    assert world.call("GET", f"{API}/funding-rounds/{round_id}/applications", "social_worker").json == []
