"""Abuse limits on the pages: the login form's lock with its wait, the idle timeout, rate-limit pages."""

from __future__ import annotations

import pytest

from app import create_app
from tests.conftest import settings_for_tests
from tests.integration.api.test_limits import Clock
from tests.integration.web.conftest import PASSWORD, Person

LOCKED = "登录失败次数过多"


@pytest.fixture
def clock(world):
    world.platform.clock = Clock()
    return world.platform.clock


def log_in(someone: Person, username: str, password: str, address: str = "203.0.113.7"):
    return someone.post("/login", {"username": username, "password": password}, environ_base={"REMOTE_ADDR": address})


def first_locked(pages) -> int:
    texts = [p.get_data(as_text=True) for p in pages]
    locked = [LOCKED in text for text in texts]
    first = locked.index(True) + 1
    assert all(p.status_code == 401 and "用户名或密码错误" in t for p, t in zip(pages[: first - 1], texts))
    assert all(locked[first - 1 :]) and {p.status_code for p in pages[first - 1 :]} == {429}
    return first


def test_twenty_wrong_passwords_on_the_form_lock_the_account_within_ten_tries(app, world, clock):
    someone = Person(app)
    pages = [log_in(someone, "community_staff", f"guess-{n:04d}", address=f"198.51.100.{n}") for n in range(20)]
    assert first_locked(pages) <= 10
    message = pages[-1].get_data(as_text=True)
    assert "分钟后再试" in message and 'id="login-error"' in message
    wait = int(pages[-1].headers["Retry-After"])
    assert log_in(someone, "community_staff", PASSWORD).status_code == 429  # right password, still locked
    clock.advance(wait)
    welcome = log_in(someone, "community_staff", PASSWORD)
    assert welcome.status_code == 302 and welcome.headers["Location"] == "/"


def test_one_address_trying_many_accounts_on_the_form_is_locked_within_ten_tries(app, world, clock):
    someone = Person(app)
    names = ["admin", "auditor", "volunteer", "org_staff", "community_staff"]
    pages = [log_in(someone, names[n] if n < len(names) else f"guess{n}", "wrong-password") for n in range(20)]
    assert first_locked(pages) <= 10
    assert log_in(someone, "social_worker", PASSWORD).status_code == 429
    assert log_in(Person(app), "social_worker", PASSWORD, address="192.0.2.80").status_code == 302
    clock.advance(int(pages[-1].headers["Retry-After"]))
    assert log_in(someone, "admin", PASSWORD).status_code == 302


def test_an_idle_session_ends_and_the_next_page_says_so(app, world, clock):
    someone = Person(app)
    assert log_in(someone, "community_staff", PASSWORD).status_code == 302
    # Working keeps the session alive: 20 minutes between pages, three times, is never 30 idle.
    for _ in range(3):
        clock.advance(20 * 60)
        assert someone.get("/needs").status_code == 200
    clock.advance(30 * 60 + 1)
    gone = someone.get("/needs")
    assert gone.status_code == 302 and gone.headers["Location"].startswith("/login?next=/needs")
    page = someone.get(gone.headers["Location"])
    assert "长时间未操作" in page.get_data(as_text=True)
    assert someone.get("/needs").status_code == 302  # logged out, not merely warned
    assert log_in(someone, "community_staff", PASSWORD).status_code == 302


def test_the_idle_limit_is_a_setting(world, clock):
    app = create_app(settings_for_tests(world.platform.settings.database_url, session_idle_seconds=120), testing=True)
    app.extensions["linkage"].clock = clock
    try:
        someone = Person(app)
        assert log_in(someone, "admin", PASSWORD).status_code == 302
        clock.advance(100)
        assert someone.get("/dashboard").status_code == 200
        clock.advance(121)
        assert someone.get("/dashboard").status_code == 302
    finally:
        app.extensions["linkage"].dispose()


def test_a_rate_limited_page_answers_in_chinese_with_the_wait(world, clock):
    app = create_app(
        settings_for_tests(
            world.platform.settings.database_url, rate_limits_enabled=True, rate_limit_evaluation="2 per minute"
        ),
        testing=True,
    )
    app.extensions["linkage"].clock = clock
    try:
        resident = Person(app)
        resident.get("/evaluate")
        form = {"project_id": "999999", "code": "ABCD2345", "satisfaction": "5", "comment": ""}
        assert [resident.post("/evaluate", form).status_code for _ in range(2)] == [303, 303]  # back to the form
        refused = resident.post("/evaluate", form)
        text = refused.get_data(as_text=True)
        assert refused.status_code == 429 and "请求过于频繁" in text and "后再试" in text
        assert 0 < int(refused.headers["Retry-After"]) <= 60
        clock.advance(60)
        assert resident.post("/evaluate", form).status_code == 303  # heard again: back to the form
    finally:
        app.extensions["linkage"].dispose()
