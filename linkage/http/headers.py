"""Response headers of every answer, page or API, in one place: CSP with nonces, HSTS, cookies."""
from __future__ import annotations

from flask import Flask, g, request
from flask_talisman import Talisman

from linkage.config import Settings

# No 'unsafe-inline' anywhere: an inline <script> or <style> runs only with this request's nonce,
# and no page carries a style="" attribute (pages style through classes in static/site.css).
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "style-src": "'self'",
    "script-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
HSTS_SECONDS = 365 * 24 * 3600


def nonce() -> str:
    """This request's CSP nonce, for a page built outside Jinja (templates call `csp_nonce()`)."""
    return getattr(request, "csp_nonce", "")


def _request_headers(response):
    response.headers.setdefault("X-Request-Id", g.get("request_id", ""))
    if request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_headers(app: Flask, settings: Settings) -> None:
    """Flask-Talisman sets the security headers; registered first, so the nonce exists for any page."""
    https = settings.public_base_url.startswith("https://")
    # Cookies travel only over HTTPS when the platform is served over it.
    app.config.update(SESSION_COOKIE_SECURE=https)
    Talisman(app, force_https=False,  # the TLS proxy redirects; the app never sees plain-http users
             strict_transport_security=https, strict_transport_security_max_age=HSTS_SECONDS,
             strict_transport_security_include_subdomains=False,
             session_cookie_secure=https, session_cookie_http_only=True, session_cookie_samesite="Lax",
             content_security_policy=CONTENT_SECURITY_POLICY,
             content_security_policy_nonce_in=["script-src", "style-src"],
             frame_options="DENY", referrer_policy="same-origin", x_content_type_options=True)
    app.after_request(_request_headers)
