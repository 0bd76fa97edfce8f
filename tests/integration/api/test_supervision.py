"""/supervision/…, /social-workers/{id}/trainings: assign → record → the supervisee confirms → it counts; refusals store nothing."""

from __future__ import annotations

from datetime import timedelta

from linkage.services.qualifications import china_day
from tests.integration.api.conftest import db_fingerprint
from tests.integration.api.matrix_scene import Scene

TODAY = china_day()


def _body(social_worker_id, **over):
    return {
        "social_worker_id": social_worker_id,
        "held_on": (TODAY - timedelta(days=2)).isoformat(),
        "form": "individual",
        "topics": "个案督导：危机干预",
        "hours": 2,
        "follow_ups": "复盘",
        "confirmed": True,
        **over,
    }


def _scene(world):
    s = Scene(world)
    s.add_other_social_worker_account()
    a, b = world.ids["social_worker"], world.ids["other_social_worker"]
    made = world.call(
        "POST",
        "/api/v1/supervision/assignments",
        "admin",
        json={"social_worker_id": a, "supervisor_id": b, "starts_on": (TODAY - timedelta(days=10)).isoformat()},
    )
    assert made.status_code == 201, made.json
    assert made.json["current"] is True and made.json["supervisor_name"] == "赵强"
    return a, b, made.json["id"]


def test_1_a_session_counts_once_the_supervisee_confirms_and_a_disputed_one_never(world):
    a, b, _ = _scene(world)
    first = world.call("POST", "/api/v1/supervision/sessions", "other_social_worker", json=_body(a))
    assert first.status_code == 201 and first.json["supervisee_status"] == "pending" and first.json["counts"] is False
    summary = world.call("GET", f"/api/v1/supervision/social-workers/{a}", "social_worker").json
    assert summary["supervision_hours"] == 0 and summary["supervised"] is False
    ok = world.call(
        "POST", f"/api/v1/supervision/sessions/{first.json['id']}/answer", "social_worker", json={"decision": "confirm"}
    )
    assert ok.status_code == 200 and ok.json["counts"] is True
    second = world.call("POST", "/api/v1/supervision/sessions", "other_social_worker", json=_body(a, hours=3)).json
    no_reason = world.call(
        "POST", f"/api/v1/supervision/sessions/{second['id']}/answer", "social_worker", json={"decision": "dispute"}
    )
    assert no_reason.status_code == 422 and "reason" in no_reason.json["errors"]
    disputed = world.call(
        "POST",
        f"/api/v1/supervision/sessions/{second['id']}/answer",
        "social_worker",
        json={"decision": "dispute", "reason": "时长不符"},
    )
    assert disputed.status_code == 200 and disputed.json["supervisee_status"] == "disputed"
    again = world.call(
        "POST", f"/api/v1/supervision/sessions/{second['id']}/answer", "social_worker", json={"decision": "confirm"}
    )
    assert again.status_code == 409
    summary = world.call("GET", f"/api/v1/supervision/social-workers/{a}", "social_worker").json
    assert summary["supervision_hours"] == 2 and summary["supervised"] is True
    assert summary["supervisor"]["supervisor_id"] == b and summary["certificate_level"] == "intermediate"


def test_2_refused_sessions_get_field_errors_and_store_nothing(world):
    a, _, _ = _scene(world)
    before = db_fingerprint(world.platform)
    for bad, field in (
        ({"confirmed": False}, "confirmed"),
        ({"hours": 0.25}, "hours"),
        ({"hours": 9}, "hours"),
        ({"form": "phone"}, "form"),
        ({"held_on": (TODAY + timedelta(days=3)).isoformat()}, "held_on"),
    ):
        got = world.call("POST", "/api/v1/supervision/sessions", "other_social_worker", json=_body(a, **bad))
        assert got.status_code == 422 and field in got.json["errors"], (bad, got.json)
    no_confirm = {k: v for k, v in _body(a).items() if k != "confirmed"}
    got = world.call("POST", "/api/v1/supervision/sessions", "other_social_worker", json=no_confirm)
    assert got.status_code == 422 and "confirmed" in got.json["errors"]
    # the wrong supervisor: social worker A is nobody's supervisee of theirs → 404
    got = world.call("POST", "/api/v1/supervision/sessions", "social_worker", json=_body(a))
    assert got.status_code == 404
    assert world.call("POST", "/api/v1/supervision/sessions", "admin", json=_body(a)).status_code == 403
    assert db_fingerprint(world.platform) == before


def test_3_another_social_worker_is_told_nothing(world):
    a, b, assignment = _scene(world)
    made = world.call("POST", "/api/v1/supervision/sessions", "other_social_worker", json=_body(a)).json
    # social worker A reads their supervisor's page? B is not A's supervisee: 404
    assert world.call("GET", f"/api/v1/supervision/social-workers/{b}", "social_worker").status_code == 404
    assert world.call("GET", f"/api/v1/social-workers/{b}/trainings", "social_worker").status_code == 404
    assert (
        world.call(
            "GET", "/api/v1/supervision/sessions", "social_worker", query_string={"social_worker_id": b}
        ).status_code
        == 404
    )
    # B, the supervisor, cannot answer for A
    answer = world.call(
        "POST", f"/api/v1/supervision/sessions/{made['id']}/answer", "other_social_worker", json={"decision": "confirm"}
    )
    assert answer.status_code == 404
    ended = world.call(
        "POST", f"/api/v1/supervision/assignments/{assignment}/end", "admin", json={"ends_on": TODAY.isoformat()}
    )
    assert ended.status_code == 200 and ended.json["current"] is False
    # history stays; B may still read what they supervised, but records no more
    assert world.call("GET", f"/api/v1/supervision/social-workers/{a}", "other_social_worker").status_code == 200
    again = world.call(
        "POST", "/api/v1/supervision/sessions", "other_social_worker", json=_body(a, held_on=TODAY.isoformat())
    )
    assert again.status_code == 404


def test_4_trainings_count_toward_the_years_requirement_and_certificate_expiry_shows(world):
    a = world.ids["social_worker"]
    for hours in (40, 40):
        got = world.call(
            "POST",
            f"/api/v1/social-workers/{a}/trainings",
            "org_staff",
            json={"title": "督导技巧", "provider": "市社工协会", "held_on": TODAY.isoformat(), "hours": hours},
        )
        assert got.status_code == 201, got.json
    bad = world.call(
        "POST",
        f"/api/v1/social-workers/{a}/trainings",
        "social_worker",
        json={"title": "x", "provider": "y", "held_on": TODAY.isoformat(), "hours": 0},
    )
    assert bad.status_code == 422 and "hours" in bad.json["errors"]
    summary = world.call("GET", f"/api/v1/supervision/social-workers/{a}", "social_worker").json
    assert summary["ce_hours"] == 80 and summary["ce_required_hours"] == 72 and summary["ce_met"] is True
    expired = world.call(
        "PATCH",
        f"/api/v1/social-workers/{a}",
        "social_worker",
        json={"certificate_expires_on": (TODAY - timedelta(days=1)).isoformat()},
    )
    assert (
        expired.status_code == 200 and expired.json["certificate_expires_on"] == (TODAY - timedelta(days=1)).isoformat()
    )
    summary = world.call("GET", f"/api/v1/supervision/social-workers/{a}", "social_worker").json
    assert summary["certificate_valid"] is False
