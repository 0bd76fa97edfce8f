"""Funding (公益创投) rules: who may act on rounds, applications, reviews and grants."""
from __future__ import annotations

from sqlalchemy import select

from linkage.models import Role
from linkage.permissions import Actor, tied_to

# Who may act on rounds, applications, reviews and grants. The funding services (linkage/services/
# funding/) and its pages ask these and raise their own errors; docs/security.md has the table.
FUNDING_OVERSEERS = (Role.ADMIN.value, Role.AUDITOR.value)  # every application, grant and the ledger


def is_funding_overseer(actor: Actor) -> bool:
    """The district and its auditors oversee every round."""
    return actor.role in FUNDING_OVERSEERS


def is_auditor(person) -> bool:
    return person.role == Role.AUDITOR.value


def runs_funding(actor: Actor | None) -> bool:
    """The district runs the rounds: opens and moves them, assigns reviewers, commits awards, pays tranches."""
    return actor is not None and actor.is_admin


def may_apply_for_funding(actor: Actor) -> bool:
    """Organizations apply, through their staff."""
    return actor.role == Role.ORG_STAFF.value and actor.organization_id is not None


def staffs(actor: Actor, organization_id: int | None) -> bool:
    """The actor is staff of this organization (the applicant, the grantee)."""
    return actor.role == Role.ORG_STAFF.value and actor.organization_id == organization_id


def serves_community(actor: Actor, community_id: int | None) -> bool:
    """The actor is staff of this community (the one whose need is funded)."""
    return actor.role == Role.COMMUNITY_STAFF.value and actor.community_id == community_id


def assigned_reviewer(session, application_id: int, user_id: int | None) -> bool:
    from linkage.models.funding import ReviewAssignment
    return user_id is not None and session.scalars(select(ReviewAssignment.id).where(
        ReviewAssignment.application_id == application_id,
        ReviewAssignment.reviewer_user_id == user_id)).first() is not None


def may_view_application(session, actor: Actor, application) -> bool:
    """The applicant, its community, the district and the assigned reviewers not on the applicant's
    side (职责分离); to anyone else the application does not exist."""
    if is_funding_overseer(actor):
        return True
    if actor.role == Role.ORG_STAFF.value:
        return actor.organization_id == application.organization_id
    if actor.role == Role.COMMUNITY_STAFF.value:
        return actor.community_id == application.community_id
    return assigned_reviewer(session, application.id, actor.user_id) \
        and not tied_to(session, actor, application.organization_id)


def may_view_grant(actor: Actor, grant) -> bool:
    """A grant is seen by its organization, its community and the district."""
    return is_funding_overseer(actor) or staffs(actor, grant.organization_id) \
        or serves_community(actor, grant.community_id)


def may_accept_milestone(actor: Actor, grant) -> bool:
    """节点验收: the district or the community of the funded need."""
    return actor.is_admin or serves_community(actor, grant.community_id)


def may_close_grant(actor: Actor, grant) -> bool:
    """结项报告: the grantee organization or the district."""
    return actor.is_admin or staffs(actor, grant.organization_id)


def supervised_grants(actor: Actor, grants: list) -> list | None:
    """The grants of a round an actor supervises: all for overseers, an organization's own, a
    community's; None for anyone else (supervision is not theirs)."""
    if actor.role == Role.ORG_STAFF.value:
        return [g for g in grants if g.organization_id == actor.organization_id]
    if actor.role == Role.COMMUNITY_STAFF.value:
        return [g for g in grants if g.community_id == actor.community_id]
    return list(grants) if is_funding_overseer(actor) else None
