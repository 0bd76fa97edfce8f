"""README.md's six-step tour, walked through the pages only, as a first-time user after `scripts/run`.

A fresh system (its own server, broker and seed, as `scripts/run` leaves it), Chromium in zh-CN, a
phone's width. The need is for today, picked in the form's date picker; the activity is on the need's
own date. Every page visited is screenshotted and read for English words; the totals are compared
across pages (hours on /me/hours, the project page, the certificate and /verify; the dashboard's
counts). Everything found is gathered and the test fails once at the end, with all of it.
"""

from __future__ import annotations

import re
import subprocess
import time
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from linkage.models.needs import Need
from tests.e2e.conftest import serve_system
from tests.e2e.people import TZ, Person, Seen

pytestmark = [pytest.mark.broker, pytest.mark.timeout(300)]
NEED = "陪同独居老人到社区医院复诊"
ACTIVITY = "陪同复诊（导览）"
ROUND = "滨海新区社区公益创投（导览）"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """The tour starts from a fresh `scripts/run`: a system of its own, not the one the stories share."""
    with serve_system(tmp_path_factory.mktemp("tour")) as system:
        settle(system)
        yield system


def settle(system, within: float = 60.0) -> None:
    """Wait (reading only) until the matcher has ranked the seeded needs, as it has by the time a
    person opens the pages after `scripts/run`; the dashboard's counts then move by the tour alone."""
    deadline = time.monotonic() + within
    unmatched = select(func.count()).select_from(Need).where(Need.matched_at.is_(None))
    while time.monotonic() < deadline:
        with system.platform.read_session() as session:
            if session.scalar(unmatched) == 0:
                return
        time.sleep(0.2)


def number(text: str) -> float:
    """The first number in a text as a page shows it (1,234.5 小时 → 1234.5)."""
    found = re.search(r"-?\d[\d,]*(?:\.\d+)?", text)
    assert found, f"no number in {text!r}"
    return float(found.group().replace(",", ""))


def hours_in(text: str) -> tuple[float, str] | None:
    """The first duration in a text with its unit: (1.5, '小时'), (90.0, '分钟'), (1.5, 'h')."""
    found = re.search(r"(\d[\d,]*(?:\.\d+)?)\s*(小时|分钟|h\b)", text)
    return (float(found.group(1).replace(",", "")), found.group(2)) if found else None


def figures(person: Person, community: str = "") -> dict[str, float]:
    """The dashboard's counts, for the whole district or, drilled down as a person does (district,
    then street, then community, each chosen and filtered), for `community` ("街道 社区名")."""
    page = person.go("/dashboard")
    if community:
        # Unfiltered, a street reads "区 街道"; each choice narrows the next list, which then names
        # only its own level (a street by itself, a community by its name).
        street, name = community.split(maxsplit=1)
        offered = page.get_by_label("街道", exact=True).locator("option", has_text=street).first.inner_text()
        district = offered.strip()[: -len(street)].strip()
        for label, choice in (("区", district), ("街道", street), ("社区", name)):
            page.get_by_label(label, exact=True).select_option(label=choice)
            person.press(page.get_by_role("button", name="筛选", exact=True))
    ids = ("needs-posted", "needs-matched", "needs-claimed", "needs-completed", "funds-awarded")
    found = {name: number(person.text(f"#{name}")) for name in ids}
    found["hours"] = number(person.text("[data-indicator=volunteer_hours_verified] .num"))
    return found


def button(person: Person, name: str):
    return person.page.get_by_role("button", name=name, exact=True)


def test_the_readme_tour_through_the_pages(fresh, browser, shots):
    seen = Seen(shots, step="0")

    def person(name: str) -> Person:
        return Person(browser, fresh, seen=seen, name=name)

    # The need is for today, starting two hours ago, so that the whole tour happens on its date: the
    # activity runs now (a volunteer may sign up) and began early enough for 90 minutes of service.
    begins = (datetime.now(TZ) - timedelta(hours=2)).replace(second=0, microsecond=0)
    begins -= timedelta(minutes=begins.minute % 5)

    admin = person("admin")
    admin.log_in("admin")
    before = figures(admin)

    # -- 1. shequ logs in and posts a need: 正在匹配…, then the ranked matches with reasons ------------
    seen.step = "1"
    staff = person("shequ")
    staff.log_in("shequ")
    page = staff.go("/needs/new")
    community = page.get_by_text(re.compile(r"^社区：")).first.inner_text().split("：", 1)[1].strip()
    before_here = figures(admin, community)
    page.get_by_label("标题").fill(NEED)
    page.get_by_label("服务类别").select_option(label="养老")
    page.get_by_label("详细说明").fill("王奶奶86岁，独居，今天需要志愿者陪同到社区医院复诊。")
    page.get_by_label("所需技能").fill("陪诊，助老")
    page.get_by_label("老年人", exact=True).check()
    staff.pick_moment(page.get_by_label("开始时间"), begins)
    staff.pick_moment(page.get_by_label("结束时间"), begins + timedelta(hours=4))
    page.get_by_label("需要志愿者人数").fill("1")
    page.get_by_label("预计时长").fill("2")
    seen.page(staff, "need-form-filled")
    staff.press(button(staff, "提交"))
    assert re.search(r"/needs/\d+$", page.url), f"posting the need did not lead to it: {page.url}"
    need_path = page.url.removeprefix(fresh.base_url)
    if (
        "正在匹配" not in page.locator("#matches").inner_text()
        and page.locator('#matches[data-status="ready"]').count() == 0
    ):
        seen.problem("the need page says neither 正在匹配… nor shows matches")
    page.wait_for_selector('#matches[data-status="ready"]', timeout=30_000)
    matches = page.locator("#matches").inner_text()
    assert page.locator("#matches .ranked li").count() > 0, "no ranked matches"
    seen.page(staff, "need-matches")
    for kind in ("社会组织", "社会工作者", "志愿者", "资源"):
        if kind not in matches:
            seen.problem(f"the matches name no {kind}")
    try:  # the badge follows the matches on the page, without a reload
        expect(page.locator("main .meta .badge").first).not_to_have_text("待匹配", timeout=5_000)
    except AssertionError:
        seen.problem("the matches are shown but the need's badge still says 待匹配")

    # -- 2. zuzhi claims it (/needs); shequ approves the claim: it becomes a project ---------------
    seen.step = "2"
    org = person("zuzhi")
    org.log_in("zuzhi")
    org.go("/needs")
    link = org.page.locator(f'a[href="{need_path}"]')
    if link.count() == 0:
        seen.problem("zuzhi's /needs does not list the new need at its default distance")
        org.go(need_path)
    else:
        org.press(link)
    org.page.get_by_label("服务方案").fill("由持证社工带队，志愿者今天陪同王奶奶复诊，全程记录。")
    org.press(button(org, "认领这个需求"))
    assert org.page.locator(".claim .badge").first.inner_text() == "待审核"
    staff.go("/needs")
    staff.press(staff.page.locator(f'a[href="{need_path}"]'))
    staff.press(button(staff, "同意"))
    assert re.search(r"/projects/\d+$", staff.page.url), f"approving did not lead to a project: {staff.page.url}"
    project_path = staff.page.url.removeprefix(fresh.base_url)
    project_id = project_path.rsplit("/", 1)[1]

    # -- 3. zuzhi starts the project and schedules an activity on the need's date; zhiyuan signs up
    # (/activities); zuzhi checks the volunteer in and out; shequ verifies the hours -------------
    seen.step = "3"
    org.go("/projects")
    org.press(org.page.locator(f'a[href="{project_path}"]'))
    org.press_and_confirm(button(org, "开始实施"))
    assert org.text("main .meta .badge") == "实施中"
    org.page.get_by_text("安排活动", exact=True).first.click()
    org.page.get_by_label("标题").fill(ACTIVITY)
    org.page.get_by_label("地点").fill("新华里社区卫生服务站")
    org.pick_moment(org.page.get_by_label("开始时间"), begins)
    org.pick_moment(org.page.get_by_label("结束时间"), begins + timedelta(hours=4))
    org.page.get_by_label("名额").fill("3")
    seen.page(org, "activity-form-filled")
    org.press(org.page.locator("#activities form").get_by_role("button", name="安排活动"))
    confirm = org.page.locator("#f-confirm_past")  # not the form's other box (报名须持有意外保险)
    if confirm.count():  # it began before now: the page may ask to confirm the times first
        confirm.check()
        org.press(org.page.locator("#activities form").get_by_role("button", name="安排活动"))
    scheduled = org.page.locator("#activities a.card-title", has_text=ACTIVITY)
    assert scheduled.count() == 1, "the activity is not listed on its project"
    activity_path = scheduled.first.get_attribute("href")

    volunteer = person("zhiyuan")
    volunteer.log_in("zhiyuan")
    volunteer.go("/activities")
    listed = volunteer.page.locator("a.card-title", has_text=ACTIVITY)
    if listed.count() == 0:
        seen.problem("zhiyuan's /activities does not list the activity at its default distance")
        volunteer.go(activity_path)
    else:
        volunteer.press(listed)
    volunteer.press(button(volunteer, "报名"))
    assert volunteer.text("main .badge") == "已报名", "the sign-up did not take"

    org.go("/activities")
    org.press(org.page.locator("a.card-title", has_text=ACTIVITY))
    for mark, at in (("签到", begins), ("签退", begins + timedelta(minutes=90))):
        signup = org.page.locator(".signup").first
        org.pick_moment(signup.get_by_label("时间"), at)
        org.press(signup.get_by_role("button", name=mark))
    assert org.text(".signup .badge") == "已签退", "the volunteer is not checked out"

    # Who checked the volunteer out logged the hours and may not verify them (separation of
    # duties, linkage.permissions.require_not_own_hours): the project's community does.
    org.go(project_path)
    assert org.page.locator(".record").get_by_role("button", name="核实").count() == 0
    staff.go(project_path)
    record = staff.page.locator(".record").first
    on_project_page = record.locator(".meta").inner_text()
    staff.press(record.get_by_role("button", name="核实"))
    assert staff.text(".record .badge") == "已核实"

    # -- 4. zhiyuan sees the hours and star level, downloads the certificate; anyone checks it ----
    seen.step = "4"
    volunteer.go("/me/hours")
    verified = number(volunteer.text("#verified-hours"))
    verified_stat = volunteer.page.locator("#verified-hours").locator("xpath=..").inner_text()
    my_hours = volunteer.page.locator("main").inner_text()
    button(volunteer, "生成并下载证明（PDF）").focus()
    pdf = volunteer.download_pdf("tour-certificate", shots, "4-certificate")
    certificate = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=30).stdout
    volunteer.go("/me/hours")
    code = volunteer.page.locator("main .cards code").first.inner_text().strip()
    on_certificate_list = volunteer.page.locator("main .cards .row").first.inner_text().replace(code, "")

    checker = person("anyone")  # no login: the code read off the paper certificate
    checker.go("/verify")
    box = checker.page.locator("input[name=code]")
    if box.count() == 0:
        seen.problem("/verify has no box to type a certificate's code into")
        checker.go(f"/verify/{code}")
    else:
        box.fill(code)
        checker.press(box, "Enter")
    verify = checker.page.locator("body").inner_text()
    if "有效" not in verify:
        seen.problem(f"/verify/{code} does not say the certificate is valid")

    # One figure and one unit (小时, one decimal) for the same 90 minutes wherever they are shown.
    if verified != 1.5 or "小时" not in verified_stat:
        seen.problem(f"/me/hours 已核实时长 reads {verified_stat!r}, not 1.5 小时")
    for place, text in (
        ("the project page's record", on_project_page),
        ("the certificate list on /me/hours", on_certificate_list),
        ("the certificate PDF", certificate),
        (f"/verify/{code}", verify),
    ):
        shown = hours_in(text)
        if shown != (1.5, "小时"):
            seen.problem(f"{place} shows the 90 minutes as {shown}, not (1.5, '小时'): {text[:120]!r}")
    if not re.search(r"星[^。\n]*小时|小时[^。\n]*星", my_hours):
        seen.problem("/me/hours does not say how a star level is earned (how many 小时 to the next)")

    # -- 5. zuzhi completes the project; shequ issues evaluation codes; a resident evaluates ------
    seen.step = "5"
    org.go(project_path)
    org.press_and_confirm(button(org, "完成项目"))
    assert org.text("main .meta .badge") == "已完成"
    staff.go(project_path)
    staff.page.get_by_label("户数").fill("2")
    staff.seen = None  # the page with the codes is recorded below, its codes being codes, not English
    staff.press(button(staff, "生成评价码"))
    staff.seen = seen
    codes = staff.page.locator(".code-list code").all_inner_texts()
    seen.page(staff, "shequ-evaluation-codes", allowed=set(map(str.lower, codes)))
    assert len(codes) == 2, codes

    resident = person("resident")  # no account
    resident.go("/evaluate")
    resident.page.get_by_label("项目").select_option(value=project_id)
    resident.page.get_by_label("评价码").fill(codes[0][:-2] + "00")  # mistyped first: its message is Chinese
    resident.page.locator("input[name=satisfaction][value='5']").check()
    resident.press(button(resident, "提交"))
    assert not resident.page.locator("#thanks").is_visible(), "a mistyped code was taken"
    resident.page.get_by_label("项目").select_option(value=project_id)
    resident.page.get_by_label("评价码").fill(codes[0])
    resident.page.locator("input[name=satisfaction][value='5']").check()
    resident.page.get_by_label("意见建议").fill("志愿者很耐心，谢谢！")
    resident.press(button(resident, "提交"))
    assert resident.page.locator("#thanks").is_visible(), "the evaluation was not taken"
    resident.page.get_by_label("项目").select_option(value=project_id)
    resident.page.get_by_label("评价码").fill(codes[0])  # the same code again: its message is Chinese too
    resident.page.locator("input[name=satisfaction][value='4']").check()
    resident.press(button(resident, "提交"))
    if resident.page.locator("#thanks").is_visible():
        seen.problem("a used code's error shows under 感谢您的评价！ (the form posts to /evaluate?done=1)")

    # -- 6. admin runs a venture-philanthropy round and watches /dashboard ------------------------
    seen.step = "6"
    admin.go("/funding")
    admin.press(admin.page.get_by_role("link", name="发起创投活动"))
    form = admin.page
    form.locator("#f-name").fill(ROUND)
    form.locator("#f-description").fill("支持为老服务项目，资金按节点验收拨付，全程公示。")
    form.locator("#f-budget_yuan").fill("100000")
    form.locator("#f-cap_yuan").fill("30000")
    form.locator("input[name=priority_categories][value=养老]").check()
    admin.press(button(admin, "发起创投活动"))
    assert re.search(r"/funding/\d+$", form.url), f"opening the round did not lead to it: {form.url}"
    round_path = form.url.removeprefix(fresh.base_url)

    org.go(round_path)
    org.press(org.page.get_by_role("link", name="申报项目"))
    apply = org.page
    apply.locator("#f-target").select_option(index=1)
    apply.locator("#f-title").fill("银龄陪诊：独居老人复诊陪同")
    apply.locator("#f-summary").fill("组织持证社工和志愿者，为辖区独居老人提供陪诊服务。")
    apply.locator("#f-requested_yuan").fill("20000")
    for i, (name, amount) in enumerate((("人员费", "12000"), ("活动费", "8000"))):
        apply.locator(f"#f-line_name_{i}").fill(name)
        apply.locator(f"#f-line_yuan_{i}").fill(amount)
    org.press(button(org, "申报项目"))
    assert re.search(r"/funding/applications/\d+$", apply.url), f"the application was not taken: {apply.url}"
    application_path = apply.url.removeprefix(fresh.base_url)

    admin.go(round_path)
    admin.press_and_confirm("#move-reviewing")
    admin.go(application_path)
    # reviewers are offered by who they are, never by login: the district staff (区民政局工作人员 #id)
    reviewer = admin.page.locator("#f-user_id option", has_text="区民政局工作人员").first.get_attribute("value")
    admin.page.locator("#f-user_id").select_option(reviewer)
    admin.press("#reviewers form button[type=submit]")
    for score in admin.page.locator("#review input[type=number]").all():
        score.fill("85")
    admin.page.locator("#review textarea").first.fill("需求真实迫切，方案可行。")
    admin.press("#review button[type=submit]")
    admin.go(round_path)
    admin.press_and_confirm("#commit-awards")

    after, after_here = figures(admin), figures(admin, community)
    tour = {"needs-posted": 1, "needs-matched": 1, "needs-claimed": 1, "needs-completed": 1, "hours": 1.5}
    for name, by in tour.items():
        if round(after_here[name] - before_here[name], 2) != by:
            seen.problem(
                f"dashboard for {community}: {name} moved from {before_here[name]} to {after_here[name]}, not by {by}"
            )
    moved = {
        "needs-posted": 1,
        "needs-matched": 1,
        "needs-claimed": 1,
        "needs-completed": 1,
        "hours": 1.5,
        "funds-awarded": 20_000,
    }
    for name, by in moved.items():
        if round(after[name] - before[name], 2) != by:
            seen.problem(f"dashboard {name} moved from {before[name]} to {after[name]}, not by {by}")

    for someone in (admin, staff, org, volunteer, checker, resident):
        someone.close()
    assert not seen.report(), seen.report()
