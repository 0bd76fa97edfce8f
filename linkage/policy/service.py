"""Volunteer service: who organizes activities and sign-ups, logs and checks hours, issues certificates."""
from __future__ import annotations

from typing import TYPE_CHECKING

from linkage.errors import Forbidden
from linkage.policy.parties import (
    is_district,
    is_organization_staff,
    is_the_volunteer,
    is_volunteer,
    reads_everything,
    staffs_community,
    staffs_organization,
)

if TYPE_CHECKING:
    from linkage.models import Certificate, Project
    from linkage.permissions import Actor


# -- activities and sign-ups -------------------------------------------------------------------
def may_organize(actor: Actor, project: Project) -> bool:
    """The project's organization (or the district) runs its activities: schedules them, sees and
    checks in their sign-ups."""
    return is_district(actor) or staffs_organization(actor, project.organization_id)


def require_organizer(actor: Actor, project: Project) -> None:
    if not may_organize(actor, project):
        raise Forbidden("activity.org_only")


def require_attendance_recorder(actor: Actor, project: Project, volunteer_id: int, *, by_code: bool) -> None:
    """The organizer records anyone's check-in and check-out; a volunteer records their own only with
    a valid code shown at the venue (现场签到码, checked by services.checkin_codes)."""
    if may_organize(actor, project) or (by_code and is_the_volunteer(actor, volunteer_id)):
        return
    raise Forbidden("activity.org_only")


def require_signup_by(actor: Actor, volunteer_id: int | None, project: Project) -> None:
    """Volunteers sign themselves up; the organization may add a walk-in, also after the fact, so
    their hours can be recorded."""
    if not (is_the_volunteer(actor, volunteer_id) or may_organize(actor, project)):
        raise Forbidden("signup.forbidden")


def require_signup_canceller(actor: Actor, volunteer_id: int, project: Project) -> None:
    if not (is_district(actor) or is_the_volunteer(actor, volunteer_id)
            or staffs_organization(actor, project.organization_id)):
        raise Forbidden("signup.cancel_forbidden")


def may_sign_up(actor: Actor) -> bool:
    """Volunteers sign themselves up to an activity (its organization adds walk-ins from its page)."""
    return is_volunteer(actor)


# -- hours ------------------------------------------------------------------------------------
def may_log_own_hours(actor: Actor, volunteer_id: int | None) -> bool:
    """A volunteer logs their own service (source: self)."""
    return is_the_volunteer(actor, volunteer_id)


def may_log_hours_for(actor: Actor, project: Project) -> bool:
    """The organization that ran the service enters hours for its volunteers (source: org entry)."""
    return may_organize(actor, project)


def may_verify_hours_of(actor: Actor, project: Project) -> bool:
    """The project's organization or community verifies its hours (who logged them never does:
    linkage.permissions.require_not_own_hours)."""
    return is_district(actor) or staffs_organization(actor, project.organization_id) \
        or staffs_community(actor, project.community_id)


def require_hours_verifier(actor: Actor, project: Project | None) -> None:
    if project is None or not may_verify_hours_of(actor, project):
        raise Forbidden("hours.verify_forbidden")


def require_hours_disputer(actor: Actor, volunteer_id: int) -> None:
    if not is_the_volunteer(actor, volunteer_id):
        raise Forbidden("hours.dispute_forbidden")


def require_hours_corrector(actor: Actor, project: Project) -> None:
    if not may_organize(actor, project):
        raise Forbidden("hours.correct_forbidden")


# -- certificates -----------------------------------------------------------------------------
def issuer_for(actor: Actor, organization_id: int | None) -> int | None:
    """Whose name a certificate is issued in: an organization's staff issue in their own
    organization's unless they name one."""
    if organization_id is None and is_organization_staff(actor):
        return actor.organization_id
    return organization_id


def asks_for_own_certificate(actor: Actor) -> bool:
    """The holder applies online (线上自助申请): what the certificate says about the issuer comes
    from the issuer, not from them."""
    return is_volunteer(actor)


def require_certificate_issuer(actor: Actor, volunteer_id: int, organization_id: int | None) -> None:
    if is_district(actor) or is_the_volunteer(actor, volunteer_id):
        return
    if organization_id is not None and staffs_organization(actor, organization_id):
        return
    raise Forbidden("certificate.issue_forbidden")


def require_certificate_revoker(actor: Actor, certificate: Certificate) -> None:
    is_issuer = certificate.organization_id is not None and staffs_organization(actor, certificate.organization_id)
    if not (is_district(actor) or is_issuer):
        raise Forbidden("certificate.revoke_forbidden")


def may_download_certificate(actor: Actor, certificate: Certificate) -> bool:
    """The holder, the issuing organization and the district; to anyone else it is not there."""
    return is_district(actor) or is_the_volunteer(actor, certificate.volunteer_id) \
        or staffs_organization(actor, certificate.organization_id)


# -- hour records exported per organization or community and month (工时汇总导出) ---------------
def may_export_hours(actor: Actor, organization_id: int | None = None, community_id: int | None = None) -> bool:
    """The district and its auditors export any organization's or community's hour records; an
    organization's staff their own organization's; a community's staff their own community's."""
    if reads_everything(actor):
        return True
    if organization_id is not None:
        return staffs_organization(actor, organization_id)
    return community_id is not None and staffs_community(actor, community_id)


def require_hours_exporter(actor: Actor, organization_id: int | None = None, community_id: int | None = None) -> None:
    if not may_export_hours(actor, organization_id, community_id):
        raise Forbidden("hours.report_forbidden")
