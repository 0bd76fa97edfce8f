"""What every request meets first: an id to follow it, and the refusal of an over-long URL or body."""

from __future__ import annotations

import re
import uuid

from flask import current_app, g, request
from werkzeug.exceptions import RequestEntityTooLarge, RequestURITooLarge

from linkage.errors import Message


def tag_request() -> None:
    """A request id that follows the request into logs, the audit trail and the response."""
    incoming = request.headers.get("X-Request-Id", "")
    g.request_id = incoming if re.fullmatch(r"[A-Za-z0-9-]{8,64}", incoming) else uuid.uuid4().hex


def refuse_long_url() -> None:
    """A request target (path and query, as sent) over LINKAGE_MAX_URL_BYTES is a 414 in the JSON
    error shape. gunicorn reads request lines up to 8190 bytes (linkage.gunicorn_conf), so this
    limit is the one a client meets."""
    limit = current_app.config.get("LINKAGE_MAX_URL_BYTES")
    environ = request.environ
    target = environ.get("RAW_URI") or environ.get("REQUEST_URI")  # gunicorn / werkzeug's server
    if target is None:
        query = environ.get("QUERY_STRING", "")
        target = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
    if limit and len(target.encode("latin1", "replace")) > limit:
        raise RequestURITooLarge(Message("request.url_too_long", limit=limit))


# Spreadsheet uploads (imports) may be larger than any other body: the import's own cap applies.
UPLOAD_PATHS = re.compile(r"^(/api/v1/imports|/imports)$")


def refuse_large_body() -> None:
    """A body over MAX_CONTENT_LENGTH is refused from its Content-Length, before a byte is read
    (werkzeug still cuts off a chunked body that grows past it while being read). An upload of a
    spreadsheet to import has LINKAGE_MAX_UPLOAD_BYTES instead."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    upload_limit = current_app.config.get("LINKAGE_MAX_UPLOAD_BYTES")
    if upload_limit and request.method == "POST" and UPLOAD_PATHS.match(request.path):
        limit = request.max_content_length = upload_limit
    if limit and request.content_length and request.content_length > limit:
        raise RequestEntityTooLarge(Message("request.body_too_large", kib=limit // 1024))
