"""The matches arrive on the page that posted the need: the lists, the status badge and the counts."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_story import Person, fill_need_form

pytestmark = [pytest.mark.broker, pytest.mark.timeout(120)]


def test_the_status_badge_says_matched_when_the_matches_arrive(live, browser):
    staff = Person(browser, live)
    page = staff.log_in("shequ")
    staff.go("/needs/new")
    fill_need_form(page, title="陪同老人复诊（状态随匹配更新）")
    staff.press("form.card button[type=submit]")
    assert re.search(r"/needs/\d+$", page.url), page.url
    page.wait_for_selector('#matches[data-status="ready"]', timeout=30_000)  # no reload: the page polls
    assert page.locator("#matches .ranked li").count() > 0
    badge = page.locator("main .meta .badge").first
    assert badge.inner_text() == "已匹配", badge.inner_text()  # not 待匹配, as the page loaded it
    for kind in page.locator("#matches section.kind").all():
        shown = kind.locator(".ranked > li").count()
        listed = int(re.search(r"\((\d+)\)", kind.locator("h3").inner_text()).group(1))
        assert 0 < shown <= listed, (shown, listed)
    staff.close()
