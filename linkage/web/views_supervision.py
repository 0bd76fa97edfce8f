"""Social workers' supervision (督导) pages: the district's assignments, a social worker's sessions, trainings and certificate."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import render_template, request, url_for
from sqlalchemy import select

from linkage.errors import NotFound
from linkage.http.context import platform
from linkage.http.context import session as db_session
from linkage.models import SocialWorker, SupervisionSession
from linkage.models.supervision import SUPERVISION_FORMS, SUPERVISOR_LEVELS
from linkage.policy import supervision as policy
from linkage.policy.pages import MENU
from linkage.services import supervision as service
from linkage.taxonomy import CERTIFICATE_LEVELS
from linkage.web.actions import act, failed_form, posted
from linkage.web.auth import current_actor, roles
from linkage.web.blueprint import bp
from schemas.supervision import (
    AssignmentSchema,
    EndAssignmentSchema,
    SessionAnswerSchema,
    SessionSchema,
    TrainingSchema,
)

WORKER_PAGE_ROLES = ("admin", "auditor", "social_worker", "org_staff")  # the policy decides whose page (else 404)


def _admin_page(*, errors: dict | None = None, message: str = "", status: int = 200):
    who = current_actor()
    s = db_session()
    rows = [service.assignment_view(s, a) for a in service.assignments(s, who)]
    workers = [
        tuple(r)
        for r in s.execute(
            select(SocialWorker.id, SocialWorker.name, SocialWorker.certificate_level)
            .where(SocialWorker.active.is_(True))
            .order_by(SocialWorker.id)
        )
    ]
    return render_template(
        "supervision_admin.html",
        assignments=rows,
        workers=workers,
        supervisors=[w for w in workers if w[2] in SUPERVISOR_LEVELS],
        levels=CERTIFICATE_LEVELS,
        may_assign=policy.may_assign_supervisors(who),
        mine=who.social_worker_id if policy.is_a_social_worker(who) else None,
        errors=errors or {},
        message=message,
        form=posted(),
        today=service.china_day(),
    ), status


@bp.get("/supervision")
@roles(*MENU["sw_supervision"])
def supervision():
    failed = failed_form()
    return _admin_page(errors=failed.get("errors"), message=failed.get("message", ""))


@bp.post("/supervision/assignments")
@roles(*MENU["sw_supervision"])
def assign_supervisor():
    who = current_actor()

    def assign(body: dict[str, Any]) -> None:
        with platform().uow() as uow:
            service.assign_supervisor(uow, who, body)

    return act(_admin_page, url_for("web.supervision"), assign, AssignmentSchema())


@bp.post("/supervision/assignments/<int:assignment_id>/end")
@roles(*MENU["sw_supervision"])
def end_supervision(assignment_id: int):
    who = current_actor()

    def end(body: dict[str, Any]) -> None:
        with platform().uow() as uow:
            service.end_assignment(uow, who, assignment_id, body.get("ends_on"))

    return act(_admin_page, url_for("web.supervision"), end, EndAssignmentSchema())


def _worker_page(social_worker_id: int, *, errors: dict | None = None, message: str = "", status: int = 200):
    who = current_actor()
    s = db_session()
    summary = service.summary(s, who, social_worker_id, platform().settings.sw_ce_hours_per_year)
    worker = s.get_one(SocialWorker, social_worker_id)
    current = summary["supervisor"]
    return render_template(
        "supervision_worker.html",
        summary=summary,
        sessions=[service.session_view(r) for r in service.sessions_of(s, who, social_worker_id)],
        trainings=[service.training_view(r) for r in service.trainings_of(s, who, social_worker_id)],
        levels=CERTIFICATE_LEVELS,
        forms=SUPERVISION_FORMS,
        may_record=current is not None and policy.may_record_for(who, current["supervisor_id"]),
        may_answer=policy.may_answer_session(who, social_worker_id),
        may_train=policy.may_keep_trainings(who, worker),
        errors=errors or {},
        message=message,
        form=posted(),
        today=service.china_day(),
    ), status


def _back(social_worker_id: int) -> str:
    return url_for("web.worker_supervision", social_worker_id=social_worker_id)


@bp.get("/social-workers/<int:social_worker_id>/supervision")
@roles(*WORKER_PAGE_ROLES)
def worker_supervision(social_worker_id: int):
    failed = failed_form()
    return _worker_page(social_worker_id, errors=failed.get("errors"), message=failed.get("message", ""))


@bp.post("/social-workers/<int:social_worker_id>/supervision/sessions")
@roles(*WORKER_PAGE_ROLES)
def record_supervision(social_worker_id: int):
    who = current_actor()

    service.readable_worker(db_session(), who, social_worker_id)  # a stranger's page: 404, not a form error
    confirmed = bool(request.form.get("confirmed"))  # the supervisor's checkbox: unticked, nothing is stored

    def record(body: dict[str, Any]) -> None:
        with platform().uow() as uow:
            service.record_session(uow, who, {**body, "social_worker_id": social_worker_id, "confirmed": confirmed})

    return act(
        partial(_worker_page, social_worker_id),
        _back(social_worker_id),
        record,
        SessionSchema(exclude=("social_worker_id", "confirmed")),
    )


@bp.post("/supervision/sessions/<int:session_id>/answer")
@roles(*WORKER_PAGE_ROLES)
def answer_supervision(session_id: int):
    who = current_actor()
    row = db_session().get(SupervisionSession, session_id)
    if row is None or not policy.may_answer_session(who, row.social_worker_id):
        raise NotFound("supervision.session_not_found", id=session_id)
    supervisee = row.social_worker_id

    def answer(body: dict[str, Any]) -> None:
        with platform().uow() as uow:
            service.answer_session(uow, who, session_id, confirm=body["decision"] == "confirm", reason=body["reason"])

    return act(partial(_worker_page, supervisee), _back(supervisee), answer, SessionAnswerSchema())


@bp.post("/social-workers/<int:social_worker_id>/trainings")
@roles(*WORKER_PAGE_ROLES)
def add_training(social_worker_id: int):
    who = current_actor()

    service.readable_worker(db_session(), who, social_worker_id)

    def add(body: dict[str, Any]) -> None:
        with platform().uow() as uow:
            service.add_training(uow, who, social_worker_id, body)

    return act(partial(_worker_page, social_worker_id), _back(social_worker_id), add, TrainingSchema())
