"""The volunteer's own check-in and check-out with the venue's code: recorded only when every rule holds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from linkage.errors import Conflict, Forbidden, InvalidInput
from linkage.models import Need, Project, Signup, utcnow
from linkage.services.activities import check_in
from linkage.services.checkin_codes import CheckinCodes, current_code, self_attend, step_of
from linkage.services.hours import status_of

SECRET = "checkin-test-secret"
codes = CheckinCodes(SECRET)


@pytest.fixture
def scene(build):
    """A running project's activity under way (started an hour ago, two more to go), a signed-up volunteer."""
    scene = build.parties(project="in_progress")
    activity = build.activity(scene["project"], starts_at=utcnow() - timedelta(hours=1), hours_long=3)
    volunteer, other = build.volunteer(scene["community"]), build.volunteer(scene["community"])
    signup = build.signup(activity, volunteer)
    return {
        **scene,
        "activity": activity,
        "volunteer": volunteer,
        "signup": signup,
        "me": build.volunteer_actor(volunteer),
        "them": build.volunteer_actor(other),
    }


def _venue(read, activity):
    with read() as s:
        need = s.get(Need, s.get(Project, activity.project_id).need_id)
        return need.lat, need.lon


def _now_token(activity_id):
    return codes.token(activity_id, step_of(utcnow()))


def _attend(act, actor, activity, step="check_in", **kw):
    kw.setdefault("token", _now_token(activity.id))
    return act(self_attend, actor, activity.id, codes, step, **kw)


def _status(read, signup):
    with read() as s:
        return s.get(Signup, signup.id).status


def test_the_volunteer_checks_in_by_the_scanned_code_at_the_venue(scene, act, read):
    lat, lon = _venue(read, scene["activity"])
    signup, entry = _attend(act, scene["me"], scene["activity"], position=(lat + 0.001, lon))  # ~110 m away
    assert (signup.id, signup.status, entry) == (scene["signup"].id, "checked_in", None)
    assert utcnow() - signup.checked_in_at < timedelta(minutes=1)


def test_the_6_digit_code_read_out_checks_in_as_well(scene, act):
    digits = codes.digits(scene["activity"].id, step_of(utcnow()))
    signup, _ = _attend(act, scene["me"], scene["activity"], token="", digits=digits)
    assert signup.status == "checked_in"


def test_the_volunteer_checks_out_with_a_later_code_and_the_hours_are_credit_hours(scene, act, read):
    arrived = scene["activity"].starts_at - timedelta(minutes=20)  # the organizer recorded the early arrival
    act(check_in, scene["org_staff"], scene["signup"].id, arrived)
    signup, entry = _attend(act, scene["me"], scene["activity"], "check_out", content="陪老人聊天")
    assert signup.status == "checked_out"
    assert (entry.source, entry.content, entry.starts_at) == ("checkin", "陪老人聊天", scene["activity"].starts_at)
    assert entry.minutes >= 59  # from the start (not the arrival) to now, an hour into the activity
    with read() as s:
        assert status_of(s, entry).value == "pending"


def test_refused_codes_record_nothing(scene, build, act, read, unchanged):
    activity, here = scene["activity"], step_of(utcnow())
    other = build.activity(scene["project"], starts_at=utcnow() - timedelta(hours=1))
    cases = {
        "checkin.code_expired": {"token": codes.token(activity.id, here - 2)},
        "checkin.code_forged": {"token": CheckinCodes("not-the-key").token(activity.id, here)},
        "checkin.code_other_activity": {"token": codes.token(other.id, here)},
        "checkin.digits_wrong": {
            "token": "",
            "digits": "000000" if codes.digits(activity.id, here) != "000000" else "111111",
        },
        "checkin.code_missing": {"token": ""},
    }
    with unchanged():
        for reason, kw in cases.items():
            with pytest.raises(InvalidInput) as caught:
                _attend(act, scene["me"], activity, **kw)
            assert caught.value.errors["code"] == [reason], reason
    assert _status(read, scene["signup"]) == "signed_up"


def test_too_far_from_the_venue_outside_the_window_or_not_signed_up_is_refused(scene, build, act, read, unchanged):
    lat, lon = _venue(read, scene["activity"])
    later = build.activity(scene["project"], starts_at=utcnow() + timedelta(hours=2))  # opens in an hour
    build.signup(later, scene["volunteer"])
    with unchanged():
        with pytest.raises(InvalidInput) as caught:  # ~1.1 km north of the need's place
            _attend(act, scene["me"], scene["activity"], position=(lat + 0.01, lon))
        assert list(caught.value.errors) == ["position"]
        with pytest.raises(Conflict) as caught:
            _attend(act, scene["me"], later)
        assert caught.value.code == "checkin.window_closed"
        with pytest.raises(Conflict) as caught:
            _attend(act, scene["them"], scene["activity"])
        assert caught.value.code == "checkin.not_signed_up"
        with pytest.raises(Forbidden):  # the organizer records with the organizer's forms, not a code
            _attend(act, scene["org_staff"], scene["activity"])
        with pytest.raises(Conflict):  # not checked in: no check-out
            _attend(act, scene["me"], scene["activity"], "check_out")
    assert _status(read, scene["signup"]) == "signed_up"


def test_a_code_is_used_once_no_second_check_in_nor_check_out_with_the_same_code(scene, act, read, unchanged):
    token = _now_token(scene["activity"].id)
    _attend(act, scene["me"], scene["activity"], token=token)
    with unchanged():
        with pytest.raises(Conflict) as caught:
            _attend(act, scene["me"], scene["activity"], token=token)
        assert caught.value.code == "checkin.already_in"
        with pytest.raises(InvalidInput) as caught:  # the check-in's code replayed to check out
            _attend(act, scene["me"], scene["activity"], "check_out", token=token)
        assert caught.value.errors["code"] == ["checkin.code_used"]
    assert _status(read, scene["signup"]) == "checked_in"


def test_a_second_check_out_is_refused(scene, act, read, unchanged):
    act(check_in, scene["org_staff"], scene["signup"].id, scene["activity"].starts_at)
    token = _now_token(scene["activity"].id)
    _attend(act, scene["me"], scene["activity"], "check_out", token=token)
    with unchanged(), pytest.raises(Conflict) as caught:
        _attend(act, scene["me"], scene["activity"], "check_out", token=token)
    assert caught.value.code == "checkin.not_in"


def test_only_the_organizer_sees_the_current_code_and_only_in_the_window(scene, build, read):
    with read() as s:
        shown = current_code(s, scene["org_staff"], scene["activity"].id, codes)
        assert codes.read_token(shown.token, scene["activity"].id, utcnow()) == shown.step
        with pytest.raises(Forbidden):
            current_code(s, scene["me"], scene["activity"].id, codes)
    over = build.past_activity(scene["project"], ended_hours_ago=2, hours_long=1)
    with read() as s, pytest.raises(Conflict):
        current_code(s, scene["org_staff"], over.id, codes)
