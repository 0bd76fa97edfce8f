"""Volunteer hours at the service: logging, review by someone else, disputes, corrections, the hash chain."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from linkage.errors import Conflict, Forbidden, InvalidInput, NotFound
from linkage.models import HourEntry
from linkage.services.hours import (
    chain_head,
    correct_hours,
    dispute_hours,
    entry_record,
    get_record,
    list_records,
    log_hours,
    read_record,
    read_volunteer,
    review_hours,
    status_of,
    verify_chain,
    volunteer_hours,
)
from tests.factories import ADMIN


@pytest.fixture
def scene(build):
    """A past activity of a running project; a signed-up volunteer; the organization's and community's staff."""
    scene = build.parties(project="in_progress")
    activity = build.past_activity(scene["project"], ended_hours_ago=2, hours_long=3)
    volunteer = build.volunteer(scene["community"])
    build.signup(activity, volunteer)
    return {**scene, "activity": activity, "volunteer": volunteer, "me": build.volunteer_actor(volunteer)}


def _log(act, scene, actor=None, minutes=120, offset=0, **over):
    start = scene["activity"].starts_at + timedelta(minutes=offset)
    data = {"activity_id": scene["activity"].id, "volunteer_id": scene["volunteer"].id, "starts_at": start,
            "ends_at": start + timedelta(minutes=minutes), "content": "陪同复诊", "reason": "现场未签到", **over}
    return act(log_hours, actor or scene["me"], data)


def _status(read, entry):
    with read() as s:
        return status_of(s, s.get(HourEntry, entry.id)).value


def test_a_volunteer_logs_their_own_service_pending_review(scene, act, read):
    entry = _log(act, scene)
    assert (entry.minutes, entry.source, entry.seq, entry.action) == (120, "self", 1, "record")
    assert _status(read, entry) == "pending"
    assert entry_record(entry)["hash"] == entry.hash


def test_the_organization_enters_hours_for_a_volunteer(scene, act):
    entry = _log(act, scene, actor=scene["org_staff"])
    assert entry.source == "org_entry"


def test_nobody_else_logs_hours_and_only_for_a_signed_up_volunteer(scene, build, act, unchanged):
    stranger = build.volunteer(scene["community"])
    outsiders = (scene["community_staff"], build.org_staff(build.organization()))
    with unchanged():
        for outsider in outsiders:
            with pytest.raises(Forbidden):
                _log(act, scene, actor=outsider)
        with pytest.raises(Conflict):
            _log(act, scene, actor=scene["org_staff"], volunteer_id=stranger.id)
        with pytest.raises(InvalidInput):
            _log(act, scene, activity_id=987654)


@pytest.mark.parametrize("offset, minutes, field", [
    (-120, 60, "starts_at"),     # starts two hours before the activity
    (0, 0, "ends_at"),           # an empty window
    (0, 5 * 60, "starts_at"),    # ends two hours after the activity (slack is one)
])
def test_records_outside_the_rules_are_refused(scene, act, unchanged, offset, minutes, field):
    with unchanged(), pytest.raises(InvalidInput) as caught:
        _log(act, scene, offset=offset, minutes=minutes)
    assert field in caught.value.errors


def test_hours_are_recorded_after_the_service_not_before(scene, build, act, unchanged):
    upcoming = build.activity(scene["project"])
    build.signup(upcoming, scene["volunteer"])
    with unchanged(), pytest.raises(InvalidInput):
        act(log_hours, scene["me"], {"activity_id": upcoming.id, "starts_at": upcoming.starts_at,
                                     "ends_at": upcoming.ends_at})


def test_overlapping_records_are_refused(scene, act, unchanged):
    _log(act, scene, minutes=60)
    with unchanged(), pytest.raises(Conflict):
        _log(act, scene, offset=30, minutes=60)
    assert _log(act, scene, offset=60, minutes=60).seq == 2  # right after it is fine


def test_staff_verify_or_reject_but_never_their_own_entry(scene, build, act, read, unchanged):
    entered = _log(act, scene, actor=scene["org_staff"], minutes=60)
    with unchanged(), pytest.raises(Forbidden):  # 职责分离: who logged it does not verify it
        act(review_hours, scene["org_staff"], entered.id, "verify")
    colleague = build.org_staff(scene["organization"])
    review = act(review_hours, colleague, entered.id, "verify")
    assert (review.action, review.target_id) == ("verify", entered.id)
    assert _status(read, entered) == "verified"
    own = _log(act, scene, offset=60, minutes=60)
    with unchanged():
        with pytest.raises(Forbidden):
            act(review_hours, scene["me"], own.id, "verify")
        with pytest.raises(InvalidInput):  # a rejection says why
            act(review_hours, scene["community_staff"], own.id, "reject", " ")
    act(review_hours, scene["community_staff"], own.id, "reject", "时间与签到不符")
    assert _status(read, own) == "rejected"


def test_a_reviewed_record_is_not_reviewed_again_and_outsiders_never_review(scene, build, act, unchanged):
    entry = _log(act, scene)
    outsider = build.community_staff(build.community())
    with unchanged(), pytest.raises(Forbidden):
        act(review_hours, outsider, entry.id, "verify")
    act(review_hours, scene["org_staff"], entry.id, "verify")
    with unchanged(), pytest.raises(Conflict):
        act(review_hours, scene["community_staff"], entry.id, "reject", "改判")
    with pytest.raises(NotFound):
        act(review_hours, ADMIN, 123456, "verify")


def test_the_volunteer_disputes_a_decision_and_it_is_reviewed_again(scene, act, read, unchanged):
    entry = _log(act, scene)
    act(review_hours, scene["org_staff"], entry.id, "reject", "未签到")
    with unchanged(), pytest.raises(Forbidden):
        act(dispute_hours, scene["org_staff"], entry.id, "我在场")
    act(dispute_hours, scene["me"], entry.id, "我在场，有照片")
    assert _status(read, entry) == "disputed"
    with unchanged(), pytest.raises(Conflict):
        act(dispute_hours, scene["me"], entry.id, "再次申诉")
    act(review_hours, scene["community_staff"], entry.id, "verify")
    assert _status(read, entry) == "verified"


def test_a_correction_supersedes_the_record_and_may_reverse_it(scene, act, read, unchanged):
    entry = _log(act, scene, minutes=120)
    with unchanged(), pytest.raises(Forbidden):
        act(correct_hours, scene["community_staff"], entry.id, {"reason": "更正"})
    fixed = act(correct_hours, scene["org_staff"], entry.id,
                {"reason": "实际服务90分钟", "ends_at": entry.starts_at + timedelta(minutes=90)})
    assert (fixed.minutes, fixed.target_id, fixed.action) == (90, entry.id, "correct")
    assert (_status(read, entry), _status(read, fixed)) == ("superseded", "pending")
    with unchanged(), pytest.raises(Conflict):  # correct the replacement, not the replaced
        act(correct_hours, scene["org_staff"], entry.id, {"reason": "再改"})
    act(correct_hours, scene["org_staff"], fixed.id, {"reason": "重复录入", "reverse": True})
    assert _status(read, fixed) == "reversed"
    with read() as s:
        assert volunteer_hours(s, scene["volunteer"].id, [10, 20])["total_minutes"] == 0


def test_totals_count_standing_minutes_and_verified_ones_per_year(scene, act, read):
    a = _log(act, scene, minutes=60)
    _log(act, scene, offset=60, minutes=90)
    act(review_hours, scene["org_staff"], a.id, "verify")
    with read() as s:
        summary = volunteer_hours(s, scene["volunteer"].id, [1, 20, 100])
    assert (summary["total_minutes"], summary["verified_minutes"], summary["verified_hours"]) == (150, 60, 1.0)
    assert sum(y["verified_minutes"] for y in summary["per_year"]) == 60
    assert summary["star_level"] == 1
    assert [r["status"] for r in summary["records"]] == ["verified", "pending"]


def test_the_chain_verifies_until_someone_edits_a_row(scene, act, platform, read):
    entry = _log(act, scene)
    act(review_hours, scene["org_staff"], entry.id, "verify")
    with read() as s:
        verdict = verify_chain(s, scene["volunteer"].id)
        assert (verdict["valid"], verdict["entries"], verdict["first_bad_seq"]) == (True, 2, None)
        assert chain_head(s, scene["volunteer"].id)["seq"] == 2
        assert chain_head(s, scene["volunteer"].id, seq=1)["hash"] == entry.hash
    with platform.write_sessions() as s:  # tampering behind the service's back
        s.execute(update(HourEntry).where(HourEntry.id == entry.id).values(minutes=600))
        s.commit()
    with read() as s:
        verdict = verify_chain(s, scene["volunteer"].id)
    assert (verdict["valid"], verdict["first_bad_entry_id"], verdict["first_bad_seq"]) == (False, entry.id, 1)


def test_who_sees_which_records(scene, build, act, read):
    entry = _log(act, scene)
    stranger = build.volunteer_actor(build.volunteer(scene["community"]))
    other_org = build.org_staff(build.organization())
    with read() as s:
        for viewer in (scene["me"], scene["org_staff"], scene["community_staff"], ADMIN):
            assert read_record(s, viewer, entry.id).id == entry.id
            assert [r["id"] for r in list_records(s, viewer)[0]] == [entry.id]
            assert read_volunteer(s, viewer, scene["volunteer"].id).id == scene["volunteer"].id
        for outsider in (stranger, other_org):
            with pytest.raises(NotFound):
                read_record(s, outsider, entry.id)
            assert list_records(s, outsider) == ([], 0)
        with pytest.raises(NotFound):
            read_volunteer(s, other_org, scene["volunteer"].id)
        assert list_records(s, ADMIN, status="verified") == ([], 0)
        assert [r["id"] for r in list_records(s, ADMIN, volunteer_id=scene["volunteer"].id,
                                              project_id=scene["project"].id)[0]] == [entry.id]


def test_a_review_entry_is_not_a_record(scene, act, read):
    entry = _log(act, scene)
    review = act(review_hours, scene["org_staff"], entry.id, "verify")
    with read() as s:
        with pytest.raises(NotFound):
            get_record(s, review.id)
        assert [e.seq for e in s.scalars(select(HourEntry).order_by(HourEntry.seq))] == [1, 2]


def test_the_organization_says_whose_hours_it_enters(scene, act, unchanged):
    start = scene["activity"].starts_at
    with unchanged(), pytest.raises(InvalidInput) as caught:
        act(log_hours, scene["org_staff"], {"activity_id": scene["activity"].id, "starts_at": start,
                                            "ends_at": start + timedelta(hours=1)})
    assert "volunteer_id" in caught.value.errors


def _local_midnight(days_ago: int):
    from datetime import datetime

    from linkage.services.hours import LOCAL_TZ
    day = datetime.now(LOCAL_TZ).date() - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ)


def test_no_record_over_24_hours_and_no_more_than_24_hours_a_day(build, act, read, unchanged):
    project = build.project(status="in_progress")
    midnight = _local_midnight(3)
    # A two-day camp: one activity from local midnight for 26 hours.
    camp = build.activity(project, starts_at=midnight, hours_long=26, title="防汛值守")
    volunteer = build.volunteer()
    build.signup(camp, volunteer)

    def log(start, hours):
        return act(log_hours, ADMIN, {"activity_id": camp.id, "volunteer_id": volunteer.id,
                                      "starts_at": start, "ends_at": start + timedelta(hours=hours),
                                      "reason": "值守日志补录"})
    with unchanged(), pytest.raises(InvalidInput) as caught:
        log(midnight, 25)
    assert "ends_at" in caught.value.errors
    log(midnight, 12)
    with unchanged(), pytest.raises(InvalidInput) as caught:  # starts the same day: 12 + 13 > 24
        log(midnight + timedelta(hours=12), 13)
    assert "minutes" in caught.value.errors
    assert log(midnight + timedelta(hours=12), 11).minutes == 11 * 60
    with read() as s:
        assert volunteer_hours(s, volunteer.id, [10])["total_minutes"] == 23 * 60


def test_a_rejected_record_no_longer_blocks_its_time(scene, act):
    entry = _log(act, scene, minutes=60)
    act(review_hours, scene["org_staff"], entry.id, "reject", "重复录入")
    assert _log(act, scene, minutes=60).seq == 3  # the same hour again, after the record and its rejection


def test_a_correction_keeps_the_rules_against_the_volunteer_s_other_records(scene, act, unchanged):
    first = _log(act, scene, minutes=60)
    _log(act, scene, offset=60, minutes=60)
    with unchanged(), pytest.raises(Conflict):  # stretched over the second record
        act(correct_hours, scene["org_staff"], first.id,
            {"reason": "延长", "ends_at": first.starts_at + timedelta(minutes=90)})
    moved = act(correct_hours, ADMIN, first.id, {"reason": "内容更正", "content": "陪同复诊并取药"})
    assert (moved.minutes, moved.content) == (60, "陪同复诊并取药")


def test_a_verified_record_may_be_disputed_and_a_correction_is_reviewed_like_any_record(scene, act, read):
    entry = _log(act, scene, minutes=120)
    act(review_hours, scene["community_staff"], entry.id, "verify")
    act(dispute_hours, scene["me"], entry.id, "实际服务150分钟")
    assert _status(read, entry) == "disputed"
    fixed = act(correct_hours, scene["org_staff"], entry.id,
                {"reason": "按申诉更正", "ends_at": entry.starts_at + timedelta(minutes=150)})
    assert (_status(read, entry), _status(read, fixed)) == ("superseded", "pending")
    act(review_hours, scene["community_staff"], fixed.id, "verify")
    with read() as s:
        summary = volunteer_hours(s, scene["volunteer"].id, [1])
    assert (summary["verified_minutes"], summary["total_minutes"]) == (150, 150)
    assert [r["status"] for r in summary["records"]] == ["superseded", "verified"]
