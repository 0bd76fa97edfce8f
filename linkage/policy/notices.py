"""Who is told, and whose to-do list holds what: the role rules of notifications (通知) and 待办."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from linkage.models import Role, User
from linkage.policy.parties import is_community_staff, is_district, is_organization_staff

if TYPE_CHECKING:
    from linkage.permissions import Actor


def organization_staff_clause(organization_id: int) -> Any:
    """The users told on an organization's behalf: its staff accounts."""
    return (User.organization_id == organization_id) & (User.role == Role.ORG_STAFF.value)


def decides_claims(actor: Actor) -> bool:
    """Community staff decide the claims on their community's needs; the district on any."""
    return is_community_staff(actor) or is_district(actor)


def decides_claims_everywhere(actor: Actor) -> bool:
    return is_district(actor)


def verifies_hours(actor: Actor) -> bool:
    """An organization's staff verify the hours served with it."""
    return is_organization_staff(actor)


def follows_milestones(actor: Actor) -> bool:
    """Grantees report milestones, communities accept them, the district oversees them."""
    return is_organization_staff(actor) or is_community_staff(actor) or is_district(actor)


def follows_every_grant(actor: Actor) -> bool:
    return is_district(actor)
