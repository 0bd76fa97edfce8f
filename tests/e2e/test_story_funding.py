"""The funding leg (公益创投) in headless Chromium at a phone's width, from the keyboard.

The district opens a round; an organization applies (and first sees its plan's errors by their
rows); the district moves the round to review and reviews it itself (an auditor may not); the
district reads the explained allocation and commits it; the community's milestone is accepted and
the first tranche released; the organization reports spending with its receipt; supervision and
the residents' public summary show the money; the dashboard's funds move. Runs after test_story.py
on the same server (session fixtures) and carries on its screenshot numbering.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.people import Person

pytestmark = [pytest.mark.broker, pytest.mark.timeout(120)]
RUBRIC = ("necessity", "feasibility", "professional_capacity", "budget_reasonableness", "sustainability")


def _fen(text: str) -> int:
    whole, _, cents = text.replace("¥", "").replace(",", "").strip().partition(".")
    return int(whole) * 100 + int(cents or 0)


def _funds(person: Person) -> dict:
    person.go("/dashboard")
    return {name: _fen(person.text(f"#funds-{name}")) for name in ("awarded", "disbursed", "spent")}


def test_a_funding_round_in_a_browser(live, browser, shots):
    admin = Person(browser, live)
    admin.log_in("admin")
    before = _funds(admin)

    # -- the district opens a round: 元 on the form, 分 in the ledger ----------------------------
    admin.go("/funding")
    admin.press("main a.button")  # 发起创投活动
    page = admin.page
    page.fill("#f-name", "2026年滨海新区社区公益创投")
    page.fill("#f-description", "重点支持为老服务和托幼项目，资金按节点验收拨付，全程公示。")
    page.fill("#f-budget_yuan", "200000")
    page.fill("#f-cap_yuan", "50000")
    for category in ("养老", "托幼"):
        box = page.locator(f"input[name=priority_categories][value={category}]")
        box.focus()
        page.keyboard.press("Space")
    shots(page, "funding-round-form")
    admin.press("form.card button[type=submit]")
    assert re.search(r"/funding/\d+$", page.url), page.url
    round_path = page.url.removeprefix(live.base_url)
    assert admin.text("#round-budget") == "¥200,000.00"
    shots(page, "funding-round-open")

    # -- an organization applies; the milestone shares first add up to 90 -----------------------
    org = Person(browser, live)
    org.log_in("zuzhi")
    org.go(round_path)
    org.press("#apply")
    form = org.page
    target = form.locator("#f-target option[value^='need:']").first.get_attribute("value")
    form.select_option("#f-target", target)
    form.fill("#f-title", "银龄守望：独居老人陪诊探访")
    form.fill("#f-summary", "组织持证社工和志愿者，为辖区独居老人提供每周探访与陪诊服务。")
    form.fill("#f-requested_yuan", "30000")
    for i, (name, amount) in enumerate((("人员费", "18000"), ("活动费", "9000"), ("宣传费", "3000"))):
        form.fill(f"#f-line_name_{i}", name)
        form.fill(f"#f-line_yuan_{i}", amount)
    form.fill("#f-ms_share_2", "10")
    org.press("form.card button[type=submit]")
    assert form.locator("#err-milestones").is_visible()
    assert form.locator("#f-line_yuan_1").input_value() == "9000"  # what was typed is still there
    shots(form, "funding-apply-errors")
    form.fill("#f-ms_share_2", "20")
    org.press("form.card button[type=submit]")
    assert re.search(r"/funding/applications/\d+$", form.url), form.url
    application_path = form.url.removeprefix(live.base_url)
    shots(form, "funding-application")

    # -- the district closes applications and assigns a reviewer -------------------------------
    admin.go(round_path)
    admin.press("#move-reviewing")
    assert "截止申报、进入评审？" in admin.text("h1") and "不可撤销" in admin.text("main")  # asked first
    shots(admin.page, "funding-confirm")
    admin.press(admin.page.get_by_role("button", name="确认", exact=True))
    assert "评审中" in admin.text("#timeline")
    admin.go(application_path)
    # Reviewers are offered by name and role, never by login; auditors are not offered at all:
    # they audit and never review (separation of duties).
    offered = admin.page.locator("#f-user_id option").all_inner_texts()
    assert offered and not any(re.search(r"[A-Za-z]", text) for text in offered), offered
    assert not any("审计" in text for text in offered), offered
    reviewer = admin.page.locator("#f-user_id option", has_text="区民政局工作人员").first.get_attribute("value")
    admin.page.select_option("#f-user_id", reviewer)
    admin.press("#reviewers form button[type=submit]")

    # -- the district's reviewer scores the rubric ---------------------------------------------
    admin.go(application_path)
    for criterion, score in zip(RUBRIC, ("90", "85", "80", "75", "80")):
        admin.page.fill(f"#f-score_{criterion}", score)
    admin.page.fill("#f-comments", "需求真实迫切，方案可行，预算合理。")
    shots(admin.page, "funding-review")
    admin.press("#review button[type=submit]")
    assert (
        admin.page.locator(".review .score").first.inner_text() == "83.0"
    )  # (90·25 + 85·25 + 80·20 + 75·15 + 80·15) / 100

    # -- the district reads the explained allocation and commits it ----------------------------
    admin.go(round_path)
    allocation = admin.text("#allocation")
    assert "按申请额全额资助" in allocation and "83.00" in allocation
    admin.page.locator("#allocation").scroll_into_view_if_needed()
    shots(admin.page, "funding-allocation-preview")
    admin.press_and_confirm("#commit-awards")  # the confirmation page asks first
    assert "立项结果公示" in admin.text("#allocation")
    grant_path = admin.page.locator("a[href^='/funding/grants/']").first.get_attribute("href")
    shots(admin.page, "funding-awarded")

    # -- milestone 1 accepted, tranche 1 released ----------------------------------------------
    admin.go(grant_path)
    admin.page.fill(".milestone[data-n='1'] input[name=note]", "启动会已召开，协议已签订")
    admin.press(".milestone[data-n='1'] button.accept")
    admin.press_and_confirm("#disburse")  # the confirmation page asks first
    assert admin.text("#money-disbursed") == "¥12,000.00"  # 40 % of 30 000
    shots(admin.page, "funding-tranche-disbursed")

    # -- the organization reports spending with its receipt --------------------------------------
    org.go(grant_path)
    org.page.fill("#f-amount_yuan", "5000")
    org.page.fill("#f-receipt_ref", "FP-2026-0001")
    org.page.fill("#f-note", "首月社工劳务费")
    org.press("#spending form button[type=submit]")
    assert org.text("#money-spent") == "¥5,000.00"
    shots(org.page, "funding-spending-reported")

    # -- oversight: supervision for the parties, the public summary for residents ----------------
    org.go(round_path + "/supervision")
    assert "资金台账校验通过" in org.text("#ledger-check")
    shots(org.page, "funding-supervision")
    resident = Person(browser, live)
    resident.go("/funding")
    resident.press(f"a[href='{round_path}/public']")
    public = resident.page.locator("main").inner_text()
    assert "银龄守望" in public and "FP-2026-0001" not in public and "需求真实迫切" not in public  # nor the reviews
    shots(resident.page, "funding-public")

    # -- the dashboard's funds have moved ------------------------------------------------------
    after = _funds(admin)
    admin.page.locator("[data-indicator=funds]").scroll_into_view_if_needed()
    shots(admin.page, "dashboard-funds")
    assert after["awarded"] - before["awarded"] == 3_000_000
    assert after["disbursed"] - before["disbursed"] == 1_200_000
    assert after["spent"] - before["spent"] == 500_000
    for someone in (admin, org, resident):
        someone.close()
