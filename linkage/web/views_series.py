"""Recurring activities (周期活动): the organizer's form, a series and its occurrences, the roster (名单)
of an occurrence with no-shows, and a volunteer's own sign-ups and waitlist places (我的报名)."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from flask import redirect, render_template, request, url_for
from werkzeug.exceptions import NotFound as PageNotFound

from linkage import exports
from linkage.errors import Forbidden
from linkage.http.context import platform
from linkage.http.context import session as db_session
from linkage.models import SignupStatus
from linkage.policy.service import may_organize, require_organizer
from linkage.services import activities as activity_service
from linkage.services import projects as project_service
from linkage.services import series as series_service
from linkage.services import waitlist
from linkage.taxonomy import QUALIFICATION_KINDS
from linkage.web import queries
from linkage.web.actions import act, confirm_first, failed_form, posted
from linkage.web.auth import current_actor, login_required, roles
from linkage.web.blueprint import bp
from linkage.web.forms import FormError, load
from linkage.web.i18n import t
from linkage.web.paging import page_export
from linkage.web.series_form import SHIFT_ROWS, WEEKDAYS, series_body
from linkage.web.views_activities import _activity_view
from schemas.series import OccurrenceChangeSchema, SeriesRequestSchema


def _form_view(project_id: int, *, errors=None, message="", status=200):
    project = project_service.get_project(db_session(), project_id)
    require_organizer(current_actor(), project)
    return render_template(
        "series_form.html",
        project=project,
        errors=errors or {},
        message=message,
        form=posted(),
        weekdays=WEEKDAYS,
        shift_rows=SHIFT_ROWS,
        days=series_service.HORIZON_DAYS,
        most=series_service.MAX_ACTIVITIES,
        qualifications=QUALIFICATION_KINDS,
    ), status


@bp.get("/projects/<int:project_id>/series/new")
@roles("org_staff", "admin")
def series_form(project_id: int):
    return _form_view(project_id, **failed_form())


@bp.post("/projects/<int:project_id>/series/new")
@roles("org_staff", "admin")
def create_series(project_id: int):
    made: list[int] = []

    def run(_body):
        body, errors = series_body(request.form)
        if errors:
            raise FormError(errors)
        data = load(SeriesRequestSchema(), {}, extra=body)
        with platform().uow() as uow:
            made.append(series_service.schedule_series(uow, current_actor(), project_id, data).id)
        return redirect(url_for("web.series", series_id=made[0]))

    return act(partial(_form_view, project_id), url_for("web.series_form", project_id=project_id), run)


def _series_view(series_id: int, *, errors=None, message="", status=200):
    found = series_service.get_series(db_session(), series_id)
    project = project_service.get_project(db_session(), found.project_id)
    return render_template(
        "series.html",
        series=series_service.series_view(db_session(), found),
        project=project,
        organizer=may_organize(current_actor(), project),
        errors=errors or {},
        message=message,
        form=posted(),
    ), status


@bp.get("/series/<int:series_id>")
@login_required
def series(series_id: int):
    return _series_view(series_id, **failed_form())


def _occurrence_start(activity_id: int) -> datetime:
    activity = activity_service.get_activity(db_session(), activity_id)
    if activity.occurrence_start is None:
        raise PageNotFound()
    return activity.occurrence_start


@bp.post("/series/<int:series_id>/occurrences/<int:activity_id>/cancel")
@roles("org_staff", "admin")
def cancel_occurrence(series_id: int, activity_id: int):
    start = _occurrence_start(activity_id)
    back = url_for("web.series", series_id=series_id)
    asked = confirm_first(t("confirm_cancel_occurrence"), t("cancel_occurrence_consequence"), back)
    if asked is not None:
        return asked

    def run(_body):
        with platform().uow() as uow:
            series_service.cancel_occurrence(uow, current_actor(), series_id, start)

    return act(partial(_series_view, series_id), back, run)


@bp.post("/series/<int:series_id>/occurrences/<int:activity_id>/change")
@roles("org_staff", "admin")
def change_occurrence(series_id: int, activity_id: int):
    start = _occurrence_start(activity_id)

    def run(body):
        body.pop("occurrence_start", None)
        with platform().uow() as uow:
            series_service.change_occurrence(uow, current_actor(), series_id, start, body)

    return act(
        partial(_series_view, series_id),
        url_for("web.series", series_id=series_id),
        run,
        OccurrenceChangeSchema(partial=("occurrence_start",)),
    )


@bp.post("/activities/<int:activity_id>/cancel")
@roles("org_staff", "admin")
def cancel_activity(activity_id: int):
    back = url_for("web.activity", activity_id=activity_id)
    asked = confirm_first(t("confirm_cancel_activity"), t("cancel_activity_consequence"), back)
    if asked is not None:
        return asked

    def run(_body):
        with platform().uow() as uow:
            series_service.cancel_activity(uow, current_actor(), activity_id)

    return act(partial(_activity_view, activity_id), back, run)


# -- the roster of an occurrence (名单), printable ----------------------------------------------

ROSTER_GROUPS = (
    ("confirmed", (SignupStatus.SIGNED_UP.value,)),
    ("waiting", (SignupStatus.WAITLISTED.value,)),
    ("checked_in", (SignupStatus.CHECKED_IN.value, SignupStatus.CHECKED_OUT.value)),
    ("no_show", (SignupStatus.NO_SHOW.value,)),
)


def _roster_view(activity_id: int, *, errors=None, message="", status=200):
    activity = activity_service.get_activity(db_session(), activity_id)
    if not may_organize(current_actor(), activity.project):
        raise Forbidden("roster.organizers_only")
    shifts = (
        [activity]
        if activity.series_id is None or activity.occurrence_start is None
        else series_service.occurrence(db_session(), activity.series_id, activity.occurrence_start)
    )
    rows, everyone = [], set()
    for shift in shifts:
        signups = activity_service.signups_for(db_session(), shift.id)
        everyone |= {s.volunteer_id for s in signups}
        rows.append(
            {
                "shift": shift,
                "groups": [(name, [s for s in signups if s.status in statuses]) for name, statuses in ROSTER_GROUPS],
            }
        )
    return render_template(
        "roster.html",
        activity=activity,
        rows=rows,
        message=message,
        errors=errors or {},
        names=queries.volunteer_names(db_session(), everyone),
    ), status


@bp.get("/activities/<int:activity_id>/roster")
@roles("org_staff", "admin")
def roster(activity_id: int):
    return _roster_view(activity_id, **failed_form())


@bp.post("/activities/<int:activity_id>/roster/<int:signup_id>/no-show")
@roles("org_staff", "admin")
def no_show(activity_id: int, signup_id: int):
    def run(_body):
        with platform().uow() as uow:
            waitlist.mark_no_show(uow, current_actor(), signup_id)

    return act(partial(_roster_view, activity_id), url_for("web.roster", activity_id=activity_id), run)


# -- 我的报名 ------------------------------------------------------------------------------------


def _mine_view(*, errors=None, message="", status=200):
    rows = waitlist.my_upcoming(db_session(), current_actor())
    return render_template("my_signups.html", rows=rows, message=message, errors=errors or {}), status


@bp.get("/me/signups")
@roles("volunteer")
def my_signups():
    if file := page_export(exports.SIGNUPS, exports.signup_items(waitlist.my_upcoming(db_session(), current_actor()))):
        return file
    return _mine_view(**failed_form())


@bp.post("/me/signups/<int:signup_id>/cancel")
@roles("volunteer")
def cancel_my_signup(signup_id: int):
    def run(_body):
        with platform().uow() as uow:
            activity_service.cancel_signup(uow, current_actor(), signup_id)

    return act(_mine_view, url_for("web.my_signups"), run)
