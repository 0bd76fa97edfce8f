"""Invitations (邀请) on the pages: invite a ranked provider from a need's matches, and 我的邀请 to answer them."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from linkage import exports
from linkage.errors import DomainError, Forbidden, NotFound
from linkage.http.context import platform
from linkage.http.context import session as db_session
from linkage.models import Activity, Invitation, MatchSet, Need
from linkage.policy.invitations import invitee_of
from linkage.services import invitations as service
from linkage.services import needs as need_service
from linkage.services.matches import shown_entry
from linkage.web.actions import confirm_first, fail, failed_form, posted
from linkage.web.auth import current_actor, login_required
from linkage.web.blueprint import bp
from linkage.web.forms import FormError, domain_form_error, load
from linkage.web.i18n import t
from linkage.web.paging import page_export
from schemas.invitations import AnswerSchema, InvitationRequestSchema

SHOWN = 5  # ranked entries of a kind a need's page shows at first; 显示更多 adds as many again
KIND_OF = {"organization": "claim", "volunteer": "activity", "social_worker": "activity"}


def ranked_names(session, actor, need_id: int) -> dict[str, str]:
    """ "<kind>:<id>" -> the name the matches show `actor` for each ranked provider of the need."""
    row = session.get(MatchSet, need_id)
    return {
        f"{kind}:{e['provider_id']}": shown_entry(actor, e)["name"]
        for kind, entries in (row.matches.items() if row else ())
        for e in entries
    }


def matches_context(actor, need: Need, args) -> dict[str, Any]:
    """What _matches.html needs: the ranked lists, how many of each kind to show (?show_<kind>=n), the
    显示更多 links, which kinds `actor` may invite, and the status of each invitee's latest invitation."""
    from linkage.services import matches as match_service

    result = match_service.matches_for(db_session(), actor, need.id)
    shown, more = {}, {}
    for kind in match_service.PROVIDER_KINDS:
        try:
            shown[kind] = min(max(int(args.get(f"show_{kind}", SHOWN)), SHOWN), 100)
        except ValueError:
            shown[kind] = SHOWN
        if result["totals"].get(kind, 0) > shown[kind]:
            wider = {f"show_{k}": n for k, n in shown.items() if n != SHOWN} | {f"show_{kind}": shown[kind] + SHOWN}
            more[kind] = url_for("web.need", need_id=need.id, **wider) + f"#k-{kind}"
    invited = {
        f"{i.invitee_kind}:{i.invitee_id}": i.status
        for i in reversed(service.sent_for_need(db_session(), actor, need.id))
    }
    return {
        "matches": result,
        "shown": shown,
        "more": more,
        "invited": invited,
        "need_id": need.id,
        "invite": service.invite_options(db_session(), actor, need),
    }


def _invite_page(need_id: int, errors: dict | None = None, message: str = "", status: int = 200):
    who = current_actor()
    need = need_service.get_need(db_session(), need_id)
    invitee_kind = request.args.get("kind", "") or posted().get("invitee_kind", "")
    if invitee_kind not in KIND_OF:
        abort(404)
    try:
        invitee_id = int(request.args.get("provider", "") or posted().get("invitee_id", ""))
    except ValueError:
        abort(404)
    name = ranked_names(db_session(), who, need_id).get(f"{invitee_kind}:{invitee_id}")
    if name is None:
        raise NotFound("invitation.unranked")
    if not service.invite_options(db_session(), who, need)[invitee_kind]:
        raise Forbidden("invitation.forbidden")
    kind = KIND_OF[invitee_kind]
    activities = (
        service.open_activities(db_session(), service.project_of_need(db_session(), need_id))
        if kind == "activity"
        else []
    )
    return render_template(
        "invite.html",
        need=need,
        kind=kind,
        invitee_kind=invitee_kind,
        invitee_id=invitee_id,
        name=name,
        activities=activities,
        errors=errors or {},
        message=message,
        form=posted(),
    ), status


@bp.route("/needs/<int:need_id>/invite", methods=["GET", "POST"])
@login_required
def invite(need_id: int):
    if request.method == "GET":
        failed = failed_form()
        return _invite_page(need_id, failed.get("errors"), failed.get("message", ""))
    back = request.full_path.rstrip("?")
    try:
        body = load(InvitationRequestSchema(), request.form)
        with platform().uow() as uow:
            service.invite(uow, current_actor(), need_id, body)
    except FormError as failure:
        return fail(
            back,
            failure.errors,
            t("fix_errors"),
            at_once=lambda errors=failure.errors: _invite_page(need_id, errors, t("fix_errors"), 422),
        )
    except DomainError as err:
        if isinstance(err, (Forbidden, NotFound)):
            raise
        refused = domain_form_error(err)
        return fail(
            back,
            refused.errors,
            refused.message,
            at_once=lambda status=err.status: _invite_page(need_id, refused.errors, refused.message, status),
        )
    flash(t("invitation_sent"))
    return redirect(url_for("web.need", need_id=need_id) + "#invitations")


@bp.get("/invitations")
@login_required
def invitations():
    failed = failed_form()
    return _invitations_page(failed.get("errors", {}), failed.get("message", ""))


def _invitations_page(errors: dict, message: str, status: int = 200):
    who = current_actor()
    if invitee_of(who) is None:
        raise Forbidden("invitation.forbidden")
    rows = service.my_invitations(db_session(), who)
    needs = {n.id: n for n in db_session().scalars(select(Need).where(Need.id.in_({i.need_id for i in rows})))}
    activities = {
        a.id: a
        for a in db_session().scalars(
            select(Activity).where(Activity.id.in_({i.activity_id for i in rows if i.activity_id}))
        )
    }
    # Pending ones whose need or activity closed are shown as expired until `linkage invitations expire` marks them.
    closed = {i.id for i in rows if i.status == "pending" and not service.still_open(db_session(), i)}
    if file := page_export(exports.INVITATIONS, exports.invitation_items(rows, needs, activities, closed)):
        return file
    return render_template(
        "invitations.html",
        invitations=rows,
        closed=closed,
        needs=needs,
        activities=activities,
        errors=errors,
        message=message,
        failed_for=posted().get("invitation", ""),
        form=posted(),
    ), status


@bp.post("/invitations/<int:invitation_id>/answer")
@login_required
def answer_invitation(invitation_id: int):
    who = current_actor()
    invitation: Invitation = service.get_mine(db_session(), who, invitation_id)
    back = url_for("web.invitations")
    if request.form.get("answer") == "decline":
        asking = confirm_first(t("invitation.confirm_decline"), t("invitation.irreversible_decline"), back)
        if asking is not None:
            return asking
    try:
        body = load(AnswerSchema(), request.form)
        with platform().uow() as uow:
            answered = service.answer_invitation(uow, who, invitation_id, body["answer"], body["plan"])
    except FormError as failure:
        return fail(
            back,
            failure.errors,
            t("fix_errors"),
            at_once=lambda errors=failure.errors: _invitations_page(errors, t("fix_errors"), 422),
        )
    except DomainError as err:
        if isinstance(err, (Forbidden, NotFound)):
            raise
        refused = domain_form_error(err)
        return fail(
            back,
            refused.errors,
            refused.message,
            at_once=lambda status=err.status: _invitations_page(refused.errors, refused.message, status),
        )
    flash(t("saved"))
    if answered.claim_id is not None:
        return redirect(url_for("web.need", need_id=invitation.need_id) + "#claims")
    if answered.signup_id is not None:
        return redirect(url_for("web.activity", activity_id=answered.activity_id))
    return redirect(back)
