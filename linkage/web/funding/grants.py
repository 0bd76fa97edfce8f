"""A grant's page and its forms: milestones accepted (节点验收), tranches paid, spending, the closing report."""
from __future__ import annotations

from functools import partial

from flask import request, url_for

from linkage.formats import yuan
from linkage.http.context import platform
from linkage.http.context import session as db_session
from linkage.models.funding import EntryKind
from linkage.policy import funding as funding_policy
from linkage.services import funding
from linkage.web.actions import confirm_first, failed_form
from linkage.web.auth import current_actor, login_required, roles
from linkage.web.blueprint import bp
from linkage.web.forms import domain_form_error as _domain_form_error
from linkage.web.funding.common import domain_form_error, fen, post, render_page
from linkage.web.i18n import t
from schemas.funding import AcceptanceSchema, ClosingReportSchema, ExpenditureRequestSchema

SPENDING_RENAME = {"amount_fen": "amount_yuan"}


def _grant_view(grant_id: int, *, errors=None, message="", section="", status=200):
    who = current_actor()
    session = db_session()
    grant = funding.grants.view_grant(session, who, grant_id)
    figures = funding.supervision.grant_view(session, who, grant_id)
    movements = {kind: funding.supervision.grant_movements(session, who, grant_id, kind)
                 for kind in (EntryKind.DISBURSEMENT.value, EntryKind.EXPENDITURE.value)}
    next_tranche = next((m for m in figures["milestones"] if not m["disbursed"]), None)
    next_to_accept = next((m["n"] for m in figures["milestones"] if not m["accepted"]), None)
    # Each line as the table above reads it, and what may still be reported spent on it (paid, not yet spent).
    line_options = [(line["name"], t("funding.line_option", name=line["name"], budget=yuan(line["budget_fen"]),
                                     disbursed=yuan(line["disbursed_fen"]),
                                     left=yuan(line["disbursed_fen"] - line["spent_fen"])))
                    for line in figures["lines"]]
    return render_page(
        "funding_grant.html", errors=errors, message=message, section=section, status=status, of=grant,
        grant=grant, figures=figures, movements=movements, next_tranche=next_tranche, line_options=line_options,
        accepter=funding_policy.may_accept_milestone(who, grant), next_to_accept=next_to_accept,
        round=funding.rounds.get_round(session, grant.round_id), grantee=funding_policy.staffs(who, grant.organization_id))


@bp.get("/funding/grants/<int:grant_id>")
@login_required
def funding_grant(grant_id: int):
    return _grant_view(grant_id, **failed_form())


def _grant_act(grant_id: int, section: str, action, schema=None, **options):
    back_to = url_for("web.funding_grant", grant_id=grant_id) + f"#{section}"
    # A button without a form keeps the service's own words (common.domain_form_error swaps an
    # English-only message for "fix the marked fields", which needs fields to mark).
    describe = domain_form_error if schema is not None else _domain_form_error
    return post(partial(_grant_view, grant_id), section, back_to, action, schema, describe=describe, **options)


@bp.post("/funding/grants/<int:grant_id>/milestones/<int:n>/acceptance")
@roles("admin", "community_staff")
def accept_milestone(grant_id: int, n: int):
    def run(body):
        with platform().uow() as uow:
            funding.grants.accept_milestone(uow, current_actor(), grant_id, n, body["note"])
    return _grant_act(grant_id, "milestones", run, AcceptanceSchema())


@bp.post("/funding/grants/<int:grant_id>/disbursements")
@roles("admin")
def disburse(grant_id: int):
    def run(_body):
        with platform().uow() as uow:
            funding.grants.disburse_tranche(uow, current_actor(), grant_id)
    figures = funding.supervision.grant_view(db_session(), current_actor(), grant_id)
    tranche = next((m for m in figures["milestones"] if not m["disbursed"]), None)
    back_to = url_for("web.funding_grant", grant_id=grant_id)
    if tranche is not None and (asking := confirm_first(
            t("funding.ask_disburse", n=tranche["n"], amount=yuan(tranche["tranche_fen"])), t("funding.then_disburse"),
            back_to)):
        return asking
    return _grant_act(grant_id, "milestones", run)


@bp.post("/funding/grants/<int:grant_id>/expenditures")
@roles("org_staff")
def report_spending(grant_id: int):
    pre: dict = {}
    amount = fen(request.form, "amount_yuan", pre, positive=True)

    def run(body):
        with platform().uow() as uow:
            funding.grants.report_expenditure(uow, current_actor(), grant_id, body)
    return _grant_act(grant_id, "spending", run, ExpenditureRequestSchema(), pre=pre,
                      extra={"amount_fen": amount} if amount is not None else {}, rename=SPENDING_RENAME)


@bp.post("/funding/grants/<int:grant_id>/closing-report")
@roles("admin", "org_staff")
def close_grant(grant_id: int):
    def run(body):
        with platform().uow() as uow:
            funding.grants.close_grant(uow, current_actor(), grant_id, body["summary"])
    return _grant_act(grant_id, "closing", run, ClosingReportSchema())
