"""The whole story in headless Chromium at a phone's width, driven from the keyboard.

A community worker posts a need and watches its matches arrive; an organization claims it; the
community approves; a volunteer signs up; the organization checks them in and out and the community
verifies the hours; the volunteer downloads a certificate; a resident evaluates; the dashboard moves.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from tests.e2e.people import TZ, Person, local

pytestmark = [pytest.mark.broker, pytest.mark.timeout(180)]


def fill_need_form(page, title: str = "陪同独居老人到医院复诊") -> None:
    """The need form as a community worker fills it: a need three days from now."""
    start = datetime.now(TZ) + timedelta(days=3)
    page.fill("#f-title", title)
    page.select_option("#f-category", "养老")
    page.fill("#f-description", "王奶奶86岁，独居，需要志愿者周六上午陪同到区医院复诊。")
    page.fill("#f-skills", "陪诊，助老")
    page.check("input[name=target_groups][value=elderly]")
    page.fill("#f-starts_at", local(start))
    page.fill("#f-ends_at", local(start + timedelta(hours=3)))
    page.fill("#f-volunteers_needed", "2")
    page.fill("#f-hours_estimate", "3")


def _figures(person: Person) -> dict:
    person.go("/dashboard")
    return {
        name: person.text(f"#{name}")
        for name in ("needs-posted", "needs-matched", "needs-claimed", "needs-completed", "satisfaction")
    }


def test_the_whole_story_in_a_browser(live, browser, shots):
    admin = Person(browser, live)
    admin.log_in("admin")
    before = _figures(admin)
    shots(admin.page, "dashboard-before")

    # -- the community worker posts a need and sees its matches arrive ---------------------------
    staff = Person(browser, live)
    staff.go("/login")
    shots(staff.page, "login")
    page = staff.log_in("shequ")
    shots(page, "home-community")
    staff.go("/needs/new")
    staff.press("form.card button[type=submit]")  # empty: each error appears beside its field
    assert page.locator("#err-title").is_visible() and page.locator("#err-category").is_visible()
    shots(page, "need-form-errors")
    fill_need_form(page)
    staff.press("form.card button[type=submit]")
    need_url = page.url
    assert re.search(r"/needs/\d+$", need_url), need_url
    shots(page, "need-posted-matching")
    page.wait_for_selector('#matches[data-status="ready"]', timeout=30_000)  # no reload: the page polls
    assert page.locator("#matches .ranked li").count() > 0
    assert "公里" in page.locator("#matches").inner_text()
    shots(page, "matches")

    # -- an organization nearby claims it ------------------------------------------------------
    org = Person(browser, live)
    org.log_in("zuzhi")
    need_path = need_url.removeprefix(live.base_url)
    org.go("/needs?km=100")
    assert org.page.locator(f'a[href="{need_path}"]').count() == 1
    shots(org.page, "needs-near-organization")
    org.go(need_path)
    org.page.fill("#f-plan", "由持证社工带队，两名志愿者周六上午陪同王奶奶复诊，全程记录。")
    org.press("form.card button[type=submit]")
    assert org.page.locator(".claim .badge").first.inner_text() == "待审核"
    shots(org.page, "claim-submitted")

    # -- the community approves: it becomes a project -------------------------------------------
    staff.go(need_path)
    shots(staff.page, "claim-to-decide")
    staff.press('.claim button[value="approve"]')
    assert re.search(r"/projects/\d+$", staff.page.url)
    project_path = staff.page.url.removeprefix(live.base_url)
    shots(staff.page, "project-approved")

    # -- the organization starts it and schedules an activity (it began two hours ago) -----------
    org.go(project_path)
    org.press("#status form.inline button[type=submit]")  # 开始实施
    assert org.text(".meta .badge") == "实施中"
    org.page.locator("details.card summary").first.focus()
    org.page.keyboard.press("Enter")
    began = datetime.now(TZ) - timedelta(hours=2)
    org.page.fill("#f-title", "陪同复诊")
    org.page.fill("#f-place", "新华里社区服务站")
    org.page.fill("#f-starts_at", local(began))
    org.page.fill("#f-ends_at", local(began + timedelta(hours=4)))
    org.page.fill("#f-slots", "3")
    org.press("details.card form button[type=submit]")
    # It began before now: the page warns and asks to confirm the times before saving.
    assert "早于现在" in org.text("details.card")
    shots(org.page, "activity-past-warning")
    org.page.check("#f-confirm_past")
    org.press("details.card form button[type=submit]")
    shots(org.page, "activity-scheduled")

    # -- a volunteer finds it nearby and signs up ------------------------------------------------
    volunteer = Person(browser, live)
    volunteer.log_in("zhiyuan")
    volunteer.go("/activities?km=100")
    link = volunteer.page.locator("a.card-title", has_text="陪同复诊").first
    activity_path = link.get_attribute("href")
    shots(volunteer.page, "activities-near-volunteer")
    volunteer.go(activity_path)
    volunteer.press("main form button[type=submit]")
    assert volunteer.text("main .badge") == "已报名"
    shots(volunteer.page, "signed-up")

    # -- the organization checks them in and out -----------------------------------------------
    org.go(activity_path)
    org.page.fill(".signup input[name=at]", local(began))
    org.press(".signup button[type=submit]")
    org.page.fill(".signup input[name=at]", local(began + timedelta(minutes=90)))
    org.press(".signup button[type=submit]")
    assert org.text(".signup .badge") == "已签退"
    shots(org.page, "checked-out")

    # -- the community verifies the hours: whoever checked them out does not (separation of duties)
    org.go(project_path)
    assert org.page.locator('.record button[value="verify"]').count() == 0
    assert "须由他人核实" in org.text(".record")
    staff.go(project_path)
    staff.press('.record button[value="verify"]')
    assert staff.text(".record .badge") == "已核实"
    shots(staff.page, "hours-verified")

    # -- the volunteer sees the hours and downloads a certificate -------------------------------
    volunteer.go("/me/hours")
    assert volunteer.text("#verified-hours") == "1.5 小时"
    shots(volunteer.page, "my-hours")
    button = volunteer.page.locator("form.card button[type=submit]").first
    button.focus()
    volunteer.download_pdf("certificate", shots, "certificate")

    # -- the project completes, the community hands out codes, a resident evaluates ----------------
    org.go(project_path)
    org.press("#status form.inline button[type=submit]")  # 完成项目
    assert org.page.url.endswith("/confirm") and "不可撤销" in org.text("main")  # it asks first
    shots(org.page, "confirm-complete")
    org.press(".confirm button[type=submit]")  # 确认
    assert org.text(".meta .badge") == "已完成"
    staff.go(project_path)
    staff.page.fill("#f-households", "2")
    staff.press("#codes form button[type=submit]")
    codes = staff.page.locator(".code-list code").all_inner_texts()
    assert len(codes) == 2
    shots(staff.page, "evaluation-codes")
    resident = Person(browser, live)
    project_id = project_path.rsplit("/", 1)[1]
    resident.go(f"/evaluate?project={project_id}")
    resident.page.fill("#f-code", codes[0])
    resident.page.locator("input[name=satisfaction][value='5']").focus()
    resident.page.keyboard.press("Space")
    resident.page.fill("#f-comment", "志愿者很耐心，谢谢！")
    shots(resident.page, "evaluate")
    resident.press("form.card button[type=submit]")
    assert resident.page.locator("#thanks").is_visible()
    shots(resident.page, "evaluated")

    # -- the district's dashboard has moved -----------------------------------------------------
    after = _figures(admin)
    shots(admin.page, "dashboard-after")
    assert int(after["needs-posted"]) == int(before["needs-posted"]) + 1
    assert int(after["needs-matched"]) >= int(before["needs-matched"]) + 1
    assert int(after["needs-completed"]) == int(before["needs-completed"]) + 1
    assert after["satisfaction"] == "5.0"
    wide = Person(browser, live, viewport={"width": 1280, "height": 900})
    wide.log_in("admin")
    wide.go("/dashboard")
    shots(wide.page, "dashboard-desktop")
    wide.go("/lang/en")
    wide.go("/dashboard")
    assert wide.page.locator("html").get_attribute("lang") == "en"
    shots(wide.page, "dashboard-english")
    for someone in (admin, staff, org, volunteer, resident, wide):
        someone.close()
