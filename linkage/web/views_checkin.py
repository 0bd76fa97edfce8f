"""Check-in at the venue: the organizer's rotating QR code page, the volunteer's scan page (签到/签退)."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from markupsafe import Markup

from linkage.errors import Conflict
from linkage.http.context import platform
from linkage.http.context import session as db_session
from linkage.reports import qr
from linkage.services import activities as activity_service
from linkage.services import checkin_codes
from linkage.web.actions import act, failed_form, posted
from linkage.web.auth import current_actor, login_required, roles
from linkage.web.blueprint import bp
from linkage.web.i18n import t
from schemas.checkin import ScanRequestSchema


def _codes() -> checkin_codes.CheckinCodes:
    return checkin_codes.CheckinCodes(platform().settings.secret_key)


def _current(activity_id: int) -> tuple[dict | None, str]:
    """The poll record of the code shown now for the activity (organizers only), or why there is none."""
    try:
        shown = checkin_codes.current_code(db_session(), current_actor(), activity_id, _codes())
    except Conflict as closed:
        return None, closed.message
    # The platform's public address, as on certificates: what a phone at the venue can reach.
    base = platform().settings.public_base_url.rstrip("/")
    scan_url = base + url_for("web.activity_scan", activity_id=activity_id, c=shown.token)
    return checkin_codes.code_record(shown, scan_url, qr.svg(scan_url, t("checkin.code_title"))), ""


@bp.get("/activities/<int:activity_id>/checkin-code")
@login_required
def activity_checkin_code(activity_id: int):
    """The organizer shows this page at the venue (projector or phone); it asks for a new code every 10 s."""
    activity = activity_service.get_activity(db_session(), activity_id)
    record, closed = _current(activity_id)
    return render_template(
        "checkin_code.html",
        activity=activity,
        record=record,
        closed=closed,
        svg=Markup(record["svg"]) if record else "",
    )  # our own SVG: a path, no text


@bp.get("/activities/<int:activity_id>/checkin-code.json")
@login_required
def activity_checkin_code_json(activity_id: int):
    record, closed = _current(activity_id)
    response = jsonify(record or {"activity_id": activity_id, "closed": closed})
    response.status_code = 200 if record else 409
    response.headers["Cache-Control"] = "no-store"
    return response


def _scan_view(activity_id: int, *, errors=None, message="", status=200):
    activity = activity_service.get_activity(db_session(), activity_id)
    mine = activity_service.my_signups(db_session(), current_actor()).get(activity_id)
    form = posted()
    code = request.args.get("c", "") or form.get("c", "")
    return render_template(
        "activity_scan.html",
        activity=activity,
        mine=mine,
        code=code,
        radius=platform().settings.checkin_radius_m,
        errors=errors or {},
        message=message,
        form=form,
    ), status


@bp.get("/activities/<int:activity_id>/scan")
@roles("volunteer")
def activity_scan(activity_id: int):
    """Where the QR's URL leads: the signed-in volunteer presses 签到 or 签退 (or types the digits)."""
    return _scan_view(activity_id, **failed_form())


@bp.post("/activities/<int:activity_id>/scan")
@roles("volunteer")
def activity_scan_post(activity_id: int):
    code = request.form.get("c", "")
    back = url_for("web.activity_scan", activity_id=activity_id, c=code or None)

    def run(body):
        position = (body["lat"], body["lon"]) if body["lat"] is not None and body["lon"] is not None else None
        with platform().uow() as uow:
            signup, _entry = checkin_codes.self_attend(
                uow,
                current_actor(),
                activity_id,
                _codes(),
                body["step"],
                token=body["c"],
                digits=body["digits"],
                position=position,
                radius_m=platform().settings.checkin_radius_m,
                content=body["content"],
            )
        flash(t("checkin.done_in" if signup.status == "checked_in" else "checkin.done_out"))
        return redirect(url_for("web.activity_scan", activity_id=activity_id))

    def view(**kw):
        return _scan_view(activity_id, **kw)

    return act(view, back, run, ScanRequestSchema())
