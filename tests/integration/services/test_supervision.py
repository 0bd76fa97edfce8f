"""Social workers' supervision (督导): the district assigns, the supervisor records, the supervisee confirms;
continuing-education hours against the year's requirement; the matcher is told 督导中."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from linkage.catalogue import Topics
from linkage.errors import Conflict, Forbidden, InvalidInput, NotFound
from linkage.models import OutboxEvent, SupervisionSession, SupervisorAssignment, Training
from linkage.services import supervision as sup
from linkage.services.providers import update_provider
from tests.factories import ADMIN

TODAY = sup.china_day()


@pytest.fixture
def scene(build):
    org = build.organization()
    worker = build.social_worker(org, name="李明", certificate_level="assistant")
    mentor = build.social_worker(org, name="王芳", certificate_level="senior")
    stranger = build.social_worker(org, name="赵强", certificate_level="intermediate")
    return SimpleNamespace(
        org=org,
        worker=worker,
        mentor=mentor,
        stranger=stranger,
        admin=build.admin(),
        as_worker=build.social_worker_actor(worker.id),
        as_mentor=build.social_worker_actor(mentor.id),
        as_stranger=build.social_worker_actor(stranger.id),
        org_staff=build.org_staff(org.id),
    )


def _session_body(social_worker_id, **over):
    return {
        "social_worker_id": social_worker_id,
        "held_on": TODAY - timedelta(days=3),
        "form": "individual",
        "topics": "个案记录与伦理边界",
        "hours": 1.5,
        "follow_ups": "下周复盘两个个案",
        "confirmed": True,
        **over,
    }


def _assign(act, scene, **over):
    body = {
        "social_worker_id": scene.worker.id,
        "supervisor_id": scene.mentor.id,
        "starts_on": TODAY - timedelta(days=30),
    }
    return act(sup.assign_supervisor, scene.admin, {**body, **over})


def _last_record(read, social_worker_id):
    with read() as s:
        rows = s.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.topic == Topics.PROVIDERS, OutboxEvent.key == f"social_worker:{social_worker_id}")
            .order_by(OutboxEvent.id)
        ).all()
    return json.loads(rows[-1].envelope)["data"]["provider"]


def test_1_assigned_recorded_and_confirmed_a_session_counts_and_the_matcher_hears_supervised(scene, act, read):
    assignment = _assign(act, scene)
    assert _last_record(read, scene.worker.id)["supervised_until"] is None  # a supervisor, no session yet
    row = act(sup.record_session, scene.as_mentor, _session_body(scene.worker.id))
    with read() as s:
        assert sup.summary(s, scene.as_worker, scene.worker.id)["supervision_hours"] == 0  # not yet confirmed
        assert sup.supervised_until(s, scene.worker.id) is None
    act(sup.answer_session, scene.as_worker, row.id, confirm=True)
    with read() as s:
        got = sup.summary(s, scene.as_worker, scene.worker.id)
        stored = s.get(SupervisionSession, row.id)
    assert stored.supervisee_status == "confirmed" and stored.counts and stored.minutes == 90
    assert got["supervision_hours"] == 1.5 and got["supervised"] is True
    assert got["supervisor"]["supervisor_id"] == scene.mentor.id and got["supervisor"]["id"] == assignment.id
    until = (TODAY - timedelta(days=3) + timedelta(days=sup.SUPERVISED_DAYS)).isoformat()
    assert _last_record(read, scene.worker.id)["supervised_until"] == until


def test_2_a_disputed_session_never_counts_and_cannot_be_confirmed_afterwards(scene, act, read):
    _assign(act, scene)
    row = act(sup.record_session, scene.as_mentor, _session_body(scene.worker.id))
    with pytest.raises(InvalidInput) as no_reason:
        act(sup.answer_session, scene.as_worker, row.id, confirm=False, reason="  ")
    assert "reason" in no_reason.value.errors
    act(sup.answer_session, scene.as_worker, row.id, confirm=False, reason="当天未进行督导")
    with pytest.raises(Conflict):
        act(sup.answer_session, scene.as_worker, row.id, confirm=True)
    with read() as s:
        got = sup.summary(s, scene.as_worker, scene.worker.id)
        stored = s.get(SupervisionSession, row.id)
    assert stored.supervisee_status == "disputed" and stored.dispute_reason == "当天未进行督导"
    assert got["supervision_hours"] == 0 and got["supervised"] is False


def test_3_refused_sessions_store_nothing(scene, act, unchanged):
    _assign(act, scene)
    with unchanged():
        with pytest.raises(InvalidInput) as unconfirmed:
            act(sup.record_session, scene.as_mentor, _session_body(scene.worker.id, confirmed=False))
        assert "confirmed" in unconfirmed.value.errors
        for hours in (0.25, 8.5, None):
            with pytest.raises(InvalidInput) as bad:
                act(sup.record_session, scene.as_mentor, _session_body(scene.worker.id, hours=hours))
            assert "hours" in bad.value.errors
        with pytest.raises(InvalidInput):
            act(sup.record_session, scene.as_mentor, _session_body(scene.worker.id, held_on=TODAY + timedelta(days=1)))
        with pytest.raises(InvalidInput):
            act(sup.record_session, scene.as_mentor, _session_body(scene.worker.id, held_on=TODAY - timedelta(days=60)))
        with pytest.raises(InvalidInput):
            act(sup.record_session, scene.as_mentor, _session_body(scene.worker.id, form="phone"))
        with pytest.raises(NotFound):  # the wrong supervisor: not their supervisee
            act(sup.record_session, scene.as_stranger, _session_body(scene.worker.id))
        with pytest.raises(NotFound):  # the supervisee recording for themself
            act(sup.record_session, scene.as_worker, _session_body(scene.worker.id))
        with pytest.raises(Forbidden):  # staff cannot confirm in the supervisor's name
            act(sup.record_session, scene.admin, _session_body(scene.worker.id))


def test_4_only_the_supervisee_answers_and_another_social_worker_finds_nothing(scene, act, read, unchanged):
    _assign(act, scene)
    row = act(sup.record_session, scene.as_mentor, _session_body(scene.worker.id))
    with unchanged():
        for who in (scene.as_mentor, scene.as_stranger, scene.admin):
            with pytest.raises(NotFound):
                act(sup.answer_session, who, row.id, confirm=True)
    with read() as s:
        for reader in (scene.as_worker, scene.as_mentor, scene.admin, scene.org_staff):
            assert [r.id for r in sup.sessions_of(s, reader, scene.worker.id)] == [row.id]
        with pytest.raises(NotFound):
            sup.sessions_of(s, scene.as_stranger, scene.worker.id)
        with pytest.raises(NotFound):
            sup.summary(s, scene.as_stranger, scene.worker.id)
        assert sup.assignments(s, scene.as_stranger) == []
        assert len(sup.assignments(s, scene.as_worker)) == 1


def test_5_assignments_one_current_supervisor_qualified_not_oneself_and_ending_keeps_history(
    scene, act, read, unchanged
):
    with unchanged():
        for over, field in (
            ({"supervisor_id": scene.worker.id}, "supervisor_id"),  # oneself (and assistant level)
            ({"social_worker_id": scene.mentor.id, "supervisor_id": scene.mentor.id}, "supervisor_id"),
            ({"supervisor_id": 999999}, "supervisor_id"),
            ({"social_worker_id": 999999}, "social_worker_id"),
        ):
            with pytest.raises(InvalidInput) as bad:
                _assign(act, scene, **over)
            assert field in bad.value.errors, over
        assistant = scene.worker  # 助理社工师 cannot supervise
        with pytest.raises(InvalidInput):
            _assign(act, scene, social_worker_id=scene.stranger.id, supervisor_id=assistant.id)
        with pytest.raises(Forbidden):
            act(
                sup.assign_supervisor,
                scene.as_mentor,
                {"social_worker_id": scene.worker.id, "supervisor_id": scene.mentor.id},
            )
    first = _assign(act, scene)
    with pytest.raises(Conflict):
        _assign(act, scene, supervisor_id=scene.stranger.id)
    act(sup.end_assignment, scene.admin, first.id, TODAY)
    with pytest.raises(Conflict):
        act(sup.end_assignment, scene.admin, first.id, TODAY)
    second = _assign(act, scene, supervisor_id=scene.stranger.id, starts_on=TODAY)
    with read() as s:
        rows = s.scalars(select(SupervisorAssignment).order_by(SupervisorAssignment.id)).all()
        assert [(r.id, r.ends_on) for r in rows] == [(first.id, TODAY), (second.id, None)]
        assert sup.current_assignment(s, scene.worker.id).supervisor_id == scene.stranger.id
    # the former supervisor records no more
    with pytest.raises(NotFound):
        act(sup.record_session, scene.as_mentor, _session_body(scene.worker.id, held_on=TODAY))


def test_6_an_expired_supervisor_certificate_is_refused_and_shows_as_expired(scene, act, read, platform):
    act(
        update_provider,
        ADMIN,
        "social_worker",
        scene.mentor.id,
        {"certificate_expires_on": TODAY - timedelta(days=1)},
        platform.cipher,
    )
    with pytest.raises(InvalidInput) as bad:
        _assign(act, scene)
    assert "supervisor_id" in bad.value.errors
    with read() as s:
        got = sup.summary(s, ADMIN, scene.mentor.id)
    assert got["certificate_valid"] is False
    record = _last_record(read, scene.mentor.id)
    assert record["certificate_expires_on"] == (TODAY - timedelta(days=1)).isoformat()
    assert record["qualifications"][0]["expires_on"] == record["certificate_expires_on"]


def test_7_continuing_education_hours_this_year_against_the_requirement(scene, act, read, unchanged):
    body = {"title": "社会工作伦理", "provider": "区社工协会", "held_on": TODAY, "hours": 40}
    act(sup.add_training, scene.as_worker, scene.worker.id, body)
    act(sup.add_training, scene.org_staff, scene.worker.id, {**body, "hours": 32})
    act(sup.add_training, scene.as_worker, scene.worker.id, {**body, "held_on": TODAY.replace(year=TODAY.year - 1)})
    with read() as s:
        got = sup.summary(s, scene.as_worker, scene.worker.id, 72)
        assert got["ce_hours"] == 72 and got["ce_required_hours"] == 72 and got["ce_met"] is True
        assert sup.summary(s, scene.as_worker, scene.worker.id, 80)["ce_met"] is False
    with unchanged():
        with pytest.raises(NotFound):
            act(sup.add_training, scene.as_stranger, scene.worker.id, body)
        for over in ({"hours": 0}, {"hours": 201}, {"title": " "}, {"held_on": TODAY + timedelta(days=1)}):
            with pytest.raises(InvalidInput):
                act(sup.add_training, scene.as_worker, scene.worker.id, {**body, **over})
    with read() as s:
        assert len(s.scalars(select(Training)).all()) == 3
