"""Growth records (品牌社会组织, 社工引入): who designates brands, who records placements, who reads them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from linkage.errors import Forbidden
from linkage.models import Role
from linkage.policy.parties import has_role, is_district, reads_everything, staffs_organization

if TYPE_CHECKING:
    from linkage.models import Placement
    from linkage.permissions import Actor

# Who reads placements at all: the district and auditors (every one), an organization's staff (those into
# their organization), a social worker (their own). Community staff and volunteers do not (403).
PLACEMENT_READERS = (Role.ADMIN.value, Role.AUDITOR.value, Role.ORG_STAFF.value, Role.SOCIAL_WORKER.value)


def may_designate_brands(actor: Actor) -> bool:
    """Brand organizations (品牌社会组织) are the district's to name and to revoke."""
    return is_district(actor)


def require_brand_designator(actor: Actor) -> None:
    if not may_designate_brands(actor):
        raise Forbidden("brand.forbidden")


def may_read_brands(actor: Actor) -> bool:
    """A brand designation is a public honour: every logged-in role reads the list."""
    return True


def require_placement_recorder(actor: Actor, organization_id: int | None) -> None:
    """A placement is recorded by the district, or by staff of the receiving organization for their
    own organization only (organizations are listed publicly: another's is a 403, not a secret)."""
    if not (is_district(actor) or staffs_organization(actor, organization_id)):
        raise Forbidden("placement.forbidden")


def placement_organization(actor: Actor, organization_id: int | None) -> int | None:
    """The organization a placement is recorded into: as named, else the staff's own (the district names one)."""
    if organization_id is None and not is_district(actor):
        return actor.organization_id
    return organization_id


def require_placement_reader(actor: Actor) -> None:
    if not has_role(actor, PLACEMENT_READERS):
        raise Forbidden("placement.read_forbidden")


def may_see_placement(actor: Actor, placement: Placement) -> bool:
    """The district and auditors see every placement; the receiving organization's staff and the
    social worker placed see theirs; to anyone else it does not exist (404, left out of lists)."""
    if reads_everything(actor):
        return True
    if staffs_organization(actor, placement.organization_id):
        return True
    return actor.role == Role.SOCIAL_WORKER.value and actor.social_worker_id == placement.social_worker_id


def may_remove_placement(actor: Actor, placement: Placement) -> bool:
    """A placement recorded in error is removed by whoever may record it."""
    return is_district(actor) or staffs_organization(actor, placement.organization_id)
