"""Notifications at the service: event → recipients and kind, the ticker's due notices, dedupe, opt-outs, inbox."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from events.channels import LoggingChannel
from events.notifier import Notifier
from linkage.clock import LOCAL_TZ
from linkage.errors import InvalidInput, NotFound
from linkage.models import Activity, Delivery, Notification, OutboxEvent, utcnow
from linkage.services import projects
from linkage.services.activities import cancel_signup
from linkage.services.hours import dispute_hours, review_hours
from linkage.services.inbox import (
    in_quiet_hours,
    list_notifications,
    mark_all_read,
    mark_read,
    preferences,
    render,
    set_preferences,
    store_notices,
    unread_count,
)
from linkage.services.notifications import Notice, due_notices, notices_for_event
from schemas.funding import MilestonePlanSchema
from tests.factories import ADMIN


@pytest.fixture
def scene(build):
    """A running project, its organization's staff, a volunteer who logs in, an activity tomorrow."""
    scene = build.parties(project="in_progress")
    volunteer = build.volunteer(scene["community"])
    return {
        **scene,
        "volunteer": volunteer,
        "me": build.volunteer_actor(volunteer),
        "activity": build.activity(scene["project"]),
    }


def events_of(platform, type: str) -> list[tuple[str, str, dict]]:
    with platform.read_session() as s:
        rows = s.scalars(select(OutboxEvent).where(OutboxEvent.type == type).order_by(OutboxEvent.id))
        return [(e["id"], e["type"], e["data"]) for e in (json.loads(r.envelope) for r in rows)]


def notify(platform, event_id: str, type: str, data: dict, channels=("sms",)) -> list[Notification]:
    with platform.uow() as uow:
        stored = store_notices(uow.session, notices_for_event(uow.session, event_id, type, data), channels)
        uow.commit()
        return stored


def inbox(platform, actor) -> list[Notification]:
    with platform.read_session() as s:
        return list_notifications(s, actor)


def test_a_signup_tells_the_volunteer_once_however_often_the_event_comes(platform, build, scene):
    build.signup(scene["activity"], scene["volunteer"])
    (event,) = events_of(platform, "linkage.signup.changed.v1")
    assert len(notify(platform, *event)) == 1
    assert notify(platform, *event) == []  # redelivered: nothing new
    (row,) = inbox(platform, scene["me"])
    assert row.kind == "signup_confirmed" and row.link == f"/activities/{scene['activity'].id}"
    assert "报名成功：「周六陪诊」" in render(row, "zh_CN")
    with platform.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Delivery)) == 1


def test_a_promotion_from_the_waitlist_and_a_called_off_activity_are_told_but_not_a_cancellation_of_ones_own(
    platform, build, scene, act
):
    signup = build.signup(scene["activity"], scene["volunteer"])
    base = {"id": signup.id, "activity_id": scene["activity"].id, "volunteer_id": scene["volunteer"].id}
    promoted = {"signup": {**base, "status": "signed_up", "previous_status": "waitlisted"}}
    assert [n.kind for n in notify(platform, "e-promoted", "linkage.signup.changed.v1", promoted)] == [
        "waitlist_promoted"
    ]
    again = {"signup": {**base, "status": "signed_up", "previous_status": "cancelled"}}
    assert [n.kind for n in notify(platform, "e-again", "linkage.signup.changed.v1", again)] == ["signup_confirmed"]
    checked_in = {"signup": {**base, "status": "checked_in", "previous_status": "signed_up"}}
    assert notify(platform, "e-in", "linkage.signup.changed.v1", checked_in) == []
    act(cancel_signup, scene["me"], signup.id)
    own = events_of(platform, "linkage.signup.changed.v1")[-1]
    assert notify(platform, *own) == []
    with platform.uow() as uow:
        uow.session.execute(update(Activity).where(Activity.id == scene["activity"].id).values(cancelled=True))
        uow.commit()
    assert [n.kind for n in notify(platform, "e-off", own[1], own[2])] == ["signup_cancelled"]


def test_hours_verified_tell_the_volunteer_and_a_dispute_tells_the_organizations_staff(platform, build, scene, act):
    project = build.project(organization=scene["organization"], status="in_progress")
    record = build.hour_record(build.past_activity(project), scene["volunteer"])
    act(dispute_hours, scene["me"], record.id, "少记了半小时")
    act(review_hours, ADMIN, record.id, "verify")
    (disputed,) = notify(platform, *events_of(platform, "linkage.hours.dispute.v1")[0])
    assert disputed.kind == "hours_disputed" and disputed.user_id == scene["org_staff"].user_id
    assert disputed.params["reason"] == "少记了半小时"
    (verified,) = notify(platform, *events_of(platform, "linkage.hours.verify.v1")[0])
    assert verified.kind == "hours_verified" and verified.user_id == scene["me"].user_id
    assert render(verified, "zh_CN") == "您的服务时长（120 分钟）已核实"


def test_a_decided_claim_tells_the_claiming_organizations_staff(platform, build, act):
    community, organization = build.community(), build.organization()
    staff = build.org_staff(organization)
    claim = build.claim(build.need(community), organization)
    act(projects.decide_claim, ADMIN, claim.id, "approve")
    (row,) = notify(platform, *events_of(platform, "linkage.claim.decided.v1")[0])
    assert row.user_id == staff.user_id and row.kind == "claim_decided" and row.link.startswith("/projects/")
    assert render(row, "zh_CN").endswith("的认领已获批准")


def test_an_invitation_tells_the_invitee_and_its_answer_the_inviter(platform, build, scene):
    invitation = {
        "id": 9,
        "invitee_user_id": scene["me"].user_id,
        "inviter_user_id": scene["org_staff"].user_id,
        "kind": "activity",
        "status": "pending",
        "need_id": None,
        "activity_id": scene["activity"].id,
    }
    (sent,) = notify(platform, "e-inv", "linkage.invitation.sent.v1", {"invitation": invitation})
    assert sent.user_id == scene["me"].user_id and sent.kind == "invitation"
    answered = {"invitation": {**invitation, "status": "accepted"}}
    (answer,) = notify(platform, "e-ans", "linkage.invitation.answered.v1", answered)
    assert answer.user_id == scene["org_staff"].user_id and "已答复：接受" in render(answer, "zh_CN")


def test_the_ticker_reminds_24_and_2_hours_before_and_tells_a_missed_check_in_each_once(platform, build, scene):
    soon = build.activity(scene["project"], starts_at=utcnow() + timedelta(minutes=90))
    gone = build.past_activity(scene["project"])
    for activity in (scene["activity"], soon, gone):
        build.signup(activity, scene["volunteer"])
    now = utcnow()
    with platform.uow() as uow:
        kinds = sorted(n.kind for n in store_notices(uow.session, due_notices(uow.session, now), ("sms",)))
        uow.commit()
    assert kinds == ["checkin_missed", "reminder_24h", "reminder_2h"]
    with platform.uow() as uow:  # the next tick, and one 22.5 h later when tomorrow's is 2 h away
        assert store_notices(uow.session, due_notices(uow.session, now + timedelta(seconds=30))) == []
        later = store_notices(uow.session, due_notices(uow.session, now + timedelta(hours=22, minutes=30)))
        assert sorted((n.kind, n.link) for n in later) == [
            ("checkin_missed", f"/activities/{soon.id}"),
            ("reminder_2h", f"/activities/{scene['activity'].id}"),
        ]


def test_a_milestone_due_within_a_week_tells_the_grantee_organizations_staff(platform, build, funding):
    soon, later = (str((utcnow() + timedelta(days=days)).astimezone(LOCAL_TZ).date()) for days in (5, 40))
    milestones = MilestonePlanSchema(many=True).load(
        [
            {"title": "启动", "share_pct": 40, "due_on": soon},
            {"title": "中期", "share_pct": 40, "due_on": later},
            {"title": "结项", "share_pct": 20},
        ]
    )
    found, applicant = funding.round(), funding.applicant()
    application = funding.apply(found, applicant, milestones=milestones)
    funding.review(found, {application: 80})
    (grant_id,) = [a["grant_id"] for a in funding.award(found)["allocations"] if a["application_id"] == application.id]
    assert [str(m.due_on) if m.due_on else None for m in funding.milestones(grant_id)] == [soon, later, None]
    with platform.read_session() as s:
        found_notices = [n for n in due_notices(s, utcnow()) if n.kind == "milestone_due"]
    assert [(n.user_id, n.params["title"], n.link) for n in found_notices] == [
        (applicant.staff.user_id, "启动", f"/funding/grants/{grant_id}")
    ]


def test_an_opted_out_kind_still_reaches_the_inbox_but_no_external_channel(platform, build, scene, act):
    act(set_preferences, scene["me"], opted_out=["signup_confirmed"], quiet_start="23:00", quiet_end="06:30")
    with platform.read_session() as s:
        assert preferences(s, scene["me"].user_id) == {
            "opted_out": ["signup_confirmed"],
            "quiet_start": "23:00",
            "quiet_end": "06:30",
        }
    build.signup(scene["activity"], scene["volunteer"])
    assert len(notify(platform, *events_of(platform, "linkage.signup.changed.v1")[0])) == 1
    with platform.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Delivery)) == 0


def test_bad_preferences_are_refused_and_nothing_is_stored(platform, scene, act, unchanged):
    with unchanged(), pytest.raises(InvalidInput) as refused:
        act(set_preferences, scene["me"], opted_out=["no_such_kind"], quiet_start="25:00", quiet_end="7")
    assert set(refused.value.errors) == {"opted_out", "quiet_start", "quiet_end"}


def test_quiet_hours_wrap_past_midnight_in_beijing_time():
    at = lambda hour: datetime(2026, 12, 3, hour, 30, tzinfo=timezone.utc) - timedelta(hours=8)  # noqa: E731
    assert in_quiet_hours((22 * 60, 7 * 60), at(23)) and in_quiet_hours((22 * 60, 7 * 60), at(6))
    assert not in_quiet_hours((22 * 60, 7 * 60), at(7)) and not in_quiet_hours((0, 0), at(23))
    assert in_quiet_hours((12 * 60, 14 * 60), at(13)) and not in_quiet_hours((12 * 60, 14 * 60), at(14))


def test_marking_read_is_ones_own_and_another_users_notification_is_not_found(platform, build, scene, act):
    with platform.uow() as uow:
        store_notices(
            uow.session,
            [
                Notice(scene["me"].user_id, "hours_verified", "k1", {"minutes": 30}),
                Notice(scene["me"].user_id, "hours_verified", "k2", {"minutes": 60}),
                Notice(scene["org_staff"].user_id, "hours_disputed", "k3"),
            ],
        )
        uow.commit()
    mine = inbox(platform, scene["me"])
    theirs = inbox(platform, scene["org_staff"])[0]
    with pytest.raises(NotFound):
        act(mark_read, scene["me"], theirs.id)
    act(mark_read, scene["me"], mine[0].id)
    with platform.read_session() as s:
        assert unread_count(s, scene["me"].user_id) == 1 and unread_count(s, scene["org_staff"].user_id) == 1
    assert act(mark_all_read, scene["me"]) == 1


def test_the_dispatcher_sends_each_delivery_once_outside_quiet_hours_even_after_a_crash_before_marking(
    platform, build, scene, tmp_path
):
    log = tmp_path / "sent.jsonl"
    notifier = Notifier(platform, "127.0.0.1:1", channels={"sms": LoggingChannel("sms", log)})
    with platform.uow() as uow:
        store_notices(
            uow.session,
            [Notice(scene["me"].user_id, "hours_verified", f"k{i}", {"minutes": i}) for i in range(3)],
            ("sms",),
        )
        uow.commit()
    with platform.read_session() as s:
        first = s.scalars(select(Delivery.id).order_by(Delivery.id)).first()
    night = datetime(2026, 12, 3, 23, 0, tzinfo=timezone.utc) - timedelta(hours=8)  # 23:00 in Beijing
    assert notifier.dispatch(night) == 0  # quiet hours: all wait
    LoggingChannel("sms", log).send(first, scene["me"].user_id, "hours_verified", "sent, then the crash")
    assert notifier.dispatch(night + timedelta(hours=10)) == 3
    assert notifier.dispatch(night + timedelta(hours=10)) == 0
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert sorted(line["delivery_id"] for line in lines) == sorted({line["delivery_id"] for line in lines})
    assert len(lines) == 3
    with platform.read_session() as s:
        assert set(s.scalars(select(Delivery.status))) == {"sent"}
