"""In Chromium: the community prints evaluation codes as cards whose QR codes a phone reads back, and
anyone checks a paper certificate by typing its number at /verify."""

from __future__ import annotations

import re
import subprocess

import pytest
from sqlalchemy import select

from linkage.models import User
from linkage.services import certificates, hours
from tests.e2e.conftest import OUTPUT, PHONE
from tests.e2e.people import log_in
from tests.e2e.test_fonts import tofu
from tests.english import english_words
from tests.factories import ADMIN, Build

pytestmark = [pytest.mark.broker, pytest.mark.timeout(180)]


@pytest.fixture(scope="module")
def live(own_live):
    """A system of this module's own: it gives zhiyuan hours and a certificate, which the story files would count."""
    return own_live


def _demo_user(live, username: str) -> User:
    with live.platform.read_session() as session:
        return session.scalars(select(User).where(User.username == username)).one()


def _scan(path) -> list[str]:
    """What a QR reader (zbarimg) reads in a picture, one entry per code."""
    found = subprocess.run(["zbarimg", "-q", "--raw", str(path)], capture_output=True, text=True, timeout=60)
    return found.stdout.split()


def test_evaluation_codes_print_as_cards_whose_qr_codes_read_back(live, browser):
    staff, org = _demo_user(live, "shequ"), _demo_user(live, "zuzhi")
    build = Build(live.platform)
    project = build.project(need=build.need(staff.community_id), organization=org.organization_id, status="completed")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        page = log_in(context.new_page(), live.base_url, "shequ")
        page.goto(f"{live.base_url}/projects/{project.id}")
        page.fill("#f-households", "4")
        with page.expect_navigation():
            page.locator("#codes form:has(#f-households) button[type=submit]").click()
        codes = page.locator(".code-list code").all_inner_texts()
        assert len(codes) == 4
        with context.expect_page() as opened:  # a new tab: the page that showed the codes stays
            page.get_by_role("button", name="打印评价码").click()
        sheet = opened.value
        sheet.wait_for_load_state()
        assert sheet.locator(".code-card").count() == 4
        assert sheet.locator("[data-print]").is_visible()  # the script showed the print button
        found, _ = tofu(context, sheet)
        assert not found, found
        assert english_words(sheet.locator("main").inner_text(), {c.lower() for c in codes}) == []
        sheet.screenshot(path=str(OUTPUT / "evaluation-codes-screen.png"), full_page=True)
        sheet.emulate_media(media="print")  # as it comes out of the printer: the cards alone
        assert not sheet.locator("header.top").is_visible() and not sheet.locator(".no-print").is_visible()
        picture = OUTPUT / "evaluation-codes-print.png"
        sheet.screenshot(path=str(picture), full_page=True)
        base = live.base_url
        assert sorted(_scan(picture)) == sorted(f"{base}/evaluate?project={project.id}&code={c}" for c in codes)

        # A resident's phone opens the first card's link: the form is filled in but for the stars.
        resident = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
        resident.goto(f"{base}/evaluate?project={project.id}&code={codes[0]}")
        assert resident.input_value("#f-code") == codes[0]
        assert resident.input_value("#f-project_id") == str(project.id)
        resident.locator("input[name=satisfaction][value='4']").check()
        with resident.expect_navigation():
            resident.locator("form.card button[type=submit]").click()
        assert resident.locator("#thanks").is_visible()
        resident.context.close()
    finally:
        context.close()


def test_a_paper_certificates_number_typed_at_verify_shows_its_verdict(live, browser):
    org, volunteer = _demo_user(live, "zuzhi"), _demo_user(live, "zhiyuan")
    build = Build(live.platform)
    staff = _demo_user(live, "shequ")
    project = build.project(need=build.need(staff.community_id), organization=org.organization_id, status="in_progress")
    record = build.hour_record(build.past_activity(project), volunteer.volunteer_id, minutes=150)
    with live.platform.uow() as uow:
        hours.review_hours(uow, ADMIN, record.id, "verify")
    with live.platform.uow() as uow:
        code = certificates.issue_certificate(
            uow, ADMIN, live.platform.cipher, volunteer.volunteer_id, {}, live.base_url
        ).code
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(live.base_url + "/verify")
        page.fill("input[name=code]", f" {code.lower()} ")  # as read off the paper, in lower case
        with page.expect_navigation():
            page.press("input[name=code]", "Enter")
        assert page.url == f"{live.base_url}/verify/{code}"
        verdict = page.locator("#verdict").inner_text()
        assert "有效证明" in verdict
        facts = page.locator("dl.facts").inner_text()
        assert "2.5 小时" in facts and code in facts and re.search(r"\d{4}-\d{2}-\d{2} 至 \d{4}-\d{2}-\d{2}", facts)
        found, kinds = tofu(context, page)
        assert not found and {"heading", "nav"} <= kinds, (found, kinds)
        assert english_words(page.locator("main").inner_text(), {code.lower()}) == []
        page.screenshot(path=str(OUTPUT / "verify-valid.png"), full_page=True)
        page.goto(live.base_url + "/verify/ZY2NOSUCH3")
        assert "未找到证明编号 ZY2NOSUCH3" in page.locator("#verdict").inner_text()
        page.screenshot(path=str(OUTPUT / "verify-not-found.png"), full_page=True)
    finally:
        context.close()
