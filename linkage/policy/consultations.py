"""Residents' voice (议事协商): who runs a community's consultations and who reads them (residents: the public pages)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from linkage.errors import Forbidden
from linkage.models import Role
from linkage.policy.parties import is_community_staff, is_district, reads_everything, staffs_community

if TYPE_CHECKING:
    from linkage.permissions import Actor

# The staff pages (/consultations): the district, communities' staff, and the auditors who read everything.
CONSULTATION_PAGE_ROLES = (Role.ADMIN.value, Role.COMMUNITY_STAFF.value, Role.AUDITOR.value)


def require_consultation_opener(actor: Actor, community_id: int | None) -> None:
    """A community's staff open consultations for their own community; the district (the street) for any."""
    if not (is_district(actor) or staffs_community(actor, community_id)):
        raise Forbidden("consultation.open_forbidden")


def may_open_consultations(actor: Actor) -> bool:
    """Whether the staff page offers the form to open one (the district, or a community's staff)."""
    return is_district(actor) or is_community_staff(actor)


def may_run_consultation(actor: Actor, community_id: int) -> bool:
    """Codes, closing, and turning an item into a need: the community's own staff, or the district."""
    return is_district(actor) or staffs_community(actor, community_id)


def may_see_consultation(actor: Actor, community_id: int) -> bool:
    """The staff view (codes issued and used, who converted what): those who run it, and the auditors.
    To anyone else it does not exist (404); residents see the public page instead."""
    return may_run_consultation(actor, community_id) or reads_everything(actor)


def listed_communities(actor: Actor) -> tuple[int, ...] | None:
    """Whose consultations a staff list shows: every community's (None), one community's, or none."""
    if reads_everything(actor):
        return None
    if is_community_staff(actor) and actor.community_id is not None:
        return (actor.community_id,)
    return ()
