"""Funding application pages: applying (申报) for a need or a project, and an application's own page."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from linkage import permissions as perm
from linkage.errors import DomainError, Forbidden
from linkage.http.context import platform
from linkage.http.context import session as db_session
from linkage.models import Organization
from linkage.models.funding import RoundStatus
from linkage.policy import funding as funding_policy
from linkage.services import funding
from linkage.services import needs as need_service
from linkage.services import projects as project_service
from linkage.web import queries
from linkage.web.actions import fail, failed_form, posted
from linkage.web.auth import current_actor, login_required, roles
from linkage.web.blueprint import bp
from linkage.web.forms import FormError
from linkage.web.funding.common import domain_form_error, fen, people, render_page, rubric
from linkage.web.i18n import localize, t
from schemas.funding import ApplicationRequestSchema

APPLICATION_RENAME = {"requested_fen": "requested_yuan", "cofunding_fen": "cofunding_yuan",
                      "need_id": "target", "project_id": "target"}
LINE_ROWS, MILESTONE_ROWS = 5, 4
DEFAULT_MILESTONES = (("项目启动", 40), ("中期评估", 40), ("结项评估", 20))
RUNNING = ("approved", "in_progress")
OWN_FUNDS = "own"  # the co-funding list's 自筹 option
ASSIGNING = (RoundStatus.OPEN.value, RoundStatus.REVIEWING.value)  # reviewers may still be assigned


def _targets(who) -> dict:
    """What an organization may apply for: its running projects and the open needs near it."""
    session = db_session()
    projects, _ = project_service.list_projects(session, organization_id=who.organization_id, page_size=100)
    org = session.get(Organization, who.organization_id)
    km = max(org.service_radius_km or 0, 10)
    needs, _ = need_service.list_needs(session, near=(org.lat, org.lon, km), page_size=100)
    return {"projects": [p for p in projects if p.status in RUNNING],
            "needs": [n for n in needs if n.status in ("open", "matched")]}


def _rows(form, prefix_a: str, prefix_b: str, count: int) -> list[tuple[int, str, str]]:
    rows = []
    for i in range(count):
        a, b = form.get(f"{prefix_a}_{i}", "").strip(), form.get(f"{prefix_b}_{i}", "").strip()
        if a or b:
            rows.append((i, a, b))
    return rows


def _application_body(form) -> dict:
    """The form as ApplicationRequestSchema's input; errors keyed by the inputs they belong to."""
    pre: dict = {}
    data: dict = {}
    target = form.get("target", "")
    kind, _, ident = target.partition(":")
    if kind in ("need", "project") and ident.isdigit():
        data[f"{kind}_id"] = int(ident)
    for name in ("title", "summary"):
        if form.get(name, "").strip():
            data[name] = form.get(name).strip()
    requested = fen(form, "requested_yuan", pre, positive=True)
    if requested is not None:
        data["requested_fen"] = requested
    lines = _rows(form, "line_name", "line_yuan", LINE_ROWS)
    data["budget_lines"] = []
    for i, name, _ in lines:
        amount = fen(form, f"line_yuan_{i}", pre, positive=True)
        line = {"name": name}
        if amount is not None:
            line["amount_fen"] = amount
        data["budget_lines"].append(line)
    milestones = _rows(form, "ms_title", "ms_share", MILESTONE_ROWS)
    data["milestones"] = []
    for _, title, share in milestones:
        item = {"title": title}
        if share:
            item["share_pct"] = share
        data["milestones"].append(item)
    resource = form.get("cofunding_resource_id", "").strip()
    if resource == OWN_FUNDS:
        data["cofunding_own"] = True
    elif resource:
        data["cofunding_resource_id"] = resource
    cofunding = fen(form, "cofunding_yuan", pre)
    if cofunding:
        data["cofunding_fen"] = cofunding
    try:
        body = ApplicationRequestSchema().load(data)
    except ValidationError as err:
        raise FormError({**_application_errors(err.messages, lines, milestones), **pre}) from None
    if pre:
        raise FormError(pre)
    return body


def _application_errors(messages: dict, lines, milestones) -> dict:
    """Nested list errors land by the row's own inputs ("line_yuan_2"), the rest by their field."""
    inputs = {"budget_lines": (lines, {"name": "line_name", "amount_fen": "line_yuan", "description": "line_name"}),
              "milestones": (milestones, {"title": "ms_title", "share_pct": "ms_share", "description": "ms_title"})}
    errors: dict[str, list[str]] = {}
    for field, value in messages.items():
        if field in inputs and isinstance(value, dict):
            rows, names = inputs[field]
            for index, sub in value.items():
                row = rows[int(index)][0] if str(index).isdigit() and int(index) < len(rows) else 0
                for sub_field, texts in (sub.items() if isinstance(sub, dict) else [("name", sub)]):
                    key = f"{names.get(sub_field, names['description'])}_{row}"
                    errors.setdefault(key, []).extend(localize(str(m)) for m in texts)
            continue
        texts = value if isinstance(value, list) else [value]
        errors.setdefault(APPLICATION_RENAME.get(field, field), []).extend(localize(str(m)) for m in texts)
    return errors


@bp.route("/funding/<int:round_id>/apply", methods=["GET", "POST"])
@roles("org_staff")
def apply_round(round_id: int):
    who = current_actor()
    found = funding.rounds.get_round(db_session(), round_id)
    here = url_for("web.apply_round", round_id=round_id)

    def page(errors: dict, message: str, status: int = 200):
        if not message and found.status != RoundStatus.OPEN.value:
            message = t("round_" + found.status)
        return render_template("funding_apply.html", round=found, form=posted(), errors=errors, message=message,
                               targets=_targets(who), preset=request.args.get("target", ""),
                               resources=queries.fund_resources(db_session()), line_rows=LINE_ROWS,
                               milestone_rows=MILESTONE_ROWS, default_milestones=DEFAULT_MILESTONES,
                               own_funds=OWN_FUNDS), status

    if request.method == "POST":  # refused: back to this page's GET with the errors (POST-redirect-GET)
        try:
            body = _application_body(request.form)
            with platform().uow() as uow:
                application = funding.rounds.apply_for_funding(uow, who, round_id, body)
            flash(t("saved"))
            return redirect(url_for("web.funding_application", application_id=application.id))
        except FormError as failure:
            errors, message, status = failure.errors, t("fix_errors"), 422
        except DomainError as err:
            if isinstance(err, Forbidden):
                raise
            failure = domain_form_error(err, APPLICATION_RENAME)
            errors, message, status = failure.errors, failure.message, err.status
        return fail(here, errors, message, at_once=lambda: page(errors, message, status))
    failed = failed_form()
    return page(failed.get("errors", {}), failed.get("message", ""))


def application_view(application_id: int, *, errors=None, message="", section="", status=200):
    """An application with its reviews (as the service lets the viewer see them) and the forms to
    assign a reviewer and to review."""
    who = current_actor()
    session = db_session()
    application = funding.rounds.view_application(session, who, application_id)
    found = funding.rounds.get_round(session, application.round_id)
    try:
        reviews = funding.reviews.reviews_for(session, who, application_id)
    except Forbidden:
        reviews = None
    assigned = queries.assigned_reviewers(session, application_id)
    weights, labels = rubric()
    weights = dict(found.rubric_weights) or weights
    can_review = (who.user_id in assigned and found.status == RoundStatus.REVIEWING.value
                  and not any(r["reviewer_user_id"] == who.user_id for r in (reviews or [])))
    grant = queries.grant_for_application(session, application_id)
    candidates = queries.reviewer_candidates(session, perm.REVIEWER_ROLES) \
        if funding_policy.runs_funding(who) and found.status in ASSIGNING else []
    return render_page(
        "funding_application.html", errors=errors, message=message, section=section, status=status,
        of=application, application=application, round=found, reviews=reviews, assigned=assigned,
        names=people(session, assigned + [r["reviewer_user_id"] for r in reviews or []] + [c.id for c in candidates]),
        candidates=candidates,
        can_review=can_review, weights=weights, labels=labels, grant=grant)


@bp.get("/funding/applications/<int:application_id>")
@login_required
def funding_application(application_id: int):
    return application_view(application_id, **failed_form())
