"""Filings (备案) of community social organizations: the residents' phone form and receipt (no login),
and the staff's list and review page (the community accepts, the street confirms)."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from linkage.errors import DomainError
from linkage.http.context import platform
from linkage.http.context import session as db_session
from linkage.models import FilingStatus
from linkage.policy.filings import may_confirm_filings, may_review_filing
from linkage.services import filings as service
from linkage.services.communities import list_communities
from linkage.taxonomy import CATEGORIES
from linkage.web.actions import act, fail, failed_form, posted
from linkage.web.auth import current_actor, roles
from linkage.web.blueprint import bp
from linkage.web.forms import FormError, domain_form_error, load
from linkage.web.i18n import t
from schemas.filings import FilingConfirmationSchema, FilingReviewSchema, FilingSchema

STAFF = ("community_staff", "admin", "auditor")


def _members(text: str) -> list[dict[str, str]]:
    """The members' textarea, one per line: a name and a mobile (spaces, commas or 、 between)."""
    members = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        parts = line.replace("，", " ").replace(",", " ").replace("、", " ").split()
        if not parts:
            continue
        if len(parts) < 2:
            raise FormError({"members": [t("filings.member_line", n=n)]})
        members.append({"name": " ".join(parts[:-1]), "phone": parts[-1]})
    return members


def _new_page(*, errors: dict | None = None, message: str = "", status: int = 200):
    communities, _ = list_communities(db_session(), page_size=1000)
    return render_template(
        "filing_new.html",
        communities=communities,
        categories=CATEGORIES,
        errors=errors or {},
        message=message,
        form=posted(),
        min_members=platform().settings.filing_min_members,
    ), status


@bp.route("/filings/new", methods=["GET", "POST"])
def new_filing():
    """No login: a group of residents files with its community; the answer is its receipt page."""
    if request.method == "GET":
        failed = failed_form()
        return _new_page(errors=failed.get("errors"), message=failed.get("message", ""))
    settings = platform().settings
    try:
        body = load(FilingSchema(), request.form, extra={"members": _members(request.form.get("members", ""))})
        with platform().uow() as uow:
            filing = service.file_group(uow, platform().cipher, body, min_members=settings.filing_min_members)
            token = service.receipt_token(filing, settings.secret_key)
    except FormError as failure:
        errors, message = failure.errors, t("fix_errors")
        return fail(
            url_for("web.new_filing"),
            errors,
            message,
            at_once=lambda: _new_page(errors=errors, message=message, status=422),
        )
    except DomainError as err:
        refused, status = domain_form_error(err), err.status
        return fail(
            url_for("web.new_filing"),
            refused.errors,
            refused.message,
            at_once=lambda: _new_page(errors=refused.errors, message=refused.message, status=status),
        )
    flash(t("saved"))
    return redirect(url_for("web.filing_receipt", token=token))


@bp.get("/filings/t/<token>")
def filing_receipt(token: str):
    """The group's receipt (回执): where it follows its filing, personal data masked."""
    filing = service.filing_by_receipt(db_session(), token, platform().settings.secret_key)
    return render_template("filing_receipt.html", f=service.filing_view(db_session(), filing, platform().cipher))


@bp.get("/filings")
@roles(*STAFF)
def filings():
    status = request.args.get("status") or None
    if status is not None and status not in {s.value for s in FilingStatus}:
        abort(404)
    rows, total = service.list_filings(db_session(), current_actor(), status=status, page_size=200)
    views = [service.filing_view(db_session(), f, platform().cipher, current_actor()) for f in rows]
    return render_template(
        "filings.html", filings=views, total=total, status=status, statuses=[s.value for s in FilingStatus]
    )


def _filing_page(filing_id: int, *, errors: dict | None = None, message: str = "", status: int = 200):
    who = current_actor()
    filing = service.get_filing(db_session(), who, filing_id)
    return render_template(
        "filing.html",
        f=service.filing_view(db_session(), filing, platform().cipher, who),
        errors=errors or {},
        message=message,
        may_review=may_review_filing(who, filing),
        may_confirm=may_confirm_filings(who),
    ), status


@bp.get("/filings/<int:filing_id>")
@roles(*STAFF)
def filing(filing_id: int):
    failed = failed_form()
    return _filing_page(filing_id, errors=failed.get("errors"), message=failed.get("message", ""))


def _decide(filing_id: int, schema, verb) -> Any:
    who = current_actor()

    def run(body: dict[str, Any]) -> None:
        with platform().uow() as uow:
            verb(uow, who, body)

    return act(partial(_filing_page, filing_id), url_for("web.filing", filing_id=filing_id), run, schema)


@bp.post("/filings/<int:filing_id>/review")
@roles("community_staff")
def review_filing(filing_id: int):
    return _decide(
        filing_id,
        FilingReviewSchema(),
        lambda uow, who, body: service.review_filing(uow, who, filing_id, body["decision"], body["reason"]),
    )


@bp.post("/filings/<int:filing_id>/confirmation")
@roles("admin")
def confirm_filing(filing_id: int):
    return _decide(
        filing_id,
        FilingConfirmationSchema(),
        lambda uow, who, body: service.confirm_filing(
            uow, who, platform().cipher, filing_id, body["decision"], body["reason"]
        ),
    )
