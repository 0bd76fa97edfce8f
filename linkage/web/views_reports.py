"""The reports page (报表): pick a scope and a month or year, download the workbook or the PDF."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from linkage.errors import Forbidden, InvalidInput, NotFound
from linkage.http.context import session as db_session
from linkage.http.downloads import report_file
from linkage.models import utcnow
from linkage.policy.reports import may_choose_report_scope, may_take_reports
from linkage.services import reports, stats
from linkage.services.periods import current_month
from linkage.web.auth import current_actor, login_required
from linkage.web.blueprint import bp
from linkage.web.forms import domain_form_error
from schemas.reports import FORMATS


def _asked() -> dict[str, Any]:
    args = request.args
    asked: dict[str, Any] = {"period": args.get("period", "").strip()[:20]}
    if args.get("district"):
        asked["district"] = args["district"][:100]
    if args.get("street"):
        asked["street"] = args["street"][:100]
    if args.get("community_id", "").isdigit():
        asked["community_id"] = int(args["community_id"][:12])
    return asked


def _page(asked: dict[str, Any], *, errors=None, message="", status=200):
    who = current_actor()
    options = stats.scope_options(db_session()) if may_choose_report_scope(who) else {}
    own = None
    if not may_choose_report_scope(who):
        own = next(
            (
                c
                for streets in stats.scope_options(db_session()).values()
                for cs in streets.values()
                for c in cs
                if c["id"] == who.community_id
            ),
            None,
        )
    just_ended = current_month(utcnow()).trailing_months(2)[0]  # the month a report is usually handed in for
    return render_template(
        "reports.html",
        options=options,
        own=own,
        asked=asked,
        errors=errors or {},
        message=message,
        default_period=just_ended.label,
    ), status


@bp.get("/reports")
@login_required
def reports_page():
    who = current_actor()
    if not may_take_reports(who):
        raise Forbidden("report.forbidden")
    asked = _asked()
    wanted = request.args.get("format")
    if wanted is None:
        return _page(asked)
    if not may_choose_report_scope(who):  # a community's staff: their own community, whatever the URL said
        asked.setdefault("community_id", who.community_id)
    try:
        if wanted not in FORMATS:
            raise InvalidInput("report.format_choice", {"format": ["report.format_choice"]})
        report = reports.compile_report(db_session(), who, **asked)
    except InvalidInput as err:
        refused = domain_form_error(err)
        return _page(asked, errors=refused.errors, message=refused.message, status=err.status)
    except NotFound as err:
        if not may_choose_report_scope(who):
            raise  # another community's report is not told to exist
        return _page(asked, message=domain_form_error(err).message, status=err.status)  # filters that do not fit
    return report_file(report, wanted)
