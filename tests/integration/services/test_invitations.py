"""Invitations from a need's matches: staff invite ranked providers, the invitee accepts (a claim or a
sign-up follows) or declines, once; bad input stores nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from linkage.errors import Conflict, Forbidden, InvalidInput, NotFound
from linkage.models import Claim, Invitation, OutboxEvent, Signup
from linkage.services.invitations import (
    answer_counts,
    answer_invitation,
    expire_invitations,
    invite,
    my_invitations,
    sent_for_need,
)
from linkage.services.needs import cancel_need
from tests.factories import ADMIN
from tests.integration.services.invitation_scene import claimed, scene


def _claim_invite(s, **over):
    return {"kind": "claim", "invitee_kind": "organization", "invitee_id": s.org.id, "message": "欢迎认领", **over}


def _events(read, type_):
    with read() as session:
        rows = session.scalars(select(OutboxEvent).where(OutboxEvent.type == type_).order_by(OutboxEvent.id))
        return [json.loads(r.envelope)["data"]["invitation"] for r in rows]


def test_staff_invite_a_ranked_organization_which_accepts_and_its_claim_is_submitted(build, platform, act, read):
    s = scene(build, platform)
    sent = act(invite, s.staff, s.need.id, _claim_invite(s))
    assert (sent.status, sent.invitee_user_id, sent.inviter_user_id) == (
        "pending",
        s.org_staff.user_id,
        s.staff.user_id,
    )
    [event] = _events(read, "linkage.invitation.sent.v1")
    assert event == {
        "id": sent.id,
        "kind": "claim",
        "status": "pending",
        "need_id": s.need.id,
        "activity_id": None,
        "invitee_kind": "organization",
        "invitee_id": s.org.id,
        "invitee_user_id": s.org_staff.user_id,
        "inviter_user_id": s.staff.user_id,
    }
    with read() as session:
        assert [i.id for i in my_invitations(session, s.org_staff)] == [sent.id]
        assert my_invitations(session, s.volunteer_actor) == []
    answered = act(answer_invitation, s.org_staff, sent.id, "accept", plan="两名社工上门评估")
    with read() as session:
        claim = session.scalars(select(Claim).where(Claim.need_id == s.need.id)).one()
        stored = session.get(Invitation, sent.id)
    assert (claim.organization_id, claim.created_by, claim.ranked, claim.status) == (
        s.org.id,
        s.org_staff.user_id,
        True,
        "pending",
    )
    assert (answered.status, stored.status, stored.claim_id, stored.pending_key) == (
        "accepted",
        "accepted",
        claim.id,
        None,
    )
    assert [e["status"] for e in _events(read, "linkage.invitation.answered.v1")] == ["accepted"]


def test_a_ranked_volunteer_accepts_an_activity_invitation_and_is_signed_up(build, platform, act, read):
    s = scene(build, platform)
    project, activity = claimed(build, s)
    org_side = act(
        invite,
        s.org_staff,
        s.need.id,
        {"kind": "activity", "invitee_kind": "volunteer", "invitee_id": s.volunteer.id, "activity_id": activity.id},
    )
    assert org_side.invitee_user_id == s.volunteer_actor.user_id
    act(answer_invitation, s.volunteer_actor, org_side.id, "accept")
    with read() as session:
        signup = session.scalars(select(Signup).where(Signup.activity_id == activity.id)).one()
        assert signup.volunteer_id == s.volunteer.id
        assert session.get(Invitation, org_side.id).signup_id == signup.id
        # Activity invitations are keyed by the project (claim invitations by need-<id>): one partition, in order.
        keys = session.scalars(select(OutboxEvent.key).where(OutboxEvent.type.like("linkage.invitation.%")))
        assert set(keys) == {str(project.id)}


def test_a_social_worker_declines_and_the_decline_is_counted(build, platform, act, read):
    s = scene(build, platform)
    _, activity = claimed(build, s)
    sent = act(
        invite,
        s.staff,
        s.need.id,
        {"kind": "activity", "invitee_kind": "social_worker", "invitee_id": s.worker.id, "activity_id": activity.id},
    )
    act(answer_invitation, s.worker_actor, sent.id, "decline")
    with read() as session:
        assert answer_counts(session, "social_worker") == {s.worker.id: {"declined": 1}}
        assert [i.status for i in sent_for_need(session, s.staff, s.need.id)] == ["declined"]
        assert sent_for_need(session, s.volunteer_actor, s.need.id) == []
    # Once answered, the same invitee may be invited again.
    again = act(
        invite,
        s.staff,
        s.need.id,
        {"kind": "activity", "invitee_kind": "social_worker", "invitee_id": s.worker.id, "activity_id": activity.id},
    )
    assert again.status == "pending"


def test_only_ranked_providers_may_be_invited(build, platform, act, unchanged):
    s = scene(build, platform)
    with unchanged(), pytest.raises(InvalidInput) as refused:
        act(invite, s.staff, s.need.id, _claim_invite(s, invitee_id=s.other_org.id))
    assert refused.value.code == "invitation.unranked" and refused.value.errors == {
        "invitee_id": ["invitation.only_ranked"]
    }
    with unchanged(), pytest.raises(InvalidInput):
        act(invite, s.staff, s.need.id, _claim_invite(s, invitee_kind="volunteer", invitee_id=s.volunteer.id))


def test_a_second_pending_invitation_of_the_same_invitee_is_refused(build, platform, act, unchanged):
    s = scene(build, platform)
    act(invite, s.staff, s.need.id, _claim_invite(s))
    with unchanged(), pytest.raises(Conflict) as refused:
        act(invite, ADMIN, s.need.id, _claim_invite(s))
    assert refused.value.code == "invitation.duplicate"


def test_who_may_invite(build, platform, act, unchanged):
    s = scene(build, platform)
    other_staff = build.community_staff(build.community())
    for outsider in (other_staff, s.org_staff, s.volunteer_actor):
        with unchanged(), pytest.raises(Forbidden):
            act(invite, outsider, s.need.id, _claim_invite(s))
    _, activity = claimed(build, s)
    with unchanged(), pytest.raises(Forbidden):
        act(
            invite,
            other_staff,
            s.need.id,
            {"kind": "activity", "invitee_kind": "volunteer", "invitee_id": s.volunteer.id, "activity_id": activity.id},
        )


def test_an_activity_invitation_names_an_open_activity_of_the_needs_project(build, platform, act, unchanged):
    s = scene(build, platform)
    other_project, other_activity = claimed(build, scene(build, platform))
    _, activity = claimed(build, s)
    for activity_id in (None, other_activity.id):
        with unchanged(), pytest.raises(InvalidInput) as refused:
            act(
                invite,
                s.staff,
                s.need.id,
                {
                    "kind": "activity",
                    "invitee_kind": "volunteer",
                    "invitee_id": s.volunteer.id,
                    "activity_id": activity_id,
                },
            )
        assert refused.value.errors == {"activity_id": ["invitation.activity_of_project"]}


def test_someone_elses_invitation_is_not_there_and_an_answer_is_given_once(build, platform, act, unchanged):
    s = scene(build, platform)
    sent = act(invite, s.staff, s.need.id, _claim_invite(s))
    other_org_staff = build.org_staff(s.other_org)
    for stranger in (other_org_staff, s.volunteer_actor, s.staff):
        with unchanged(), pytest.raises(NotFound):
            act(answer_invitation, stranger, sent.id, "decline")
    with unchanged(), pytest.raises(InvalidInput) as refused:
        act(answer_invitation, s.org_staff, sent.id, "accept", plan="")
    assert refused.value.errors == {"plan": ["invitation.plan_for_claim"]}
    act(answer_invitation, s.org_staff, sent.id, "decline")
    with unchanged(), pytest.raises(Conflict) as twice:
        act(answer_invitation, s.org_staff, sent.id, "accept", plan="两名社工上门评估")
    assert twice.value.code == "invitation.answered"


def test_a_refused_claim_leaves_the_invitation_pending(build, platform, act, read):
    s = scene(build, platform)
    sent = act(invite, s.staff, s.need.id, _claim_invite(s))
    build.claim(s.need, s.org)  # the organization had claimed already
    with pytest.raises(Conflict) as refused:
        act(answer_invitation, s.org_staff, sent.id, "accept", plan="两名社工上门评估")
    assert refused.value.code == "claim.duplicate"
    with read() as session:
        assert session.get(Invitation, sent.id).status == "pending"
        assert _events(read, "linkage.invitation.answered.v1") == []


def test_invitations_of_a_closed_need_expire(build, platform, act, read, unchanged):
    s = scene(build, platform)
    sent = act(invite, s.staff, s.need.id, _claim_invite(s))
    act(cancel_need, ADMIN, s.need.id)
    with unchanged(), pytest.raises(Conflict) as refused:
        act(answer_invitation, s.org_staff, sent.id, "decline")
    assert refused.value.code == "invitation.expired"
    assert act(expire_invitations) == 1
    with read() as session:
        assert session.get(Invitation, sent.id).status == "expired"
    assert [e["status"] for e in _events(read, "linkage.invitation.answered.v1")] == ["expired"]


def test_racing_invitations_of_one_invitee_make_one_pending_invitation(build, platform, read):
    import threading

    s = scene(build, platform)
    barrier, outcomes = threading.Barrier(6), []

    def send() -> None:
        barrier.wait()
        try:
            with platform.uow() as uow:
                outcomes.append(invite(uow, ADMIN, s.need.id, _claim_invite(s)).id)
        except Exception as exc:  # a Conflict expected; anything else fails the assertion below
            outcomes.append(exc)

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    made = [o for o in outcomes if isinstance(o, int)]
    assert len(made) == 1, outcomes
    assert all(isinstance(o, Conflict) and o.code == "invitation.duplicate" for o in outcomes if o not in made)
    with read() as session:
        assert [i.id for i in session.scalars(select(Invitation))] == made
