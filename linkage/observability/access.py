"""gunicorn's logs as JSON lines: the access log carries the request id the app answered with."""

from __future__ import annotations

import traceback

from gunicorn.glogging import Logger

from linkage.observability.logs import JsonFormatter


class JsonLogger(Logger):
    """`logger_class` for gunicorn: error and access logs through the JsonFormatter."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(JsonFormatter())

    def access(self, resp, req, environ, request_time) -> None:
        if not self.access_log_enabled:
            return
        try:
            status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
            headers = dict((k.lower(), v) for k, v in (resp.headers or []))
            fields = {
                "request_id": headers.get("x-request-id") or None,
                "remote_addr": environ.get("REMOTE_ADDR", ""),
                "method": environ.get("REQUEST_METHOD", ""),
                "path": environ.get("PATH_INFO", ""),
                "status": int(status),
                "bytes": getattr(resp, "sent", None),
                "duration_ms": round(request_time.total_seconds() * 1000, 2),
                "user_agent": environ.get("HTTP_USER_AGENT", ""),
            }
            # Query strings may carry search terms about people: the path is enough to find a request.
            self.access_log.info("%s %s %s", fields["method"], fields["path"], fields["status"], extra=fields)
        except Exception:  # noqa: BLE001 - a log line must never break a response
            self.error(traceback.format_exc())
