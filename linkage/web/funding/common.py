"""What every funding page shares: amounts typed in 元, the rubric's labels, posting a form back to its page.

Every rule lives in `linkage.services.funding`; these pages turn forms into the same bodies the
API's schemas load (amounts typed in 元, stored in 分) and show the services' answers.
"""
from __future__ import annotations

from functools import partial
from typing import Callable

from flask import render_template
from sqlalchemy import select

from linkage.errors import DomainError
from linkage.http.context import platform as db_platform
from linkage.http.context import session as db_session
from linkage.models import SocialWorker, User, Volunteer
from linkage.policy import funding as funding_policy
from linkage.services import funding
from linkage.web import queries
from linkage.web.actions import act, posted
from linkage.web.auth import current_actor
from linkage.web.forms import FormError, fen_of
from linkage.web.forms import domain_form_error as _domain_form_error
from linkage.web.i18n import localize, t


def as_current_user(use_case, *args):
    """Run a use case as the signed-in user in a unit of work of its own (the service commits)."""
    with db_platform().uow() as uow:
        return use_case(uow, current_actor(), *args)


def domain_form_error(err: DomainError, rename: dict[str, str] | None = None) -> FormError:
    """As forms.domain_form_error; a service message whose field errors say what is wrong by each
    field gives way to "please fix the marked fields" (the overrides' summary stays: it says why)."""
    failure = _domain_form_error(err, rename)
    if failure.errors and err.code != "override.rejected":
        failure.message = t("fix_errors")
    return failure


def fen(form, name: str, errors: dict, target: str | None = None, *, positive: bool = False) -> int | None:
    """An amount in yuan from the form, as fen; a bad one (or, `positive`, one of 0 or less) is an
    error by its field, in yuan words (the API's schemas speak of fen)."""
    try:
        amount = fen_of(form.get(name, ""))
    except ValueError:
        errors[target or name] = [t("yuan_invalid")]
        return None
    if positive and amount is not None and amount <= 0:
        errors[target or name] = [t("funding.yuan_positive")]
        return None
    return amount


def merge(failure: FormError, pre: dict) -> FormError:
    failure.errors = {**failure.errors, **pre}
    return failure


def rubric() -> tuple[dict, dict]:
    """The rubric's criteria with their weights, and their labels in the page's language."""
    found = funding.rounds.load_rubric()
    return dict(found["weights"]), {k: localize(v) for k, v in found.get("labels", {}).items()}


def people(session, user_ids) -> dict[int, str]:
    """How a person reads on the funding pages, never by their login: a social worker or volunteer
    by name with role and organization ("张华（社会工作者 · 乐龄中心）"), staff as the staff of their
    organization, community or the district, with their number ("区民政局工作人员 #3")."""
    ids = {i for i in user_ids if i is not None}
    users = list(session.scalars(select(User).where(User.id.in_(ids)))) if ids else []
    workers = {w.id: w for w in session.scalars(select(SocialWorker).where(
        SocialWorker.id.in_({u.social_worker_id for u in users if u.social_worker_id})))}
    volunteers = {v.id: v for v in session.scalars(select(Volunteer).where(
        Volunteer.id.in_({u.volunteer_id for u in users if u.volunteer_id})))}
    orgs = queries.organization_names(session, {u.organization_id for u in users if u.organization_id}
                                      | {w.organization_id for w in workers.values() if w.organization_id})
    communities = queries.community_names(session, {u.community_id for u in users if u.community_id})
    found = {}
    for user in users:
        role = t(f"role_{user.role}")
        worker = workers.get(user.social_worker_id) if user.social_worker_id else None
        volunteer = volunteers.get(user.volunteer_id) if user.volunteer_id else None
        if worker is not None or volunteer is not None:
            named = worker or volunteer
            where = orgs.get(worker.organization_id) if worker is not None and worker.organization_id else None
            about = f"{role} · {where}" if where else role
            found[user.id] = t("funding.person", name=named.name, about=about)
        else:
            where = orgs.get(user.organization_id) or communities.get(user.community_id) or role
            found[user.id] = t("funding.staff", where=where, id=user.id)
    return found


def render_page(template: str, *, errors=None, message: str = "", section: str = "", status: int = 200,
                of=None, **context):
    """A funding page with its forms' state (the errors by field, the message, the section to open;
    a refused form's after POST-redirect-GET, which its GET view passes from `failed_form()`) and,
    `of` an application or a grant, the names of its organization and its community."""
    context.setdefault("district", funding_policy.runs_funding(current_actor()))
    if of is not None:
        session = db_session()
        context["org_name"] = queries.organization_names(session, [of.organization_id]).get(of.organization_id, "")
        context["community_name"] = queries.community_names(session, [of.community_id]).get(of.community_id, "")
    return render_template(template, errors=errors or {}, message=message, section=section, form=posted(),
                           **context), status


def post(view: Callable, section: str, back_to: str, action: Callable[[dict], object], schema=None, *,
         describe: Callable = domain_form_error, **options):
    """A form on a funding page: run `action`, go back to `back_to`; refused, back to the same page
    (303) where its errors wait at the top and at `section` (POST-redirect-GET; `view` renders it)."""
    return act(partial(view, section=section), back_to, action, schema, describe=describe, **options)
