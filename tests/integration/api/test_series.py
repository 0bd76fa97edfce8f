"""Recurring activities and the waitlist over HTTP: JSON in and out, the error shape, no-shows."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.integration.api.conftest import db_fingerprint, need_body


@pytest.fixture
def project_id(world):
    need = world.call("POST", "/api/v1/needs", "community_staff", json=need_body(world.ids["community"])).json
    claim = world.call(
        "POST", f"/api/v1/needs/{need['id']}/claims", "org_staff", json={"plan": "派志愿者上门陪护"}
    ).json
    return world.call(
        "POST", f"/api/v1/claims/{claim['id']}/decision", "community_staff", json={"decision": "approve"}
    ).json["project_id"]


def _body(**over):
    start = (datetime.now(timezone.utc) + timedelta(days=2)).replace(microsecond=0)
    return {
        "title": "长者助餐",
        "place": "社区食堂",
        "rrule": "FREQ=WEEKLY;COUNT=4",
        "dtstart": start.isoformat(),
        "duration_minutes": 90,
        "exdates": [],
        "shifts": [{"role": "送餐", "slots": 1}, {"role": "引导员", "slots": 2, "qualification_required": "first_aid"}],
        **over,
    }


def test_a_series_is_created_read_and_its_occurrences_changed(world, project_id):
    made = world.call("POST", f"/api/v1/projects/{project_id}/series", "org_staff", json=_body())
    assert made.status_code == 201, made.json
    series = world.call("GET", f"/api/v1/series/{made.json['id']}", "volunteer").json
    assert len(series["occurrences"]) == 4
    first = series["occurrences"][0]
    assert [(s["role"], s["slots"], s["taken"]) for s in first["shifts"]] == [("送餐", 1, 0), ("引导员", 2, 0)]
    assert first["shifts"][1]["qualification_required"] == "first_aid"
    moved = world.call(
        "PATCH",
        f"/api/v1/series/{series['id']}/occurrences",
        "org_staff",
        json={"occurrence_start": first["occurrence_start"], "place": "社区礼堂"},
    )
    assert moved.status_code == 200 and moved.json["place"] == "社区礼堂", moved.json
    gone = world.call(
        "POST",
        f"/api/v1/series/{series['id']}/cancellations",
        "org_staff",
        json={"occurrence_start": first["occurrence_start"]},
    )
    assert gone.status_code == 200 and gone.json["cancelled"] is True
    again = world.call(
        "POST",
        f"/api/v1/series/{series['id']}/cancellations",
        "org_staff",
        json={"occurrence_start": first["occurrence_start"]},
    )
    assert again.status_code == 409 and again.json["code"] == 409


@pytest.mark.parametrize(
    "over, field",
    [
        ({"rrule": "FREQ=NEVER"}, "rrule"),
        ({"shifts": []}, "shifts"),
        ({"shifts": [{"role": "送餐", "slots": 0}]}, "shifts"),
        ({"rrule": "FREQ=WEEKLY;UNTIL=20010101"}, "rrule"),
    ],
)
def test_bad_series_are_422_naming_the_field_and_change_nothing(world, project_id, over, field):
    before = db_fingerprint(world.platform)
    response = world.call("POST", f"/api/v1/projects/{project_id}/series", "org_staff", json=_body(**over))
    assert response.status_code == 422, response.json
    assert response.json["code"] == 422 and field in response.json["errors"], response.json
    assert db_fingerprint(world.platform) == before


def test_a_full_shift_waitlists_and_a_no_show_promotes(world, project_id):
    series = world.call("POST", f"/api/v1/projects/{project_id}/series", "org_staff", json=_body()).json
    shift = series["occurrences"][0]["shifts"][0]  # one place
    first = world.call("POST", f"/api/v1/activities/{shift['id']}/signups", "volunteer", json={})
    second = world.call("POST", f"/api/v1/activities/{shift['id']}/signups", "other_volunteer", json={})
    assert (first.status_code, first.json["status"], first.json["waitlist_position"]) == (201, "signed_up", None)
    assert (second.status_code, second.json["status"], second.json["waitlist_position"]) == (201, "waitlisted", 1)
    refused = world.call("POST", f"/api/v1/signups/{first.json['id']}/no-show", "volunteer")
    assert refused.status_code == 403 and refused.json["code"] == 403
    marked = world.call("POST", f"/api/v1/signups/{first.json['id']}/no-show", "org_staff")
    assert marked.status_code == 200 and marked.json["status"] == "no_show"
    listed = world.call("GET", f"/api/v1/activities/{shift['id']}/signups", "org_staff").json
    assert [s["status"] for s in listed] == ["no_show", "signed_up"]


def test_a_volunteer_leaves_the_waitlist(world, project_id):
    series = world.call("POST", f"/api/v1/projects/{project_id}/series", "org_staff", json=_body()).json
    shift = series["occurrences"][0]["shifts"][0]
    world.call("POST", f"/api/v1/activities/{shift['id']}/signups", "volunteer", json={})
    world.call("POST", f"/api/v1/activities/{shift['id']}/signups", "other_volunteer", json={})
    left = world.call("DELETE", f"/api/v1/activities/{shift['id']}/signups", "other_volunteer")
    assert left.status_code == 200 and left.json["status"] == "cancelled", left.json
