"""Whom an actor acts for: the role tests every rule of the policy is built from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from linkage.models import Role

if TYPE_CHECKING:
    from linkage.permissions import Actor

READ_ALL = (Role.ADMIN.value, Role.AUDITOR.value)  # the district and its auditors read every record


def is_district(actor: Actor) -> bool:
    """District staff (区民政局, admin)."""
    return actor.role == Role.ADMIN.value


def is_volunteer(actor: Actor) -> bool:
    """A volunteer, acting for themself."""
    return actor.role == Role.VOLUNTEER.value


def is_the_volunteer(actor: Actor, volunteer_id: int | None) -> bool:
    """This very volunteer (志愿者本人)."""
    return actor.role == Role.VOLUNTEER.value and actor.volunteer_id == volunteer_id


def is_organization_staff(actor: Actor) -> bool:
    """Staff of some social organization (社会组织)."""
    return actor.role == Role.ORG_STAFF.value


def staffs_organization(actor: Actor, organization_id: int | None) -> bool:
    """Staff of this organization."""
    return actor.role == Role.ORG_STAFF.value and actor.organization_id == organization_id


def is_community_staff(actor: Actor) -> bool:
    """Staff of some community (社区工作者)."""
    return actor.role == Role.COMMUNITY_STAFF.value


def staffs_community(actor: Actor, community_id: int | None) -> bool:
    """Staff of this community."""
    return actor.role == Role.COMMUNITY_STAFF.value and actor.community_id == community_id


def reads_everything(actor: Actor) -> bool:
    """The district and auditors see every record (personal fields still masked)."""
    return actor.role in READ_ALL


def has_role(actor: Actor, roles: tuple[str, ...]) -> bool:
    """The actor's role is one of `roles` (a page of one role's work)."""
    return actor.role in roles
