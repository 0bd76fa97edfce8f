"""The matches arrive on the page that posted the need: the lists, the status badge and the counts."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

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


def test_the_page_asks_for_the_matches_soon_then_less_often(live, browser):
    """The poll's schedule on the browser's own clock (Playwright's fake clock, paused and moved on by
    the test; `fetch` answers "pending" at once), so no real time is measured: the first ask 100 ms
    after the page (it was a fixed 1 s), then gaps growing ×1.5 up to 2 s while the matcher has not
    answered."""
    staff = Person(browser, live)
    page = staff.log_in("shequ")
    staff.go("/needs/new")
    fill_need_form(page, title="陪同老人复诊（询问节奏）")
    page.add_init_script(
        "window.__asked = []; window.fetch = function () {"
        " window.__asked.push(Date.now());"
        " return Promise.resolve({ok: true, json: function () { return Promise.resolve({status: 'pending'}); }}); };"
    )
    start = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
    page.clock.install(time=start)
    page.clock.pause_at(start + timedelta(seconds=1))  # from here on, time moves only when the test moves it
    staff.press("form.card button[type=submit]")
    assert re.search(r"/needs/\d+$", page.url), page.url
    loaded = page.evaluate("Date.now()")
    page.clock.run_for(12_000)
    asked = [at - loaded for at in page.evaluate("window.__asked")]
    assert asked[:5] == [100, 250, 475, 812.5, 1318.75], asked  # 100, then ×1.5 each time
    gaps = [b - a for a, b in zip(asked, asked[1:])]
    assert max(gaps) == 2000 and gaps[-1] == 2000, gaps
    staff.close()
