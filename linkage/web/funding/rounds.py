"""Funding round pages: the list, opening a round, its page with the timeline and the allocation."""
from __future__ import annotations

from functools import partial

from flask import flash, redirect, render_template, request, url_for

from linkage import exports
from linkage.errors import DomainError
from linkage.http.context import session as db_session
from linkage.models.funding import RoundStatus
from linkage.policy import funding as funding_policy
from linkage.services import funding
from linkage.taxonomy import CATEGORIES
from linkage.web import queries
from linkage.web.actions import confirm_first, fail, failed_form, posted
from linkage.web.auth import current_actor, login_required, roles
from linkage.web.blueprint import bp
from linkage.web.forms import FormError, load
from linkage.web.funding.common import as_current_user, domain_form_error, fen, merge, post, render_page, rubric
from linkage.web.i18n import t
from linkage.web.paging import page_export
from schemas.funding import RoundRequestSchema, RoundTransitionSchema

ROUND_RENAME = {"budget_fen": "budget_yuan", "cap_fen": "cap_yuan"}
SETTLED = (RoundStatus.AWARDED.value, RoundStatus.CLOSED.value)  # the allocation is public (公示)


@bp.get("/funding")
def funding_rounds():
    """Every round: residents follow the public summary, people who log in the round's page."""
    rows = funding.rounds.list_rounds(db_session())
    if file := page_export(exports.ROUNDS, exports.round_items(rows)):
        return file
    return render_template("funding_rounds.html", rounds=rows, district=funding_policy.runs_funding(current_actor()))


def _round_body(form) -> dict:
    """The form as RoundRequestSchema's input: amounts in 元, one whole-number weight per criterion."""
    weights, _ = rubric()
    pre: dict = {}
    extra = {"budget_fen": fen(form, "budget_yuan", pre, positive=True),
             "cap_fen": fen(form, "cap_yuan", pre, positive=True)}
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
    except FormError as failure:
        raise merge(failure, pre) from None
    if pre:
        raise FormError(pre)
    return body


IRREVERSIBLE_MOVES = ("reviewing", "closed")  # closing applications, closing the round: asked first (/confirm)


@bp.route("/funding/new", methods=["GET", "POST"])
@roles("admin")
def new_round():
    weights, labels = rubric()
    here = url_for("web.new_round")

    def page(errors: dict, message: str, status: int = 200):
        return render_template("funding_round_form.html", form=posted(), errors=errors, message=message,
                               categories=CATEGORIES, weights=weights, labels=labels), status

    if request.method == "POST":  # refused: back to this page's GET with the errors (POST-redirect-GET)
        try:
            body = _round_body(request.form)
            found = as_current_user(funding.rounds.open_round, body)
            flash(t("saved"))
            return redirect(url_for("web.funding_round", round_id=found.id))
        except FormError as failure:
            errors, message, status = failure.errors, t("fix_errors"), 422
        except DomainError as err:
            failure = domain_form_error(err, ROUND_RENAME)
            errors, message, status = failure.errors, failure.message, err.status
        return fail(here, errors, message, at_once=lambda: page(errors, message, status))
    failed = failed_form()
    return page(failed.get("errors", {}), failed.get("message", ""))


def _round_view(round_id: int, *, errors=None, message="", section="", status=200):
    who = current_actor()
    session = db_session()
    found = funding.rounds.get_round(session, round_id)
    applications = funding.rounds.list_applications(session, who, round_id)
    allocation = None
    if funding_policy.is_funding_overseer(who) or found.status in SETTLED:
        allocation = funding.awards.awards_view(session, who, round_id)
    org_ids = {a.organization_id for a in applications} | \
        {a["organization_id"] for a in (allocation or {}).get("allocations", [])}
    grants = {g.application_id: g.id for g in queries.grants_of_round(session, round_id)}
    _, labels = rubric()
    return render_page(
        "funding_round.html", errors=errors, message=message, section=section, status=status,
        round=found, applications=applications, allocation=allocation, grants=grants,
        org_names=queries.organization_names(session, org_ids),
        community_names=queries.community_names(session, {a.community_id for a in applications}),
        labels=labels, can_apply=funding_policy.may_apply_for_funding(who) and found.status == RoundStatus.OPEN.value)


@bp.get("/funding/<int:round_id>")
@login_required
def funding_round(round_id: int):
    return _round_view(round_id, **failed_form())


@bp.post("/funding/<int:round_id>/transitions")
@roles("admin")
def move_round(round_id: int):
    def run(body):
        as_current_user(funding.rounds.transition_round, round_id, body["to"])
    back_to = url_for("web.funding_round", round_id=round_id)
    target = request.form.get("to", "")
    if target in IRREVERSIBLE_MOVES and (asking := confirm_first(
            t(f"funding.ask_{target}"), t(f"funding.then_{target}"), back_to)):
        return asking
    return post(partial(_round_view, round_id), "timeline", back_to, run, RoundTransitionSchema())


@bp.post("/funding/<int:round_id>/awards")
@roles("admin")
def commit_awards(round_id: int):
    """Commit the allocation; a row with an override amount needs its reason (the service checks)."""
    pre, overrides = {}, []
    for key in request.form:
        if not key.startswith("override_yuan_"):
            continue
        app_id = key.removeprefix("override_yuan_")
        amount = fen(request.form, key, pre)
        if amount is not None and app_id.isdigit():
            overrides.append({"application_id": int(app_id), "amount_fen": amount,
                              "reason": request.form.get(f"override_reason_{app_id}", "").strip()})

    def run(_body):
        as_current_user(funding.awards.award_round, round_id, overrides)
    back_to = url_for("web.funding_round", round_id=round_id) + "#allocation"
    if not pre and (asking := confirm_first(t("funding.ask_awards"), t("funding.then_awards"), back_to)):
        return asking  # a mistyped amount is said first; the question is for a form that can be committed
    return post(partial(_round_view, round_id), "allocation", back_to, run, pre=pre)
