"""Abuse limits over the API: failed logins per account and per address, request rates, headers."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app import create_app
from linkage.models import utcnow
from tests.conftest import settings_for_tests
from tests.integration.api.conftest import PASSWORD

TOKEN = "/api/v1/auth/token"


class Clock:
    """The platform's "now", moved by the test instead of sleeping through a wait."""

    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(world):
    world.platform.clock = Clock()
    return world.platform.clock


def token_request(world, username, password, address="203.0.113.7"):
    return world.client.post(TOKEN, json={"username": username, "password": password},
                             environ_base={"REMOTE_ADDR": address})


def first_refusal(responses) -> int:
    """The 1-based try that was first refused (429), after only 401s."""
    codes = [r.status_code for r in responses]
    refused = codes.index(429) + 1
    assert set(codes[:refused - 1]) == {401}, codes
    assert set(codes[refused - 1:]) == {429}, codes
    return refused


def assert_too_many(response) -> int:
    """429 in the JSON error shape with a Retry-After in whole seconds; returns the wait."""
    assert response.status_code == 429
    assert response.json["code"] == 429 and response.json["status"] == "Too Many Requests"
    assert response.json["message"]
    wait = int(response.headers["Retry-After"])
    assert wait > 0
    return wait


# -- failed logins: one limiter for the web form and the API --------------------------------------

def test_twenty_wrong_passwords_for_one_account_are_refused_within_ten_tries(world, clock):
    tries = [token_request(world, "org_staff", f"guess-{n:04d}", address=f"198.51.100.{n}") for n in range(20)]
    assert first_refusal(tries) <= 10
    wait = assert_too_many(tries[-1])
    assert wait <= 15 * 60
    # The right password is refused too while the account is locked, from any address ...
    assert token_request(world, "org_staff", PASSWORD).status_code == 429
    clock.advance(wait - 5)
    assert token_request(world, "org_staff", PASSWORD).status_code == 429
    # ... and works once the wait has passed.
    clock.advance(5)
    assert token_request(world, "org_staff", PASSWORD).status_code == 200
    # Other accounts were never affected.
    assert token_request(world, "admin", PASSWORD, address="198.51.100.1").status_code == 200


def test_one_address_guessing_many_accounts_is_refused_within_ten_tries(world, clock):
    names = ["admin", "auditor", "volunteer", "org_staff", "nobody-1", "nobody-2"]
    tries = [token_request(world, names[n % len(names)] if n < len(names) else f"guess{n}", "wrong-password")
             for n in range(20)]
    assert first_refusal(tries) <= 10
    wait = assert_too_many(tries[-1])
    # Every account, even with its right password, is refused from that address ...
    assert token_request(world, "social_worker", PASSWORD).status_code == 429
    # ... but not from another address: no account got enough failures to be locked by itself.
    assert token_request(world, "admin", PASSWORD, address="192.0.2.44").status_code == 200
    clock.advance(wait)
    assert token_request(world, "social_worker", PASSWORD).status_code == 200


def test_the_web_form_and_the_api_share_the_failure_count(world, clock):
    from tests.integration.web.conftest import Person
    someone = Person(world.client.application)
    for n in range(3):
        page = someone.post("/login", {"username": "volunteer", "password": f"nope-{n}-nope"})
        assert page.status_code == 401
    for n in range(2):
        assert token_request(world, "volunteer", f"nope-{n}-api", address="127.0.0.1").status_code == 401
    assert_too_many(token_request(world, "volunteer", PASSWORD, address="127.0.0.1"))
    locked = someone.post("/login", {"username": "volunteer", "password": PASSWORD})
    assert locked.status_code == 429


def test_the_login_policy_is_read_from_the_environment():
    from linkage.config import settings_from_env
    from linkage.services.accounts import LoginPolicy
    defaults = LoginPolicy.from_settings(settings_from_env(environ={}))
    assert (defaults.per_account, defaults.per_address, defaults.window) == (5, 9, timedelta(minutes=15))
    chosen = LoginPolicy.from_settings(settings_from_env(environ={
        "LINKAGE_LOGIN_FAILURES_PER_ACCOUNT": "3", "LINKAGE_LOGIN_FAILURES_PER_ADDRESS": "7",
        "LINKAGE_LOGIN_FAILURE_WINDOW_SECONDS": "60"}))
    assert (chosen.per_account, chosen.per_address, chosen.window) == (3, 7, timedelta(seconds=60))
    off = settings_from_env(environ={"LINKAGE_RATE_LIMITS": "0", "LINKAGE_RATE_LIMIT_PUBLIC": "9 per second"})
    assert off.rate_limits_enabled is False and off.rate_limit_public == "9 per second"
    assert settings_from_env(environ={}).rate_limits_enabled is True


# -- request rates (Flask-Limiter over the database) ---------------------------------------------

@pytest.fixture
def limited(world, clock):
    """Another app (think: another gunicorn worker) on the same database, rate limits on."""
    apps = []

    def make(**limits):
        app = create_app(settings_for_tests(world.platform.settings.database_url, rate_limits_enabled=True,
                                            **limits), testing=True)
        app.extensions["linkage"].clock = clock
        apps.append(app)
        return app
    yield make
    for app in apps:
        app.extensions["linkage"].dispose()


def test_token_issuing_is_rate_limited_per_address(limited, clock):
    client = limited(rate_limit_login="3 per minute").test_client()
    for _ in range(3):
        assert client.post(TOKEN, json={"username": "admin", "password": PASSWORD}).status_code == 200
    wait = assert_too_many(client.post(TOKEN, json={"username": "admin", "password": PASSWORD}))
    assert wait <= 60
    other = client.post(TOKEN, json={"username": "admin", "password": PASSWORD},
                        environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert other.status_code == 200
    clock.advance(wait)
    assert client.post(TOKEN, json={"username": "admin", "password": PASSWORD}).status_code == 200


def test_every_worker_counts_against_one_limit(limited):
    """Two apps stand for two gunicorn workers: the counter lives in the database they share."""
    one = limited(rate_limit_certificate="4 per minute").test_client()
    two = limited(rate_limit_certificate="4 per minute").test_client()
    codes = [(one if n % 2 else two).get("/api/v1/certificates/NO-SUCH-CODE").status_code for n in range(5)]
    assert codes == [404, 404, 404, 404, 429]


def test_certificate_checks_are_rate_limited_on_the_api_and_the_page_together(limited):
    client = limited(rate_limit_certificate="4 per minute").test_client()
    for _ in range(2):
        assert client.get("/api/v1/certificates/NO-SUCH-CODE").status_code == 404
        assert client.get("/verify/NO-SUCH-CODE").status_code == 404
    assert_too_many(client.get("/api/v1/certificates/NO-SUCH-CODE"))
    page = client.get("/verify/NO-SUCH-CODE")
    assert page.status_code == 429 and page.mimetype == "text/html"
    assert "请求过于频繁" in page.get_data(as_text=True) and int(page.headers["Retry-After"]) > 0


def test_resident_evaluation_codes_are_rate_limited(limited, world):
    client = limited(rate_limit_evaluation="3 per minute").test_client()
    body = {"code": "ABCD2345", "satisfaction": 5, "comment": "好"}
    for _ in range(3):
        assert client.post("/api/v1/projects/999999/evaluations", json=body).status_code in (404, 422)
    assert_too_many(client.post("/api/v1/projects/999999/evaluations", json=body))
    # Reading the results is not guessing codes: not counted.
    assert client.get("/api/v1/projects/999999/evaluations").status_code != 429


def test_sign_ups_are_rate_limited_per_account(limited, world):
    client = limited(rate_limit_signup="2 per hour").test_client()

    def sign_up(who):
        return client.post("/api/v1/activities/999999/signups", json={}, headers=world.headers(who))
    assert [sign_up("volunteer").status_code for _ in range(2)] == [404, 404]
    assert_too_many(sign_up("volunteer"))
    assert sign_up("other_volunteer").status_code == 404  # same address, another account


def test_public_requests_are_rate_limited_but_signed_in_ones_and_probes_are_not(limited, world):
    client = limited(rate_limit_public="3 per minute").test_client()
    for _ in range(3):
        assert client.get("/api/v1/categories").status_code == 200
    assert_too_many(client.get("/api/v1/categories"))
    page = client.get("/")
    assert page.status_code == 429 and "请求过于频繁" in page.get_data(as_text=True)
    assert client.get("/api/v1/categories", headers=world.headers("admin")).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_rate_limits_can_be_turned_off(world):
    app = create_app(settings_for_tests(world.platform.settings.database_url, rate_limits_enabled=False,
                                        rate_limit_certificate="1 per minute"), testing=True)
    try:
        client = app.test_client()
        assert {client.get("/api/v1/certificates/NO-SUCH-CODE").status_code for _ in range(3)} == {404}
    finally:
        app.extensions["linkage"].dispose()


# -- headers ---------------------------------------------------------------------------------------

def _csp(response) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))


def test_the_csp_has_a_fresh_nonce_per_request_and_never_unsafe_inline(world):
    first, second = world.client.get("/docs"), world.client.get("/docs")
    policy = _csp(first)
    assert "unsafe-inline" not in first.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy["script-src"]).group(1)
    assert f"'nonce-{nonce}'" in policy["style-src"]
    assert f'<script nonce="{nonce}">' in first.get_data(as_text=True)
    assert nonce not in second.headers["Content-Security-Policy"]
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    verify = world.client.get("/verify/NO-SUCH-CODE")  # a page of the site, styled by site.css alone
    assert "<style" not in verify.get_data(as_text=True) and "nonce-" in _csp(verify)["style-src"]


def test_no_page_template_has_an_inline_style_or_an_unnonced_inline_script():
    from pathlib import Path

    import linkage.web
    for template in (Path(linkage.web.__file__).parent / "templates").glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert "style=" not in text, template.name
        for tag in re.findall(r"<(?:script|style)\b[^>]*>", text):
            assert "src=" in tag or 'nonce="{{ csp_nonce() }}"' in tag, (template.name, tag)


def test_hsts_and_secure_cookies_only_when_served_over_https(world):
    plain = world.client.get("/login")
    assert "Strict-Transport-Security" not in plain.headers
    app = create_app(settings_for_tests(world.platform.settings.database_url,
                                        public_base_url="https://linkage.example.cn"), testing=True)
    try:
        client = app.test_client()
        page = client.get("/login", base_url="https://linkage.example.cn")
        assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        logged_in = client.post("/login", base_url="https://linkage.example.cn", data={
            "username": "admin", "password": PASSWORD,
            "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)})
        cookie = logged_in.headers["Set-Cookie"]
        assert logged_in.status_code == 302 and "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    finally:
        app.extensions["linkage"].dispose()
