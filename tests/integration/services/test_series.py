"""Recurring activities (周期活动) at the service: occurrences × shifts, holidays, exceptions, bad rules."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from linkage.clock import LOCAL_TZ
from linkage.errors import Conflict, Forbidden, InvalidInput
from linkage.models import Activity, OutboxEvent, Signup, utcnow
from linkage.services import qualifications
from linkage.services.activities import sign_up
from linkage.services.series import (
    MAX_ACTIVITIES,
    cancel_activity,
    cancel_occurrence,
    change_occurrence,
    occurrence,
    schedule_series,
    series_activities,
)
from tests.factories import ADMIN


@pytest.fixture
def scene(build):
    scene = build.parties(project="in_progress")
    people = [build.volunteer(scene["community"]) for _ in range(3)]
    actors = [build.volunteer_actor(v) for v in people]
    for actor in actors:  # the 引导员 shift asks for 急救证 (first_aid): these volunteers hold one
        with build.platform.uow() as uow:
            qualifications.add_qualification(
                uow,
                actor,
                build.platform.cipher,
                actor.volunteer_id,
                {
                    "kind": "first_aid",
                    "number": "JJ2024-000123",
                    "issued_on": date.today() - timedelta(days=30),
                    "expires_on": None,
                },
            )
    return {**scene, "people": people, "actors": actors}


def _next_tuesday_9() -> datetime:
    today = datetime.now(LOCAL_TZ).date() + timedelta(days=1)
    day = today + timedelta(days=(1 - today.weekday()) % 7)
    return datetime(day.year, day.month, day.day, 9, tzinfo=LOCAL_TZ)


def _data(**over):
    start = _next_tuesday_9()
    until = (start + timedelta(days=27)).strftime("%Y%m%d")  # four weeks: 8 Tuesdays and Thursdays
    data = {
        "title": "长者助餐",
        "place": "社区食堂",
        "rrule": f"FREQ=WEEKLY;BYDAY=TU,TH;UNTIL={until}",
        "dtstart": start,
        "duration_minutes": 120,
        "exdates": [],
        "shifts": [
            {"role": "送餐", "slots": 2, "skills_wanted": ["助老"]},
            {"role": "引导员", "slots": 1, "skills_wanted": [], "qualification_required": "first_aid"},
        ],
    }
    return {**data, **over}


def _count(platform, model, *where) -> int:
    with platform.read_session() as s:
        return s.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_a_weekly_rule_makes_one_activity_per_shift_of_each_occurrence(scene, act, read, platform):
    series = act(schedule_series, scene["org_staff"], scene["project"].id, _data())
    with read() as s:
        made = series_activities(s, series.id)
    starts = sorted({a.occurrence_start for a in made})
    assert len(starts) == 8 and len(made) == 16
    assert {a.starts_at.astimezone(LOCAL_TZ).strftime("%a %H:%M") for a in made} == {"Tue 09:00", "Thu 09:00"}
    assert sorted((a.role, a.slots, a.qualification_required) for a in made if a.occurrence_start == starts[0]) == [
        ("引导员", 1, "first_aid"),
        ("送餐", 2, ""),
    ]
    assert all(a.ends_at - a.starts_at == timedelta(hours=2) and a.series_id == series.id for a in made)
    assert _count(platform, OutboxEvent, OutboxEvent.type == "linkage.activity.scheduled.v1") == 16
    assert series.materialized_until == starts[-1]


def test_holidays_are_skipped_and_an_endless_rule_stops_at_the_horizon_and_the_cap(scene, act, read):
    start = _next_tuesday_9()
    holiday = (start + timedelta(days=7)).date()
    series = act(schedule_series, ADMIN, scene["project"].id, _data(rrule="FREQ=DAILY", exdates=[holiday]))
    with read() as s:
        made = series_activities(s, series.id)
    assert holiday not in {a.starts_at.astimezone(LOCAL_TZ).date() for a in made}
    assert len(made) <= MAX_ACTIVITIES and len(made) % 2 == 0
    assert max(a.starts_at for a in made) <= utcnow() + timedelta(days=90)


@pytest.mark.parametrize(
    "over, field",
    [
        ({"rrule": "FREQ=SOMETIMES"}, "rrule"),
        ({"rrule": "FREQ=WEEKLY;UNTIL=20000101"}, "rrule"),  # never occurs again
        ({"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}, "rrule"),  # never occurs at all
        ({"rrule": "FREQ=HOURLY"}, "rrule"),  # not a community activity's rhythm
        ({"rrule": "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"}, "rrule"),  # BYMONTH is for yearly rules
        ({"shifts": []}, "shifts"),
        ({"shifts": [{"role": "送餐", "slots": 0}]}, "shifts"),
    ],
)
def test_bad_rules_and_shifts_are_refused_naming_the_field_and_store_nothing(scene, act, unchanged, over, field):
    with unchanged(), pytest.raises(InvalidInput) as caught:
        act(schedule_series, scene["org_staff"], scene["project"].id, _data(**over))
    assert field in caught.value.errors


def test_only_the_organizer_schedules_a_series(scene, build, act, unchanged):
    outsider = build.org_staff(build.organization())
    with unchanged():
        for who in (outsider, scene["actors"][0]):
            with pytest.raises(Forbidden):
                act(schedule_series, who, scene["project"].id, _data())


def test_overlapping_shifts_of_one_occurrence_are_refused_to_the_same_volunteer(scene, act, read):
    series = act(schedule_series, ADMIN, scene["project"].id, _data())
    with read() as s:
        first = occurrence(s, series.id, series_activities(s, series.id)[0].occurrence_start)
    act(sign_up, scene["actors"][0], first[0].id)
    with pytest.raises(Conflict) as caught:
        act(sign_up, scene["actors"][0], first[1].id)
    assert caught.value.code == "signup.overlap"


def test_cancelling_an_occurrence_cancels_its_shifts_and_signups_only(scene, act, read, platform):
    series = act(schedule_series, ADMIN, scene["project"].id, _data())
    with read() as s:
        made = series_activities(s, series.id)
    key, later = made[0].occurrence_start, made[-1]
    shift = next(a for a in made if a.occurrence_start == key and a.slots == 1)
    kept = act(sign_up, scene["actors"][0], later.id)
    signed, waiting = act(sign_up, scene["actors"][1], shift.id), act(sign_up, scene["actors"][2], shift.id)
    assert waiting.status == "waitlisted"
    with pytest.raises(Forbidden):
        act(cancel_occurrence, scene["actors"][0], series.id, key)
    act(cancel_occurrence, scene["org_staff"], series.id, key)
    with read() as s:
        assert {a.cancelled for a in occurrence(s, series.id, key)} == {True}
        assert s.get(Activity, later.id).cancelled is False
        assert [s.get(Signup, x.id).status for x in (signed, waiting, kept)] == ["cancelled", "cancelled", "signed_up"]
        assert key.astimezone(LOCAL_TZ).date().isoformat() in s.get(type(series), series.id).exdates
    with pytest.raises(Conflict):
        act(cancel_occurrence, scene["org_staff"], series.id, key)
    with platform.read_session() as s:
        changed = [
            json.loads(r.envelope)["data"]
            for r in s.scalars(select(OutboxEvent).where(OutboxEvent.type == "linkage.activity.changed.v1"))
        ]
    assert {(d["change"], d["activity"]["occurrence_start"] is not None) for d in changed} == {("cancelled", True)}
    assert len(changed) == 2


def test_an_occurrence_is_moved_or_placed_elsewhere_keeping_its_length(scene, act, read, unchanged):
    series = act(schedule_series, ADMIN, scene["project"].id, _data())
    with read() as s:
        key = series_activities(s, series.id)[0].occurrence_start
    new_start = key + timedelta(hours=5)
    act(change_occurrence, scene["org_staff"], series.id, key, {"starts_at": new_start, "place": "社区礼堂"})
    with read() as s:
        moved = occurrence(s, series.id, key)
    assert {(a.starts_at, a.ends_at, a.place) for a in moved} == {
        (new_start, new_start + timedelta(hours=2), "社区礼堂")
    }
    with unchanged():
        with pytest.raises(InvalidInput):
            act(change_occurrence, ADMIN, series.id, key, {})
        with pytest.raises(InvalidInput):
            act(change_occurrence, ADMIN, series.id, key, {"starts_at": utcnow() - timedelta(days=1)})


def test_cancelling_one_activity_cancels_its_waitlist_too(scene, build, act, read):
    activity = build.activity(scene["project"], slots=1)
    signed, waiting = act(sign_up, scene["actors"][0], activity.id), act(sign_up, scene["actors"][1], activity.id)
    act(cancel_activity, scene["org_staff"], activity.id)
    with read() as s:
        assert [s.get(Signup, x.id).status for x in (signed, waiting)] == ["cancelled", "cancelled"]
    with pytest.raises(Conflict):
        act(sign_up, scene["actors"][2], activity.id)


def test_a_series_is_kept_scheduled_ahead_once_and_only_once(scene, act, read):
    """extend_series (the notifier's tick) tops a running series up to the horizon: a daily rule made
    today is extended when a month has passed, and a second call creates nothing."""
    from linkage.services.series import HORIZON_DAYS, extend_series

    series = act(schedule_series, ADMIN, scene["project"].id, _data(rrule="FREQ=DAILY", shifts=[{"slots": 2}]))
    with read() as s:
        before = series_activities(s, series.id)
    assert act(extend_series, utcnow()) == 0  # nothing is due yet: the first 90 days are there
    later = utcnow() + timedelta(days=30)
    made = act(extend_series, later)
    assert 25 <= made <= 31
    assert act(extend_series, later) == 0
    with read() as s:
        after = series_activities(s, series.id)
        assert len(after) == len(before) + made
        assert max(a.starts_at for a in after) <= later + timedelta(days=HORIZON_DAYS)
        assert len({a.starts_at for a in after}) == len(after)  # no occurrence twice
