"""/volunteers/{id}/qualifications and /qualifications/{id}; a volunteer's leave; a need's required qualification."""

from __future__ import annotations

from tests.integration.api.conftest import db_fingerprint, need_body

BODY = {"kind": "first_aid", "number": "JJ2024-000123", "issued_on": "2024-03-01", "expires_on": "2027-02-28"}


def test_a_volunteer_keeps_their_qualifications_over_the_api(world):
    vid = world.ids["volunteer"]
    made = world.call("POST", f"/api/v1/volunteers/{vid}/qualifications", "volunteer", json=BODY)
    assert made.status_code == 201, made.json
    body = made.json
    assert body["kind_name"] == "急救证" and body["number_masked"] == "JJ20*****0123" and "number" not in body
    assert body["valid"] is True and body["expires_on"] == "2027-02-28"
    changed = world.call(
        "PATCH", f"/api/v1/qualifications/{body['id']}", "volunteer", json={"kind": "social_work", "level": "senior"}
    )
    assert changed.status_code == 200 and changed.json["level"] == "senior"
    listed = world.call("GET", f"/api/v1/volunteers/{vid}/qualifications", "volunteer")
    assert [q["kind"] for q in listed.json] == ["social_work"]
    assert world.call("DELETE", f"/api/v1/qualifications/{body['id']}", "volunteer").status_code == 204
    assert world.call("GET", f"/api/v1/volunteers/{vid}/qualifications", "volunteer").json == []


def test_bad_qualifications_get_field_errors_and_store_nothing(world):
    vid = world.ids["volunteer"]
    before = db_fingerprint(world.platform)
    for bad, field in (
        (dict(BODY, kind="pilot"), "kind"),
        (dict(BODY, expires_on="2020-01-01"), "expires_on"),
        (dict(BODY, kind="social_work"), "level"),
        (dict(BODY, issued_on="03/01/2024"), "issued_on"),
        ({k: v for k, v in BODY.items() if k != "issued_on"}, "issued_on"),
    ):
        got = world.call("POST", f"/api/v1/volunteers/{vid}/qualifications", "volunteer", json=bad)
        assert got.status_code == 422, (bad, got.json)
        assert field in got.json["errors"], (bad, got.json)
    assert db_fingerprint(world.platform) == before


def test_another_volunteers_qualifications_are_not_found(world):
    vid = world.ids["volunteer"]
    made = world.call("POST", f"/api/v1/volunteers/{vid}/qualifications", "volunteer", json=BODY).json
    for method, path, json in (
        ("GET", f"/api/v1/volunteers/{vid}/qualifications", None),
        ("POST", f"/api/v1/volunteers/{vid}/qualifications", BODY),
        ("PATCH", f"/api/v1/qualifications/{made['id']}", {"number": "X1"}),
        ("DELETE", f"/api/v1/qualifications/{made['id']}", None),
    ):
        assert world.call(method, path, "other_volunteer", json=json).status_code == 404, (method, path)


def test_leave_is_checked_and_kept(world):
    vid = world.ids["volunteer"]
    bad = world.call(
        "PATCH", f"/api/v1/volunteers/{vid}", "volunteer", json={"leave": [{"from": "2026-12-09", "to": "2026-12-01"}]}
    )
    assert bad.status_code == 422 and "leave" in bad.json["errors"], bad.json
    good = world.call(
        "PATCH", f"/api/v1/volunteers/{vid}", "volunteer", json={"leave": [{"from": "2026-12-01", "to": "2026-12-09"}]}
    )
    assert good.status_code == 200 and good.json["leave"] == [{"from": "2026-12-01", "to": "2026-12-09"}]


def test_a_need_takes_a_known_qualification_only(world):
    cid = world.ids["community"]
    bad = world.call("POST", "/api/v1/needs", "community_staff", json=need_body(cid, qualification_required="pilot"))
    assert bad.status_code == 422 and "qualification_required" in bad.json["errors"]
    good = world.call(
        "POST", "/api/v1/needs", "community_staff", json=need_body(cid, qualification_required="first_aid")
    )
    assert good.status_code == 201 and good.json["qualification_required"] == "first_aid"
