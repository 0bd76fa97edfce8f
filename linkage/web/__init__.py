"""Server-rendered pages (Jinja, zh-CN by default) over the same services as the API."""
from __future__ import annotations

from datetime import timedelta

from flask import Flask, render_template

from linkage.http.errors import ERROR_PAGE
from linkage.http.rate_limits import TOO_MANY_PAGE


def too_many_page(wait: int) -> str:
    """The page a person sees at 429 anywhere outside the API."""
    from linkage.web.i18n import t, wait_in_words
    return render_template("error.html", title=t("too_many"), message=t("too_many_wait", wait=wait_in_words(wait)),
                           errors={})


def init_web(app: Flask) -> None:
    from linkage.web import (  # noqa: F401
        funding,
        views_activities,
        views_checkin,
        views_consultations,
        views_cultivation,
        views_dashboard,
        views_exports,
        views_filings,
        views_growth,
        views_home,
        views_hours,
        views_imports,
        views_inbox,
        views_invitations,
        views_needs,
        views_projects,
        views_providers,
        views_qualifications,
        views_reports,
        views_series,
        views_supervision,
        views_transfer,
        views_verify,
    )
    from linkage.web.blueprint import bp, error_page
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      PERMANENT_SESSION_LIFETIME=timedelta(hours=12))
    app.register_blueprint(bp)
    app.extensions[TOO_MANY_PAGE] = too_many_page
    app.extensions[ERROR_PAGE] = error_page
    # Pages link the API's JSON only when the API is served beside them (init_api may be left out).
    app.context_processor(lambda: {"served": lambda endpoint: endpoint in app.view_functions})
