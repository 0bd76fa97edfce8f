"""The inbox (通知): the bell's count in every page's header, the list, marking read, and the settings."""

from __future__ import annotations

from functools import partial

from flask import g, redirect, render_template, request, url_for
from sqlalchemy.exc import SQLAlchemyError

from linkage import exports
from linkage.http.context import platform
from linkage.http.context import session as db_session
from linkage.i18n import DEFAULT_LOCALE
from linkage.models.notifications import KINDS
from linkage.services import inbox
from linkage.web.actions import act, failed_form, posted
from linkage.web.auth import current_actor, login_required, safe_next
from linkage.web.blueprint import bp
from linkage.web.i18n import locale
from linkage.web.paging import export_format, page_export

PAGE_SIZE = 50


@bp.app_context_processor
def _bell():
    """`unread`: the signed-in user's unread notifications, once per request (0 when signed out)."""
    who = current_actor()
    if who is None:
        return {"unread": 0}
    if "unread" not in g:
        try:
            g.unread = inbox.unread_count(db_session(), who.user_id)
        except SQLAlchemyError:  # an error page about the database itself still renders
            g.unread = 0
    return {"unread": g.unread}


def _inbox_view(*, errors=None, message="", status=200, section=""):
    who = current_actor()
    session = db_session()
    rows = inbox.list_notifications(session, who, limit=PAGE_SIZE)
    items = [inbox.notification_record(row, locale()) for row in rows]
    settings = inbox.preferences(session, who.user_id)
    if errors:  # what was posted, shown again with its errors
        form = posted()
        settings = {
            "opted_out": form.getlist("opted_out"),
            "quiet_start": form.get("quiet_start", settings["quiet_start"]),
            "quiet_end": form.get("quiet_end", settings["quiet_end"]),
        }
    return render_template(
        "inbox.html", items=items, settings=settings, kinds=KINDS, errors=errors or {}, message=message
    ), status


@bp.get("/inbox")
@login_required
def inbox_page():
    if export_format():  # the whole inbox, as the page words it
        rows = inbox.list_notifications(db_session(), current_actor(), limit=exports.EXPORT_CAP)
        return page_export(exports.NOTIFICATIONS, [inbox.notification_record(row, DEFAULT_LOCALE) for row in rows])
    return _inbox_view(**failed_form())


@bp.post("/inbox/<int:notification_id>/read")
@login_required
def read_notification(notification_id: int):
    """Mark one read; with `go=1` go on to the page it links to (same site only), else back."""
    with platform().uow() as uow:
        row = inbox.mark_read(uow, current_actor(), notification_id)
    if request.form.get("go") == "1" and row.link:
        return redirect(safe_next(row.link), 303)
    return redirect(url_for("web.inbox_page"), 303)


@bp.post("/inbox/read-all")
@login_required
def read_all_notifications():
    with platform().uow() as uow:
        inbox.mark_all_read(uow, current_actor())
    return redirect(url_for("web.inbox_page"), 303)


@bp.post("/inbox/settings")
@login_required
def notification_settings():
    def run(_body):
        with platform().uow() as uow:
            inbox.set_preferences(
                uow,
                current_actor(),
                opted_out=request.form.getlist("opted_out"),
                quiet_start=request.form.get("quiet_start", ""),
                quiet_end=request.form.get("quiet_end", ""),
            )

    return act(partial(_inbox_view, section="settings"), url_for("web.inbox_page") + "#settings", run)
