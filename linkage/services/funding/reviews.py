"""Venture philanthropy, part 1b: reviewers (评审专家), conflicts of interest, rubric scores."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linkage import permissions as perm
from linkage.errors import Conflict, Forbidden, InvalidInput, Message, NotFound
from linkage.models import User
from linkage.models.funding import FundingApplication, FundingReview, ReviewAssignment, RoundStatus
from linkage.permissions import Actor, require_admin
from linkage.policy import funding as funding_policy
from linkage.services.funding.rounds import emit, get_application, get_round, lock_round, review_record
from linkage.uow import UnitOfWork

REVIEWER_ROLES = perm.REVIEWER_ROLES
CONFLICT = "review.conflict_of_interest"


def assign_reviewer(uow: UnitOfWork, actor: Actor, application_id: int, user_id: int) -> ReviewAssignment:
    require_admin(actor)
    application = get_application(uow.session, application_id)
    found = lock_round(uow, application.round_id)
    if found.status not in (RoundStatus.OPEN.value, RoundStatus.REVIEWING.value):
        raise Conflict("review.assign_closed", status=found.status)
    user = uow.session.get(User, user_id)
    if user is None or not user.active:
        raise InvalidInput("review.unknown_user", {"user_id": ["field.no_such_active_user"]})
    if perm.tied_to(uow.session, user, application.organization_id):
        raise Forbidden(CONFLICT)
    if funding_policy.is_auditor(user):
        raise InvalidInput("review.auditor", {"user_id": [perm.AUDITOR_MAY_NOT]})
    if not perm.may_be_reviewer(user.role):
        raise InvalidInput("review.not_reviewer", {"user_id": ["review.reviewer_roles"]})
    if funding_policy.assigned_reviewer(uow.session, application_id, user_id):
        raise Conflict("review.already_assigned", {"user_id": ["field.already_assigned"]})
    assignment = ReviewAssignment(application_id=application_id, reviewer_user_id=user_id,
                                  assigned_by=actor.user_id)
    uow.session.add(assignment)
    uow.session.flush()
    emit(uow, found.id, "reviewer.assigned", f"application/{application_id}",
         {"application_id": application_id, "reviewer_user_id": user_id})
    uow.commit()
    return assignment


def score_total(weights: dict[str, int], scores: dict[str, int]) -> float:
    """The weighted mean of a review's criteria, to two decimals."""
    return round(sum(weights[k] * scores[k] for k in weights) / sum(weights.values()), 2)


def review_application(uow: UnitOfWork, actor: Actor, application_id: int, scores: dict[str, int],
                       comments: str) -> FundingReview:
    """An assigned, untied reviewer scores the rubric while the round is reviewing; once."""
    perm.require_not_auditor(actor)
    application = get_application(uow.session, application_id)
    user = uow.session.get(User, actor.user_id) if actor.user_id else None
    if user is None or perm.tied_to(uow.session, user, application.organization_id):
        raise Forbidden(CONFLICT)
    if not funding_policy.assigned_reviewer(uow.session, application_id, actor.user_id):
        raise Forbidden("review.not_assigned")
    found = lock_round(uow, application.round_id)
    if found.status != RoundStatus.REVIEWING.value:
        raise Conflict("review.round_not_reviewing", status=found.status)
    weights = found.rubric_weights
    if set(scores) != set(weights):
        raise InvalidInput("review.score_every_criterion", {"scores": [Message("rubric.exactly", criteria=", ".join(weights))]})
    if uow.session.scalars(select(FundingReview.id).where(FundingReview.application_id == application_id,
                                                          FundingReview.reviewer_user_id == actor.user_id)).first():
        raise Conflict("review.already_reviewed")
    review = FundingReview(application_id=application_id, reviewer_user_id=actor.user_id, scores=dict(scores),
                           total=score_total(weights, scores), comments=comments)
    uow.session.add(review)
    uow.session.flush()
    emit(uow, found.id, "application.reviewed", f"application/{application_id}", review_record(review))
    uow.commit()
    return review


def reviews_for(session: Session, actor: Actor, application_id: int) -> list[dict[str, Any]]:
    """Overseers see all; a reviewer sees their own; the applicant sees them unsigned after the award."""
    application = get_application(session, application_id)
    reviews = list(session.scalars(select(FundingReview).where(FundingReview.application_id == application_id)
                                   .order_by(FundingReview.id)))
    if funding_policy.is_funding_overseer(actor):
        return [review_record(r) for r in reviews]
    found = get_round(session, application.round_id)
    if funding_policy.staffs(actor, application.organization_id) \
            and found.status in (RoundStatus.AWARDED.value, RoundStatus.CLOSED.value):
        return [review_record(r, anonymous=True) for r in reviews]
    if funding_policy.assigned_reviewer(session, application_id, actor.user_id):
        if perm.tied_to(session, actor, application.organization_id):  # never seen from their own side
            raise NotFound("application.not_found", id=application_id)
        return [review_record(r) for r in reviews if r.reviewer_user_id == actor.user_id]
    raise Forbidden("review.view_forbidden")


def application_scores(session: Session, round_id: int) -> dict[int, float]:
    """Each reviewed application's mean review total, to two decimals (computed here, not in SQL,
    so both databases round alike)."""
    totals: dict[int, list[float]] = {}
    for app_id, total in session.execute(
            select(FundingReview.application_id, FundingReview.total)
            .join(FundingApplication, FundingApplication.id == FundingReview.application_id)
            .where(FundingApplication.round_id == round_id)):
        totals.setdefault(app_id, []).append(total)
    return {app_id: round(sum(values) / len(values), 2) for app_id, values in totals.items()}
