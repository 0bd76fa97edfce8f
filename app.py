"""Linkage web entry point: `create_app()` for gunicorn, `python app.py` for a quick local server."""
from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from events.health import broker_ready
from linkage.api import init_api
from linkage.config import INSTANCE_DIR, Settings, settings_from_env
from linkage.http import init_http
from linkage.http.rate_limits import init_rate_limits
from linkage.i18n import init_i18n
from linkage.observability.web import init_observability
from linkage.platform import build_platform
from linkage.web import init_web


def create_app(settings: Settings | None = None, *, testing: bool = False,
               serve: tuple[str, ...] = ("api", "web")) -> Flask:
    """The platform's web app: the HTTP layer, then the JSON API and the pages (each may be served alone)."""
    settings = settings or settings_from_env()
    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    app.config.update(SECRET_KEY=settings.secret_key, TESTING=testing,
                      MAX_CONTENT_LENGTH=settings.max_body_bytes, LINKAGE_MAX_URL_BYTES=settings.max_url_bytes,
                      # an import's spreadsheet: its 5 MB cap, base64 in JSON (4/3) and the form's frame
                      LINKAGE_MAX_UPLOAD_BYTES=8 * 1024 * 1024,
                      # /readyz asks the broker too; events.health imports kafka only when called.
                      LINKAGE_BROKER_PROBE=lambda: broker_ready(settings.bootstrap_servers, timeout=1.0))
    app.json.ensure_ascii = False
    app.extensions["linkage"] = build_platform(settings)
    init_http(app, settings)  # first: headers, request id, converters, errors; the API and the pages share it
    init_i18n(app)  # Flask-Babel: each request's language (the pages' switch, the API's Accept-Language)
    if "api" in serve:
        init_api(app)
    if "web" in serve:
        init_web(app)
    init_observability(app)  # request timing, request id in log lines, /metrics
    init_rate_limits(app, settings)  # last: it wraps the routes the others registered
    if settings.proxies:  # the client's address and scheme as the trusted proxies saw them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxies, x_proto=settings.proxies,
                                x_host=settings.proxies)
    return app


if __name__ == "__main__":
    create_app().run(host="127.0.0.1", port=8000)
