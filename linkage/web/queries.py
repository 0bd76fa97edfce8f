"""Name look-ups for the pages (id -> display name); the funding look-ups below await their service."""
from __future__ import annotations

from sqlalchemy import select

from linkage.models import Organization, Volunteer


def volunteer_names(session, ids) -> dict[int, str]:
    ids = list(ids)
    if not ids:
        return {}
    return dict(session.execute(select(Volunteer.id, Volunteer.name).where(Volunteer.id.in_(ids))).all())


def volunteer_codes(session, ids) -> dict[int, str]:
    """志愿者编号 by volunteer id: what an organizer's hour sheet (the hours import) names them by."""
    ids = list(ids)
    if not ids:
        return {}
    return dict(session.execute(select(Volunteer.id, Volunteer.code).where(Volunteer.id.in_(ids))).all())


def organization_names(session, ids) -> dict[int, str]:
    ids = list(ids)
    if not ids:
        return {}
    return dict(session.execute(select(Organization.id, Organization.name).where(Organization.id.in_(ids))).all())


def community_names(session, ids) -> dict[int, str]:
    from linkage.models import Community
    ids = list(ids)
    if not ids:
        return {}
    return dict(session.execute(select(Community.id, Community.name).where(Community.id.in_(ids))).all())


def reviewer_candidates(session, roles: tuple[str, ...]) -> list:
    """Active users who may be asked to review (the service decides; this only fills a list)."""
    from linkage.models import User
    return list(session.scalars(select(User).where(User.active.is_(True), User.role.in_(roles))
                                .order_by(User.role, User.username).limit(200)))


def usernames(session, ids) -> dict[int, str]:
    from linkage.models import User
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())


def fund_resources(session) -> list:
    """Charity resources of kind fund with money left: the co-funding sources an applicant may pledge."""
    from linkage.models import CharityResource
    return list(session.scalars(select(CharityResource).where(CharityResource.active.is_(True),
                                                              CharityResource.kind == "fund",
                                                              CharityResource.remaining_fen > 0)
                                .order_by(CharityResource.id).limit(200)))


def assigned_reviewers(session, application_id: int) -> list[int]:
    from linkage.models.funding import ReviewAssignment
    return list(session.scalars(select(ReviewAssignment.reviewer_user_id)
                                .where(ReviewAssignment.application_id == application_id)
                                .order_by(ReviewAssignment.id)))


def grant_for_application(session, application_id: int):
    from linkage.models.funding import Grant
    return session.scalars(select(Grant).where(Grant.application_id == application_id)).first()


def grants_of_round(session, round_id: int) -> list:
    from linkage.models.funding import Grant
    return list(session.scalars(select(Grant).where(Grant.round_id == round_id).order_by(Grant.id)))
