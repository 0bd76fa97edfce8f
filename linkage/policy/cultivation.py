"""The incubation track (孵化) and annual reports (年报): the street's cultivation centre writes; an organization's
staff see their own; the district and auditors see all."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from linkage.errors import Forbidden
from linkage.policy.parties import is_district, reads_everything, staffs_organization

if TYPE_CHECKING:
    from linkage.permissions import Actor


def may_see_membership(actor: Actor, organization_id: int | None) -> bool:
    """An organization's place in a cohort, its records and assessments: its own staff, the district,
    auditors; to anyone else it does not exist (404)."""
    return reads_everything(actor) or staffs_organization(actor, organization_id)


def sees_every_cohort(actor: Actor) -> bool:
    """The district (培育中心 is the street's, an admin) and auditors see every cohort and member."""
    return reads_everything(actor)


def listed_cohorts(actor: Actor) -> Any:
    """The cohorts a person's list shows, as a query condition: all (district, auditors), those their
    organization is a member of (its staff), none (anyone else)."""
    from sqlalchemy import false, select, true

    from linkage.models import Cohort, CohortMember

    if reads_everything(actor):
        return true()
    if actor.organization_id is not None and staffs_organization(actor, actor.organization_id):
        return Cohort.id.in_(
            select(CohortMember.cohort_id).where(CohortMember.organization_id == actor.organization_id)
        )
    return false()


def require_cultivator(actor: Actor) -> None:
    """Cohorts are opened, organizations admitted, records kept, assessed and graduated by the street's
    cultivation centre (培育中心): district staff."""
    if not is_district(actor):
        raise Forbidden("cultivation.centre_only")


def may_cultivate(actor: Actor) -> bool:
    return is_district(actor)


def may_see_annual_report(actor: Actor, organization_id: int | None) -> bool:
    """An annual report: its organization's staff, the district, auditors; anyone else 404."""
    return reads_everything(actor) or staffs_organization(actor, organization_id)


def listed_annual_reports(actor: Actor) -> Any:
    """The annual reports a list shows, as a query condition."""
    from sqlalchemy import false, true

    from linkage.models import AnnualReport

    if reads_everything(actor):
        return true()
    if actor.organization_id is not None and staffs_organization(actor, actor.organization_id):
        return AnnualReport.organization_id == actor.organization_id
    return false()


def require_annual_reporter(actor: Actor, organization_id: int | None) -> None:
    """An annual report is submitted by the organization's own staff."""
    if not staffs_organization(actor, organization_id):
        raise Forbidden("annual_report.own_only")


def may_report_annually(actor: Actor) -> bool:
    return actor.organization_id is not None and staffs_organization(actor, actor.organization_id)


def require_overdue_reader(actor: Actor) -> None:
    """Who has not reported (the overdue list) is the district's follow-up, and auditors'."""
    if not reads_everything(actor):
        raise Forbidden("annual_report.overdue_forbidden")


def may_read_overdue(actor: Actor) -> bool:
    return reads_everything(actor)
