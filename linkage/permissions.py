"""Who may do what to which object, in one place."""
from __future__ import annotations

from dataclasses import dataclass

from linkage.errors import Forbidden
from linkage.models import Role


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    role: str
    username: str = ""
    community_id: int | None = None
    organization_id: int | None = None
    volunteer_id: int | None = None
    social_worker_id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN.value


SYSTEM = Actor(user_id=None, role="system", username="system")


def _deny(message: str) -> None:
    raise Forbidden(message)


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        _deny("only district staff (admin) may do this")


def require_community_writer(actor: Actor, community_id: int) -> None:
    """Needs of a community are written by its own staff, or by the district."""
    if actor.is_admin:
        return
    if actor.role == Role.COMMUNITY_STAFF.value and actor.community_id == community_id:
        return
    _deny("only this community's staff may change its needs")


def require_community_manager(actor: Actor, community_id: int) -> None:
    if actor.is_admin:
        return
    if actor.role == Role.COMMUNITY_STAFF.value and actor.community_id == community_id:
        return
    _deny("only this community's staff or the district may change the community")


def require_organization_writer(actor: Actor, organization_id: int | None) -> None:
    if actor.is_admin:
        return
    if actor.role == Role.ORG_STAFF.value and organization_id is not None \
            and actor.organization_id == organization_id:
        return
    _deny("only this organization's staff may change it")


def require_social_worker_writer(actor: Actor, social_worker_id: int | None,
                                 organization_id: int | None) -> None:
    """A social worker edits their own profile; their employer's staff may too."""
    if actor.is_admin:
        return
    if actor.role == Role.SOCIAL_WORKER.value and social_worker_id is not None \
            and actor.social_worker_id == social_worker_id:
        return
    if actor.role == Role.ORG_STAFF.value and organization_id is not None \
            and actor.organization_id == organization_id:
        return
    _deny("only the social worker, their organization or the district may change this profile")


def require_volunteer_self(actor: Actor, volunteer_id: int | None) -> None:
    if actor.is_admin:
        return
    if actor.role == Role.VOLUNTEER.value and volunteer_id is not None \
            and actor.volunteer_id == volunteer_id:
        return
    _deny("a volunteer may change only their own profile")


def may_see_personal_data(actor: Actor | None, volunteer_id: int) -> bool:
    """Whole phone numbers are shown to the person and to admins only."""
    if actor is None:
        return False
    return actor.is_admin or (actor.role == Role.VOLUNTEER.value and actor.volunteer_id == volunteer_id)
