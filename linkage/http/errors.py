"""The one place that maps errors to the JSON shape of DESIGN §7."""

from __future__ import annotations

from http import HTTPStatus

from flask import current_app, jsonify, request
from flask_smorest.error_handler import ErrorSchema as _SmorestErrorSchema
from marshmallow import ValidationError, fields
from werkzeug.exceptions import HTTPException

from linkage.errors import DomainError, Message, TooManyRequests
from linkage.i18n import render, render_message


class ErrorSchema(_SmorestErrorSchema):
    """The documented error shape (DESIGN §7), and the domain code that a domain error adds."""

    reason = fields.String(
        metadata={
            "description": "A domain error's code (e.g. hours.overlap): branch on it, "
            "not on the message, whose language follows Accept-Language"
        }
    )


# app.extensions key: the pages' error page, (status, message, field errors) -> HTML. Set by
# linkage.web when the pages are served; without it every error is JSON.
ERROR_PAGE = "linkage_error_page"
# The catalogue code of each HTTP status's own message (werkzeug's descriptions are English sentences).
HTTP_MESSAGES = {
    code: f"http.{code}" for code in (400, 401, 403, 404, 405, 406, 409, 410, 413, 414, 415, 422, 500, 503)
}


def wants_page() -> bool:
    """A person's browser gets an HTML page; the API (/api/ paths) and a client that prefers JSON get
    JSON (DESIGN §7). A client that names neither (no Accept, */*) gets what the route serves: a page's
    own route a page, anything else JSON. Only where the pages are served."""
    if ERROR_PAGE not in current_app.extensions or request.path.startswith("/api/"):
        return False
    accept = request.accept_mimetypes
    if accept["application/json"] > accept["text/html"]:
        return False
    return any(value == "text/html" for value, _ in accept) or request.blueprint == "web"


def _page(code: int, message: str, errors: dict | None = None):
    return current_app.extensions[ERROR_PAGE](code, message, errors or {}), code


def error_body(code: int, message, errors: dict | None = None):
    """DESIGN §7's shape; `message` and `errors` may be codes, rendered in the request's language."""
    return _respond(code, render_message(message), render_message(errors) if errors else None)


def _respond(code: int, message: str, errors: dict | None = None, reason: str | None = None):
    body = {"code": code, "status": HTTPStatus(code).phrase, "message": message}
    if errors:
        body["errors"] = errors
    if reason:  # a domain error's code (e.g. "hours.overlap"), for clients that branch on it
        body["reason"] = reason
    response = jsonify(body)
    response.status_code = code
    return response


def _flatten_locations(messages: dict) -> dict:
    """webargs nests field errors by location ({"json": {...}}); clients want {field: [...]}."""
    flat: dict = {}
    for location, by_field in messages.items():
        if isinstance(by_field, dict):
            for field, msgs in by_field.items():
                flat[field] = msgs
        else:
            flat[location] = by_field
    return flat


def register_error_handlers(app) -> None:
    @app.errorhandler(DomainError)
    def _domain(err: DomainError):
        rendered = render(err)
        if wants_page() and not isinstance(err, TooManyRequests):
            return _page(err.status, rendered["message"], rendered.get("errors"))
        response = _respond(err.status, rendered["message"], rendered.get("errors"), rendered["reason"])
        if isinstance(err, TooManyRequests):
            response.headers["Retry-After"] = str(err.retry_after)
        return response

    @app.errorhandler(ValidationError)
    def _validation(err: ValidationError):
        messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        return error_body(422, "request.invalid_input", messages)

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        data = getattr(err, "data", None) or {}
        messages = data.get("messages")
        if messages:
            return error_body(err.code, "request.invalid_input", _flatten_locations(messages))
        # Our own refusals carry a Message (414, 413); werkzeug's descriptions are English sentences.
        own = isinstance(err.description, Message)
        message = (
            err.description if own else HTTP_MESSAGES.get(err.code) or err.description or HTTPStatus(err.code).phrase
        )
        if wants_page():
            response = current_app.make_response(_page(err.code, render_message(message)))
        elif err.code == 400:
            return error_body(400, "request.bad_json", {"_body": [err.description or "bad request"]})
        else:
            response = error_body(err.code, message)
        # A 405 says which methods the resource does take (RFC 9110 §15.5.6): werkzeug's own
        # headers carry `Allow`, which the JSON body must not drop.
        for name, value in err.get_headers():
            if name.lower() == "allow":
                response.headers["Allow"] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        if current_app.testing:
            raise err  # let bugs fail the tests loudly instead of hiding behind a 500
        current_app.logger.exception("unhandled error")
        if wants_page():
            return _page(500, render_message(HTTP_MESSAGES[500]))
        return error_body(500, HTTP_MESSAGES[500])
