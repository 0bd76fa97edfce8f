"""Activities at the service: scheduling, sign-ups (no overbooking, no double-booking), check-in and check-out."""
from __future__ import annotations

from datetime import timedelta

import pytest

from linkage.errors import Conflict, Forbidden, InvalidInput, NotFound
from linkage.models import Signup, utcnow
from linkage.services.activities import (
    activity_record,
    cancel_signup,
    check_in,
    check_out,
    list_activities,
    read_signups,
    schedule_activity,
    sign_up,
    signup_record,
    signups_for,
    taken_slots,
)
from linkage.services.hours import status_of
from linkage.services.providers import deactivate_provider
from tests.factories import ADMIN


@pytest.fixture
def scene(build):
    """A running project of an organization, its staff, an upcoming activity, two volunteers."""
    scene = build.parties(project="in_progress")
    volunteer, other = build.volunteer(scene["community"]), build.volunteer(scene["community"])
    return {**scene, "activity": build.activity(scene["project"], slots=2),
            "volunteer": volunteer, "other_volunteer": other,
            "me": build.volunteer_actor(volunteer), "them": build.volunteer_actor(other)}


def _window(hours_from_now: float, long: float = 2):
    start = utcnow() + timedelta(hours=hours_from_now)
    return {"title": "助老活动", "place": "社区活动室", "starts_at": start, "ends_at": start + timedelta(hours=long),
            "slots": 5, "skills_wanted": []}


def test_the_organization_schedules_activities_of_its_running_project(scene, act, read):
    activity = act(schedule_activity, scene["org_staff"], scene["project"].id, _window(48))
    assert activity_record(activity, 0)["taken"] == 0
    with read() as s:
        listed = list_activities(s, scene["project"].id)
    assert [(a.id, taken) for a, taken in listed] == [(scene["activity"].id, 0), (activity.id, 0)]


def test_others_cannot_schedule_and_bad_windows_are_refused(scene, build, act, unchanged):
    outsider = build.org_staff(build.organization())
    with unchanged():
        for actor in (outsider, scene["me"]):
            with pytest.raises(Forbidden):
                act(schedule_activity, actor, scene["project"].id, _window(48))
        with pytest.raises(InvalidInput):
            act(schedule_activity, ADMIN, scene["project"].id, _window(48, long=0))
        with pytest.raises(NotFound):
            act(schedule_activity, ADMIN, 1234, _window(48))


def test_a_completed_project_takes_no_new_activities(build, act, unchanged):
    project = build.project(status="completed")
    with unchanged(), pytest.raises(Conflict):
        act(schedule_activity, ADMIN, project.id, _window(48))


def test_a_volunteer_signs_up_once_and_takes_a_slot(scene, act, read, unchanged):
    signup = act(sign_up, scene["me"], scene["activity"].id)
    assert signup_record(signup) == {"id": signup.id, "activity_id": scene["activity"].id,
                                     "volunteer_id": scene["volunteer"].id, "status": "signed_up",
                                     "previous_status": None}
    with unchanged(), pytest.raises(Conflict):
        act(sign_up, scene["me"], scene["activity"].id)
    with read() as s:
        assert taken_slots(s, scene["activity"].id) == 1


def test_an_activity_is_never_overbooked(scene, build, act, read):
    act(sign_up, scene["me"], scene["activity"].id)
    act(sign_up, scene["them"], scene["activity"].id)
    third = build.volunteer_actor(build.volunteer(scene["community"]))
    assert act(sign_up, third, scene["activity"].id).status == "waitlisted"  # 候补: holds no slot
    with read() as s:
        assert taken_slots(s, scene["activity"].id) == 2


def test_a_volunteer_cannot_be_in_two_overlapping_activities(scene, build, act, unchanged):
    act(sign_up, scene["me"], scene["activity"].id)
    start = scene["activity"].starts_at + timedelta(hours=1)
    overlapping = build.activity(scene["project"], starts_at=start)
    with unchanged(), pytest.raises(Conflict) as caught:
        act(sign_up, scene["me"], overlapping.id)
    assert "activity_id" in caught.value.errors
    later = build.activity(scene["project"], starts_at=scene["activity"].ends_at)  # back to back is fine
    assert act(sign_up, scene["me"], later.id).status == "signed_up"


def test_a_volunteer_signs_up_only_themselves(scene, act, unchanged):
    with unchanged(), pytest.raises(Forbidden):
        act(sign_up, scene["me"], scene["activity"].id, scene["other_volunteer"].id)


def test_the_organization_adds_a_walk_in_also_after_the_activity(scene, build, act, unchanged):
    past = build.past_activity(scene["project"])
    with unchanged(), pytest.raises(Conflict):  # the volunteer themself is too late
        act(sign_up, scene["me"], past.id)
    assert act(sign_up, scene["org_staff"], past.id, scene["volunteer"].id).status == "signed_up"
    with pytest.raises(InvalidInput):  # the organization must say who
        act(sign_up, scene["org_staff"], past.id)


def test_an_inactive_volunteer_or_a_cancelled_project_takes_no_sign_up(scene, build, act, unchanged):
    act(deactivate_provider, ADMIN, "volunteer", scene["other_volunteer"].id)
    with unchanged(), pytest.raises(InvalidInput):
        act(sign_up, scene["them"], scene["activity"].id)
    from linkage.services.projects import transition_project
    act(transition_project, ADMIN, scene["project"].id, "cancelled", "取消")
    with unchanged(), pytest.raises(Conflict):
        act(sign_up, scene["me"], scene["activity"].id)
    with pytest.raises(NotFound):
        act(sign_up, scene["me"], 4444)


def test_a_sign_up_is_cancelled_by_the_volunteer_or_the_organization_and_frees_the_slot(scene, act, read, unchanged):
    mine = act(sign_up, scene["me"], scene["activity"].id)
    with unchanged(), pytest.raises(Forbidden):
        act(cancel_signup, scene["them"], mine.id)
    assert act(cancel_signup, scene["me"], mine.id).status == "cancelled"
    with unchanged(), pytest.raises(Conflict):
        act(cancel_signup, scene["org_staff"], mine.id)
    with read() as s:
        assert taken_slots(s, scene["activity"].id) == 0
    again = act(sign_up, scene["me"], scene["activity"].id)
    assert act(cancel_signup, scene["org_staff"], again.id).status == "cancelled"
    with pytest.raises(NotFound):
        act(cancel_signup, ADMIN, 9999)


def test_check_in_and_out_records_pending_hours(scene, build, act, read):
    past = build.past_activity(scene["project"], ended_hours_ago=1, hours_long=3)
    signup = build.signup(past, scene["volunteer"], actor=scene["org_staff"])
    arrived = past.starts_at - timedelta(minutes=30)  # early is fine, within the hour's slack
    assert act(check_in, scene["org_staff"], signup.id, arrived).status == "checked_in"
    left = past.ends_at - timedelta(minutes=20)
    signup_after, entry = act(check_out, scene["org_staff"], signup.id, left, "陪同复诊")
    assert (signup_after.status, signup_after.checked_in_at, signup_after.checked_out_at) == ("checked_out", arrived, left)
    # The hours count from the start (not the early arrival) to the check-out: 3 h less 20 min.
    assert (entry.minutes, entry.source, entry.content, entry.signup_id) == (160, "checkin", "陪同复诊", signup.id)
    assert (entry.starts_at, entry.ends_at) == (past.starts_at, left)
    with read() as s:
        assert status_of(s, entry).value == "pending"


def test_check_in_refuses_the_wrong_party_state_or_time(scene, build, act, unchanged):
    past = build.past_activity(scene["project"])
    signup = build.signup(past, scene["volunteer"], actor=scene["org_staff"])
    with unchanged():
        with pytest.raises(Forbidden):  # the volunteer does not check themself in
            act(check_in, scene["me"], signup.id, past.starts_at)
        with pytest.raises(InvalidInput):
            act(check_in, scene["org_staff"], signup.id, past.starts_at - timedelta(hours=2))
        with pytest.raises(InvalidInput):
            act(check_in, scene["org_staff"], signup.id, utcnow() + timedelta(hours=1))
        with pytest.raises(Conflict):  # not checked in yet
            act(check_out, scene["org_staff"], signup.id, past.ends_at)
    act(check_in, scene["org_staff"], signup.id, past.starts_at)
    with unchanged(), pytest.raises(Conflict):
        act(check_in, scene["org_staff"], signup.id, past.starts_at)


def test_check_out_refuses_times_before_check_in_after_the_slack_or_in_the_future(scene, build, act, unchanged):
    past = build.past_activity(scene["project"], ended_hours_ago=3, hours_long=2)
    signup = build.signup(past, scene["volunteer"], actor=scene["org_staff"])
    act(check_in, scene["org_staff"], signup.id, past.starts_at)
    with unchanged():
        for at in (past.starts_at, past.ends_at + timedelta(hours=2), utcnow() + timedelta(minutes=5)):
            with pytest.raises(InvalidInput):
                act(check_out, scene["org_staff"], signup.id, at)
        with pytest.raises(Forbidden):
            act(check_out, scene["me"], signup.id, past.ends_at)


def test_check_out_counts_to_the_end_of_the_shift_when_leaving_late(scene, build, act):
    past = build.past_activity(scene["project"], ended_hours_ago=2, hours_long=2)
    signup = build.signup(past, scene["volunteer"], actor=scene["org_staff"])
    act(check_in, scene["org_staff"], signup.id, past.starts_at + timedelta(minutes=15))
    _signup, entry = act(check_out, scene["org_staff"], signup.id, past.ends_at + timedelta(minutes=45))
    assert (entry.starts_at, entry.ends_at, entry.minutes) == (past.starts_at + timedelta(minutes=15), past.ends_at, 105)


def test_check_out_with_no_time_in_the_shift_records_nothing(scene, build, act, read, unchanged):
    past = build.past_activity(scene["project"], ended_hours_ago=2, hours_long=2)
    signup = build.signup(past, scene["volunteer"], actor=scene["org_staff"])
    act(check_in, scene["org_staff"], signup.id, past.starts_at - timedelta(minutes=50))
    with unchanged(), pytest.raises(InvalidInput) as caught:  # came early and left before the start
        act(check_out, scene["org_staff"], signup.id, past.starts_at - timedelta(minutes=10))
    assert caught.value.code == "check_out.no_service" and "at" in caught.value.errors


def test_check_out_keeps_the_hour_rules_no_overlap_with_another_record(scene, build, act, read, unchanged):
    first = build.past_activity(scene["project"], ended_hours_ago=4, hours_long=1)
    # Logged by the volunteer as running an hour past the activity (the slack allows it)…
    build.hour_record(first, scene["volunteer"], actor=scene["me"], minutes=120)
    # …so a back-to-back activity's check-out would count that hour twice.
    second = build.activity(scene["project"], starts_at=first.ends_at, hours_long=1)
    signup = act(sign_up, scene["org_staff"], second.id, scene["volunteer"].id)
    act(check_in, scene["org_staff"], signup.id, second.starts_at)
    with unchanged(), pytest.raises(Conflict) as caught:
        act(check_out, scene["org_staff"], signup.id, second.ends_at)
    assert "starts_at" in caught.value.errors
    with read() as s:
        assert s.get(Signup, signup.id).status == "checked_in"


def test_who_sees_an_activity_s_sign_ups(scene, act, read):
    mine = act(sign_up, scene["me"], scene["activity"].id)
    theirs = act(sign_up, scene["them"], scene["activity"].id)
    with read() as s:
        assert [x.id for x in read_signups(s, scene["org_staff"], scene["activity"].id)] == [mine.id, theirs.id]
        assert [x.id for x in read_signups(s, scene["me"], scene["activity"].id)] == [mine.id]
        assert [x.id for x in signups_for(s, scene["activity"].id)] == [mine.id, theirs.id]
        assert s.get(Signup, mine.id).volunteer_id == scene["volunteer"].id
        with pytest.raises(NotFound):
            read_signups(s, scene["me"], 31337)
