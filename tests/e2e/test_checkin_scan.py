"""In Chromium: the organizer shows the venue's check-in code; a volunteer's phone reads its QR and checks in."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import select

from linkage.models import Need, Project, Signup, User, utcnow
from tests.e2e.conftest import OUTPUT, PHONE
from tests.e2e.people import log_in
from tests.factories import PASSWORD, Build

pytestmark = [pytest.mark.broker, pytest.mark.timeout(180)]


@pytest.fixture(scope="module")
def live(own_live):
    """A system of this module's own: its check-ins would change what the story files count."""
    return own_live


def _scene(live):
    """An activity of zuzhi's organization under way (started an hour ago) and a volunteer signed up to it."""
    with live.platform.read_session() as session:
        staff = session.scalars(select(User).where(User.username == "shequ")).one()
        org = session.scalars(select(User).where(User.username == "zuzhi")).one()
    build = Build(live.platform)
    project = build.project(need=build.need(staff.community_id), organization=org.organization_id, status="in_progress")
    activity = build.activity(project, starts_at=utcnow() - timedelta(hours=1), hours_long=3, title="社区助老值班")
    volunteer = build.volunteer(staff.community_id)
    build.user("volunteer", volunteer_id=volunteer, username="saoma")
    signup = build.signup(activity, volunteer)
    with live.platform.read_session() as session:
        need = session.get(Need, session.get(Project, project.id).need_id)
        return activity, signup, (need.lat, need.lon)


def _phone(browser, live, where):
    """The volunteer's phone, signed in, whose browser gives `where` as its position."""
    context = browser.new_context(
        viewport=PHONE,
        locale="zh-CN",
        geolocation={"latitude": where[0], "longitude": where[1]},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.goto(live.base_url + "/login")
    page.fill("#f-username", "saoma")
    page.fill("#f-password", PASSWORD)
    with page.expect_navigation():
        page.press("#f-password", "Enter")
    return page


def _status(live, signup) -> str:
    with live.platform.read_session() as session:
        return session.get(Signup, signup.id).status


def test_the_volunteer_scans_the_organizer_s_code_and_checks_in_at_the_venue(live, browser):
    activity, signup, venue = _scene(live)
    organizer = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        page = log_in(organizer.new_page(), live.base_url, "zuzhi")
        page.clock.install()
        page.goto(f"{live.base_url}/activities/{activity.id}")
        with page.expect_navigation():
            page.click("#show-checkin-code")
        box = page.locator("#checkin-code")
        scan_url = box.get_attribute("data-scan-url")
        assert scan_url.startswith(f"{live.base_url}/activities/{activity.id}/scan?c=")
        assert page.locator("#checkin-scan-url").inner_text() == scan_url
        picture = OUTPUT / "checkin-code.png"
        page.locator("#checkin-qr").screenshot(path=str(picture))
        read = subprocess.run(["zbarimg", "-q", "--raw", str(picture)], capture_output=True, text=True, timeout=60)
        assert read.stdout.split() == [scan_url]
        with page.expect_response(lambda r: "/checkin-code.json" in r.url) as polled:
            page.clock.run_for(10_000)  # the page asks for the current code every 10 s
        fresh = polled.value.json()
        page.wait_for_function("d => document.getElementById('checkin-digits').textContent === d", arg=fresh["digits"])
        assert box.get_attribute("data-scan-url") == fresh["scan_url"]

        far = _phone(browser, live, (venue[0] + 0.05, venue[1]))  # some 5 km away
        far.goto(scan_url)
        with far.expect_navigation(url=lambda url: "/scan" in url):
            far.click("#scan-check-in")
        assert "您不在活动地点附近" in far.locator("main").inner_text()
        assert _status(live, signup) == "signed_up"
        far.context.close()

        phone = _phone(browser, live, (venue[0] + 0.001, venue[1]))  # about 110 m from the venue
        phone.goto(fresh["scan_url"])
        assert phone.locator("#scan-code-read").is_visible()
        with phone.expect_navigation(url=lambda url: "/scan" in url):
            phone.click("#scan-check-in")
        assert phone.locator("#scan-status").get_attribute("data-status") == "checked_in"
        assert _status(live, signup) == "checked_in"
        phone.screenshot(path=str(OUTPUT / "checkin-scanned.png"), full_page=True)
        phone.context.close()
    finally:
        organizer.close()
