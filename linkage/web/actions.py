"""A form posted from a page: load it, run the service, go back — or show the page again with the errors."""
from __future__ import annotations

from typing import Callable

from flask import flash, redirect, request, session, url_for

from linkage.errors import DomainError, Forbidden
from linkage.web.forms import FormError, domain_form_error, load
from linkage.web.i18n import t


def act(view: Callable, back_to: str, action: Callable[[dict], object], schema=None, *,
        pre: dict | None = None, rename: dict[str, str] | None = None,
        describe: Callable = domain_form_error, forbidden_is_page: bool = True, **load_options):
    """Run `action(body)` on the loaded form and redirect to `back_to` with "saved".

    `view(errors=, message=, status=)` renders the page again: with the form's errors by their
    fields (422; `pre` holds errors found before loading, e.g. an amount that is not one), or
    with a service's refusal in `describe`'s words at its own status. Forbidden is not a form
    error: it is raised, to be a page of its own (unless `forbidden_is_page` is False: a refusal
    the form explains, e.g. a conflict of interest). A non-None result of `action` is returned as
    the response instead of the redirect.
    """
    try:
        body = load(schema, request.form, rename=rename, **load_options) if schema is not None else {}
        if pre:
            raise FormError(pre)
        result = action(body)
    except FormError as failure:
        return view(errors={**failure.errors, **(pre or {})}, message=t("fix_errors"), status=422)
    except DomainError as err:
        if isinstance(err, Forbidden) and forbidden_is_page:
            raise
        failure = describe(err, rename)
        return view(errors=failure.errors, message=failure.message, status=err.status)
    if result is not None:
        return result
    flash(t("saved"))
    return redirect(back_to)


CONFIRMED = "confirmed"


def confirm_first(question: str, consequence: str, back_to: str):
    """Before an irreversible post: unless the form says it was confirmed, keep what was posted in the
    session and send the person (303) to /confirm, which asks `question`, says `consequence` and posts
    the same fields again with `confirmed=1` (or goes back to `back_to`). None when confirmed."""
    if request.form.get(CONFIRMED) == "1":
        return None
    fields = {k: v for k, v in request.form.items() if k not in ("csrf_token", CONFIRMED)}
    session["confirm"] = {"action": request.path, "fields": fields, "question": question,
                          "consequence": consequence, "back": back_to}
    return redirect(url_for("web.confirm"), 303)
