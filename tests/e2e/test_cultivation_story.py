"""Growing the five societies in headless Chromium (issue 20's acceptance): residents file a group
(备案) without an account, the community reviews it, the street confirms it, the cultivation centre
admits it into an incubation cohort (孵化), records a mentoring session and a training, assesses it
and graduates it; a need of its field is then ranked with the group among the organizations, its
reasons saying 已备案社区社会组织, and the dashboard's new community social organizations this year
have moved by one. Then a consultation (议事协商): residents vote with one-time codes on their
phones, a reused code is refused, the public result shows counts and receipts, and the winning item
becomes a need that is matched."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from tests.e2e.people import TZ, Person, local
from tests.e2e.test_story import fill_need_form
from tests.factories import valid_id_number

pytestmark = [pytest.mark.broker, pytest.mark.timeout(300)]

GROUP = "银杏健身舞队"
MEMBERS = "\n".join(f"{name} 1371234{5600 + i:04d}" for i, name in enumerate(("周桂芳", "吴秀兰", "郑玉珍", "冯淑华")))
PASSING_SCORE = "85"
RAILS, CANTEEN = "楼道加装扶手", "开办老年餐桌"


def _new_community_organizations(admin: Person) -> int:
    """The dashboard's count of new community social organizations this year: the sum of its breakdown
    table's column (its rows are the streets or communities of the district)."""
    page = admin.go("/dashboard")
    cells = page.locator('td[data-growth="new_community_organizations"]').all_inner_texts()
    assert cells, "the dashboard's breakdown shows no new community social organizations column"
    return sum(int(c) for c in cells)


def test_a_group_of_residents_is_filed_incubated_graduated_and_matched(own_live, browser, shots):
    live = own_live
    admin = Person(browser, live)
    admin.log_in("admin")
    before = _new_community_organizations(admin)

    # -- residents file their group on a phone, no account --------------------------------------
    resident = Person(browser, live)
    page = resident.go("/filings/new")
    shots(page, "filing-form")
    page.select_option("#f-community_id", index=1)  # the first community: the demo staff's own
    community = page.locator("#f-community_id option").nth(1).inner_text().strip()
    page.fill("#f-name", GROUP)
    page.select_option("#f-field", "文体")
    page.fill("#f-members", "周桂芳 13712345600")  # one member: below the local minimum
    page.fill("#f-responsible_name", "周桂芳")
    page.fill("#f-responsible_phone", "13712345600")
    page.fill("#f-responsible_id_number", valid_id_number(11_950))
    page.fill("#f-activity_place", "社区文化广场")
    resident.press("form.card button[type=submit]")
    assert page.locator("#err-members").is_visible(), "too few members must be refused beside the field"
    shots(page, "filing-too-few")
    page.fill("#f-members", MEMBERS)
    page.fill("#f-responsible_id_number", valid_id_number(11_950))
    resident.press("form.card button[type=submit]")
    assert "/filings/t/" in page.url, page.url
    receipt = page.url
    assert GROUP in page.locator("main").inner_text()
    shots(page, "filing-receipt")

    # -- the community reviews it ---------------------------------------------------------------
    staff = Person(browser, live)
    staff.log_in("shequ")
    page = staff.go("/filings")
    staff.press(page.get_by_role("link", name=GROUP))
    filing_url = page.url
    assert re.search(r"/filings/\d+$", filing_url), filing_url
    staff.press('#decide button[value="accept"]')
    shots(page, "filing-reviewed")

    # -- the street confirms it: an organization filed (备案), no USCC ----------------------------
    page = admin.go(filing_url.removeprefix(live.base_url))
    admin.press('#decide button[value="confirm"]')
    assert page.locator("#filing-organization").is_visible()
    shots(page, "filing-confirmed")
    page = resident.go(receipt.removeprefix(live.base_url))
    assert page.locator("#filing-organization").is_visible(), "the group sees on its receipt what became of it"

    # -- the cultivation centre admits it into a cohort, records, assesses, graduates --------------
    page = admin.go("/cultivation")
    admin.press(page.locator("#h-cohorts ~ div table tbody a").first)
    page.select_option("#f-organization_id", label=GROUP)
    admin.press("#admit-form button[type=submit]")
    member = page.locator("article.card", has=page.get_by_role("heading", name=GROUP))
    oid = member.get_attribute("id").removeprefix("member-")
    for kind, title in (("mentoring", "章程与财务制度辅导"), ("training", "社区社会组织骨干培训")):
        member.locator("details summary").first.click()
        page.select_option(f"#kind-{oid}", kind)
        page.fill(f"#held-{oid}", date.today().isoformat())
        page.fill(f"#title-{oid}", title)
        page.fill(f"#hours-{oid}", "2")
        admin.press(page.locator(f"#title-{oid}").locator("xpath=ancestor::form").locator("button[type=submit]"))
        member = page.locator(f"#member-{oid}")
        assert title in member.inner_text()
    member.locator("details summary").nth(1).click()
    for score in member.locator('input[name^="score_"]').all():
        score.fill(PASSING_SCORE)
    admin.press(member.locator(f"#assessed-{oid}").locator("xpath=ancestor::form").locator("button[type=submit]"))
    admin.press(f"#graduate-{oid}")
    member = page.locator(f"#member-{oid}")
    shots(page, "cohort-graduated")
    assert "章程与财务制度辅导" in member.inner_text() and "社区社会组织骨干培训" in member.inner_text()
    assert "已出壳" in member.inner_text(), member.inner_text()

    # -- a need of its field is ranked with the group, filed said in its reasons ---------------------
    page = staff.go("/needs/new")
    fill_need_form(page, title="社区重阳节健身舞展演")
    page.select_option("#f-category", "文体")
    page.fill("#f-description", "重阳节在社区文化广场办健身舞展演，请居民文体团队表演。")
    page.fill("#f-skills", "广场舞，文艺演出")
    staff.press("form.card button[type=submit]")
    page.wait_for_selector('#matches[data-status="ready"]', timeout=60_000)
    entry = page.locator("#matches li", has_text=GROUP)
    assert entry.count() >= 1, f"{GROUP} is not among the matches of {community}"
    assert "已备案社区社会组织" in entry.first.inner_text()
    shots(page, "need-ranks-filed-group")

    # -- the dashboard's new community social organizations this year moved by one ------------------
    assert _new_community_organizations(admin) == before + 1
    shots(admin.page, "dashboard-growth")


def test_residents_vote_with_codes_and_the_winner_becomes_a_matched_need(own_live, browser, shots):
    live = own_live
    staff = Person(browser, live)
    staff.log_in("shequ")

    # -- the community opens a consultation (议事协商) and hands out 30 one-time codes -------------
    page = staff.go("/consultations")
    now = datetime.now(TZ)
    page.fill("#f-title", "楼道加装扶手还是开办老年餐桌")
    page.fill("#f-description", "今年的社区微项目经费只够办一件事，请居民投票决定。")
    page.fill("#f-opens_at", local(now - timedelta(minutes=1)))
    page.fill("#f-closes_at", local(now + timedelta(days=7)))
    staff.press("#open form button[type=submit]")
    assert re.search(r"/consultations/\d+$", page.url), page.url
    consultation = page.url.rsplit("/", 1)[1]
    page.fill("#f-count", "30")
    staff.press("#codes form.card button[type=submit]")
    codes = page.locator("#codes .code-list code").all_inner_texts()
    assert len(codes) == 30 and len(set(codes)) == 30, codes
    shots(page, "consultation-codes")

    # -- two residents propose the items ---------------------------------------------------------
    for code, title in ((codes[0], RAILS), (codes[1], CANTEEN)):
        resident = Person(browser, live)
        page = resident.go(f"/c/{consultation}")
        page.fill("#propose #f-code", code)
        page.fill("#propose #f-title", title)
        resident.press("#propose button[type=submit]")
        resident.context.close()

    # -- 30 residents vote on their phones, one code each: 20 for the rails, 10 for the canteen ----
    receipts = []
    for i, code in enumerate(codes):
        resident = Person(browser, live)
        page = resident.go(f"/c/{consultation}")
        page.fill("#vote #f-code", code)
        page.get_by_label(RAILS if i < 20 else CANTEEN, exact=True).check()
        resident.press("#vote button[type=submit]")
        assert f"/c/{consultation}/result" in page.url, page.url
        receipts.append(resident.text("#mine"))
        if i == 0:
            shots(page, "consultation-voted")
        if i < 29:
            resident.context.close()

    # -- a code used once more is refused, and nothing is counted ---------------------------------
    page = resident.go(f"/c/{consultation}")
    page.fill("#vote #f-code", codes[0])
    page.get_by_label(CANTEEN, exact=True).check()
    resident.press("#vote button[type=submit]")
    assert "/result" not in page.url, page.url
    assert "已使用" in page.locator("#vote").inner_text(), page.locator("#vote").inner_text()
    summary = page.locator("#error-summary").inner_text()
    assert "议事码" in summary and "评价码" not in summary, summary  # the page's own word for its code
    shots(page, "consultation-code-reused")

    # -- the public result: the counts and every receipt ------------------------------------------
    page = resident.go(f"/c/{consultation}/result")
    rails = page.locator("#results li.card", has_text=RAILS)
    canteen = page.locator("#results li.card", has_text=CANTEEN)
    assert "20" in rails.locator(".votes").inner_text() and "10" in canteen.locator(".votes").inner_text()
    listed = page.locator("#results .receipts code").all_text_contents()
    assert sorted(listed) == sorted(receipts) and len(set(receipts)) == 30
    shots(page, "consultation-result")

    # -- the community closes it and turns the winner into a need, which is matched ---------------
    page = staff.go(f"/consultations/{consultation}")
    staff.press("#close button[type=submit]")
    item = page.locator("#items li.card", has_text=RAILS)
    item.locator("select").select_option("助残")
    staff.press(item.locator("button[type=submit]"))
    assert re.search(r"/needs/\d+$", page.url), page.url
    need = page.url.rsplit("/", 1)[1]
    assert RAILS in page.locator("main").inner_text()
    page.wait_for_selector('#matches[data-status="ready"]', timeout=60_000)
    assert page.locator("#matches .ranked li").count() > 0
    shots(page, "consultation-need-matched")

    # -- the residents see what became of their vote ------------------------------------------------
    page = resident.go(f"/c/{consultation}/result")
    assert page.locator("#results li.card", has_text=RAILS).locator(".outcome").count() == 1
    shots(page, "consultation-result-need")
    page = staff.go(f"/needs/{need}")
    assert "楼道加装扶手还是开办老年餐桌" in page.locator("main").inner_text(), (
        "the need shows the consultation it came from"
    )
