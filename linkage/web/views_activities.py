"""Activities: near me and sign up (volunteers); sign-ups, check-in and check-out (organizations)."""
from __future__ import annotations

from functools import partial

from flask import render_template, request, url_for

from linkage import exports
from linkage.http.context import platform
from linkage.http.context import session as db_session
from linkage.models import utcnow
from linkage.policy.parties import is_volunteer
from linkage.policy.service import may_organize
from linkage.services import activities as activity_service
from linkage.services import waitlist
from linkage.web import queries
from linkage.web.actions import act, failed_form, posted
from linkage.web.auth import current_actor, login_required, roles
from linkage.web.blueprint import bp
from linkage.web.paging import KM_CHOICES, export_format, km_arg, list_window, page_arg, page_export, pager
from linkage.web.series_form import series_rules
from schemas.projects import AttendanceSchema, SignupRequestSchema

ORGANIZATION_PAGE = 100


@bp.get("/activities")
@login_required
def activities():
    who = current_actor()
    km, mine, page = None, {}, page_arg()
    if is_volunteer(who):
        wide = {"page": 1, "page_size": exports.EXPORT_CAP} if export_format() else {"page": page}
        near = activity_service.activities_near(db_session(), who, km_arg(default=10.0), **wide)
        rows, total, km, size = near["rows"], near["total"], near["km"], near["page_size"]
        mine = activity_service.my_signups(db_session(), who)
    else:
        page, size = list_window(ORGANIZATION_PAGE)
        rows, total = activity_service.organization_activities(db_session(), who, page=page, page_size=size)
    if file := page_export(exports.ACTIVITIES, exports.activity_items(rows, mine), total):
        return file
    return render_template("activities.html", rows=rows, km=km, km_choices=KM_CHOICES, mine=mine,
                           rules=series_rules([row["activity"] for row in rows]), pages=pager(page, size, total))


def _activity_view(activity_id: int, *, errors=None, message="", status=200):
    who = current_actor()
    activity = activity_service.get_activity(db_session(), activity_id)
    organizer = may_organize(who, activity.project)
    signups = activity_service.signups_for(db_session(), activity_id) if organizer else []
    mine = None
    if is_volunteer(who):
        mine = activity_service.my_signups(db_session(), who).get(activity_id)
    return render_template(
        "activity.html", activity=activity, organizer=organizer, signups=signups, mine=mine,
        position=waitlist.position(db_session(), mine) if mine else None,
        rules=series_rules([activity]),
        taken=activity_service.taken_slots(db_session(), activity_id),
        waitlist_open=activity.starts_at > utcnow(),  # nobody is promoted once it has started
        names=queries.volunteer_names(db_session(), {s.volunteer_id for s in signups}),
        codes=queries.volunteer_codes(db_session(), {s.volunteer_id for s in signups}),
        times={s.id: activity_service.attendance_times(activity, s) for s in signups},
        walk_ins=_walk_ins(activity),
        timing=activity_service.timing_rules(),
        errors=errors or {}, message=message, form=posted()), status


def _walk_ins(activity) -> list[tuple[int, str]]:
    """(volunteer id, name) the organizer may add to the activity, by name."""
    found = activity_service.walk_in_candidates(db_session(), current_actor(), activity)
    whole = queries.volunteer_names(db_session(), {v for v, name in found.items() if name is None})
    return sorted(((v, name or whole.get(v, "")) for v, name in found.items()), key=lambda row: row[1])


@bp.get("/activities/<int:activity_id>")
@login_required
def activity(activity_id: int):
    return _activity_view(activity_id, **failed_form())


def _form_activity_id() -> int:
    """The activity a signup form came from (where to go back to); 0 if the form does not say."""
    return int(request.form.get("activity_id", "0") or 0)


def _act(activity_id: int, action, schema=None):
    return act(partial(_activity_view, activity_id), url_for("web.activity", activity_id=activity_id),
               action, schema)


@bp.post("/activities/<int:activity_id>/signup")
@roles("volunteer")
def sign_up(activity_id: int):
    def run(_body):
        with platform().uow() as uow:
            activity_service.sign_up(uow, current_actor(), activity_id)
    return _act(activity_id, run)


@bp.post("/activities/<int:activity_id>/signups")
@roles("org_staff", "admin")
def add_volunteer(activity_id: int):
    """The organization adds a volunteer who came (also after the activity) so their hours can be recorded."""
    def run(body):
        with platform().uow() as uow:
            activity_service.sign_up(uow, current_actor(), activity_id, body.get("volunteer_id"))
    return _act(activity_id, run, SignupRequestSchema())


@bp.post("/signups/<int:signup_id>/cancel")
@roles("volunteer", "org_staff", "admin")
def cancel_signup(signup_id: int):
    activity_id = _form_activity_id()

    def run(_body):
        with platform().uow() as uow:
            activity_service.cancel_signup(uow, current_actor(), signup_id)
    return _act(activity_id, run)


def _attendance(mark) -> object:
    """A check-in or check-out form: `mark(uow, actor, body)` records it; back to the activity."""

    def run(body):
        with platform().uow() as uow:
            mark(uow, current_actor(), body)
    return _act(_form_activity_id(), run, AttendanceSchema())


@bp.post("/signups/<int:signup_id>/check-in")
@roles("org_staff", "admin")
def check_in(signup_id: int):
    return _attendance(lambda uow, who, body: activity_service.check_in(
        uow, who, signup_id, body.get("at")))


@bp.post("/signups/<int:signup_id>/check-out")
@roles("org_staff", "admin")
def check_out(signup_id: int):
    return _attendance(lambda uow, who, body: activity_service.check_out(
        uow, who, signup_id, body.get("at"), body["content"]))
