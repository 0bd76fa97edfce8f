"""A form posted from a page: load it, run the service, go back; when it fails, go back too (POST-redirect-GET)
with its errors and values kept in the session for the page to show once."""
from __future__ import annotations

from functools import partial
from typing import Callable
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, request, session, url_for
from werkzeug.datastructures import MultiDict

from linkage.errors import DomainError, Forbidden
from linkage.web.forms import FormError, domain_form_error, load
from linkage.web.i18n import t

FAILED = "failed_form"
COOKIE_ROOM = 3800  # bytes of session cookie a browser keeps (4096), less its name and attributes


def fail(back_to: str, errors: dict, message: str, section: str = "", *, at_once: Callable | None = None):
    """A failed form: keep its errors, message and values for the page `back_to`, and go there (303),
    so a refresh does not post it again. What does not fit in the session cookie (long texts typed)
    is shown at once instead, by `at_once()`, so nothing typed is lost."""
    values = {k: v for k, v in request.form.lists() if k != "csrf_token"}
    # The errors as pairs: the session's JSON sorts a dict's keys, and they are listed in the form's order.
    session[FAILED] = {"path": urlsplit(back_to).path, "errors": list(errors.items()), "message": message,
                       "section": section, "form": values}
    serializer = current_app.session_interface.get_signing_serializer(current_app)  # type: ignore[attr-defined]
    if at_once is not None and serializer is not None and len(serializer.dumps(dict(session))) > COOKIE_ROOM:
        session.pop(FAILED)
        return at_once()
    return redirect(back_to.split("#", 1)[0], 303)  # to the top, where the errors are summed up


def failed_form() -> dict:
    """What the last failed post left for this page (once): `errors`, `message` and `section` for
    its view, the values through `posted()`; {} when there is none."""
    kept = session.get(FAILED)
    if not kept or kept.get("path") != request.path:
        return {}
    session.pop(FAILED)
    g.posted = MultiDict([(k, v) for k, vs in kept["form"].items() for v in vs])
    found = {"errors": dict(kept["errors"]), "message": kept["message"]}
    if kept["section"]:
        found["section"] = kept["section"]
    return found


def posted():
    """The values the form shows: what was just posted, or what a failed post left (failed_form)."""
    return g.get("posted") or request.form


def act(view: Callable, back_to: str, action: Callable[[dict], object], schema=None, *,
        pre: dict | None = None, rename: dict[str, str] | None = None,
        describe: Callable = domain_form_error, forbidden_is_page: bool = True, **load_options):
    """Run `action(body)` on the loaded form and redirect to `back_to` with "saved".

    A failure goes back to `back_to` too (303, `fail`), where the page (its view called with
    `failed_form()`) shows the form's errors by their fields (`pre` holds errors found before
    loading, e.g. an amount that is not one), or a service's refusal in `describe`'s words, at the
    `section` `view` was given. Forbidden is not a form error: it is raised, to be a page of its own
    (unless `forbidden_is_page` is False: a refusal the form explains, e.g. a conflict of
    interest). A non-None result of `action` is returned as the response instead of the redirect.
    """
    section = view.keywords.get("section", "") if isinstance(view, partial) else ""
    try:
        body = load(schema, request.form, rename=rename, **load_options) if schema is not None else {}
        if pre:
            raise FormError(pre)
        result = action(body)
    except FormError as failure:
        errors = {**failure.errors, **(pre or {})}
        return fail(back_to, errors, t("fix_errors"), section,
                    at_once=lambda: view(errors=errors, message=t("fix_errors"), status=422))
    except DomainError as err:
        if isinstance(err, Forbidden) and forbidden_is_page:
            raise
        failure = describe(err, rename)
        return fail(back_to, failure.errors, failure.message, section,
                    at_once=lambda status=err.status: view(errors=failure.errors, message=failure.message,
                                                          status=status))
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
