"""Filings (备案) of community social organizations: who sees a filing, who reviews and who confirms it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from linkage.errors import Forbidden
from linkage.policy.parties import is_community_staff, is_district, reads_everything, staffs_community

if TYPE_CHECKING:
    from linkage.models import Filing
    from linkage.permissions import Actor


def may_see_filing(actor: Actor, filing: Filing) -> bool:
    """A filing is seen by the staff of its community, the district (the street) and auditors; to anyone
    else it does not exist (404). The group itself follows it by its receipt, without an account."""
    return reads_everything(actor) or staffs_community(actor, filing.community_id)


def listed_communities(actor: Actor) -> list[int] | None:
    """Whose filings a list shows: None for all (district, auditors), one community for its staff,
    none for anyone else."""
    if reads_everything(actor):
        return None
    if is_community_staff(actor) and actor.community_id is not None:
        return [actor.community_id]
    return []


def may_review_filing(actor: Actor, filing: Filing) -> bool:
    """The first review (受理) is the filing community's staff's."""
    return staffs_community(actor, filing.community_id)


def require_filing_reviewer(actor: Actor, filing: Filing) -> None:
    if not may_review_filing(actor, filing):
        raise Forbidden("filing.review_forbidden")


def may_confirm_filings(actor: Actor) -> bool:
    """The street (district staff, admin) confirms a filing the community accepted."""
    return is_district(actor)


def require_filing_confirmer(actor: Actor) -> None:
    if not may_confirm_filings(actor):
        raise Forbidden("filing.confirm_forbidden")


def shows_whole_phone(actor: Actor, filing: Filing) -> bool:
    """The responsible person's mobile whole: for those who review or confirm (they call back); masked for auditors."""
    return is_district(actor) or staffs_community(actor, filing.community_id)
