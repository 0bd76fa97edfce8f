"""Volunteer hours: log, verify, reject, dispute, correct; star levels; tamper-evidence; certificates."""
from __future__ import annotations

import re
import subprocess
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from tests.integration.api.conftest import db_fingerprint, need_body

DAY = timedelta(days=1)


@pytest.fixture
def project_id(world):
    need = world.call("POST", "/api/v1/needs", "community_staff", json=need_body(world.ids["community"])).json
    claim = world.call("POST", f"/api/v1/needs/{need['id']}/claims", "org_staff", json={"plan": "派志愿者上门陪护"}).json
    return world.call("POST", f"/api/v1/claims/{claim['id']}/decision", "community_staff",
                      json={"decision": "approve"}).json["project_id"]


def past_activity(world, project_id, days_ago: int, hours: float = 3, signup=True) -> dict:
    start = (datetime.now(timezone.utc) - days_ago * DAY).replace(microsecond=0)
    activity = world.call("POST", f"/api/v1/projects/{project_id}/activities", "org_staff", json={
        "title": "助老服务", "place": "社区服务站", "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=hours)).isoformat(), "slots": 5}).json
    if signup:
        r = world.call("POST", f"/api/v1/activities/{activity['id']}/signups", "org_staff",
                       json={"volunteer_id": world.ids["volunteer"]})
        assert r.status_code == 201, r.json
    activity["start"] = start
    return activity


def log(world, activity, minutes: int, offset_minutes: int = 0, who="volunteer", **extra):
    start = activity["start"] + timedelta(minutes=offset_minutes)
    return world.call("POST", "/api/v1/hours", who, json={
        "activity_id": activity["id"], "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(minutes=minutes)).isoformat(), "content": "陪老人聊天、读报", **extra})


def review(world, entry_id, decision="verify", who="org_staff", note=""):
    return world.call("POST", f"/api/v1/hours/{entry_id}/verification", who, json={"decision": decision, "note": note})


def totals(world):
    return world.call("GET", f"/api/v1/volunteers/{world.ids['volunteer']}/hours", "volunteer").json


def test_a_volunteer_logs_their_own_hours_and_the_organization_verifies_them(world, project_id):
    activity = past_activity(world, project_id, days_ago=2)
    record = log(world, activity, 120)
    assert record.status_code == 201, record.json
    assert record.json["status"] == "pending" and record.json["source"] == "self" and record.json["minutes"] == 120
    assert totals(world)["verified_minutes"] == 0 and totals(world)["total_minutes"] == 120
    assert review(world, record.json["id"], who="volunteer").status_code == 403  # never their own
    assert review(world, record.json["id"], who="other_org_staff").status_code == 403
    verified = review(world, record.json["id"])
    assert verified.status_code == 200 and verified.json["status"] == "verified"
    assert review(world, record.json["id"]).status_code == 409
    summary = totals(world)
    assert summary["verified_minutes"] == 120 and summary["per_year"][0]["verified_minutes"] == 120


def test_the_community_may_reject_with_a_reason_and_the_volunteer_disputes(world, project_id):
    activity = past_activity(world, project_id, days_ago=3)
    record = log(world, activity, 90).json
    assert review(world, record["id"], "reject", who="community_staff").status_code == 422  # no reason
    rejected = review(world, record["id"], "reject", who="community_staff", note="签到表上没有此人")
    assert rejected.json["status"] == "rejected"
    assert world.call("POST", f"/api/v1/hours/{record['id']}/disputes", "other_volunteer",
                      json={"reason": "不是我的"}).status_code == 403
    disputed = world.call("POST", f"/api/v1/hours/{record['id']}/disputes", "volunteer",
                          json={"reason": "我在场，有照片为证"})
    assert disputed.status_code == 200 and disputed.json["status"] == "disputed"
    assert review(world, record["id"]).json["status"] == "verified"  # re-reviewed after the dispute


def test_a_correction_replaces_or_reverses_a_record_and_keeps_the_original(world, project_id):
    activity = past_activity(world, project_id, days_ago=4)
    record = log(world, activity, 150).json
    review(world, record["id"])
    assert world.call("POST", f"/api/v1/hours/{record['id']}/corrections", "volunteer",
                      json={"reason": "多记了", "ends_at": (activity["start"] + timedelta(minutes=60)).isoformat()}).status_code == 403
    fixed = world.call("POST", f"/api/v1/hours/{record['id']}/corrections", "org_staff",
                       json={"reason": "实际服务1小时", "ends_at": (activity["start"] + timedelta(minutes=60)).isoformat()})
    assert fixed.status_code == 201 and fixed.json["minutes"] == 60 and fixed.json["target_id"] == record["id"]
    assert world.call("GET", f"/api/v1/hours/{record['id']}", "org_staff").json["status"] == "superseded"
    assert totals(world)["verified_minutes"] == 0  # the replacement needs its own verification
    assert review(world, fixed.json["id"]).status_code == 403  # by someone other than who entered it
    review(world, fixed.json["id"], who="community_staff")
    assert totals(world)["verified_minutes"] == 60
    reversed_ = world.call("POST", f"/api/v1/hours/{fixed.json['id']}/corrections", "org_staff",
                           json={"reason": "活动取消，误录", "reverse": True})
    assert reversed_.status_code == 201
    assert world.call("GET", f"/api/v1/hours/{fixed.json['id']}", "org_staff").json["status"] == "reversed"
    summary = totals(world)
    assert summary["verified_minutes"] == 0
    assert [r["status"] for r in summary["records"]] == ["superseded", "reversed"]


def test_the_recording_rules_refuse_overlaps_the_future_and_more_than_a_day(world, project_id):
    activity = past_activity(world, project_id, days_ago=5, hours=6)
    upcoming = past_activity(world, project_id, days_ago=-1)
    unsigned = past_activity(world, project_id, days_ago=6, signup=False)
    assert log(world, activity, 120).status_code == 201
    before = db_fingerprint(world.platform)
    overlap = log(world, activity, 60, offset_minutes=60)
    assert overlap.status_code == 409 and "starts_at" in overlap.json["errors"]
    assert log(world, upcoming, 60).status_code == 422
    assert log(world, unsigned, 60).status_code == 409
    assert log(world, activity, 120, who="other_volunteer").status_code == 409  # never signed up
    assert db_fingerprint(world.platform) == before
    long_activity = past_activity(world, project_id, days_ago=8, hours=30)
    assert log(world, long_activity, 24 * 60 + 1).status_code == 422


def test_records_that_no_longer_stand_free_their_time_and_the_limit_is_per_local_day(world, project_id):
    # The rules read only the records near the new one (and what was done to them): this pins
    # down that a rejected, replaced or reversed record stops counting, and that the 24 h
    # limit adds up the records that start on the same day in Beijing time.
    local = ZoneInfo("Asia/Shanghai")
    midnight = (datetime.now(local) - 12 * DAY).replace(hour=0, minute=0, second=0, microsecond=0)
    activity = world.call("POST", f"/api/v1/projects/{project_id}/activities", "org_staff", json={
        "title": "通宵陪护", "place": "社区服务站", "starts_at": midnight.isoformat(),
        "ends_at": (midnight + timedelta(hours=27)).isoformat(), "slots": 5}).json
    assert world.call("POST", f"/api/v1/activities/{activity['id']}/signups", "org_staff",
                      json={"volunteer_id": world.ids["volunteer"]}).status_code == 201
    activity["start"] = midnight
    morning = log(world, activity, 720).json                                   # 00:00–12:00
    afternoon = log(world, activity, 660, offset_minutes=720).json             # 12:00–23:00
    assert log(world, activity, 90, offset_minutes=23 * 60).status_code == 422  # 1,470 min that day
    assert log(world, activity, 50, offset_minutes=23 * 60).status_code == 201  # 1,430 min
    assert log(world, activity, 60, offset_minutes=24 * 60).status_code == 201  # the next day
    assert log(world, activity, 60, offset_minutes=600).status_code == 409      # overlaps the morning
    review(world, afternoon["id"], "reject", who="community_staff", note="当天未到岗")
    assert log(world, activity, 660, offset_minutes=720).status_code == 201     # the rejected one is gone
    reversal = world.call("POST", f"/api/v1/hours/{morning['id']}/corrections", "org_staff",
                          json={"reason": "误录", "reverse": True})
    assert reversal.status_code == 201
    assert log(world, activity, 700).status_code == 201                        # the reversed one too


def test_the_records_list_shows_each_record_s_current_status_and_filters_by_it(world, project_id):
    activity = past_activity(world, project_id, days_ago=14, hours=6)
    verified = log(world, activity, 60).json
    rejected = log(world, activity, 60, offset_minutes=90).json
    pending = log(world, activity, 60, offset_minutes=180).json
    review(world, verified["id"])
    review(world, rejected["id"], "reject", note="未签到")
    listed = world.call("GET", f"/api/v1/hours?project_id={project_id}", "org_staff").json
    assert {r["id"]: r["status"] for r in listed} == {
        verified["id"]: "verified", rejected["id"]: "rejected", pending["id"]: "pending"}
    only = world.call("GET", f"/api/v1/hours?project_id={project_id}&status=rejected", "org_staff").json
    assert [r["id"] for r in only] == [rejected["id"]]


def test_the_star_level_moves_at_exactly_one_hundred_verified_hours(world, project_id):
    # Five 20-hour services on five days (within the 24 h daily limit), the last one minute short.
    records = []
    for day, minutes in enumerate([1200, 1200, 1200, 1200, 1199]):
        activity = past_activity(world, project_id, days_ago=20 + day, hours=21)
        records.append(log(world, activity, minutes).json)
    extra = log(world, past_activity(world, project_id, days_ago=30, hours=2), 1).json
    for record in records:
        review(world, record["id"])
    summary = totals(world)
    assert summary["verified_minutes"] == 99 * 60 + 59
    assert summary["star_level"] == 0                      # 99 h 59 min
    assert summary["total_minutes"] == 100 * 60            # the unverified minute is not counted
    review(world, extra["id"])
    assert totals(world)["star_level"] == 1                # exactly 100 h


def test_a_row_changed_in_the_database_breaks_the_chain_at_that_entry(world, project_id):
    activity = past_activity(world, project_id, days_ago=2)
    first = log(world, activity, 60).json
    second = log(world, activity, 60, offset_minutes=90).json
    review(world, first["id"])
    path = f"/api/v1/volunteers/{world.ids['volunteer']}/hours/verify-chain"
    assert world.call("GET", path, "auditor").json == {"volunteer_id": world.ids["volunteer"], "valid": True,
                                                      "entries": 3, "first_bad_entry_id": None, "first_bad_seq": None}
    with world.platform.engine.begin() as conn:  # someone edits the database behind the platform's back
        conn.execute(text("UPDATE hour_entries SET minutes = 600 WHERE id = :id"), {"id": second["id"]})
    check = world.call("GET", path, "auditor").json
    assert check["valid"] is False and check["first_bad_entry_id"] == second["id"]


def test_a_tampered_ledger_refuses_new_certificates_and_unmasks_old_ones(world, project_id):
    volunteer = world.ids["volunteer"]
    activity = past_activity(world, project_id, days_ago=2)
    first = log(world, activity, 60).json
    review(world, first["id"])
    issued = world.call("POST", f"/api/v1/volunteers/{volunteer}/certificates", "volunteer", json={})
    assert issued.status_code == 201, issued.json
    code = issued.json["code"]
    assert world.client.get(f"/api/v1/certificates/{code}").json["status"] == "valid"

    with world.platform.engine.begin() as conn:  # someone gives the volunteer ten hours behind our back
        conn.execute(text("UPDATE hour_entries SET minutes = 600 WHERE id = :id"), {"id": first["id"]})
    before = db_fingerprint(world.platform)
    refused = world.call("POST", f"/api/v1/volunteers/{volunteer}/certificates", "volunteer", json={})
    assert refused.status_code == 409, refused.json
    assert f"first bad entry {first['id']}" in refused.json["errors"]["ledger"][0]
    assert db_fingerprint(world.platform) == before  # nothing issued
    check = world.client.get(f"/api/v1/certificates/{code}").json  # the public check, no login
    assert check["valid"] is False and check["status"] == "ledger_mismatch"
    assert "账本不再一致" in world.client.get(f"/verify/{code}").get_data(as_text=True)


def test_a_chain_rewritten_consistently_no_longer_matches_the_certificate_issued_on_it(world, project_id):
    """Recomputing every hash after an edit makes the chain verify again, but not the head a
    certificate pinned when it was issued."""
    from linkage.models import HourEntry

    volunteer = world.ids["volunteer"]
    activity = past_activity(world, project_id, days_ago=2)
    review(world, log(world, activity, 60).json["id"])
    code = world.call("POST", f"/api/v1/volunteers/{volunteer}/certificates", "volunteer", json={}).json["code"]
    with world.platform.uow() as uow:
        previous = None
        for entry in uow.session.query(HourEntry).filter_by(volunteer_id=volunteer).order_by(HourEntry.seq):
            if entry.seq == 1:
                entry.minutes = 600
            if previous is not None:
                entry.prev_hash = previous
            entry.hash = entry.compute_hash()
            previous = entry.hash
        uow.commit()
    chain = world.call("GET", f"/api/v1/volunteers/{volunteer}/hours/verify-chain", "auditor").json
    assert chain["valid"] is True
    assert world.client.get(f"/api/v1/certificates/{code}").json["status"] == "ledger_mismatch"


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_a_certificate_holds_the_four_parts_verifies_publicly_and_can_be_revoked(world, project_id, tmp_path):
    volunteer = world.ids["volunteer"]
    assert world.call("POST", f"/api/v1/volunteers/{volunteer}/certificates", "volunteer", json={}).status_code == 409
    activity = past_activity(world, project_id, days_ago=2)
    review(world, log(world, activity, 150).json["id"])
    assert world.call("POST", f"/api/v1/volunteers/{volunteer}/certificates", "other_volunteer", json={}).status_code == 403
    issued = world.call("POST", f"/api/v1/volunteers/{volunteer}/certificates", "volunteer", json={},
                        headers={"Accept": "application/pdf"})
    assert issued.status_code == 201 and issued.mimetype == "application/pdf"
    code = issued.headers["X-Certificate-Code"]
    content = _pdf_text(issued.data, tmp_path)
    for expected in ("志愿服务记录证明", "累计志愿服务时间：2.5 小时（均已核实）", code, "李明", "1201**********", "居民身份证",
                     "滨海新区乐龄养老服务中心1", "出具日期", f"V{volunteer:08d}",
                     "信用时长 0.0 小时", "荣誉时长 2.5 小时"):  # self-reported: honour hours
        assert expected in content, (expected, content)
    assert re.search(r"出具日期：\d{4}年\d{1,2}月\d{1,2}日", content), content  # a formal date has its year
    check = world.client.get(f"/api/v1/certificates/{code}")  # no login
    assert check.status_code == 200 and check.json["valid"] is True and check.json["volunteer_name"] == "李*"
    assert check.json["verified_hours"] == 2.5
    assert "有效证明" in world.client.get(f"/verify/{code}").get_data(as_text=True)
    pdf_again = world.call("GET", f"/api/v1/volunteers/{volunteer}/certificates/{code}.pdf", "volunteer")
    assert pdf_again.status_code == 200 and code in _pdf_text(pdf_again.data, tmp_path)
    assert world.call("GET", f"/api/v1/volunteers/{volunteer}/certificates/{code}.pdf", "other_volunteer").status_code == 404
    assert world.call("POST", f"/api/v1/certificates/{code}/revocation", "volunteer", json={"reason": "x错"}).status_code == 403
    revoked = world.call("POST", f"/api/v1/certificates/{code}/revocation", "org_staff", json={"reason": "记录有误，重新出具"})
    assert revoked.status_code == 200 and revoked.json["status"] == "revoked"
    check = world.client.get(f"/api/v1/certificates/{code}").json
    assert check["valid"] is False and check["revoked_reason"] == "记录有误，重新出具"
    assert "已撤销" in world.client.get(f"/verify/{code}").get_data(as_text=True)
    assert world.client.get("/api/v1/certificates/ZYNOSUCHCODE").status_code == 404


def test_staff_entries_need_a_reason_and_the_totals_tell_credit_from_honour(world, project_id):
    activity = past_activity(world, project_id, days_ago=2, hours=2)
    before = db_fingerprint(world.platform)
    bare = log(world, activity, 60, who="org_staff", volunteer_id=world.ids["volunteer"])
    assert bare.status_code == 422 and list(bare.json["errors"]) == ["reason"], bare.json
    too_long = log(world, activity, 150, offset_minutes=-30, who="org_staff", volunteer_id=world.ids["volunteer"],
                   reason="纸质签到表补录")
    assert too_long.status_code == 422 and list(too_long.json["errors"]) == ["ends_at"], too_long.json
    assert db_fingerprint(world.platform) == before
    entered = log(world, activity, 60, who="org_staff", volunteer_id=world.ids["volunteer"], reason="纸质签到表补录")
    assert entered.status_code == 201 and entered.json["reason"] == "纸质签到表补录", entered.json
    review(world, entered.json["id"], who="community_staff")
    summary = totals(world)
    assert summary["credit"] == {"minutes": 0, "verified_minutes": 0}
    assert summary["honour"] == {"minutes": 60, "verified_minutes": 60}
