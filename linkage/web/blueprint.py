"""The pages' one blueprint: hooks, error pages, template helpers; views register on it."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, g, redirect, render_template, request, url_for

from linkage import formats
from linkage.clock import LOCAL_TZ
from linkage.errors import DomainError, Unauthenticated
from linkage.policy.pages import template_rules
from linkage.web import auth, i18n
from linkage.web.forms import local_input
from linkage.web.paging import export_url

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/static/web")

ERROR_TITLES = {
    400: "bad_request",
    401: "login",
    403: "forbidden",
    404: "not_found",
    405: "web.error.method",
    409: "conflict",
    422: "fix_errors",
    500: "web.error.server",
}


@bp.before_request
def _before():
    auth.check_csrf()
    return auth.load_actor()  # a redirect to the login page when the session went idle


def error_page(status: int, message: str, errors: dict) -> str:
    """The one error page (error.html) for a person's browser: the pages' own errors here, and any other
    HTTP error (unknown URL, 405, 500) through linkage.http's handler, which calls this."""
    if "web_user" not in g and status < 500:  # outside the pages' routes: still show this person's nav
        auth.load_actor()
    return render_template(
        "error.html", title=i18n.t(ERROR_TITLES.get(status, "error")), message=message, errors=errors, status=status
    )


@bp.errorhandler(DomainError)
def _domain_error(err: DomainError):
    if isinstance(err, Unauthenticated):
        return redirect(url_for("web.login", next=request.path))
    return error_page(err.status, err.message, i18n.localize(err.errors, err.code)), err.status


@bp.app_template_filter("localtime")
def _localtime(moment, fmt: str | None = None) -> str:
    """Beijing time for people (12月3日 14:00, the year when not this year); accepts the RFC 3339 strings
    the services' records carry. `fmt` (e.g. "%H:%M") for the end of a span on the same day."""
    if not moment:
        return ""
    if fmt is None:
        return formats.moment(moment, locale=i18n.locale())
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return moment.astimezone(LOCAL_TZ).strftime(fmt)


@bp.app_template_filter("local_input")
def _local_input(moment) -> str:
    """The value of an <input type=datetime-local> (Beijing time, to the minute)."""
    return local_input(moment)


@bp.app_template_filter("day")
def _day(moment, always_year: bool = False) -> str:
    """A date (12月3日; 2027年12月3日 when not this year, or always for an expiry date)."""
    return formats.day(moment, always_year=always_year, locale=i18n.locale())


@bp.app_template_filter("hours")
def _hours(minutes) -> str:
    """Minutes as 2.5 小时: the one unit of service time on every page."""
    return formats.hours(minutes, locale=i18n.locale())


@bp.app_template_filter("quantity")
def _quantity(amount, unit: str = "") -> str:
    return formats.quantity(amount, unit)


@bp.app_template_filter("yuan")
def _yuan(fen) -> str:
    return formats.yuan(fen, sign=False)


@bp.app_template_filter("duration")
def _duration(seconds) -> str:
    if seconds is None:
        return "—"
    zh = i18n.lang() == "zh"
    for limit, size, unit_zh, unit_en in (
        (60, 1, "秒", "s"),
        (3600, 60, "分钟", "min"),
        (172800, 3600, "小时", "h"),
        (float("inf"), 86400, "天", "days"),
    ):
        if seconds < limit:
            return f"{seconds / size:.{0 if size == 1 else 1}f} {unit_zh if zh else unit_en}"
    return "—"


@bp.app_context_processor
def _globals():
    return dict(
        t=i18n.t,
        lang=i18n.lang(),
        html_lang=i18n.HTML_LANG[i18n.lang()],
        status_label=i18n.status_label,
        field_label=i18n.field_label,
        category_label=i18n.category_label,
        group_label=i18n.group_label,
        localize=i18n.localize,
        urgency_label=i18n.urgency_label,
        qualification_label=i18n.qualification_label,
        csrf_token=auth.csrf_token,
        export_url=export_url,
        me=auth.current_actor(),
        **template_rules(auth.current_actor()),
    )
