"""Invitations (邀请) from a need's ranked matches: send one, answer it (accept starts a claim or a sign-up), list them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linkage.catalogue import Topics, Types
from linkage.errors import Conflict, InvalidInput, NotFound
from linkage.models import (
    INVITEE_KINDS,
    Activity,
    Invitation,
    InvitationKind,
    InvitationStatus,
    MatchSet,
    Need,
    NeedStatus,
    Project,
    ProjectStatus,
    User,
    utcnow,
)
from linkage.models.invitations import pending_key
from linkage.permissions import Actor
from linkage.policy.invitations import (
    answering_account,
    invitee_of,
    is_invitee,
    may_invite_to_activity,
    may_invite_to_claim,
    may_see_sent,
    require_inviter,
)
from linkage.services import activities as activity_service
from linkage.services import projects as project_service
from linkage.services.providers import get_provider
from linkage.uow import UnitOfWork, get_or_404

RUNNING = (ProjectStatus.APPROVED.value, ProjectStatus.IN_PROGRESS.value)
CLAIMABLE = (NeedStatus.OPEN.value, NeedStatus.MATCHED.value)
ANSWERS = ("accept", "decline")


def invitation_record(invitation: Invitation) -> dict[str, Any]:
    """The `invitation` of linkage.invitation.sent.v1 / answered.v1 (docs/events.md)."""
    return {
        "id": invitation.id,
        "kind": invitation.kind,
        "status": invitation.status,
        "need_id": invitation.need_id,
        "activity_id": invitation.activity_id,
        "invitee_kind": invitation.invitee_kind,
        "invitee_id": invitation.invitee_id,
        "invitee_user_id": invitation.invitee_user_id,
        "inviter_user_id": invitation.inviter_user_id,
    }


def _emit(uow: UnitOfWork, invitation: Invitation, type: str, project_id: int | None) -> None:
    key = str(project_id) if project_id is not None else f"need-{invitation.need_id}"
    uow.emit(
        topic=Topics.PROJECTS,
        key=key,
        type=type,
        subject=f"invitation/{invitation.id}",
        data={"invitation": invitation_record(invitation)},
    )


def project_of_need(session: Session, need_id: int) -> Project | None:
    return session.scalars(select(Project).where(Project.need_id == need_id)).first()


def ranked_ids(session: Session, need_id: int, kind: str) -> list[int]:
    """The providers of `kind` in the need's stored ranking, best first (every stored entry, not only
    those a page shows)."""
    row = session.get(MatchSet, need_id)
    return [e["provider_id"] for e in (row.matches.get(kind, []) if row else [])]


def open_activities(session: Session, project: Project | None) -> list[Activity]:
    """The project's activities one may still be invited to: not cancelled, not over, project running."""
    if project is None or project.status not in RUNNING:
        return []
    return list(
        session.scalars(
            select(Activity)
            .where(Activity.project_id == project.id, Activity.cancelled.is_(False), Activity.ends_at > utcnow())
            .order_by(Activity.starts_at, Activity.id)
        )
    )


def _account(session: Session, invitee_kind: str, invitee_id: int) -> int | None:
    """The user who answers for the provider (an organization's first active staff account), if any."""
    return session.scalar(select(User.id).where(answering_account(invitee_kind, invitee_id)).order_by(User.id).limit(1))


def invite(uow: UnitOfWork, actor: Actor, need_id: int, data: dict[str, Any]) -> Invitation:
    """Invite a provider ranked for the need: an organization to claim it (kind claim), a volunteer or
    social worker to an activity of its project (kind activity)."""
    session = uow.session
    need = get_or_404(session, Need, need_id)
    kind, invitee_kind, invitee_id = data["kind"], data["invitee_kind"], data["invitee_id"]
    project = project_of_need(session, need_id)
    require_inviter(actor, kind, need, project)
    if invitee_kind not in INVITEE_KINDS[kind]:
        raise InvalidInput("invitation.wrong_kind", {"invitee_kind": ["invitation.kind_for_invitation"]})
    activity_id = data.get("activity_id") if kind == InvitationKind.ACTIVITY.value else None
    if kind == InvitationKind.CLAIM.value:
        if need.status not in CLAIMABLE:
            raise Conflict("need.not_claimable", status=need.status)
    elif activity_id not in {a.id for a in open_activities(session, project)}:
        raise InvalidInput("invitation.no_activity", {"activity_id": ["invitation.activity_of_project"]})
    if invitee_id not in ranked_ids(session, need_id, invitee_kind):
        raise InvalidInput("invitation.unranked", {"invitee_id": ["invitation.only_ranked"]})
    provider = get_provider(session, invitee_kind, invitee_id)
    if not provider.active:
        raise InvalidInput("invitation.invitee_inactive", {"invitee_id": ["field.not_active"]})
    key = pending_key(kind, need_id, activity_id, invitee_kind, invitee_id)
    if session.scalar(select(Invitation.id).where(Invitation.pending_key == key)) is not None:
        raise Conflict("invitation.duplicate")
    invitation = Invitation(
        kind=kind,
        need_id=need_id,
        activity_id=activity_id,
        invitee_kind=invitee_kind,
        invitee_id=invitee_id,
        invitee_user_id=_account(session, invitee_kind, invitee_id),
        inviter_user_id=actor.user_id,
        message=(data.get("message") or "").strip(),
        pending_key=key,
        status=InvitationStatus.PENDING.value,
    )
    session.add(invitation)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent invitation of the same invitee won
        uow.rollback()
        raise Conflict("invitation.duplicate") from exc
    _emit(uow, invitation, Types.INVITATION_SENT, project.id if project and activity_id else None)
    uow.commit()
    return invitation


def get_mine(session: Session, actor: Actor, invitation_id: int, lock: bool = False) -> Invitation:
    """An invitation the actor answers; anyone else's is not there (404)."""
    query = select(Invitation).where(Invitation.id == invitation_id)
    invitation = session.scalars(query.with_for_update() if lock else query).first()
    if invitation is None or not is_invitee(actor, invitation):
        raise NotFound("invitation.not_found", id=invitation_id)
    return invitation


def still_open(session: Session, invitation: Invitation) -> bool:
    """The need may still be claimed, or the activity joined."""
    if invitation.kind == InvitationKind.CLAIM.value:
        return session.get(Need, invitation.need_id).status in CLAIMABLE  # type: ignore[union-attr]
    activity = session.get(Activity, invitation.activity_id)
    return activity is not None and activity in open_activities(session, activity.project)


def answer_invitation(uow: UnitOfWork, actor: Actor, invitation_id: int, answer: str, plan: str = "") -> Invitation:
    """The invitee accepts or declines, once. Accepting a claim invitation submits the organization's
    claim with `plan` (the claim flow decides it); accepting an activity invitation signs the volunteer
    up (which may put them on the waitlist); a social worker's acceptance is recorded for the organizer."""
    session = uow.session
    invitation = get_mine(session, actor, invitation_id, lock=True)
    if invitation.status != InvitationStatus.PENDING.value:
        raise Conflict("invitation.answered", status=invitation.status)
    if answer not in ANSWERS:
        raise InvalidInput("invitation.answer", {"answer": ["invitation.answer_choice"]})
    if not still_open(session, invitation):
        raise Conflict("invitation.expired")
    accepted = answer == "accept"
    if accepted and invitation.kind == InvitationKind.CLAIM.value and len(plan.strip()) < 5:
        raise InvalidInput("invitation.plan_needed", {"plan": ["invitation.plan_for_claim"]})
    invitation.status = InvitationStatus.ACCEPTED.value if accepted else InvitationStatus.DECLINED.value
    invitation.answered_at, invitation.pending_key = utcnow(), None
    session.flush()
    project = project_of_need(session, invitation.need_id)
    _emit(uow, invitation, Types.INVITATION_ANSWERED, project.id if project and invitation.activity_id else None)
    if not accepted:
        uow.commit()
        return invitation
    # The flows below commit the answer with what it starts, or roll both back when they refuse.
    if invitation.kind == InvitationKind.CLAIM.value:
        claim = project_service.claim_need(
            uow, actor, invitation.need_id, plan.strip(), organization_id=invitation.invitee_id
        )
        invitation.claim_id = claim.id
    elif invitation.invitee_kind == "volunteer":
        signup = activity_service.sign_up(uow, actor, invitation.activity_id)  # type: ignore[arg-type]
        invitation.signup_id = signup.id
    else:
        uow.commit()
        return invitation
    uow.commit()  # the claim's or sign-up's id on the invitation
    return invitation


def expire_invitations(uow: UnitOfWork) -> int:
    """Mark pending invitations whose need or activity closed as expired (a worker's timer may call
    this); each is announced as answered. Returns how many expired."""
    session = uow.session
    expired = 0
    for invitation in session.scalars(
        select(Invitation).where(Invitation.status == InvitationStatus.PENDING.value).order_by(Invitation.id)
    ):
        if still_open(session, invitation):
            continue
        invitation.status, invitation.answered_at, invitation.pending_key = (
            InvitationStatus.EXPIRED.value,
            utcnow(),
            None,
        )
        project = project_of_need(session, invitation.need_id)
        _emit(uow, invitation, Types.INVITATION_ANSWERED, project.id if project and invitation.activity_id else None)
        expired += 1
    uow.commit()
    return expired


def invite_options(session: Session, actor: Actor, need: Need) -> dict[str, bool]:
    """Provider kind -> whether `actor` may invite ranked entries of that kind now (the pages' 邀请 buttons)."""
    project = project_of_need(session, need.id)
    claim = may_invite_to_claim(actor, need) and need.status in CLAIMABLE
    activity = (
        project is not None and may_invite_to_activity(actor, project) and bool(open_activities(session, project))
    )
    return {"organization": claim, "volunteer": activity, "social_worker": activity, "resource": False}


def my_invitations(session: Session, actor: Actor) -> list[Invitation]:
    """The invitations the actor answers, pending first, newest first."""
    mine = invitee_of(actor)
    if mine is None:
        return []
    pending_first = Invitation.status != InvitationStatus.PENDING.value
    return list(
        session.scalars(
            select(Invitation)
            .where(Invitation.invitee_kind == mine[0], Invitation.invitee_id == mine[1])
            .order_by(pending_first, Invitation.id.desc())
        )
    )


def sent_for_need(session: Session, actor: Actor, need_id: int) -> list[Invitation]:
    """The invitations sent for a need, newest first, to whoever may send them; [] to anyone else."""
    need = get_or_404(session, Need, need_id)
    if not may_see_sent(actor, need, project_of_need(session, need_id)):
        return []
    return list(session.scalars(select(Invitation).where(Invitation.need_id == need_id).order_by(Invitation.id.desc())))


def answer_counts(session: Session, invitee_kind: str) -> dict[int, dict[str, int]]:
    """provider id -> {status: count} of its answered invitations: the record of declines that a later
    fairness term may weigh (docs/matching.md); the matcher does not read it yet."""
    rows = session.execute(
        select(Invitation.invitee_id, Invitation.status, func.count())
        .where(Invitation.invitee_kind == invitee_kind, Invitation.status != InvitationStatus.PENDING.value)
        .group_by(Invitation.invitee_id, Invitation.status)
    )
    counts: dict[int, dict[str, int]] = {}
    for provider_id, status, n in rows:
        counts.setdefault(provider_id, {})[status] = n
    return counts
