"""Home by role, logging in and out, and the language switch."""
from __future__ import annotations

import json
from urllib.parse import urlsplit

from flask import redirect, render_template, request, session, url_for

from linkage.errors import TooManyRequests, Unauthenticated
from linkage.http.context import platform
from linkage.http.context import session as db_session
from linkage.http.downloads import attachment
from linkage.notice import current_notice
from linkage.services.accounts import LoginPolicy, log_in
from linkage.services.rights import export_person
from linkage.services.todo import todo_list
from linkage.web import auth
from linkage.web.blueprint import bp
from linkage.web.i18n import LANGS, t, wait_in_words

# What each role comes here to do, in the order they do it.
TILES = {
    "community_staff": (("web.new_need", "post_need"), ("web.needs", "my_needs"), ("web.projects", "projects"),
                        ("web.funding_rounds", "funding"), ("web.dashboard", "dashboard")),
    "org_staff": (("web.needs", "needs_near"), ("web.projects", "projects"), ("web.activities", "activities"),
                  ("web.funding_rounds", "funding"), ("web.dashboard", "dashboard")),
    "volunteer": (("web.activities", "activities_near"), ("web.my_hours", "my_hours"),
                  ("web.my_qualifications", "my_qualifications")),
    "social_worker": (("web.needs", "all_needs"), ("web.funding_rounds", "funding"), ("web.dashboard", "dashboard")),
    "admin": (("web.dashboard", "dashboard"), ("web.funding_rounds", "funding"), ("web.needs", "all_needs"),
              ("web.projects", "projects"), ("web.activities", "activities")),
    "auditor": (("web.dashboard", "dashboard"), ("web.funding_rounds", "funding"), ("web.needs", "all_needs"),
                ("web.projects", "projects")),
}


@bp.get("/")
def home():
    who = auth.current_actor()
    if who is None:
        return render_template("welcome.html")
    return render_template("home.html", tiles=TILES.get(who.role, ()), todo=todo_list(db_session(), who))


@bp.get("/privacy")
def privacy_notice():
    """个人信息处理告知书: public, the text volunteers and guardians consent to."""
    return render_template("privacy.html", notice=current_notice())


@bp.get("/me/export")
@auth.login_required
def export_my_data():
    """下载我的数据: the same JSON as GET /api/v1/me/export, as a file."""
    who = auth.current_actor()
    data = export_person(db_session(), who, platform().cipher)
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    answer = attachment(body.encode(), f"linkage-my-data-{who.user_id}.json", "application/json")
    answer.headers["Cache-Control"] = "no-store"
    return answer


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = ""
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        p = platform()
        headers = {}
        try:
            with p.uow() as uow:
                _token, user = log_in(uow, p.passwords, p.tokens, LoginPolicy.from_settings(p.settings), username,
                                      request.form.get("password", ""), request.remote_addr or "", p.clock())
        except Unauthenticated:
            error, status = t("login_failed"), 401
        except TooManyRequests as refused:
            error, status = t("login_locked", wait=wait_in_words(refused.retry_after)), 429
            headers["Retry-After"] = str(refused.retry_after)
        else:
            auth.start_session(user)
            return redirect(auth.safe_next(request.args.get("next")))
        return render_template("login.html", error=error, username=username), status, headers
    return render_template("login.html", error=error, username="")


@bp.post("/logout")
def logout():
    auth.end_session()
    return redirect(url_for("web.login"))


@bp.get("/lang/<code>")
def switch_language(code: str):
    if code in LANGS:
        session["lang"] = code
    back = urlsplit(request.referrer or "")
    same_site = not back.netloc or back.netloc == request.host
    return redirect(auth.safe_next(back.path + (f"?{back.query}" if back.query else "")) if same_site
                    else url_for("web.home"))


@bp.get("/confirm")
@auth.login_required
def confirm():
    """The question before an irreversible post (actions.confirm_first): confirm, or go back."""
    asked = session.get("confirm")
    if not asked:
        return redirect(url_for("web.home"))
    return render_template("confirm.html", asked=asked)
