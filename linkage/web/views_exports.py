"""工时汇总: an organization's or a community's hour records of one month, listed for its staff (the
district and auditors choose whose) and exported as xlsx or csv with the page's own month and scope."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import select

from linkage import exports
from linkage.clock import LOCAL_TZ
from linkage.errors import InvalidInput
from linkage.http.context import session as db_session
from linkage.models import Community, Organization, utcnow
from linkage.policy.parties import is_community_staff, is_organization_staff
from linkage.services import hour_reports
from linkage.web.auth import current_actor, roles
from linkage.web.blueprint import bp
from linkage.web.paging import list_window, page_export, pager
from schemas.hours import HoursReportRowSchema

PAGE = 100


def _scope(who) -> tuple[dict, str]:
    """Whose records: staff their own; the district and auditors the ?scope=community:ID|organization:ID
    they chose (the first community until they choose)."""
    if is_organization_staff(who):
        return {"organization_id": who.organization_id}, f"organization:{who.organization_id}"
    if is_community_staff(who):
        return {"community_id": who.community_id}, f"community:{who.community_id}"
    kind, _, ident = request.args.get("scope", "").partition(":")
    if kind in ("community", "organization") and ident.isdigit() and len(ident) < 10:
        return {f"{kind}_id": int(ident)}, f"{kind}:{ident}"
    first = db_session().scalar(select(Community.id).order_by(Community.id).limit(1))
    return {"community_id": first or 0}, f"community:{first or 0}"


def _choices(who) -> list[tuple[str, str]]:
    """The district's and auditors' choice of whose records (staff have no choice)."""
    if is_organization_staff(who) or is_community_staff(who):
        return []
    session = db_session()
    communities = session.execute(select(Community.id, Community.name).order_by(Community.id).limit(500)).all()
    organizations = session.execute(
        select(Organization.id, Organization.name).order_by(Organization.id).limit(500)
    ).all()
    return [(f"community:{i}", n) for i, n in communities] + [(f"organization:{i}", n) for i, n in organizations]


@bp.get("/hours/report")
@roles("admin", "auditor", "org_staff", "community_staff")
def hours_report_page():
    who = current_actor()
    scope, chosen = _scope(who)
    month = request.args.get("month") or utcnow().astimezone(LOCAL_TZ).strftime("%Y-%m")
    page, size = list_window(PAGE)
    message, rows, total = "", [], 0
    try:
        if len(month) != 7 or month[4] != "-":
            raise InvalidInput("hours.report_month")
        rows, total = hour_reports.hours_report(db_session(), who, month=month, page=page, page_size=size, **scope)
    except InvalidInput as err:
        message = err.message
    if not message and (file := page_export(exports.HOURS_REPORT, HoursReportRowSchema(many=True).dump(rows), total)):
        return file
    return render_template(
        "hours_report.html",
        rows=rows,
        month=month,
        chosen=chosen,
        choices=_choices(who),
        message=message,
        pages=pager(page, size, total),
    ), 422 if message else 200
