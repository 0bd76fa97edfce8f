"""公益创投 pages: rounds, applications, reviews, awards, grants, supervision and the public summary.

Every rule lives in `linkage.services.funding*`; these views turn forms into the same bodies the
API's schemas load (amounts typed in 元, stored in 分) and show the services' answers.
"""
from __future__ import annotations

from functools import partial

from flask import flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from linkage.api.context import platform
from linkage.api.context import session as db_session
from linkage.errors import DomainError, Forbidden
from linkage.models import Organization
from linkage.models.funding import EntryKind, RoundStatus
from linkage.services import funding, funding_awards, funding_grants, funding_reviews, funding_supervision
from linkage.services import needs as need_service
from linkage.services import projects as project_service
from linkage.taxonomy import CATEGORIES
from linkage.web import queries
from linkage.web.actions import act
from linkage.web.auth import current_actor, login_required, roles
from linkage.web.blueprint import bp
from linkage.web.forms import FormError, fen_of, load
from linkage.web.forms import domain_form_error as _domain_form_error
from linkage.web.i18n import localize, t
from schemas.funding import (AcceptanceSchema, ApplicationRequestSchema, ClosingReportSchema,
                             ExpenditureRequestSchema, FundingReviewRequestSchema, ReviewerRequestSchema,
                             RoundRequestSchema, RoundTransitionSchema)

ROUND_RENAME = {"budget_fen": "budget_yuan", "cap_fen": "cap_yuan"}
APPLICATION_RENAME = {"requested_fen": "requested_yuan", "cofunding_fen": "cofunding_yuan",
                      "need_id": "target", "project_id": "target"}
SPENDING_RENAME = {"amount_fen": "amount_yuan"}
LINE_ROWS, MILESTONE_ROWS = 5, 4
DEFAULT_MILESTONES = (("项目启动", 40), ("中期评估", 40), ("结项评估", 20))
RUNNING = ("approved", "in_progress")


# --- helpers -------------------------------------------------------------------------------------

def domain_form_error(err: DomainError, rename: dict[str, str] | None = None) -> FormError:
    """As forms.domain_form_error; a service message whose field errors say what is wrong by each
    field gives way to "please fix the marked fields" (the overrides' summary stays: it says why)."""
    failure = _domain_form_error(err, rename)
    if failure.errors and err.code != "override.rejected":
        failure.message = t("fix_errors")
    return failure


def _fen(form, name: str, errors: dict, target: str | None = None) -> int | None:
    """An amount in yuan from the form, as fen; a bad one is an error by its field."""
    try:
        return fen_of(form.get(name, ""))
    except ValueError:
        errors[target or name] = [t("yuan_invalid")]
        return None


def _merge(failure: FormError, pre: dict) -> FormError:
    failure.errors = {**failure.errors, **pre}
    return failure


def _rubric() -> tuple[dict, dict]:
    rubric = funding.load_rubric()
    return dict(rubric["weights"]), {k: localize(v) for k, v in rubric.get("labels", {}).items()}


def _error_page(err: DomainError):
    if isinstance(err, Forbidden):
        raise err
    return domain_form_error(err).message


# --- rounds --------------------------------------------------------------------------------------

@bp.get("/funding")
def funding_rounds():
    """Every round: residents follow the public summary, people who log in the round's page."""
    rows = funding.list_rounds(db_session())
    return render_template("funding_rounds.html", rounds=rows)


@bp.route("/funding/new", methods=["GET", "POST"])
@roles("admin")
def new_round():
    weights, labels = _rubric()
    form, errors, message = request.form, {}, ""
    if request.method == "POST":
        pre: dict = {}
        extra = {"budget_fen": _fen(form, "budget_yuan", pre), "cap_fen": _fen(form, "cap_yuan", pre)}
        chosen = {}
        for name in weights:
            raw = form.get(f"w_{name}", "").strip()
            if raw.isdigit():
                chosen[name] = int(raw)
            else:
                pre.setdefault("rubric_weights", [t("whole_number")])
        extra["rubric_weights"] = chosen if len(chosen) == len(weights) else None
        try:
            body = load(RoundRequestSchema(), form, multi=("priority_categories",), rename=ROUND_RENAME,
                        extra={k: v for k, v in extra.items() if v is not None})
            if pre:
                raise FormError(pre)
            with platform().uow() as uow:
                found = funding.open_round(uow, current_actor(), body)
            flash(t("saved"))
            return redirect(url_for("web.funding_round", round_id=found.id))
        except FormError as failure:
            errors, message = _merge(failure, pre).errors, t("fix_errors")
        except DomainError as err:
            failure = domain_form_error(err, ROUND_RENAME)
            errors, message = failure.errors, failure.message
    return render_template("funding_round_form.html", form=form, errors=errors, message=message,
                           categories=CATEGORIES, weights=weights, labels=labels), (422 if errors or message else 200)


def _round_view(round_id: int, *, errors=None, message="", section="", status=200):
    who = current_actor()
    session = db_session()
    found = funding.get_round(session, round_id)
    applications = funding.list_applications(session, who, round_id)
    allocation = None
    if who.role in funding.OVERSEERS or found.status in (RoundStatus.AWARDED.value, RoundStatus.CLOSED.value):
        allocation = funding_awards.awards_view(session, who, round_id)
    org_ids = {a.organization_id for a in applications} | \
        {a["organization_id"] for a in (allocation or {}).get("allocations", [])}
    grants = {g.application_id: g.id for g in queries.grants_of_round(session, round_id)}
    weights, labels = _rubric()
    page = render_template(
        "funding_round.html", round=found, applications=applications, allocation=allocation, grants=grants,
        org_names=queries.organization_names(session, org_ids),
        community_names=queries.community_names(session, {a.community_id for a in applications}),
        labels=labels, can_apply=who.role == "org_staff" and found.status == RoundStatus.OPEN.value,
        errors=errors or {}, message=message, section=section, form=request.form)
    return page, status


@bp.get("/funding/<int:round_id>")
@login_required
def funding_round(round_id: int):
    return _round_view(round_id)


@bp.post("/funding/<int:round_id>/transitions")
@roles("admin")
def move_round(round_id: int):
    try:
        body = load(RoundTransitionSchema(), request.form)
        with platform().uow() as uow:
            funding.transition_round(uow, current_actor(), round_id, body["to"])
    except FormError as failure:
        return _round_view(round_id, errors=failure.errors, message=t("fix_errors"), section="timeline",
                           status=422)
    except DomainError as err:  # a button, not a form: the service's own words
        return _round_view(round_id, message=_error_page(err), errors=_domain_form_error(err).errors,
                           section="timeline", status=err.status)
    flash(t("saved"))
    return redirect(url_for("web.funding_round", round_id=round_id))


@bp.post("/funding/<int:round_id>/awards")
@roles("admin")
def commit_awards(round_id: int):
    """Commit the allocation; a row with an override amount needs its reason (the service checks)."""
    pre, overrides = {}, []
    for key in request.form:
        if not key.startswith("override_yuan_"):
            continue
        app_id = key.removeprefix("override_yuan_")
        amount = _fen(request.form, key, pre)
        if amount is not None and app_id.isdigit():
            overrides.append({"application_id": int(app_id), "amount_fen": amount,
                              "reason": request.form.get(f"override_reason_{app_id}", "").strip()})
    if pre:
        return _round_view(round_id, errors=pre, message=t("fix_errors"), section="allocation", status=422)
    try:
        with platform().uow() as uow:
            funding_awards.award_round(uow, current_actor(), round_id, overrides)
    except DomainError as err:
        _error_page(err)  # Forbidden is a page of its own
        failure = domain_form_error(err)
        return _round_view(round_id, errors=failure.errors, message=failure.message, section="allocation",
                           status=err.status)
    flash(t("saved"))
    return redirect(url_for("web.funding_round", round_id=round_id) + "#allocation")


# --- applications --------------------------------------------------------------------------------

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
    requested = _fen(form, "requested_yuan", pre)
    if requested is not None:
        data["requested_fen"] = requested
    lines = _rows(form, "line_name", "line_yuan", LINE_ROWS)
    data["budget_lines"] = []
    for i, name, _ in lines:
        amount = _fen(form, f"line_yuan_{i}", pre)
        line = {"name": name}
        if amount is not None:
            line["amount_fen"] = amount
        data["budget_lines"].append(line)
    milestones = _rows(form, "ms_title", "ms_share", MILESTONE_ROWS)
    data["milestones"] = []
    for i, title, share in milestones:
        item = {"title": title}
        if share:
            item["share_pct"] = share
        data["milestones"].append(item)
    resource = form.get("cofunding_resource_id", "").strip()
    if resource:
        data["cofunding_resource_id"] = resource
    cofunding = _fen(form, "cofunding_yuan", pre)
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
    found = funding.get_round(db_session(), round_id)
    form, errors, message, status = request.form, {}, "", 200
    if request.method == "POST":
        try:
            body = _application_body(form)
            with platform().uow() as uow:
                application = funding.apply_for_funding(uow, who, round_id, body)
            flash(t("saved"))
            return redirect(url_for("web.funding_application", application_id=application.id))
        except FormError as failure:
            errors, message, status = failure.errors, t("fix_errors"), 422
        except DomainError as err:
            if isinstance(err, Forbidden):
                raise
            failure = domain_form_error(err, APPLICATION_RENAME)
            errors, message, status = failure.errors, failure.message, err.status
    elif found.status != RoundStatus.OPEN.value:
        message = t("round_" + found.status)
    return render_template("funding_apply.html", round=found, form=form, errors=errors, message=message,
                           targets=_targets(who), preset=request.args.get("target", ""),
                           resources=queries.fund_resources(db_session()), line_rows=LINE_ROWS,
                           milestone_rows=MILESTONE_ROWS, default_milestones=DEFAULT_MILESTONES), status


def _application_view(application_id: int, *, errors=None, message="", section="", status=200):
    who = current_actor()
    session = db_session()
    application = funding.view_application(session, who, application_id)
    found = funding.get_round(session, application.round_id)
    try:
        reviews = funding_reviews.reviews_for(session, who, application_id)
    except Forbidden:
        reviews = None
    assigned = queries.assigned_reviewers(session, application_id)
    weights, labels = _rubric()
    weights = dict(found.rubric_weights) or weights
    can_review = (who.user_id in assigned and found.status == RoundStatus.REVIEWING.value
                  and not any(r["reviewer_user_id"] == who.user_id for r in (reviews or [])))
    grant = queries.grant_for_application(session, application_id)
    page = render_template(
        "funding_application.html", application=application, round=found, reviews=reviews,
        assigned=assigned, names=queries.usernames(session, assigned + [r["reviewer_user_id"] for r in reviews or []]),
        candidates=queries.reviewer_candidates(session, funding_reviews.REVIEWER_ROLES)
        if who.is_admin and found.status in (RoundStatus.OPEN.value, RoundStatus.REVIEWING.value) else [],
        can_review=can_review, weights=weights, labels=labels, grant=grant,
        org_name=queries.organization_names(session, [application.organization_id]).get(application.organization_id, ""),
        community_name=queries.community_names(session, [application.community_id]).get(application.community_id, ""),
        errors=errors or {}, message=message, section=section, form=request.form)
    return page, status


@bp.get("/funding/applications/<int:application_id>")
@login_required
def funding_application(application_id: int):
    return _application_view(application_id)


@bp.post("/funding/applications/<int:application_id>/reviewers")
@roles("admin")
def assign_reviewer(application_id: int):
    try:
        body = load(ReviewerRequestSchema(), request.form)
        with platform().uow() as uow:
            funding_reviews.assign_reviewer(uow, current_actor(), application_id, body["user_id"])
    except FormError as failure:
        return _application_view(application_id, errors=failure.errors, message=t("fix_errors"),
                                 section="reviewers", status=422)
    except DomainError as err:  # a conflict of interest (403) is shown by the form, not as a bare page
        failure = domain_form_error(err)
        return _application_view(application_id, errors=failure.errors, message=failure.message,
                                 section="reviewers", status=err.status)
    flash(t("saved"))
    return redirect(url_for("web.funding_application", application_id=application_id) + "#reviewers")


@bp.post("/funding/applications/<int:application_id>/reviews")
@roles(*funding_reviews.REVIEWER_ROLES)
def review_application(application_id: int):
    application = funding.get_application(db_session(), application_id)
    found = funding.get_round(db_session(), application.round_id)
    pre, scores = {}, {}
    for name in found.rubric_weights:
        raw = request.form.get(f"score_{name}", "").strip()
        if not raw.isdigit():
            pre[f"score_{name}"] = [t("whole_number") if raw else t("required")]
        else:
            scores[name] = int(raw)
    try:
        body = load(FundingReviewRequestSchema(), request.form, extra={"scores": scores})
        if pre:
            raise FormError(pre)
        with platform().uow() as uow:
            funding_reviews.review_application(uow, current_actor(), application_id, body["scores"],
                                               body["comments"])
    except FormError as failure:
        return _application_view(application_id, errors=_merge(failure, pre).errors, message=t("fix_errors"),
                                 section="review", status=422)
    except DomainError as err:
        failure = domain_form_error(err)
        return _application_view(application_id, errors=failure.errors, message=failure.message,
                                 section="review", status=err.status)
    flash(t("saved"))
    return redirect(url_for("web.funding_application", application_id=application_id) + "#reviews")


# --- grants --------------------------------------------------------------------------------------

def _grant_view(grant_id: int, *, errors=None, message="", section="", status=200):
    who = current_actor()
    session = db_session()
    grant = funding_grants.view_grant(session, who, grant_id)
    figures = funding_supervision.grant_view(session, who, grant_id)
    movements = {kind: funding_supervision.grant_movements(session, who, grant_id, kind)
                 for kind in (EntryKind.DISBURSEMENT.value, EntryKind.EXPENDITURE.value)}
    next_tranche = next((m for m in figures["milestones"] if not m["disbursed"]), None)
    accepter = who.is_admin or (who.role == "community_staff" and who.community_id == grant.community_id)
    next_to_accept = next((m["n"] for m in figures["milestones"] if not m["accepted"]), None)
    page = render_template(
        "funding_grant.html", grant=grant, figures=figures, movements=movements, next_tranche=next_tranche,
        accepter=accepter, next_to_accept=next_to_accept, round=funding.get_round(session, grant.round_id),
        grantee=who.role == "org_staff" and who.organization_id == grant.organization_id,
        org_name=queries.organization_names(session, [grant.organization_id]).get(grant.organization_id, ""),
        community_name=queries.community_names(session, [grant.community_id]).get(grant.community_id, ""),
        errors=errors or {}, message=message, section=section, form=request.form)
    return page, status


@bp.get("/funding/grants/<int:grant_id>")
@login_required
def funding_grant(grant_id: int):
    return _grant_view(grant_id)


def _grant_act(grant_id: int, section: str, action, schema=None, *, pre=None, extra=None, rename=None):
    back_to = url_for("web.funding_grant", grant_id=grant_id) + f"#{section}"
    # A button without a form keeps the service's own words (this module's domain_form_error
    # swaps an English-only message for "fix the marked fields", which needs fields to mark).
    describe = domain_form_error if schema is not None else _domain_form_error
    return act(partial(_grant_view, grant_id, section=section), back_to, action, schema, pre=pre,
               extra=extra, rename=rename, describe=describe)


@bp.post("/funding/grants/<int:grant_id>/milestones/<int:n>/acceptance")
@roles("admin", "community_staff")
def accept_milestone(grant_id: int, n: int):
    def run(body):
        with platform().uow() as uow:
            funding_grants.accept_milestone(uow, current_actor(), grant_id, n, body["note"])
    return _grant_act(grant_id, "milestones", run, AcceptanceSchema())


@bp.post("/funding/grants/<int:grant_id>/disbursements")
@roles("admin")
def disburse(grant_id: int):
    def run(_body):
        with platform().uow() as uow:
            funding_grants.disburse_tranche(uow, current_actor(), grant_id)
    return _grant_act(grant_id, "milestones", run)


@bp.post("/funding/grants/<int:grant_id>/expenditures")
@roles("org_staff")
def report_spending(grant_id: int):
    pre: dict = {}
    amount = _fen(request.form, "amount_yuan", pre)

    def run(body):
        with platform().uow() as uow:
            funding_grants.report_expenditure(uow, current_actor(), grant_id, body)
    return _grant_act(grant_id, "spending", run, ExpenditureRequestSchema(), pre=pre,
                      extra={"amount_fen": amount} if amount is not None else {}, rename=SPENDING_RENAME)


@bp.post("/funding/grants/<int:grant_id>/closing-report")
@roles("admin", "org_staff")
def close_grant(grant_id: int):
    def run(body):
        with platform().uow() as uow:
            funding_grants.close_grant(uow, current_actor(), grant_id, body["summary"])
    return _grant_act(grant_id, "closing", run, ClosingReportSchema())


# --- oversight -----------------------------------------------------------------------------------

@bp.get("/funding/<int:round_id>/supervision")
@login_required
def funding_supervision_page(round_id: int):
    """Budget vs disbursed vs spent, scoped by the service: all for the district, one's own otherwise."""
    session = db_session()
    result = funding_supervision.supervision(session, current_actor(), round_id)
    return render_template(
        "funding_supervision.html", result=result,
        org_names=queries.organization_names(session, {g["organization_id"] for g in result["grants"]}),
        community_names=queries.community_names(session, {g["community_id"] for g in result["grants"]}))


@bp.get("/funding/<int:round_id>/public")
def funding_public(round_id: int):
    """居民参与监督: no login; organizations, projects and money only."""
    return render_template("funding_public.html",
                           summary=funding_supervision.public_summary(db_session(), round_id))
