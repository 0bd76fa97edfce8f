"""Reports (报表): who may take the monthly and yearly report of which district, street or community."""

from __future__ import annotations

from typing import TYPE_CHECKING

from linkage.errors import Forbidden, NotFound
from linkage.policy.parties import is_community_staff, reads_everything, staffs_community

if TYPE_CHECKING:
    from linkage.permissions import Actor


def may_take_reports(actor: Actor) -> bool:
    """The district (民政) and its auditors take any report; a community's staff their own community's.
    Organizations, social workers and volunteers hand in no 报表 (the dashboard shows them the figures)."""
    return reads_everything(actor) or is_community_staff(actor)


def may_take_report(actor: Actor, community_id: int | None) -> bool:
    """This scope's report: a community's (`community_id`), or a district's or street's (None)."""
    if reads_everything(actor):
        return True
    return community_id is not None and staffs_community(actor, community_id)


def require_report_reader(actor: Actor, community_id: int | None) -> None:
    """403 for a role that takes no reports or for a wider scope than one's community; another
    community's report is not told to exist (404)."""
    if not may_take_reports(actor):
        raise Forbidden("report.forbidden")
    if may_take_report(actor, community_id):
        return
    if community_id is None:
        raise Forbidden("report.own_community_only")
    raise NotFound("report.scope_not_found")


def may_choose_report_scope(actor: Actor) -> bool:
    """The report page offers every district, street and community to those who may take them all;
    a community's staff get their own community's only."""
    return reads_everything(actor)
