"""The HTTP layer the API (linkage.api) and the pages (linkage.web) share; it imports neither."""

from __future__ import annotations

from flask import Flask

from linkage.config import Settings
from linkage.http.context import audit_context, close_session
from linkage.http.converters import IdConverter
from linkage.http.errors import register_error_handlers
from linkage.http.headers import init_headers
from linkage.http.intake import refuse_large_body, refuse_long_url, tag_request


def init_http(app: Flask, settings: Settings) -> None:
    """Before init_api and init_web: headers, the request id, size limits, converters, errors, sessions."""
    init_headers(app, settings)  # first: the CSP nonce exists before any other hook can answer
    app.url_map.converters["int"] = IdConverter  # before any route is added
    app.before_request(tag_request)
    app.before_request(refuse_long_url)
    app.before_request(refuse_large_body)
    app.extensions["linkage"].audit_context = audit_context
    app.teardown_appcontext(close_session)
    register_error_handlers(app)
