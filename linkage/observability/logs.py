"""JSON logs, one object per line, carrying the request id that follows a need end to end.

The web layer binds the request id for the duration of a request; event workers bind the id
the event carries (CloudEvents extension `linkagerequestid`) with the event and need ids, so a
need's POST, its outbox event, its ranking and its stored matches share one `request_id`.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Any, Iterator

# CloudEvents extension attribute names are lowercase a-z0-9 only (spec §3.1.1).
REQUEST_ID_ATTRIBUTE = "linkagerequestid"

_request_id: ContextVar[str | None] = ContextVar("linkage_request_id", default=None)
_need_id: ContextVar[Any] = ContextVar("linkage_need_id", default=None)
_event_id: ContextVar[str | None] = ContextVar("linkage_event_id", default=None)
_VARS = {"request_id": _request_id, "need_id": _need_id, "event_id": _event_id}

# LogRecord attributes that are not "extra" fields a caller passed.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


def current_request_id() -> str | None:
    return _request_id.get()


@contextmanager
def bind(**values: Any) -> Iterator[None]:
    """Attach request_id / need_id / event_id to every log line written inside the block."""
    tokens = [(_VARS[name], _VARS[name].set(value)) for name, value in values.items()]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


def set_request_id(value: str | None):
    """For hooks that cannot wrap a block (before/teardown request): returns the reset token."""
    return _request_id.set(value)


def reset_request_id(token) -> None:
    try:
        _request_id.reset(token)
    except ValueError:  # set in another context (a streamed response): just clear it
        _request_id.set(None)


def need_id_of(event) -> Any:
    """The need an event is about, when it is about one: need events and their rankings."""
    data = getattr(event, "data", None) or {}
    if "need_id" in data:
        return data["need_id"]
    if str(getattr(event, "type", "")).startswith("linkage.need.") and "id" in data:
        return data["id"]
    return None


@contextmanager
def event_context(event) -> Iterator[None]:
    """Bind an event's ids (and the request id it carries) while it is being handled."""
    raw = getattr(event, "raw", None) or {}
    request_id = raw.get(REQUEST_ID_ATTRIBUTE)
    with bind(
        request_id=request_id if isinstance(request_id, str) else None,
        event_id=getattr(event, "id", None),
        need_id=need_id_of(event),
    ):
        yield


class JsonFormatter(logging.Formatter):
    """`{"time","level","logger","message","request_id",...}`: one JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, var in _VARS.items():
            value = getattr(record, name, None)
            if value is None:
                value = var.get()
            if value is not None and value != "":
                entry[name] = value
        for key, value in record.__dict__.items():  # extra={...} fields a caller passed
            if key not in _STANDARD and key not in entry and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def make_formatter(fmt: str | None = None) -> logging.Formatter:
    fmt = (fmt or os.environ.get("LINKAGE_LOG_FORMAT", "json")).lower()
    return logging.Formatter(TEXT_FORMAT) if fmt == "text" else JsonFormatter()


def configure_logging(level: str | None = None, fmt: str | None = None, stream=None) -> None:
    """Root logging for a process: JSON to stderr unless LINKAGE_LOG_FORMAT=text."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(make_formatter(fmt))
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_linkage", False):
            root.removeHandler(old)
    handler._linkage = True  # so a second call replaces ours instead of doubling every line
    root.addHandler(handler)
    root.setLevel((level or os.environ.get("LINKAGE_LOG_LEVEL", "INFO")).upper())
    logging.getLogger("kafka").setLevel(logging.ERROR)
