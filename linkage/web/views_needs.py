"""Needs: post one, see its ranked matches, claim it, decide the claims."""
from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for

from linkage import exports
from linkage.errors import DomainError, Forbidden
from linkage.http.context import platform
from linkage.http.context import session as db_session
from linkage.models import NeedStatus
from linkage.policy.pages import may_choose_community
from linkage.policy.parties import is_community_staff, is_organization_staff, staffs_organization
from linkage.policy.projects import may_claim_needs, may_decide_claims
from linkage.services import communities as community_service
from linkage.services import consultations as consultation_service
from linkage.services import invitations as invitation_service
from linkage.services import matches as match_service
from linkage.services import needs as need_service
from linkage.services import projects as project_service
from linkage.taxonomy import CATEGORIES, QUALIFICATION_KINDS, TARGET_GROUPS, URGENCY
from linkage.web import queries
from linkage.web.actions import confirm_first, fail, failed_form, posted
from linkage.web.auth import current_actor, login_required, roles
from linkage.web.blueprint import bp
from linkage.web.forms import FormError, domain_form_error, load, yuan_to_fen
from linkage.web.i18n import status_label, t
from linkage.web.paging import KM_CHOICES, km_arg, list_window, page_export, pager, search_arg
from linkage.web.views_invitations import matches_context, ranked_names
from schemas.needs import NeedSchema
from schemas.projects import ClaimRequestSchema, DecisionSchema

KINDS = match_service.PROVIDER_KINDS
NEED_RENAME = {"budget_fen": "budget_yuan"}
PAGE = 100


@bp.get("/needs")
@login_required
def needs():
    who = current_actor()
    km, (page, size), q = None, list_window(PAGE), search_arg() or None
    if is_community_staff(who):
        rows, total = need_service.list_needs(db_session(), community_id=who.community_id, page=page,
                                              page_size=size, q=q)
        heading = t("my_needs")
    elif is_organization_staff(who):
        near = need_service.needs_near_organization(db_session(), who, km_arg(), page=page, page_size=size, q=q)
        rows, total, km = near["rows"], near["total"], near["km"]
        heading = t("needs_near")
    else:
        rows, total = need_service.list_needs(db_session(), status=request.args.get("status") or None,
                                              page=page, page_size=size, q=q)
        heading = t("all_needs")
    if file := page_export(exports.NEEDS, NeedSchema(many=True).dump(rows), total):
        return file
    return render_template("needs.html", needs=rows, heading=heading, km=km, km_choices=KM_CHOICES,
                           pages=pager(page, PAGE, total), q=q or "")


@bp.route("/needs/new", methods=["GET", "POST"])
@roles("community_staff", "admin")
def new_need():
    who = current_actor()
    communities = community_service.communities_to_post_for(db_session(), who)
    failed = failed_form()
    errors, message = failed.get("errors", {}), failed.get("message", "")

    def page(errors, message):
        return render_template("need_form.html", form=posted(), errors=errors, message=message,
                               communities=communities, categories=CATEGORIES, groups=TARGET_GROUPS,
                               urgencies=URGENCY, qualifications=QUALIFICATION_KINDS)

    if request.method == "POST":
        try:
            extra = {} if may_choose_community(who) else {"community_id": who.community_id}
            extra.update(yuan_to_fen(request.form))
            body = load(NeedSchema(), request.form, lists=("skills",), multi=("target_groups",),
                        rename=NEED_RENAME, extra=extra)
            with platform().uow() as uow:
                need = need_service.post_need(uow, who, body)
            flash(t("saved"))
            return redirect(url_for("web.need", need_id=need.id))
        except DomainError as err:
            refused = domain_form_error(err, NEED_RENAME)
            errors, message = refused.errors, refused.message
        except FormError as failure:
            errors, message = failure.errors, t("fix_errors")
        return fail(url_for("web.new_need"), errors, message, at_once=lambda: (page(errors, message), 422))
    return page(errors, message)


def _need_view(need_id: int, claim_errors=None, claim_message=""):
    who = current_actor()
    need = need_service.get_need(db_session(), need_id)
    claims = project_service.claims_for_need(db_session(), need_id)
    orgs = queries.organization_names(db_session(), {c.organization_id for c in claims})
    mine = next((c for c in claims if staffs_organization(who, c.organization_id)), None)
    owner = may_decide_claims(who, need)
    project = None
    approved = next((c for c in claims if c.status == "approved"), None)
    if approved is not None:
        project = project_service.project_for_claim(db_session(), approved.id)
    return render_template(
        "need.html", need=need, claims=claims, org_names=orgs, my_claim=mine, owner=owner,
        project=project, can_claim=may_claim_needs(who) and mine is None and NeedStatus(need.status).editable,
        kinds=KINDS, **matches_context(who, need, request.args),
        sent=invitation_service.sent_for_need(db_session(), who, need_id),
        sent_names=ranked_names(db_session(), who, need_id), claim_errors=claim_errors or {}, claim_message=claim_message, errors=claim_errors or {},
        message=claim_message, form=posted(), origin=consultation_service.item_of_need(db_session(), need_id))


@bp.get("/needs/<int:need_id>")
@login_required
def need(need_id: int):
    failed = failed_form()
    return _need_view(need_id, failed.get("errors"), failed.get("message", ""))


@bp.get("/needs/<int:need_id>/matches.json")
@login_required
def need_matches(need_id: int):
    """What the matches page polls: pending, or ready with the lists rendered as HTML and the need's
    status as the badge shows it (read after the matches: stored in one transaction with them)."""
    need = need_service.get_need(db_session(), need_id)
    context = matches_context(current_actor(), need, request.args)
    db_session().refresh(need)  # its status read again after the matches (stored with them)
    result = context["matches"]
    body = {"need_id": need_id, "status": result["status"]}
    if result["status"] == "ready":
        body["html"] = render_template("_matches.html", kinds=KINDS, **context)
        body["need_status"], body["need_status_label"] = need.status, status_label(need.status)
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/needs/<int:need_id>/claims")
@roles("org_staff")
def claim(need_id: int):
    who = current_actor()
    try:
        body = load(ClaimRequestSchema(), request.form)
        with platform().uow() as uow:
            project_service.claim_need(uow, who, need_id, body["plan"])
    except FormError as failure:
        return fail(url_for("web.need", need_id=need_id), failure.errors, t("fix_errors"),
                    at_once=lambda: (_need_view(need_id, failure.errors, t("fix_errors")), 422))
    except DomainError as err:
        if isinstance(err, Forbidden):
            raise
        failure = domain_form_error(err)
        return fail(url_for("web.need", need_id=need_id), failure.errors, failure.message,
                    at_once=lambda status=err.status: (_need_view(need_id, failure.errors, failure.message), status))
    flash(t("saved"))
    return redirect(url_for("web.need", need_id=need_id))


@bp.post("/claims/<int:claim_id>/decision")
@roles("community_staff", "admin")
def decide(claim_id: int):
    who = current_actor()
    claim = project_service.get_claim(db_session(), claim_id)
    if request.form.get("decision") == "decline":
        asking = confirm_first(t("flows.confirm_decline"), t("flows.irreversible_decline"),
                               url_for("web.need", need_id=claim.need_id))
        if asking is not None:
            return asking
    try:
        body = load(DecisionSchema(), request.form)
        with platform().uow() as uow:
            decided = project_service.decide_claim(uow, who, claim_id, body["decision"], body["reason"])
            project = project_service.project_for_claim(uow.session, decided.id)
    except FormError as failure:
        return fail(url_for("web.need", need_id=claim.need_id), failure.errors, t("fix_errors"),
                    at_once=lambda errors=failure.errors: (_need_view(claim.need_id, errors, t("fix_errors")), 422))
    except DomainError as err:
        if isinstance(err, Forbidden):
            raise
        return fail(url_for("web.need", need_id=claim.need_id), {}, domain_form_error(err).message)
    flash(t("saved"))
    if project is not None:
        return redirect(url_for("web.project", project_id=project.id))
    return redirect(url_for("web.need", need_id=claim.need_id))
