"""People and their data: who registers volunteers, records consent, erases, closes sessions, names communities."""

from __future__ import annotations

from typing import TYPE_CHECKING

from linkage.errors import Forbidden
from linkage.models import Role
from linkage.policy.parties import is_district, is_the_volunteer, staffs_community

if TYPE_CHECKING:
    from linkage.models import Volunteer
    from linkage.permissions import Actor

PAPER_CONFIRMERS = (Role.ADMIN.value, Role.COMMUNITY_STAFF.value)  # who confirms a paper consent form


def require_volunteer_registrar(actor: Actor, community_id: int | None) -> None:
    """Volunteers are registered by the district or by staff of the community they belong to."""
    if not (is_district(actor) or staffs_community(actor, community_id)):
        raise Forbidden("volunteer.register_forbidden")


def may_confirm_paper_consent(actor: Actor) -> bool:
    """A signed paper form is confirmed by staff (the district or a community's), not by the person."""
    return actor.role in PAPER_CONFIRMERS


def require_consent_recorder(actor: Actor, volunteer: Volunteer) -> None:
    """A further consent is given by the volunteer themself, or confirmed by the district or their
    community's staff."""
    if not (
        is_the_volunteer(actor, volunteer.id) or is_district(actor) or staffs_community(actor, volunteer.community_id)
    ):
        raise Forbidden("consent.forbidden")


def require_erasure_requester(actor: Actor) -> None:
    """Only a volunteer erases themself; staff accounts are closed by the district instead."""
    if actor.volunteer_id is None:
        raise Forbidden("erasure.staff_account")


def require_eraser(actor: Actor, volunteer_id: int) -> None:
    """An erasure is asked for by the person, or carried out by the district."""
    if not (is_the_volunteer(actor, volunteer_id) or is_district(actor)):
        raise Forbidden("erasure.forbidden")


def erases_for_another(actor: Actor, volunteer_id: int) -> bool:
    """The district erasing someone else's data: it records the ground (e.g. their written request)."""
    return is_district(actor) and not is_the_volunteer(actor, volunteer_id)


def require_token_revoker(actor: Actor, user_id: int | None) -> None:
    """Everyone logs themself out everywhere; only the district does it for another user."""
    if user_id != actor.user_id and not is_district(actor):
        raise Forbidden("account.revoke_forbidden")


def may_change_community_code(actor: Actor) -> bool:
    """A community's code is the district's to change."""
    return is_district(actor)


def may_keep_qualifications(actor: Actor, volunteer_id: int | None) -> bool:
    """A volunteer's qualifications (资质) are read and kept by the volunteer themself or the district;
    to anyone else they do not exist (404)."""
    return is_district(actor) or is_the_volunteer(actor, volunteer_id)
