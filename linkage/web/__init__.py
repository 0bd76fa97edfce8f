"""Server-rendered pages (Jinja, zh-CN by default) over the same services as the API."""
from __future__ import annotations

from datetime import timedelta

from flask import Flask


def init_web(app: Flask) -> None:
    from linkage.web import (funding, views_activities, views_dashboard, views_home,  # noqa: F401
                             views_hours, views_needs, views_projects)
    from linkage.web.blueprint import bp
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      PERMANENT_SESSION_LIFETIME=timedelta(hours=12))
    app.register_blueprint(bp)
