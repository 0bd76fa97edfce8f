"""Issue 18's acceptance walk in Chromium at a phone's width (375 px): one volunteer's day.

The demo volunteer (zhiyuan) finds a recurring activity near home, is waitlisted on its full shift
(候补), is promoted when the volunteer ahead cancels and reads it in the inbox, checks in and out by
scanning the organizer's rotating QR code, and sees the credit hours (信用时长) and a new star level
(星级) once the organization verifies them.
"""

from __future__ import annotations

import math
import re
import time
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from linkage.formats import hours as hours_text
from linkage.models import Community, Signup, User, Volunteer
from linkage.services import hours as hour_service
from linkage.services.checkin_codes import STEP_SECONDS
from linkage.stars import star_level, thresholds_for
from tests.e2e.people import TZ, Person, Seen, local
from tests.factories import ADMIN, PASSWORD, Build

pytestmark = [pytest.mark.broker, pytest.mark.timeout(600)]

PHONE_375 = {"width": 375, "height": 812}
TITLE = "周末社区助老值班"
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@pytest.fixture(scope="module")
def live(own_live):
    """A system of this module's own: the walk adds hours, sign-ups and notices the stories would count."""
    return own_live


def _people(live) -> dict:
    """Who walks: zhiyuan (the demo volunteer), zuzhi's organization, and a neighbour volunteer of the
    same community (a seeded one, given a login here) who signs up first."""
    with live.platform.read_session() as session:
        me = session.scalars(select(User).where(User.username == "zhiyuan")).one()
        org = session.scalars(select(User).where(User.username == "zuzhi")).one()
        volunteer = session.get(Volunteer, me.volunteer_id)
        community = session.get(Community, volunteer.community_id)
        neighbour = session.scalars(
            select(Volunteer.id)
            .where(Volunteer.community_id == community.id, Volunteer.id != volunteer.id, Volunteer.active.is_(True))
            .order_by(Volunteer.id)
        ).first()
        return {
            "volunteer_id": volunteer.id,
            "where": (volunteer.lat, volunteer.lon),
            "community_id": community.id,
            "district": community.district,
            "organization_id": org.organization_id,
            "neighbour_id": neighbour,
        }


def _hours_just_below_a_star(live, build: Build, who: dict) -> tuple[int, int, int]:
    """Verified honour hours (补录, recorded and verified on the volunteer's ledger through the services)
    up to one minute short of the next star of their district's scheme; returns (level, minutes,
    records verified)."""
    thresholds = thresholds_for(who["district"])
    with live.platform.read_session() as session:
        verified = hour_service.volunteer_hours(session, who["volunteer_id"], thresholds)["verified_minutes"]
    level = star_level(verified, thresholds)
    assert level < len(thresholds), "the demo volunteer is at the top star level already"
    short = thresholds[level] * 60 - 1 - verified
    project = build.project(
        need=build.need(who["community_id"]), organization=who["organization_id"], status="in_progress"
    )
    day = 0
    while short > 0:  # records of at most 20 h, one a day on the days before (no overlap, ≤ 24 h a day)
        day += 1
        minutes = min(short, 20 * 60)
        activity = build.past_activity(project, ended_hours_ago=24 * day, hours_long=20, title="社区助老（补录）")
        record = build.hour_record(activity, who["volunteer_id"], minutes=minutes)
        build._do(hour_service.review_hours, ADMIN, record.id, "verify")
        short -= minutes
    return level, thresholds[level] * 60 - 1, day


def _log_in_with(person: Person, username: str, password: str) -> None:
    page = person.page
    page.goto(person.base + "/login")
    page.fill("#f-username", username)
    page.fill("#f-password", password)
    with page.expect_navigation():
        page.press("#f-password", "Enter")
    assert page.url == person.base + "/", page.url


def _signup(live, activity_id: int, volunteer_id: int) -> Signup:
    with live.platform.read_session() as session:
        return session.scalars(
            select(Signup)
            .where(Signup.activity_id == activity_id, Signup.volunteer_id == volunteer_id)
            .order_by(Signup.id.desc())
        ).first()


def _wait_for_notices(person: Person, kind: str, count: int = 1, timeout_s: float = 30):
    """The inbox, reloaded until the notifier (a consumer of the broker's events) has written `count`
    notices of `kind`: Playwright's expect polls the page for 2 s each time, reloaded between tries."""
    person.go("/inbox")
    notices = person.page.locator(f'#notifications li.notice[data-kind="{kind}"]')
    deadline, reloaded = time.monotonic() + timeout_s, False
    while True:
        try:
            expect(notices).to_have_count(count, timeout=2_000)
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            person.page.reload()
            reloaded = True
    if reloaded:
        person.arrived()  # the inbox as the volunteer reads it, the notices in it
    return notices.first


def _bell(person: Person) -> int:
    count = person.page.locator("#bell-count")
    return int(count.inner_text()) if count.count() else 0


def test_a_volunteer_s_day_on_a_phone(live, browser, shots):
    seen = Seen(shots)
    who = _people(live)
    assert who["neighbour_id"], "the demo's community has a second volunteer"
    build = Build(live.platform)
    need = build.need(
        who["community_id"], lat=who["where"][0], lon=who["where"][1], title="老人日间照料中心需要值班志愿者"
    )
    project = build.project(need=need, organization=who["organization_id"], status="in_progress")
    build.user("volunteer", volunteer_id=who["neighbour_id"], username="linju2")
    # before the walk: verified honour hours one minute short of the volunteer's next star
    level_before, verified_before, records = _hours_just_below_a_star(live, build, who)

    # -- the organization schedules a weekly series; today's occurrence starts within 90-150 s ------
    # A series materializes occurrences from the moment it is saved, so the one running during the
    # walk is made to start shortly after the form is sent: check-in opens 60 min before the start,
    # and the waitlist is promoted only before it (the walk reaches the cancellation in ~10 s).
    seen.step = "0"
    org = Person(browser, live, seen=seen, name="org", viewport=PHONE_375)
    org.log_in("zuzhi")
    org.go(f"/projects/{project.id}/series/new")
    # 90-150 s ahead: room for the walk to the cancellation on a loaded CI machine (it takes 6-20 s
    # alone), at the price of a longer wait before the check-out.
    start = (datetime.now(TZ) + timedelta(seconds=150)).replace(second=0, microsecond=0)
    page = org.page
    page.fill("#f-title", TITLE)
    page.fill("#f-place", "新华里社区日间照料中心")
    page.fill("#f-dtstart", local(start))
    page.fill("#f-duration_minutes", "120")
    page.check("input[name=freq][value=weekly]")
    page.check(f"input[name=weekdays][value={WEEKDAYS[start.weekday()]}]")
    page.fill("#f-shift_role_0", "前台值班")
    page.fill("#f-shift_slots_0", "1")
    seen.page(org, "org-series-form-filled")
    sent = time.monotonic()
    org.press("form.card button[type=submit]")
    assert re.search(r"/series/\d+$", page.url), page.url + "\n" + page.locator("main").inner_text()

    # -- 1. the volunteer finds it near home ------------------------------------------------------
    me = Person(
        browser,
        live,
        seen=seen,
        name="me",
        viewport=PHONE_375,
        geolocation={"latitude": need.lat, "longitude": need.lon},
        permissions=["geolocation"],
    )
    seen.step = "1"
    me.log_in("zhiyuan")
    me.go("/activities")
    link = me.page.locator("a.card-title", has_text=TITLE).first
    expect(link).to_be_visible()
    activity_path = link.get_attribute("href")
    activity_id = int(activity_path.rsplit("/", 1)[1])

    # -- 2. the neighbour took the one place first: ours is waitlisted -----------------------------
    neighbour = Person(browser, live, viewport=PHONE_375)
    _log_in_with(neighbour, "linju2", PASSWORD)
    neighbour.go(activity_path)
    assert neighbour.text("#sign-up") == "报名"
    neighbour.press("#sign-up")
    assert neighbour.text("main .badge") == "已报名"

    seen.step = "2"
    me.go(activity_path)
    assert "每周" in me.text("main dl.facts") and "已报名 1/1" in me.text("main dl.facts")
    assert me.text("#sign-up") == "已满，报名候补"  # the page says beforehand the place is a waitlist's
    me.press("#sign-up")
    assert me.text("main .badge") == "候补中"
    assert me.text("#waitlist-position") == "已进入候补，第 1 位"
    assert _signup(live, activity_id, who["volunteer_id"]).status == "waitlisted"
    # the notices so far read: the hours entered before and the sign-ups they took (once told all)
    _wait_for_notices(me, "signup_confirmed", records)
    _wait_for_notices(me, "hours_verified", records)
    if me.page.locator("form[action$='/inbox/read-all'] button").count():
        me.press("form[action$='/inbox/read-all'] button")
    assert _bell(me) == 0

    # -- 3. the neighbour cancels: ours is promoted and told in the inbox -------------------------
    seen.step = "3"
    walked = time.monotonic() - sent  # some 6-20 s
    assert datetime.now(TZ) < start, f"the walk took {walked:.0f} s to the cancellation: the shift began, no promotion"
    neighbour.go(activity_path)
    neighbour.press_and_confirm(neighbour.page.get_by_role("button", name="取消报名"))
    assert _signup(live, activity_id, who["neighbour_id"]).status == "cancelled"
    notice = _wait_for_notices(me, "waitlist_promoted")
    assert TITLE in notice.inner_text() and "候补转正" in notice.inner_text()
    assert _bell(me) == 1
    me.press(notice.get_by_role("button", name="查看"))  # opens the shift, the notice read
    assert me.page.url == live.base_url + activity_path
    assert me.text("main .badge") == "已报名"
    assert me.page.locator("#waitlist-position").count() == 0
    assert _bell(me) == 0

    # -- 4. check-in and check-out by scanning the organizer's rotating code ----------------------
    seen.step = "4"
    org.go(f"/activities/{activity_id}/checkin-code")
    box = org.page.locator("#checkin-code")
    scan_url = box.get_attribute("data-scan-url")
    assert scan_url.startswith(f"{live.base_url}/activities/{activity_id}/scan?c=")
    me.go(scan_url.removeprefix(live.base_url))
    me.press("#scan-check-in")
    assert me.page.locator("#scan-status").get_attribute("data-status") == "checked_in"
    checked_in = _signup(live, activity_id, who["volunteer_id"]).checked_in_at
    # Check-out needs a code of a later 30-s step than the check-in's, and at least a minute of
    # service (hours count whole minutes from the occurrence's start, which may be just ahead). The
    # organizer's page asks for the current code every 10 s; wait on it for the first code whose step
    # begins a minute after both: about three and a half minutes from the series form at most.
    served_from = max(checked_in, start)
    step_needed = math.ceil((served_from + timedelta(seconds=60)).timestamp() / STEP_SECONDS)
    org.page.wait_for_function(
        "n => Number(document.getElementById('checkin-code').dataset.step) >= n",
        arg=step_needed,
        timeout=(step_needed * STEP_SECONDS - time.time() + 40) * 1000,
    )
    seen.page(org, "org-checkin-code-later")
    scan_url = box.get_attribute("data-scan-url")
    me.go(scan_url.removeprefix(live.base_url))
    me.press("#scan-check-out")
    assert me.page.locator("#scan-status").get_attribute("data-status") == "checked_out"
    signup = _signup(live, activity_id, who["volunteer_id"])
    served = int((signup.checked_out_at - max(signup.checked_in_at, start)).total_seconds() // 60)
    assert served >= 1

    # -- 5. the organization verifies the check-out's record; credit hours and a new star -----------
    seen.step = "5"
    me.go("/me/hours")
    assert me.page.locator("#credit-hours").get_attribute("data-minutes") == "0"  # pending, not yet verified
    assert me.text(".stat .stars").count("★") == level_before
    assert me.text("#verified-hours") == hours_text(verified_before)
    assert me.text("#star-next") == f"再服务 1.0 分钟可达{'一二三四五'[level_before]}星"
    org.go(f"/projects/{project.id}")
    org.press('.record button[value="verify"]')
    assert org.text(".record .badge") == "已核实"
    me.go("/me/hours")
    credit = me.page.locator("#credit-hours")
    assert credit.get_attribute("data-minutes") == str(served)
    assert credit.locator(".num").inner_text() == hours_text(served)
    assert me.text("#verified-hours") == hours_text(verified_before + served)
    stars = me.text(".stat .stars")
    assert stars.count("★") == level_before + 1, stars
    assert f"星级：{'一二三四五'[level_before]}星" in me.text(".stats")
    record = me.page.locator(".cards .card", has_text=TITLE).first
    assert hours_text(served) in record.inner_text() and "信用时长" in record.inner_text()

    assert not seen.english and not seen.problems, seen.report()
    for person in (org, me, neighbour):
        person.close()
