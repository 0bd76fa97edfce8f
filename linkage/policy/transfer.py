"""Record transfer and safety records: who exports, who trusts another platform, who imports, who edits insurance."""

from __future__ import annotations

from typing import TYPE_CHECKING

from linkage.errors import Forbidden
from linkage.policy.parties import is_district, is_the_volunteer, staffs_community

if TYPE_CHECKING:
    from linkage.models import Volunteer
    from linkage.permissions import Actor


def may_export_record(actor: Actor, volunteer_id: int) -> bool:
    """A signed export of a service record (转移接续) is the volunteer's own to take away."""
    return is_the_volunteer(actor, volunteer_id)


def may_manage_trusted_platforms(actor: Actor) -> bool:
    """Which other platforms' signatures count is the district's (民政) decision."""
    return is_district(actor)


def require_trusted_platform_manager(actor: Actor) -> None:
    if not may_manage_trusted_platforms(actor):
        raise Forbidden("transfer.platforms_district_only")


def may_import_record(actor: Actor, volunteer: Volunteer) -> bool:
    """The district, or the staff of the volunteer's community, import hours a volunteer brings
    from another platform (they check the person as at registration)."""
    return is_district(actor) or staffs_community(actor, volunteer.community_id)


def require_record_importer(actor: Actor, volunteer: Volunteer) -> None:
    if not may_import_record(actor, volunteer):
        raise Forbidden("transfer.import_forbidden")


def may_edit_safety_records(actor: Actor, volunteer_id: int) -> bool:
    """Insurance and a guardian's consent are entered by the volunteer themself."""
    return is_the_volunteer(actor, volunteer_id)


def require_safety_editor(actor: Actor, volunteer_id: int) -> None:
    if not may_edit_safety_records(actor, volunteer_id):
        raise Forbidden("safety.edit_forbidden")
