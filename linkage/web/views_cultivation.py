"""Incubation pages (孵化培育): the cohorts, one cohort's members with their records and assessments, the
published capacity rubric; and the annual reports page (年报), with the overdue list for the district."""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for

from linkage.errors import Message
from linkage.http.context import platform
from linkage.http.context import session as db_session
from linkage.policy import cultivation as policy
from linkage.services import annual_reports, cultivation
from linkage.web.actions import act, failed_form, posted
from linkage.web.auth import current_actor, roles
from linkage.web.blueprint import bp
from linkage.web.forms import FormError, fen_of
from linkage.web.i18n import localize
from schemas.cultivation import AdmitSchema, AnnualReportSchema, CohortSchema, CultivationRecordSchema, UpgradeSchema

READERS = ("admin", "auditor", "org_staff")  # the centre, oversight, and member organizations' staff


# --- cohorts ------------------------------------------------------------------------------------------


def _cohorts_page(*, errors: dict | None = None, message: str = "", status: int = 200):
    who = current_actor()
    return render_template(
        "cultivation.html",
        cohorts=cultivation.list_cohorts(db_session(), who),
        may_cultivate=policy.may_cultivate(who),
        errors=errors or {},
        message=message,
        form=posted(),
    ), status


@bp.get("/cultivation")
@roles(*READERS)
def cultivation_page():
    failed = failed_form()
    return _cohorts_page(errors=failed.get("errors"), message=failed.get("message", ""))


@bp.post("/cultivation")
@roles("admin")
def open_cohort():
    who = current_actor()

    def create(body: dict[str, Any]) -> None:
        with platform().uow() as uow:
            cultivation.open_cohort(uow, who, body)

    return act(_cohorts_page, url_for("web.cultivation_page"), create, CohortSchema())


@bp.get("/cultivation/rubric")
def cultivation_rubric():
    """能力评估标准: public, as the API's /cultivation-rubric."""
    return render_template("cultivation_rubric.html", rubric=cultivation.rubric_view())


def _cohort_page(cohort_id: int, *, errors: dict | None = None, message: str = "", status: int = 200):
    who = current_actor()
    found = cultivation.read_cohort(db_session(), who, cohort_id)
    may = policy.may_cultivate(who)
    return render_template(
        "cohort.html",
        cohort=found,
        rubric=cultivation.rubric_view(),
        kinds=cultivation.RECORD_KINDS,
        admissible=cultivation.admissible_organizations(db_session()) if may and found["status"] == "open" else [],
        may_cultivate=may,
        errors=errors or {},
        message=message,
        form=posted(),
        today=cultivation.china_day(),
    ), status


@bp.get("/cultivation/<int:cohort_id>")
@roles(*READERS)
def cohort_page(cohort_id: int):
    failed = failed_form()
    return _cohort_page(cohort_id, errors=failed.get("errors"), message=failed.get("message", ""))


def _on_cohort(cohort_id: int, action, schema=None):
    """A form on the cohort page: run `action(uow, actor, body)` and go back to the page."""
    who = current_actor()

    def run(body: dict[str, Any]) -> None:
        with platform().uow() as uow:
            action(uow, who, body)

    def view(**kwargs):
        return _cohort_page(cohort_id, **kwargs)

    return act(view, url_for("web.cohort_page", cohort_id=cohort_id), run, schema)


@bp.post("/cultivation/<int:cohort_id>/close")
@roles("admin")
def close_cohort(cohort_id: int):
    return _on_cohort(cohort_id, lambda uow, who, body: cultivation.close_cohort(uow, who, cohort_id))


@bp.post("/cultivation/<int:cohort_id>/members")
@roles("admin")
def admit_member(cohort_id: int):
    return _on_cohort(
        cohort_id,
        lambda uow, who, body: cultivation.admit_organization(uow, who, cohort_id, body["organization_id"]),
        AdmitSchema(),
    )


@bp.post("/cultivation/<int:cohort_id>/members/<int:organization_id>/records")
@roles("admin")
def add_cultivation_record(cohort_id: int, organization_id: int):
    return _on_cohort(
        cohort_id,
        lambda uow, who, body: cultivation.add_record(uow, who, cohort_id, organization_id, body),
        CultivationRecordSchema(),
    )


def _scores(form) -> dict[str, int]:
    """The assessment form's score_<criterion> inputs: whole numbers (the service checks the rest)."""
    scores, problems = {}, []
    for criterion in cultivation.rubric_view()["criteria"]:
        raw = form.get(f"score_{criterion['name']}", "").strip()
        if raw == "":
            continue
        if not raw.isdigit():
            problems.append(localize(Message("cultivation.score_range", criterion=criterion["label"])))
            continue
        scores[criterion["name"]] = int(raw)
    if problems:
        raise FormError({"scores": problems})
    return scores


@bp.post("/cultivation/<int:cohort_id>/members/<int:organization_id>/assessments")
@roles("admin")
def assess_member(cohort_id: int, organization_id: int):
    def assess(uow, who, body):
        from datetime import date

        try:
            assessed_on = date.fromisoformat(request.form.get("assessed_on", "").strip())
        except ValueError:
            raise FormError({"assessed_on": [localize("field.required")]}) from None
        data = {
            "assessed_on": assessed_on,
            "scores": _scores(request.form),
            "notes": request.form.get("notes", "")[:2000],
        }
        cultivation.assess(uow, who, cohort_id, organization_id, data)

    return _on_cohort(cohort_id, assess)


@bp.post("/cultivation/<int:cohort_id>/members/<int:organization_id>/graduate")
@roles("admin")
def graduate_member(cohort_id: int, organization_id: int):
    return _on_cohort(cohort_id, lambda uow, who, body: cultivation.graduate(uow, who, cohort_id, organization_id))


@bp.post("/cultivation/<int:cohort_id>/members/<int:organization_id>/upgrade")
@roles("admin")
def upgrade_member(cohort_id: int, organization_id: int):
    return _on_cohort(
        cohort_id,
        lambda uow, who, body: cultivation.upgrade(
            uow, who, platform().cipher, cohort_id, organization_id, body["uscc"]
        ),
        UpgradeSchema(),
    )


# --- annual reports (年报) ---------------------------------------------------------------------------


def _reports_page(*, errors: dict | None = None, message: str = "", status: int = 200):
    who = current_actor()
    session = db_session()
    year = annual_reports.reporting_year()
    show_overdue = request.args.get("overdue") == "1" and policy.may_read_overdue(who)
    return render_template(
        "annual_reports.html",
        reports=annual_reports.list_reports(session, who),
        overdue=annual_reports.overdue(session, who, year) if show_overdue else None,
        may_read_overdue=policy.may_read_overdue(who),
        may_report=policy.may_report_annually(who),
        year=year,
        due_on=annual_reports.due_on(year),
        errors=errors or {},
        message=message,
        form=posted(),
    ), status


@bp.get("/annual-reports")
@roles(*READERS)
def annual_reports_page():
    failed = failed_form()
    return _reports_page(errors=failed.get("errors"), message=failed.get("message", ""))


@bp.post("/annual-reports")
@roles("org_staff")
def submit_annual_report():
    who = current_actor()
    money: dict[str, int] = {}
    problems: dict[str, list[str]] = {}
    for name in ("income", "spending"):
        try:
            fen = fen_of(request.form.get(f"{name}_yuan", ""))
        except ValueError:
            problems[f"{name}_yuan"] = [localize("form.amount")]
            continue
        if fen is not None:
            money[f"{name}_fen"] = fen

    def submit(body: dict[str, Any]) -> None:
        with platform().uow() as uow:
            annual_reports.submit_report(uow, who, body)

    return act(
        _reports_page,
        url_for("web.annual_reports_page"),
        submit,
        AnnualReportSchema(exclude=("organization_id",)),
        pre=problems or None,
        extra=money,
        rename={"income_fen": "income_yuan", "spending_fen": "spending_yuan"},
    )
