"""Invitations (邀请): who invites a ranked provider from a need's matches, and who answers an invitation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import and_

from linkage.errors import Forbidden
from linkage.policy.parties import is_district, staffs_community, staffs_organization
from linkage.policy.projects import may_decide_claims
from linkage.policy.service import may_organize

if TYPE_CHECKING:
    from linkage.models import Invitation, Need, Project
    from linkage.permissions import Actor


def may_invite_to_claim(actor: Actor, need: Need) -> bool:
    """The need's community (or the district), who decide its claims, invite an organization to claim it."""
    return may_decide_claims(actor, need)


def may_invite_to_activity(actor: Actor, project: Project) -> bool:
    """The community the project serves, its organizer, or the district invite people to its activities."""
    return is_district(actor) or staffs_community(actor, project.community_id) or may_organize(actor, project)


def may_see_sent(actor: Actor, need: Need, project: Project | None) -> bool:
    """Who sees the invitations sent for a need: whoever may send some."""
    return may_invite_to_claim(actor, need) or (project is not None and may_invite_to_activity(actor, project))


def require_inviter(actor: Actor, kind: str, need: Need, project: Project | None) -> None:
    allowed = (
        may_invite_to_claim(actor, need)
        if kind == "claim"
        else project is not None and may_invite_to_activity(actor, project)
    )
    if not allowed:
        raise Forbidden("invitation.forbidden")


def is_invitee(actor: Actor, invitation: Invitation) -> bool:
    """The invited provider answers: an organization's staff for it, a volunteer or social worker for
    themself. To anyone else the invitation is not there (404)."""
    kind, provider = invitation.invitee_kind, invitation.invitee_id
    if kind == "organization":
        return staffs_organization(actor, provider)
    if kind == "volunteer":
        return actor.role == "volunteer" and actor.volunteer_id == provider
    return actor.role == "social_worker" and actor.social_worker_id == provider


def answering_account(invitee_kind: str, invitee_id: int) -> Any:
    """A SQL condition on users: the active accounts that answer for the provider (an organization's
    staff, the volunteer's or the social worker's own login)."""
    from linkage.models import User

    column = {
        "organization": User.organization_id,
        "volunteer": User.volunteer_id,
        "social_worker": User.social_worker_id,
    }[invitee_kind]
    role = {"organization": "org_staff", "volunteer": "volunteer", "social_worker": "social_worker"}[invitee_kind]
    return and_(column == invitee_id, User.active.is_(True), User.role == role)


def invitee_of(actor: Actor) -> tuple[str, int] | None:
    """The provider an actor answers invitations for, if any."""
    if actor.role == "org_staff" and actor.organization_id is not None:
        return "organization", actor.organization_id
    if actor.role == "volunteer" and actor.volunteer_id is not None:
        return "volunteer", actor.volunteer_id
    if actor.role == "social_worker" and actor.social_worker_id is not None:
        return "social_worker", actor.social_worker_id
    return None
