"""待办 (to-do): what waits for the signed-in user, counted per role, each with the page that acts on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from linkage.clock import LOCAL_TZ
from linkage.models import (
    Claim,
    ClaimStatus,
    FundingApplication,
    FundingReview,
    FundingRound,
    Grant,
    HourEntry,
    Invitation,
    InvitationStatus,
    Milestone,
    Need,
    RecordStatus,
    ReviewAssignment,
    records_with_status,
    utcnow,
)
from linkage.models.funding import GrantStatus, RoundStatus
from linkage.permissions import Actor
from linkage.policy.invitations import invitee_of
from linkage.policy.notices import (
    decides_claims,
    decides_claims_everywhere,
    follows_every_grant,
    follows_milestones,
    verifies_hours,
)
from linkage.services.inbox import unread_count
from linkage.services.notifications import MILESTONE_NOTICE_DAYS


@dataclass(frozen=True)
class Todo:
    key: str  # the catalogue's `todo_<key>` names it
    count: int
    link: str


def claims_to_decide(session: Session, actor: Actor) -> int:
    """Pending claims on the needs of the actor's community (every community's for the district)."""
    query = (
        select(func.count())
        .select_from(Claim)
        .join(Need, Need.id == Claim.need_id)
        .where(Claim.status == ClaimStatus.PENDING.value)
    )
    if not decides_claims_everywhere(actor):
        query = query.where(Need.community_id == actor.community_id)
    return session.scalar(query) or 0


def reviews_assigned(session: Session, actor: Actor) -> int:
    """Applications of a round under review assigned to the actor that they have not scored yet."""
    scored = and_(
        FundingReview.application_id == ReviewAssignment.application_id,
        FundingReview.reviewer_user_id == ReviewAssignment.reviewer_user_id,
    )
    return (
        session.scalar(
            select(func.count())
            .select_from(ReviewAssignment)
            .join(FundingApplication, FundingApplication.id == ReviewAssignment.application_id)
            .join(FundingRound, FundingRound.id == FundingApplication.round_id)
            .where(
                ReviewAssignment.reviewer_user_id == actor.user_id,
                FundingRound.status == RoundStatus.REVIEWING.value,
                ~select(FundingReview.id).where(scored).exists(),
            )
        )
        or 0
    )


def hours_to_verify(session: Session, actor: Actor) -> int:
    """Pending hour records of the actor's organization (after check-out, or logged by staff)."""
    query, status = records_with_status()
    rows = query.where(
        cast(Any, status) == RecordStatus.PENDING.value, HourEntry.organization_id == actor.organization_id
    ).subquery()
    return session.scalar(select(func.count()).select_from(rows)) or 0


def milestones_due(session: Session, actor: Actor) -> int:
    """Milestones not yet accepted, due within 7 days: the grantee's to report, the community's to accept."""
    today = utcnow().astimezone(LOCAL_TZ).date()
    query = (
        select(func.count())
        .select_from(Milestone)
        .join(Grant, Grant.id == Milestone.grant_id)
        .where(
            Grant.status == GrantStatus.ACTIVE.value,
            Milestone.accepted_at.is_(None),
            Milestone.due_on.is_not(None),
            Milestone.due_on <= today + timedelta(days=MILESTONE_NOTICE_DAYS),
        )
    )
    if actor.organization_id is not None:
        query = query.where(Grant.organization_id == actor.organization_id)
    elif actor.community_id is not None:
        query = query.where(Grant.community_id == actor.community_id)
    elif not follows_every_grant(actor):
        return 0
    return session.scalar(query) or 0


def invitations_pending(session: Session, actor: Actor) -> int:
    """Invitations waiting for the actor's answer: those addressed to the provider they act for (any
    staff of an invited organization answers, policy.invitations.invitee_of)."""
    mine = invitee_of(actor)
    if mine is None:
        return 0
    return (
        session.scalar(
            select(func.count())
            .select_from(Invitation)
            .where(
                Invitation.invitee_kind == mine[0],
                Invitation.invitee_id == mine[1],
                Invitation.status == InvitationStatus.PENDING.value,
            )
        )
        or 0
    )


def todo_list(session: Session, actor: Actor) -> list[Todo]:
    """The actor's to-do items in the order they would act on them (zero counts included)."""
    items: list[Todo] = []
    if decides_claims(actor):
        items.append(Todo("claims", claims_to_decide(session, actor), "/needs"))
    if actor.user_id is not None and session.scalar(
        select(func.count()).select_from(ReviewAssignment).where(ReviewAssignment.reviewer_user_id == actor.user_id)
    ):
        items.append(Todo("reviews", reviews_assigned(session, actor), "/funding"))
    if verifies_hours(actor):
        items.append(Todo("hours", hours_to_verify(session, actor), "/projects"))
    if follows_milestones(actor):
        items.append(Todo("milestones", milestones_due(session, actor), "/funding"))
    items.append(Todo("invitations", invitations_pending(session, actor), "/invitations"))
    items.append(Todo("unread", unread_count(session, actor.user_id), "/inbox"))
    return items
