"""Projects: follow them, move them along, schedule activities, verify hours, issue evaluation codes."""
from __future__ import annotations

from functools import partial

from flask import redirect, render_template, request, url_for

from linkage import exports
from linkage.http.context import platform
from linkage.http.context import session as db_session
from linkage.models import TRANSITIONS
from linkage.permissions import logged_it
from linkage.policy.parties import is_community_staff, is_organization_staff, is_volunteer
from linkage.policy.projects import project_parties
from linkage.policy.service import may_export_hours
from linkage.services import activities as activity_service
from linkage.services import communities as community_service
from linkage.services import evaluations, hours
from linkage.services import needs as need_service
from linkage.services import projects as project_service
from linkage.web import queries
from linkage.web.actions import act, confirm_first, failed_form, posted
from linkage.web.auth import current_actor, login_required, roles
from linkage.web.blueprint import bp
from linkage.web.code_cards import code_cards
from linkage.web.i18n import t
from linkage.web.paging import list_window, page_export, pager
from linkage.web.series_form import series_rules
from schemas.hours import ReviewSchema
from schemas.projects import ActivitySchema, CodesRequestSchema, ProjectSchema, TransitionSchema

PAGE = 100
# The moves that cannot be undone ask first (a page of their own): the question and what it means.
IRREVERSIBLE = {"completed": ("flows.confirm_completed", "flows.irreversible_completed"),
                "evaluated": ("flows.confirm_evaluated", "flows.irreversible_evaluated"),
                "cancelled": ("flows.confirm_cancelled", "flows.irreversible_cancelled")}


@bp.get("/projects")
@login_required
def projects():
    who = current_actor()
    scope = {}
    if is_community_staff(who):
        scope["community_id"] = who.community_id
    elif is_organization_staff(who):
        scope["organization_id"] = who.organization_id
    elif is_volunteer(who):
        return redirect(url_for("web.activities"))
    page, size = list_window(PAGE)
    rows, total = project_service.list_projects(db_session(), status=request.args.get("status") or None,
                                                page=page, page_size=size, **scope)
    if file := page_export(exports.PROJECTS, ProjectSchema(many=True).dump(rows), total):
        return file
    orgs = queries.organization_names(db_session(), {p.organization_id for p in rows})
    return render_template("projects.html", projects=rows, org_names=orgs, pages=pager(page, PAGE, total))


def _project_view(project_id: int, *, errors=None, message="", section="", codes=None, status=200):
    who = current_actor()
    project = project_service.get_project(db_session(), project_id)
    parties = project_parties(who, project)
    moves = [target for (current, target), allowed in TRANSITIONS.items()
             if current == project.status and allowed & parties]
    activities = [{"activity": a, "taken": taken}
                  for a, taken in activity_service.list_activities(db_session(), project_id)]
    records = hours.project_records(db_session(), who, project_id) if parties else []
    for record in records:  # whoever logged a record leaves its review to someone else (职责分离)
        record["logged_by_me"] = logged_it(who, record["logged_by"])
    page = render_template(
        "project.html", project=project, parties=parties, moves=moves, activities=activities,
        rules=series_rules([row["activity"] for row in activities]),
        records=records, need=need_service.get_need(db_session(), project.need_id),
        community=community_service.get_community(db_session(), project.community_id),
        org_name=queries.organization_names(db_session(), [project.organization_id]).get(project.organization_id, ""),
        summary=evaluations.evaluation_summary(db_session(), project_id), codes=codes,
        timing=activity_service.timing_rules(), errors=errors or {}, message=message, section=section,
        form=posted(), may_report_hours=may_export_hours(who, project.organization_id)
        or may_export_hours(who, community_id=project.community_id))
    return page, status


@bp.get("/projects/<int:project_id>")
@login_required
def project(project_id: int):
    return _project_view(project_id, **failed_form())


def _act(project_id: int, section: str, action, schema=None, **load_options):
    """Load the form, run the service, and come back to the project with errors by their fields."""
    back_to = url_for("web.project", project_id=project_id) + (f"#{section}" if section else "")
    return act(partial(_project_view, project_id, section=section), back_to, action, schema, **load_options)


@bp.post("/projects/<int:project_id>/transitions")
@roles("org_staff", "community_staff", "admin")
def move_project(project_id: int):
    to = request.form.get("to", "")
    if to in IRREVERSIBLE:
        title = project_service.get_project(db_session(), project_id).title
        question, consequence = IRREVERSIBLE[to]
        asking = confirm_first(t(question, title=title), t(consequence), url_for("web.project", project_id=project_id))
        if asking is not None:
            return asking

    def run(body):
        with platform().uow() as uow:
            project_service.transition_project(uow, current_actor(), project_id, body["to"], body["reason"])
    return _act(project_id, "status", run, TransitionSchema())


@bp.post("/projects/<int:project_id>/activities")
@roles("org_staff", "admin")
def schedule(project_id: int):
    def run(body):
        with platform().uow() as uow:
            activity_service.schedule_activity(uow, current_actor(), project_id, body,
                                               past_confirmed=request.form.get("confirm_past") == "1")
    return _act(project_id, "activities", run, ActivitySchema(), lists=("skills_wanted",))


@bp.post("/projects/<int:project_id>/codes")
@roles("community_staff", "admin")
def issue_codes(project_id: int):
    def run(body):
        with platform().uow() as uow:
            codes = evaluations.issue_codes(uow, current_actor(), project_id, body["households"])
        # Shown once, on this response: only their hashes are stored.
        return _project_view(project_id, section="codes", codes=codes)
    return _act(project_id, "codes", run, CodesRequestSchema())


@bp.post("/projects/<int:project_id>/evaluation-codes/print")
@roles("community_staff", "admin")
def print_codes(project_id: int):
    """Cut-out cards of the codes just shown (posted back from that page): code, project, link, QR code."""
    sheet = evaluations.printable_codes(db_session(), current_actor(), project_id, request.form.getlist("codes"))
    cards = code_cards(sheet["codes"], lambda code: url_for("web.evaluate", project=project_id, code=code))
    return render_template("evaluation_codes_print.html", project=sheet["project"], cards=cards,
                           skipped=sheet["skipped"])


@bp.post("/hours/<int:entry_id>/review")
@roles("org_staff", "community_staff", "admin")
def review_hours(entry_id: int):
    record = hours.get_record(db_session(), entry_id)

    def run(body):
        with platform().uow() as uow:
            hours.review_hours(uow, current_actor(), entry_id, body["decision"], body["note"])
    return _act(record.project_id, "hours", run, ReviewSchema())
