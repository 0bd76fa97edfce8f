"""Needs and projects: who decides claims, moves a project along, names its lead, issues evaluation codes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from linkage.errors import Forbidden
from linkage.models import Role
from linkage.policy.parties import is_district, is_organization_staff, staffs_community, staffs_organization

if TYPE_CHECKING:
    from linkage.models import Need, Project, SocialWorker
    from linkage.permissions import Actor

NEED_POSTERS = (Role.COMMUNITY_STAFF.value, Role.ADMIN.value)  # who posts a community's needs


def may_post_needs(actor: Actor) -> bool:
    return actor.role in NEED_POSTERS


def may_claim_needs(actor: Actor) -> bool:
    """Organizations claim needs (认领); the community decides among the claims."""
    return is_organization_staff(actor)


def may_decide_claims(actor: Actor, need: Need) -> bool:
    """The need's community (or the district) sees every claim on it and decides them."""
    return is_district(actor) or staffs_community(actor, need.community_id)


def project_parties(actor: Actor, project: Project) -> set[str]:
    """The sides of a project the actor speaks for: "organization" and/or "community"."""
    parties = set()
    if is_district(actor) or staffs_organization(actor, project.organization_id):
        parties.add("organization")
    if is_district(actor) or staffs_community(actor, project.community_id):
        parties.add("community")
    return parties


def require_project_party(actor: Actor, project: Project, parties: frozenset[str]) -> None:
    """The change is one of `parties`' to make (the district may make any)."""
    if is_district(actor):
        return
    if "organization" in parties and staffs_organization(actor, project.organization_id):
        return
    if "community" in parties and staffs_community(actor, project.community_id):
        return
    raise Forbidden("project.change_forbidden")


def require_lead_of_own_organization(actor: Actor, worker: SocialWorker, project: Project) -> None:
    """A project's lead is one of its organization's own social workers (the district may name any)."""
    if not is_district(actor) and worker.organization_id != project.organization_id:
        raise Forbidden("project.lead_own_worker")


def require_code_issuer(actor: Actor, project: Project) -> None:
    """Evaluation codes go to the households a project reached, from its community."""
    if not (is_district(actor) or staffs_community(actor, project.community_id)):
        raise Forbidden("evaluation.codes_forbidden")
