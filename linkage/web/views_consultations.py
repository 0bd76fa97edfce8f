"""Residents' voice (议事协商): staff pages (/consultations) and the residents' phone pages (/c/…), no account."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from linkage.errors import DomainError, NotFound
from linkage.http.context import platform
from linkage.http.context import session as db_session
from linkage.models import Community
from linkage.policy.consultations import CONSULTATION_PAGE_ROLES, may_open_consultations, may_run_consultation
from linkage.policy.pages import may_choose_community
from linkage.services import communities as community_service
from linkage.services import consultations as service
from linkage.taxonomy import CATEGORIES
from linkage.uow import get_or_404
from linkage.web.actions import act, fail, failed_form, posted
from linkage.web.auth import current_actor, roles
from linkage.web.blueprint import bp
from linkage.web.code_cards import code_cards
from linkage.web.forms import FormError, domain_form_error, load
from linkage.web.i18n import t
from schemas.consultations import (
    ConsultationCodesRequestSchema,
    ConsultationSchema,
    ItemToNeedSchema,
    ProposalSchema,
    VoteSchema,
)

RUNNERS = ("admin", "community_staff")


# --- staff ----------------------------------------------------------------------------------------------


def _list_page(*, errors: dict | None = None, message: str = "", status: int = 200):
    who = current_actor()
    rows = [service.result(db_session(), row) for row in service.list_consultations(db_session(), who)]
    return render_template(
        "consultations.html",
        consultations=rows,
        errors=errors or {},
        message=message,
        form=posted(),
        can_open_one=may_open_consultations(who),
        choose_community=may_choose_community(who),
        communities=community_service.communities_to_post_for(db_session(), who),
    ), status


@bp.get("/consultations")
@roles(*CONSULTATION_PAGE_ROLES)
def consultations():
    failed = failed_form()
    return _list_page(errors=failed.get("errors"), message=failed.get("message", ""))


@bp.post("/consultations")
@roles(*RUNNERS)
def open_consultation():
    def run(body: dict[str, Any]):
        with platform().uow() as uow:
            row = service.open_consultation(uow, current_actor(), body)
        flash(t("saved"))
        return redirect(url_for("web.consultation", consultation_id=row.id))

    return act(_list_page, url_for("web.consultations"), run, ConsultationSchema())


def _detail_page(
    consultation_id: int,
    *,
    errors: dict | None = None,
    message: str = "",
    status: int = 200,
    section: str = "",
    codes: list[str] | None = None,
):
    who = current_actor()
    row = service.staff_consultation(db_session(), who, consultation_id)
    return render_template(
        "consultation.html",
        c=service.result(db_session(), row),
        status_of=row.status,
        can_run=may_run_consultation(who, row.community_id),
        categories=CATEGORIES,
        errors=errors or {},
        message=message,
        section=section,
        codes=codes or [],
        form=posted(),
    ), status


@bp.get("/consultations/<int:consultation_id>")
@roles(*CONSULTATION_PAGE_ROLES)
def consultation(consultation_id: int):
    failed = failed_form()
    return _detail_page(
        consultation_id,
        errors=failed.get("errors"),
        message=failed.get("message", ""),
        section=failed.get("section", ""),
    )


def _back(consultation_id: int) -> str:
    return url_for("web.consultation", consultation_id=consultation_id)


@bp.post("/consultations/<int:consultation_id>/codes")
@roles(*RUNNERS)
def consultation_codes(consultation_id: int):
    def run(body: dict[str, Any]):
        with platform().uow() as uow:
            codes = service.issue_codes(uow, current_actor(), consultation_id, body["count"])
        return _detail_page(consultation_id, section="codes", codes=codes)  # shown once: only hashes are kept

    view = partial(_detail_page, consultation_id, section="codes")
    return act(view, _back(consultation_id), run, ConsultationCodesRequestSchema())


@bp.post("/consultations/<int:consultation_id>/codes/print")
@roles(*RUNNERS)
def print_consultation_codes(consultation_id: int):
    """Cut-out cards of the codes just shown (posted back from that page): code, link, QR code."""
    sheet = service.printable_codes(db_session(), current_actor(), consultation_id, request.form.getlist("codes"))
    cards = code_cards(
        sheet["codes"],
        lambda code: url_for("web.consult", consultation_id=consultation_id, code=code),
        "consultation.web.qr_label",
    )
    return render_template(
        "consultation_codes_print.html", c=sheet["consultation"], cards=cards, skipped=sheet["skipped"]
    )


@bp.post("/consultations/<int:consultation_id>/close")
@roles(*RUNNERS)
def close_consultation(consultation_id: int):
    def run(body: dict[str, Any]) -> None:
        with platform().uow() as uow:
            service.close_consultation(uow, current_actor(), consultation_id)

    return act(partial(_detail_page, consultation_id, section="close"), _back(consultation_id), run)


@bp.post("/consultations/<int:consultation_id>/items/<int:item_id>/need")
@roles(*RUNNERS)
def consultation_item_to_need(consultation_id: int, item_id: int):
    def run(body: dict[str, Any]):
        with platform().uow() as uow:
            need = service.item_to_need(uow, current_actor(), item_id, body)
        flash(t("consultation.web.need_made"))
        return redirect(url_for("web.need", need_id=need.id))

    return act(
        partial(_detail_page, consultation_id, section=f"item-{item_id}"),
        _back(consultation_id),
        run,
        ItemToNeedSchema(),
    )


# --- residents: a phone page each, no account ------------------------------------------------------------


def _public_page(
    consultation_id: int, *, errors: dict | None = None, message: str = "", section: str = "", status: int = 200
):
    row = service.public_consultation(db_session(), consultation_id)
    form = posted() or {"code": request.args.get("code", "").strip().upper()}
    return render_template(
        "consult.html",
        c=service.result(db_session(), row),
        errors=errors or {},
        message=message,
        section=section,
        form=form,
    ), status


@bp.get("/c/<int:consultation_id>")
def consult(consultation_id: int):
    failed = failed_form()
    return _public_page(
        consultation_id,
        errors=failed.get("errors"),
        message=failed.get("message", ""),
        section=failed.get("section", ""),
    )


def _resident_act(consultation_id: int, section: str, schema, action):
    """Like `act`, for a person without an account: a refusal goes back to the page with its reason."""
    back = url_for("web.consult", consultation_id=consultation_id)
    try:
        body = load(schema, request.form)
        return action(body)
    except FormError as failure:
        errors, message = failure.errors, t("fix_errors")
    except DomainError as err:
        if isinstance(err, NotFound):  # no such consultation: its page is not there to go back to
            raise
        refused = domain_form_error(err)
        errors, message = refused.errors, refused.message
    return fail(
        back,
        errors,
        message,
        section,
        at_once=lambda: _public_page(consultation_id, errors=errors, message=message, section=section, status=422),
    )


@bp.post("/c/<int:consultation_id>/propose")
def consult_propose(consultation_id: int):
    def run(body: dict[str, Any]):
        with platform().uow() as uow:
            service.propose_item(uow, consultation_id, body["code"], body["title"], body["description"])
        flash(t("consultation.web.proposed"))
        return redirect(url_for("web.consult", consultation_id=consultation_id))

    return _resident_act(consultation_id, "propose", ProposalSchema(), run)


@bp.post("/c/<int:consultation_id>/vote")
def consult_vote(consultation_id: int):
    def run(body: dict[str, Any]):
        with platform().uow() as uow:
            receipt = service.cast_vote(uow, consultation_id, body["code"], body["item_id"])
        flash(t("consultation.web.voted", receipt=receipt))
        return redirect(url_for("web.consult_result", consultation_id=consultation_id, receipt=receipt))

    return _resident_act(consultation_id, "vote", VoteSchema(), run)


@bp.get("/c/<int:consultation_id>/result")
def consult_result(consultation_id: int):
    row = service.public_consultation(db_session(), consultation_id)
    return render_template(
        "consult_result.html", c=service.result(db_session(), row), mine=request.args.get("receipt", "").strip().upper()
    )


@bp.get("/c/community/<int:community_id>")
def community_consultations(community_id: int):
    """A community's consultations, public: what residents were asked and what became of it."""
    rows = [service.result(db_session(), row) for row in service.community_consultations(db_session(), community_id)]
    community = get_or_404(db_session(), Community, community_id)
    return render_template("consult_community.html", consultations=rows, community_name=community.name)
