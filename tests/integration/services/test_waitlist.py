"""The waitlist (候补): a full activity queues volunteers in arrival order; a freed slot promotes one, once."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from linkage.errors import Conflict, Forbidden
from linkage.models import OutboxEvent, Signup, utcnow
from linkage.permissions import Actor
from linkage.services.activities import cancel_signup, sign_up, taken_slots
from linkage.services.waitlist import mark_no_show, my_upcoming, position
from tests.factories import ADMIN


@pytest.fixture
def scene(build):
    scene = build.parties(project="in_progress")
    people = [build.volunteer(scene["community"]) for _ in range(4)]
    return {
        **scene,
        "activity": build.activity(scene["project"], slots=2),
        "people": people,
        "actors": [build.volunteer_actor(v) for v in people],
    }


def _signup_events(platform) -> list[dict]:
    with platform.read_session() as s:
        rows = s.scalars(
            select(OutboxEvent).where(OutboxEvent.type == "linkage.signup.changed.v1").order_by(OutboxEvent.id)
        )
        return [json.loads(row.envelope)["data"]["signup"] for row in rows]


def test_a_full_activity_waitlists_in_arrival_order_and_a_cancellation_promotes_the_first(scene, act, read, platform):
    a, (v1, v2, v3, v4) = scene["activity"], scene["actors"]
    first, second = act(sign_up, v1, a.id), act(sign_up, v2, a.id)
    third, fourth = act(sign_up, v3, a.id), act(sign_up, v4, a.id)
    assert [s.status for s in (first, second, third, fourth)] == ["signed_up", "signed_up", "waitlisted", "waitlisted"]
    with read() as s:
        assert taken_slots(s, a.id) == 2
        assert [position(s, x) for x in (first, third, fourth)] == [None, 1, 2]
    with pytest.raises(Conflict):
        act(sign_up, v3, a.id)  # already waiting: a duplicate
    act(cancel_signup, v1, first.id)
    with read() as s:
        assert s.get(Signup, third.id).status == "signed_up"
        assert s.get(Signup, fourth.id).status == "waitlisted"
        assert position(s, s.get(Signup, fourth.id)) == 1
    events = _signup_events(platform)
    assert events[-2:] == [
        {
            "id": first.id,
            "activity_id": a.id,
            "volunteer_id": first.volunteer_id,
            "status": "cancelled",
            "previous_status": "signed_up",
        },
        {
            "id": third.id,
            "activity_id": a.id,
            "volunteer_id": third.volunteer_id,
            "status": "signed_up",
            "previous_status": "waitlisted",
        },
    ]


def test_leaving_the_waitlist_promotes_nobody(scene, act, read, platform):
    a, (v1, v2, v3, v4) = scene["activity"], scene["actors"]
    act(sign_up, v1, a.id), act(sign_up, v2, a.id)
    third, fourth = act(sign_up, v3, a.id), act(sign_up, v4, a.id)
    left = act(cancel_signup, v3, third.id)
    assert left.status == "cancelled"
    with read() as s:
        assert s.get(Signup, fourth.id).status == "waitlisted" and position(s, s.get(Signup, fourth.id)) == 1
        assert taken_slots(s, a.id) == 2
    assert _signup_events(platform)[-1]["previous_status"] == "waitlisted"


def test_a_no_show_marked_before_the_start_promotes_and_only_organizers_mark_it(scene, act, read):
    a, (v1, v2, v3, _v4) = scene["activity"], scene["actors"]
    first = act(sign_up, v1, a.id)
    act(sign_up, v2, a.id)
    third = act(sign_up, v3, a.id)
    with pytest.raises(Forbidden):
        act(mark_no_show, v2, first.id)
    assert act(mark_no_show, scene["org_staff"], first.id).status == "no_show"
    with read() as s:
        assert s.get(Signup, third.id).status == "signed_up"
    with pytest.raises(Conflict):
        act(mark_no_show, scene["org_staff"], first.id)  # once


def test_the_promotion_skips_who_now_overlaps_a_confirmed_activity_or_left(scene, build, act, read):
    a, (v1, v2, v3, v4) = scene["activity"], scene["actors"]
    first = act(sign_up, v1, a.id)
    act(sign_up, v2, a.id)
    third, fourth = act(sign_up, v3, a.id), act(sign_up, v4, a.id)
    # The third takes another activity at the same time meanwhile; the fourth stays free.
    clash = build.activity(scene["project"], starts_at=a.starts_at + timedelta(hours=1), slots=5)
    act(sign_up, v3, clash.id)
    act(cancel_signup, v1, first.id)
    with read() as s:
        assert s.get(Signup, third.id).status == "waitlisted"
        assert s.get(Signup, fourth.id).status == "signed_up"
    assert act(sign_up, v1, a.id).status == "waitlisted"  # full again: the first is back in the queue


def test_my_upcoming_lists_confirmed_and_waiting_with_positions(scene, act, read):
    a, (v1, v2, v3, _v4) = scene["activity"], scene["actors"]
    act(sign_up, v1, a.id), act(sign_up, v2, a.id)
    act(sign_up, v3, a.id)
    with read() as s:
        mine = my_upcoming(s, v3)
        assert [(row["activity"].id, row["signup"].status, row["position"]) for row in mine] == [
            (a.id, "waitlisted", 1)
        ]
        assert my_upcoming(s, scene["org_staff"]) == []


def test_a_completed_project_cancels_its_future_signups_and_waitlist(scene, build, act, read, platform):
    from linkage.services.projects import transition_project

    a, (v1, v2, v3, _v4) = scene["activity"], scene["actors"]
    signed = [act(sign_up, v, a.id) for v in (v1, v2, v3)]
    act(transition_project, ADMIN, scene["project"].id, "completed")
    with read() as s:
        assert {s.get(Signup, x.id).status for x in signed} == {"cancelled"}
    assert [e["previous_status"] for e in _signup_events(platform)[-3:]] == ["signed_up", "signed_up", "waitlisted"]


# -- many at once, on both databases --------------------------------------------------------------


def _race(n: int, work) -> list:
    """n threads behind one barrier, each with its own unit of work."""
    barrier = threading.Barrier(n)
    outcomes: list = [None] * n

    def run(i):
        barrier.wait()
        try:
            outcomes[i] = work(i)
        except Exception as exc:  # the assertions show it
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return outcomes


def test_fifty_at_once_for_ten_places_then_ten_cancellations_promote_ten_once_each(build, platform, act):
    scene = build.parties(project="in_progress")
    activity = build.activity(scene["project"], slots=10)
    volunteers = [build.volunteer(scene["community"]).id for _ in range(50)]

    def take(i):
        with platform.uow() as uow:
            return sign_up(uow, Actor(user_id=None, role="volunteer", volunteer_id=volunteers[i]), activity.id)

    outcomes = _race(50, take)
    assert all(isinstance(o, Signup) for o in outcomes), [o for o in outcomes if not isinstance(o, Signup)]
    with platform.read_session() as s:
        rows = list(s.scalars(select(Signup).where(Signup.activity_id == activity.id).order_by(Signup.id)))
    assert [r.status for r in rows] == ["signed_up"] * 10 + ["waitlisted"] * 40  # arrival order = id order
    confirmed, waiting = rows[:10], rows[10:]

    def cancel(i):
        with platform.uow() as uow:
            return cancel_signup(uow, ADMIN, confirmed[i].id)

    outcomes = _race(10, cancel)
    assert all(isinstance(o, Signup) and o.status == "cancelled" for o in outcomes), outcomes
    with platform.read_session() as s:
        now = {r.id: r.status for r in s.scalars(select(Signup).where(Signup.activity_id == activity.id))}
        assert (
            s.execute(
                select(func.count())
                .select_from(Signup)
                .where(Signup.activity_id == activity.id, Signup.status == "signed_up")
            ).scalar_one()
            == 10
        )
    assert [now[r.id] for r in waiting] == ["signed_up"] * 10 + ["waitlisted"] * 30  # the first ten waiting
    promotions = [e for e in _signup_events(platform) if e["previous_status"] == "waitlisted"]
    assert sorted(e["id"] for e in promotions) == [r.id for r in waiting[:10]]  # ten, none twice
    assert utcnow() < activity.starts_at


def test_promotion_skips_who_is_no_longer_eligible(scene, build, act, read, platform):
    """A waiting volunteer whose qualification went meanwhile is passed over, not promoted: promotion
    asks the same eligibility rule as sign-up (services/eligibility)."""
    from linkage.services import qualifications

    shift = build.activity(
        scene["project"],
        slots=1,
        qualification_required="first_aid",
        starts_at=scene["activity"].ends_at + timedelta(hours=1),
    )
    v1, v2, v3 = scene["actors"][:3]
    held = {}
    for actor in (v1, v2, v3):
        held[actor.volunteer_id] = act(
            qualifications.add_qualification,
            actor,
            platform.cipher,
            actor.volunteer_id,
            {
                "kind": "first_aid",
                "number": "JJ2024-000123",
                "issued_on": utcnow().date() - timedelta(days=30),
                "expires_on": None,
            },
        )
    first, lapsed, next_ = act(sign_up, v1, shift.id), act(sign_up, v2, shift.id), act(sign_up, v3, shift.id)
    assert [x.status for x in (first, lapsed, next_)] == ["signed_up", "waitlisted", "waitlisted"]
    act(qualifications.remove_qualification, v2, held[v2.volunteer_id].id)
    act(cancel_signup, v1, first.id)
    with read() as s:
        assert s.get(Signup, lapsed.id).status == "waitlisted"
        assert s.get(Signup, next_.id).status == "signed_up"
