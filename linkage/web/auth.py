"""Session-cookie login for the pages, the CSRF token, and the actor of a page request."""
from __future__ import annotations

import hmac
import secrets
from functools import wraps

from flask import abort, flash, g, redirect, request, session, url_for

from linkage.errors import Forbidden
from linkage.http.context import platform
from linkage.http.context import session as db_session
from linkage.models import User
from linkage.permissions import Actor
from linkage.policy.pages import may_open_page
from linkage.services.accounts import actor_for
from linkage.web.i18n import t

CSRF_FIELD = "csrf_token"


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf() -> None:
    """Every state-changing page request carries the session's token in a hidden field."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = request.form.get(CSRF_FIELD, "")
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent, expected):
        abort(400)


def start_session(user: User) -> None:
    """A fresh session at login: nothing from before it survives, except the language."""
    lang = session.get("lang")
    session.clear()
    session.update(uid=user.id, v=user.token_version, csrf=secrets.token_urlsafe(32), seen=_now())
    if lang:
        session["lang"] = lang
    session.permanent = True


def end_session() -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


# How often the last-seen time is written back (each write is a new cookie): idle is measured to this.
_SEEN_RESOLUTION = 60


def _now() -> int:
    return int(platform().clock().timestamp())


def load_actor():
    """Resolve the cookie like actor_from_token does a bearer token: the user, active, same version;
    a session idle for longer than the setting ends here and the request goes to the login page."""
    g.web_user = None
    uid = session.get("uid")
    if uid is None:
        return None
    now, seen = _now(), session.get("seen", 0)
    if now - seen > platform().settings.session_idle_seconds:
        end_session()
        if request.endpoint == "web.static":
            return None
        flash(t("session_idle"))
        if request.endpoint == "web.login":
            return None
        return redirect(url_for("web.login", next=request.full_path.rstrip("?")
                                if request.method == "GET" else None))
    if now - seen >= _SEEN_RESOLUTION:
        session["seen"] = now
    try:
        user = db_session().get(User, uid)
        if user is None or not user.active or user.token_version != session.get("v"):
            end_session()
            return None
        g.web_user = user
        g.actor = actor_for(user)  # the audit trail reads g.actor
    finally:
        db_session().rollback()  # as in the API: end the read snapshot before any write
    return None


def current_actor() -> Actor | None:
    return g.get("actor") if g.get("web_user") is not None else None


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_actor() is None:
            return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return wrapper


def roles(*allowed: str):
    """Pages of one role's work; anyone else is told so (403), not shown an empty page."""
    def decorate(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if not may_open_page(current_actor(), allowed):
                raise Forbidden("page.other_role")
            return view(*args, **kwargs)
        return wrapper
    return decorate


def safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect a person elsewhere after login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("web.home")


__all__ = ["CSRF_FIELD", "csrf_token", "check_csrf", "start_session", "end_session", "load_actor",
           "current_actor", "login_required", "roles", "safe_next", "platform"]
