"""The one place that maps errors to the JSON shape of DESIGN §7."""

from __future__ import annotations

from http import HTTPStatus

from flask import current_app, jsonify
from flask_smorest.error_handler import ErrorSchema as _SmorestErrorSchema
from marshmallow import ValidationError, fields
from werkzeug.exceptions import HTTPException, InternalServerError

from linkage.errors import DomainError, TooManyRequests
from linkage.i18n import render, render_message


class ErrorSchema(_SmorestErrorSchema):
    """The documented error shape (DESIGN §7), and the domain code that a domain error adds."""

    reason = fields.String(
        metadata={
            "description": "A domain error's code (e.g. hours.overlap): branch on it, "
            "not on the message, whose language follows Accept-Language"
        }
    )


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
        if err.code == 400:
            return error_body(400, "request.bad_json", {"_body": [err.description or "bad request"]})
        response = error_body(err.code, err.description or HTTPStatus(err.code).phrase)
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
        return error_body(500, InternalServerError.description)
