"""Page fixtures: the API's world (users of every role) and a browser-like client per person."""

from __future__ import annotations

import re

import pytest

from tests.integration.api.conftest import PASSWORD, app, fixture_password_hash, world  # noqa: F401

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Person:
    """A test client with its own cookie jar that fills in the CSRF field like a browser would."""

    def __init__(self, app):
        self.client = app.test_client()
        self.token = ""

    def get(self, path, **kw):
        response = self.client.get(path, **kw)
        found = CSRF.search(response.get_data().decode("utf-8", "replace"))
        if found:
            self.token = found.group(1)
        return response

    def post(self, path, data=None, csrf=True, **kw):
        if csrf and not self.token:
            self.get("/login")
        body = dict(data or {})
        if csrf:
            body.setdefault("csrf_token", self.token)
        response = self.client.post(path, data=body, **kw)
        found = CSRF.search(response.get_data().decode("utf-8", "replace"))
        if found:
            self.token = found.group(1)
        return response

    def post_back(self, path, data=None, **kw):
        """Post a form that fails: it goes back to its page (303, POST-redirect-GET); that page, got."""
        response = self.post(path, data, **kw)
        assert response.status_code == 303, (response.status_code, response.get_data(as_text=True)[:300])
        return self.get(response.headers["Location"])


@pytest.fixture
def person(app, world):
    def make(username: str | None = None) -> Person:
        someone = Person(app)
        if username:
            response = someone.post("/login", {"username": username, "password": PASSWORD})
            assert response.status_code == 302, response.get_data(as_text=True)
            someone.get("/")
        return someone

    return make
