"""The pages' one blueprint: hooks, error pages, template helpers; views register on it."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, redirect, render_template, request, url_for

from linkage import formats
from linkage.clock import LOCAL_TZ
from linkage.errors import DomainError, Unauthenticated
from linkage.policy.pages import template_rules
from linkage.web import auth, i18n
from linkage.web.forms import local_input

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/web")

ERROR_TITLES = {400: "bad_request", 401: "login", 403: "forbidden", 404: "not_found", 409: "conflict",
                422: "fix_errors"}


@bp.before_request
def _before():
    auth.check_csrf()
    return auth.load_actor()  # a redirect to the login page when the session went idle


@bp.errorhandler(DomainError)
def _domain_error(err: DomainError):
    if isinstance(err, Unauthenticated):
        return redirect(url_for("web.login", next=request.path))
    title = ERROR_TITLES.get(err.status, "error")
    return render_template("error.html", title=i18n.t(title), message=err.message,
                           errors=i18n.localize(err.errors)), err.status


def _http_error(err):
    return render_template("error.html", title=i18n.t(ERROR_TITLES.get(err.code, "error")),
                           message="", errors={}), err.code


for _code in (400, 403, 404, 405):
    bp.register_error_handler(_code, _http_error)


@bp.app_template_filter("localtime")
def _localtime(moment, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Beijing time for people; accepts the RFC 3339 strings the services' records carry."""
    if not moment:
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return moment.astimezone(LOCAL_TZ).strftime(fmt)


@bp.app_template_filter("local_input")
def _local_input(moment) -> str:
    """The value of an <input type=datetime-local> (Beijing time, to the minute)."""
    return local_input(moment)


@bp.app_template_filter("yuan")
def _yuan(fen) -> str:
    return formats.yuan(fen, sign=False)


@bp.app_template_filter("duration")
def _duration(seconds) -> str:
    if seconds is None:
        return "—"
    zh = i18n.lang() == "zh"
    for limit, size, unit_zh, unit_en in ((60, 1, "秒", "s"), (3600, 60, "分钟", "min"),
                                          (172800, 3600, "小时", "h"), (float("inf"), 86400, "天", "days")):
        if seconds < limit:
            return f"{seconds / size:.{0 if size == 1 else 1}f} {unit_zh if zh else unit_en}"
    return "—"


@bp.app_context_processor
def _globals():
    return dict(t=i18n.t, lang=i18n.lang(), html_lang=i18n.HTML_LANG[i18n.lang()],
                status_label=i18n.status_label, field_label=i18n.field_label, category_label=i18n.category_label,
                group_label=i18n.group_label, localize=i18n.localize, urgency_label=i18n.urgency_label,
                csrf_token=auth.csrf_token, me=auth.current_actor(), **template_rules(auth.current_actor()))
