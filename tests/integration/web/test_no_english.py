"""A crawl of the seeded demo as each demo role: no zh-CN page a person reaches shows English."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from app import create_app
from linkage.demo import DEMO_LOGINS, DEMO_PASSWORD, seed_demo
from tests.conftest import settings_for_tests
from tests.english import english_words
from tests.integration._stats_world import DAY, _funding_story, _story
from tests.integration.web.conftest import Person

# Attributes a person reads (or hears from a screen reader) as much as the text between tags.
READ_ATTRIBUTES = ("placeholder", "aria-label", "title", "alt")
SKIPPED = ("/logout", "/lang/", "/static/", "/api/", "/docs", "/metrics", "/healthz", "/readyz")
SKIPPED_ENDINGS = (".pdf", ".json", ".csv", ".svg", ".png", ".xlsx")
MAX_PAGES = 120  # per role: far more than its nav and the first item of each list reach


class VisibleText(HTMLParser):
    """The text of a page a person sees or hears: text outside scripts and styles, the read attributes,
    and the wording of buttons; plus the same-site links to follow."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in ("script", "style", "template"):
            self._hidden += 1
        for name in READ_ATTRIBUTES:
            if values.get(name):
                self.parts.append(values[name])
        if tag == "input" and values.get("type") in ("submit", "button", "reset") and values.get("value"):
            self.parts.append(values["value"])
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible(page: str) -> tuple[str, list[str]]:
    parser = VisibleText()
    parser.feed(page)
    return " ".join(parser.parts), parser.links


def _shape(path: str) -> str:
    """One page per shape: /needs/17 and /needs/18 are the same page for this crawl."""
    return re.sub(r"/\d+", "/{id}", path)


@pytest.fixture(scope="module")
def demo_app(sqlite_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("crawl") / "linkage.db"
    shutil.copyfile(sqlite_template, path)
    app = create_app(settings_for_tests(f"sqlite:///{path}"), testing=True)
    platform = app.extensions["linkage"]
    # The demo, then projects, activities, hours (verified, rejected, corrected), evaluations and a funding
    # round with grants made through the services: the seed alone has no project or round to look at.
    seed_demo(platform, scale=0.2, today=DAY.date())
    _story(platform)
    _funding_story(platform)
    yield app
    app.extensions["linkage"].dispose()


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # what Chromium sends


def _login(app, username: str | None) -> Person:
    someone = Person(app)
    someone.client.environ_base["HTTP_ACCEPT"] = BROWSER_ACCEPT
    if username:
        response = someone.post("/login", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        someone.get("/")  # the fresh CSRF token of the new session
    return someone


def _crawl(someone: Person) -> dict[str, list[str]]:
    """Every page reachable from home through the nav and the lists (one page of each shape):
    the English words found on each."""
    found: dict[str, list[str]] = {}
    queue, seen = ["/"], {"/"}
    while queue and len(found) < MAX_PAGES:
        path = queue.pop(0)
        response = someone.get(path)
        if response.status_code in (301, 302, 303):
            continue
        if not response.content_type.startswith("text/html"):
            continue
        text, links = visible(response.get_data(as_text=True))
        found[path] = english_words(text)
        for href in links:
            target = urlsplit(urljoin("http://localhost" + path, href))
            if target.netloc != "localhost" or target.path.startswith(SKIPPED) or target.path.endswith(SKIPPED_ENDINGS):
                continue
            shape = _shape(target.path)
            if shape in seen:
                continue
            seen.add(shape)
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return found


ROLES = [None, *(username for username, _role in DEMO_LOGINS)]


@pytest.mark.parametrize("username", ROLES, ids=[u or "anonymous" for u in ROLES])
def test_no_page_a_demo_role_reaches_shows_english(demo_app, username):
    someone = _login(demo_app, username)
    pages = _crawl(someone)
    assert len(pages) >= (3 if username is None else 4), sorted(pages)
    english = {path: words for path, words in pages.items() if words}
    assert not english, english


@pytest.mark.parametrize("username", ROLES, ids=[u or "anonymous" for u in ROLES])
def test_the_error_pages_speak_chinese(demo_app, username):
    someone = _login(demo_app, username)
    pages = {
        "unknown URL": someone.get("/no/such/page"),
        "a record that does not exist": someone.get("/needs/999999"),
        "a page this role may not open": someone.get("/funding/new" if username == "zhiyuan" else "/me/hours"),
        "a method the page does not take": someone.client.delete("/login"),
    }
    for what, response in pages.items():
        assert response.status_code in (302, 403, 404, 405), (what, response.status_code)
        if response.status_code == 302:  # anonymous: sent to log in, which is crawled above
            continue
        assert response.content_type.startswith("text/html"), (what, response.content_type)
        text, _ = visible(response.get_data(as_text=True))
        assert not english_words(text), (what, english_words(text))


def test_the_api_and_a_client_asking_for_json_get_json_errors(demo_app):
    """The same errors as JSON (DESIGN §7) for the API's paths and for Accept: application/json; a 405
    says which methods the resource takes, on the page and in JSON."""
    client = demo_app.test_client()
    api = client.get("/api/v1/no/such/thing", headers={"Accept": BROWSER_ACCEPT})
    assert api.status_code in (401, 404) and api.is_json and api.json["code"] == api.status_code
    asked = client.get("/no/such/page", headers={"Accept": "application/json", "Accept-Language": "zh-CN"})
    assert (
        asked.status_code == 404
        and asked.is_json
        and asked.json["message"] == "找不到这个页面，地址可能有误或内容已删除"
    )
    page = client.delete("/login", headers={"Accept": BROWSER_ACCEPT})
    assert page.status_code == 405 and page.content_type.startswith("text/html") and "POST" in page.headers["Allow"]
    assert "不支持的操作" in page.get_data(as_text=True)
    machine = client.delete("/login", headers={"Accept": "application/json"})
    assert machine.status_code == 405 and machine.is_json and "POST" in machine.headers["Allow"]


def _first(app, model, *where):
    from sqlalchemy import select

    with app.extensions["linkage"].read_session() as session:
        return session.scalars(select(model).where(*where).order_by(model.id)).first()


def test_the_core_flows_refusals_speak_chinese(demo_app):
    """Refusals met on the tour: sign-up to an activity that is over, check-in of a finished sign-up, an
    unknown evaluation code, a project move its state does not allow, a grant a volunteer may not see. Each message is the catalogue's
    Chinese, states named by their words."""
    from linkage.models import Activity, Grant, Project, Signup

    activity = _first(demo_app, Activity)
    signup = _first(demo_app, Signup, Signup.activity_id == activity.id)
    completed = _first(demo_app, Project, Project.status == "completed")
    volunteer, org, staff, resident = (_login(demo_app, who) for who in ("zhiyuan", "zuzhi", "shequ", None))

    def refused(client, response):
        """A refused form goes back to its page (303, POST-redirect-GET), which says why: that page."""
        if response.status_code == 303:
            return client.get(response.headers["Location"])
        assert 400 <= response.status_code < 500, response.status_code
        return response

    attempts = {
        "sign up, activity over": refused(volunteer, volunteer.post(f"/activities/{activity.id}/signup", {})),
        "check in, signed out": refused(org, org.post(f"/signups/{signup.id}/check-in", {"activity_id": activity.id})),
        "unknown code": refused(
            resident, resident.post("/evaluate", {"project_id": completed.id, "code": "ZZZZZZZZ", "satisfaction": "5"})
        ),
        "illegal move": refused(staff, staff.post(f"/projects/{completed.id}/transitions", {"target": "in_progress"})),
        "a grant's 403": refused(volunteer, volunteer.get(f"/funding/grants/{_first(demo_app, Grant).id}")),
    }
    for what, response in attempts.items():
        text, _ = visible(response.get_data(as_text=True))
        assert not english_words(text), (what, english_words(text))
        assert re.search(r"「[\u4e00-\u9fff]+」|[\u4e00-\u9fff]{4,}", text), what
    assert "已签退" in visible(attempts["check in, signed out"].get_data(as_text=True))[0]
