"""PIPL duties over the API: consent at registration (and a guardian's under 14), a copy of
one's own data, and erasure that leaves the hour ledger and the totals as they were."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from linkage.models import Consent, OutboxEvent, User, Volunteer
from linkage.notice import current_version
from linkage.validators import id_number_check_char
from tests.integration.api.conftest import db_fingerprint, volunteer_body
from tests.integration.api.test_hours import log, past_activity, project_id, review  # noqa: F401

GUARDIAN = {"name": "李建国", "relation": "parent", "phone": "13900001111"}


def id_number_born(born: date, serial: int = 1) -> str:
    body = f"120116{born:%Y%m%d}{serial:03d}"
    return body + id_number_check_char(body)


def child_id_number() -> str:
    today = date.today()
    return id_number_born(date(today.year - 9, 3, 1), serial=21)


def user_id(world, who: str) -> int:
    return world.platform.tokens.read(world.tokens[who])["uid"]


def consents(world, volunteer_id: int) -> list[Consent]:
    with world.platform.read_session() as s:
        return list(s.scalars(select(Consent).where(Consent.volunteer_id == volunteer_id)))


def register(world, who: str, serial: int, **over):
    return world.call("POST", "/api/v1/volunteers", who, json=volunteer_body(serial, world.ids["community"], **over))


# -- consent ----------------------------------------------------------------------------------
def test_staff_confirming_a_paper_consent_are_recorded_with_the_notice_version(world):
    made = register(world, "community_staff", 30)
    assert made.status_code == 201, made.json
    listed = world.call("GET", f"/api/v1/volunteers/{made.json['id']}/consents", "community_staff").json
    assert [(c["notice_version"], c["method"], c["recorded_by"]) for c in listed] == \
        [(current_version(), "paper", user_id(world, "community_staff"))]
    assert "guardian" not in listed[0] and listed[0]["recorded_at"]


def test_a_self_given_consent_is_recorded_as_self(world):
    made = register(world, "admin", 31, consent={"notice_version": current_version(), "method": "self"})
    assert made.status_code == 201, made.json
    assert [c.method for c in consents(world, made.json["id"])] == ["self"]
    # a volunteer consents again by themself; paper is for staff to confirm
    own = world.ids["volunteer"]
    again = world.call("POST", f"/api/v1/volunteers/{own}/consents", "volunteer",
                       json={"notice_version": current_version(), "method": "self"})
    assert again.status_code == 201 and again.json["recorded_by"] == user_id(world, "volunteer")
    paper = world.call("POST", f"/api/v1/volunteers/{own}/consents", "volunteer",
                       json={"notice_version": current_version(), "method": "paper"})
    assert paper.status_code == 422 and "consent.method" in paper.json["errors"]
    other = world.call("POST", f"/api/v1/volunteers/{world.ids['other_volunteer']}/consents", "volunteer",
                       json={"notice_version": current_version(), "method": "self"})
    assert other.status_code == 404


def test_registration_without_consent_is_refused_naming_the_field_and_writes_nothing(world):
    before = db_fingerprint(world.platform)
    body = volunteer_body(32, world.ids["community"])
    del body["consent"]
    refused = world.call("POST", "/api/v1/volunteers", "admin", json=body)
    assert refused.status_code == 422 and "consent" in refused.json["errors"]
    stale = register(world, "admin", 33, consent={"notice_version": "1999-01", "method": "paper"})
    assert stale.status_code == 422 and "notice_version" in str(stale.json["errors"]["consent"])
    assert db_fingerprint(world.platform) == before


def test_an_under_14_needs_a_guardians_consent(world):
    child = child_id_number()
    without = register(world, "admin", 34, id_number=child)
    assert without.status_code == 422 and "consent.guardian" in without.json["errors"], without.json
    consent = {"notice_version": current_version(), "method": "paper", "guardian": GUARDIAN}
    made = register(world, "admin", 34, id_number=child, consent=consent)
    assert made.status_code == 201, made.json
    [row] = consents(world, made.json["id"])
    assert (row.guardian_name, row.guardian_relation) == ("李建国", "parent")
    assert "13900001111" not in row.guardian_phone_cipher  # stored encrypted
    listed = world.call("GET", f"/api/v1/volunteers/{made.json['id']}/consents", "admin").json
    assert listed[0]["guardian"] == {"name": "李建国", "relation": "parent"}  # the phone is never listed
    # an adult's ID number corrected to a child's needs the guardian first
    adult = world.ids["volunteer"]
    patched = world.call("PATCH", f"/api/v1/volunteers/{adult}", "volunteer", json={"id_number": child_id_number()})
    assert patched.status_code == 422 and "id_number" in patched.json["errors"]


def test_the_privacy_notice_is_public(world):
    notice = world.client.get("/api/v1/privacy-notice")
    assert notice.status_code == 200 and notice.json["version"] == current_version()
    assert "个人信息" in notice.json["text"]
    page = world.client.get("/privacy")
    assert page.status_code == 200 and notice.json["title"] in page.get_data(as_text=True)


# -- access and copy ----------------------------------------------------------------------------
def test_a_volunteer_downloads_everything_held_about_them_and_only_that(world, project_id):  # noqa: F811
    activity = past_activity(world, project_id, days_ago=2)
    record = log(world, activity, 90).json
    review(world, record["id"])
    certificate = world.call("POST", f"/api/v1/volunteers/{world.ids['volunteer']}/certificates", "volunteer", json={})
    assert certificate.status_code == 201
    mine = world.call("GET", "/api/v1/me/export", "volunteer")
    assert mine.status_code == 200
    data = mine.json
    body = volunteer_body(1, world.ids["community"])
    assert data["account"]["username"] == "volunteer" and "password_hash" not in data["account"]
    assert data["volunteer"]["phone"] == body["phone"] and data["volunteer"]["id_number"] == body["id_number"]
    assert [c["method"] for c in data["consents"]] == ["paper"]
    assert [e["action"] for e in data["hours"]["entries"]] == ["record", "verify"]
    assert data["hours"]["chain"]["valid"] is True
    assert [s["activity_id"] for s in data["signups"]] == [activity["id"]]
    assert [c["code"] for c in data["certificates"]] == [certificate.json["code"]]
    audited = {(a["object_type"], a["object_id"]) for a in data["audit"]}
    assert ("hour_entries", str(record["id"])) in audited and ("signups", str(data["signups"][0]["id"])) in audited
    assert data["notice"]["version"] == current_version()

    theirs = world.call("GET", "/api/v1/me/export", "other_volunteer").json
    assert theirs["volunteer"]["id"] == world.ids["other_volunteer"]
    text = str(theirs)
    assert body["phone"] not in text and body["id_number"] not in text and certificate.json["code"] not in text
    assert theirs["hours"]["entries"] == [] and theirs["signups"] == [] and theirs["certificates"] == []


def test_every_role_exports_its_own_account(world):
    for who in ("admin", "community_staff", "org_staff", "social_worker", "auditor"):
        data = world.call("GET", "/api/v1/me/export", who)
        assert data.status_code == 200, (who, data.json)
        assert data.json["account"]["id"] == user_id(world, who) and data.json["volunteer"] is None
    worker = world.call("GET", "/api/v1/me/export", "social_worker").json
    assert worker["social_worker"]["id"] == world.ids["social_worker"]
    assert world.client.get("/api/v1/me/export").status_code == 401


# -- erasure ------------------------------------------------------------------------------------
def test_erasure_anonymises_the_person_and_keeps_the_ledger_and_the_totals(world, project_id):  # noqa: F811
    volunteer = world.ids["volunteer"]
    activity = past_activity(world, project_id, days_ago=2)
    record = log(world, activity, 120).json
    review(world, record["id"])
    code = world.call("POST", f"/api/v1/volunteers/{volunteer}/certificates", "volunteer", json={}).json["code"]
    chain_before = world.call("GET", f"/api/v1/volunteers/{volunteer}/hours/verify-chain", "admin").json
    stats_before = world.call("GET", "/api/v1/stats/linkage", "admin").json
    hours_before = world.call("GET", f"/api/v1/volunteers/{volunteer}/hours", "admin").json

    unconfirmed = world.call("POST", "/api/v1/me/erasure", "volunteer", json={})
    assert unconfirmed.status_code == 422 and "confirm" in unconfirmed.json["errors"]
    assert world.call("POST", "/api/v1/me/erasure", "volunteer", json={"confirm": False}).status_code == 422
    assert world.call("POST", "/api/v1/me/erasure", "org_staff", json={"confirm": True}).status_code == 403
    erased = world.call("POST", "/api/v1/me/erasure", "volunteer", json={"confirm": True})
    assert erased.status_code == 200, erased.json
    assert erased.json["certificates_masked"] == 1 and erased.json["outbox_rows_removed"] >= 1

    with world.platform.read_session() as s:
        row = s.get(Volunteer, volunteer)
        assert (row.name, row.phone_cipher, row.id_number_cipher, row.skills, row.availability, row.active) == \
            ("已注销", "", "", [], [], False)
        assert row.id_number_digest == f"erased:{volunteer}" and row.erased_at is not None
        community = world.call("GET", f"/api/v1/communities/{world.ids['community']}", "admin").json
        assert (row.lat, row.lon) == (community["lat"], community["lon"])
        account = s.scalars(select(User).where(User.volunteer_id == volunteer)).one()
        assert account.active is False and account.username == f"erased-{account.id}"
        rows = list(s.scalars(select(OutboxEvent).where(OutboxEvent.key == f"volunteer:{volunteer}")))
        assert [(r.topic, r.type, r.envelope) for r in rows] == [("linkage.providers", "tombstone", None)]
    # the old token no longer works; the ledger, its totals and the district's figures are unchanged
    assert world.call("GET", "/api/v1/me/export", "volunteer").status_code == 401
    chain_after = world.call("GET", f"/api/v1/volunteers/{volunteer}/hours/verify-chain", "admin").json
    assert chain_after == chain_before and chain_after["valid"] is True
    hours_after = world.call("GET", f"/api/v1/volunteers/{volunteer}/hours", "admin").json
    assert hours_after["verified_minutes"] == hours_before["verified_minutes"] == 120
    stats_after = world.call("GET", "/api/v1/stats/linkage", "admin").json
    for figure in ("volunteer_minutes_recorded", "volunteer_minutes_verified"):
        assert stats_after["indicators"][figure] == stats_before["indicators"][figure] == 120, figure
    public = world.client.get(f"/api/v1/certificates/{code}").json
    assert public["status"] == "valid" and public["volunteer_name"] == "已注销"
    # gone for good: nothing more to erase, and the profile cannot be filled in again
    assert world.call("POST", f"/api/v1/volunteers/{volunteer}/erasure", "admin",
                      json={"confirm": True, "reason": "本人书面申请"}).status_code == 409
    assert world.call("PATCH", f"/api/v1/volunteers/{volunteer}", "admin", json={"name": "李明"}).status_code == 409


def test_the_district_erases_a_volunteer_on_a_recorded_ground(world):
    other = world.ids["other_volunteer"]
    path = f"/api/v1/volunteers/{other}/erasure"
    assert world.call("POST", path, "community_staff", json={"confirm": True, "reason": "x"}).status_code == 403
    assert world.call("POST", path, "volunteer", json={"confirm": True, "reason": "x"}).status_code == 403
    no_ground = world.call("POST", path, "admin", json={"confirm": True})
    assert no_ground.status_code == 422 and "reason" in no_ground.json["errors"]
    done = world.call("POST", path, "admin", json={"confirm": True, "reason": "本人书面申请 2025-03-01"})
    assert done.status_code == 200 and done.json["volunteer_id"] == other
    listed = world.call("GET", "/api/v1/volunteers", "admin").json
    assert other not in [v["id"] for v in listed["items"]]
