"""The 公益创投 pages in plain terms: money in yuan, errors at the top, honest labels, people by name."""

from __future__ import annotations

import re
from types import SimpleNamespace

from sqlalchemy import select

from linkage.models.funding import FundingApplication, FundingRound, Grant
from tests.integration.web.test_funding_pages import RUBRIC, application_form, location_id, round_form, user_id
from tests.integration.web.test_pages import html, need_form

FOLLOW = {"follow_redirects": True}


def top_alert(page: str) -> str:
    """The text of the alert at the top of the page's main part (before its first section), tags dropped."""
    head = page.split('<main id="main"', 1)[1].split("<section", 1)[0]
    found = re.search(r'role="alert"[^>]*>(.*?)</div>', head, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)) if found else ""


def granted(person, world) -> SimpleNamespace:
    """A round through to a grant with its first tranche paid: 人员费 ¥960.00, 活动费 ¥640.00 (40 %)."""
    admin, staff, org = person("admin"), person("community_staff"), person("org_staff")
    round_id = location_id(admin.post("/funding/new", round_form()))
    need_id = location_id(staff.post("/needs/new", need_form()))
    application_id = location_id(org.post(f"/funding/{round_id}/apply", application_form(need_id)))
    admin.post(f"/funding/{round_id}/transitions", {"to": "reviewing", "confirmed": "1"})
    admin.post(f"/funding/applications/{application_id}/reviewers", {"user_id": user_id(world, "admin")})
    admin.post(f"/funding/applications/{application_id}/reviews", {f"score_{k}": "80" for k in RUBRIC})
    admin.post(f"/funding/{round_id}/awards", {"confirmed": "1"})
    with world.platform.read_session() as s:
        grant_id = s.scalars(select(Grant.id).where(Grant.application_id == application_id)).one()
    assert staff.post(f"/funding/grants/{grant_id}/milestones/1/acceptance", {"note": "ok"}).status_code == 302
    admin.post(f"/funding/grants/{grant_id}/disbursements", {"confirmed": "1"})
    return SimpleNamespace(
        admin=admin,
        staff=staff,
        org=org,
        round_id=round_id,
        need_id=need_id,
        application_id=application_id,
        grant_id=grant_id,
    )


def test_funding_messages_show_money_in_yuan_not_fen(person, world):
    scene = granted(person, world)
    spend = {"amount_yuan": "1000", "budget_line": "人员费", "receipt_ref": "FP-001"}
    page = html(scene.org.post(f"/funding/grants/{scene.grant_id}/expenditures", spend, **FOLLOW))
    assert "「人员费」已拨未用仅¥960.00" in page
    assert "96000" not in page and "分" not in page.split('id="err-amount_yuan"', 1)[1][:200]
    scene.org.get("/lang/en")
    english = html(scene.org.post(f"/funding/grants/{scene.grant_id}/expenditures", spend, **FOLLOW))
    assert "only ¥960.00 disbursed and unspent" in english and " fen" not in english

    # over the cap when applying, and an override out of range: the amounts in yuan too
    staff, org, admin = scene.staff, person("org_staff"), scene.admin
    round_id = location_id(admin.post("/funding/new", round_form()))
    need_id = location_id(staff.post("/needs/new", need_form()))
    cap = html(
        org.post(
            f"/funding/{round_id}/apply", application_form(need_id, requested_yuan="5000", line_yuan_1="2600"), **FOLLOW
        )
    )
    assert "超过单项上限¥4,000.00" in cap
    application_id = location_id(org.post(f"/funding/{round_id}/apply", application_form(need_id)))
    admin.post(f"/funding/{round_id}/transitions", {"to": "reviewing", "confirmed": "1"})
    over = html(
        admin.post(
            f"/funding/{round_id}/awards",
            {f"override_yuan_{application_id}": "5000", f"override_reason_{application_id}": "试点", "confirmed": "1"},
            **FOLLOW,
        )
    )
    assert "¥0.00–¥4,000.00" in over and "500000" not in over and "400000" not in over


def test_a_refused_funding_form_says_why_at_the_top_of_the_page_it_returns_to(person, world):
    scene = granted(person, world)
    spend = {"amount_yuan": "1000", "budget_line": "人员费", "receipt_ref": "FP-001"}
    page = html(scene.org.post(f"/funding/grants/{scene.grant_id}/expenditures", spend, **FOLLOW))
    assert "已拨未用仅¥960.00" in top_alert(page)
    again = html(scene.admin.post(f"/funding/grants/{scene.grant_id}/disbursements", {"confirmed": "1"}, **FOLLOW))
    assert "第 2 个节点尚未验收" in top_alert(again)
    round_page = html(
        scene.admin.post(f"/funding/{scene.round_id}/transitions", {"to": "closed", "confirmed": "1"}, **FOLLOW)
    )
    assert f"仍在执行的资助：#{scene.grant_id}" in top_alert(round_page)


def test_the_budget_line_list_labels_its_amounts_as_the_table_does(person, world):
    scene = granted(person, world)
    spend = {"amount_yuan": "500", "budget_line": "人员费", "receipt_ref": "FP-002"}
    assert scene.org.post(f"/funding/grants/{scene.grant_id}/expenditures", spend).status_code == 302
    page = html(scene.org.get(f"/funding/grants/{scene.grant_id}"))
    option = re.search(r'<option value="人员费"[^>]*>(.*?)</option>', page).group(1)
    assert option == "人员费 — 预算 ¥2,400.00，拨付 ¥960.00，可报支出 ¥460.00"
    row = re.search(r'<tr data-line="人员费">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r"<td>(.*?)</td>", row) == ["¥2,400.00", "¥960.00", "¥500.00"]


def test_the_co_funding_error_says_the_least_amount(person, world):
    admin, staff, org = person("admin"), person("community_staff"), person("org_staff")
    round_id = location_id(admin.post("/funding/new", round_form(cofunding_pct="30")))
    need_id = location_id(staff.post("/needs/new", need_form()))
    page = html(org.post(f"/funding/{round_id}/apply", application_form(need_id), **FOLLOW))
    # at least 30 % of 4,000 + c: c ≥ 1,714.29 (to the fen, rounded up)
    assert "配套资金至少¥1,714.29（须占项目总预算的30%）" in page


def test_own_funds_co_fund_an_application_in_any_category(person, world):
    """助残 with 30 % co-funding: the only listed fund is restricted to 养老, so 自筹 is the way."""
    admin, staff, org = person("admin"), person("community_staff"), person("org_staff")
    round_id = location_id(admin.post("/funding/new", round_form(cofunding_pct="30", priority_categories=["助残"])))
    need_id = location_id(staff.post("/needs/new", need_form(title="为残障人士提供康复陪护", category="助残")))
    form_page = html(org.get(f"/funding/{round_id}/apply"))
    assert '<option value="own">自筹（本机构自有资金，不限类别）</option>' in form_page
    restricted = html(
        org.post(
            f"/funding/{round_id}/apply",
            application_form(need_id, cofunding_resource_id=str(world.ids["resource"]), cofunding_yuan="1800"),
            **FOLLOW,
        )
    )
    assert "该资金限定用于养老" in restricted
    application_id = location_id(
        org.post(
            f"/funding/{round_id}/apply", application_form(need_id, cofunding_resource_id="own", cofunding_yuan="1800")
        )
    )
    with world.platform.read_session() as s:
        application = s.get(FundingApplication, application_id)
        assert (application.category, application.cofunding_fen, application.cofunding_resource_id) == (
            "助残",
            180_000,
            None,
        )
    assert "¥1,800.00（自筹）" in html(org.get(f"/funding/applications/{application_id}"))
    # awarded like any other: nothing is drawn from a charity resource
    admin.post(f"/funding/{round_id}/transitions", {"to": "reviewing", "confirmed": "1"})
    admin.post(f"/funding/applications/{application_id}/reviewers", {"user_id": user_id(world, "admin")})
    admin.post(f"/funding/applications/{application_id}/reviews", {f"score_{k}": "80" for k in RUBRIC})
    assert admin.post(f"/funding/{round_id}/awards", {"confirmed": "1"}, **FOLLOW).status_code == 200
    with world.platform.read_session() as s:
        grant = s.scalars(select(Grant).where(Grant.application_id == application_id)).one()
        assert (grant.awarded_fen, grant.cofunding_fen, grant.cofunding_resource_id) == (400_000, 180_000, None)


def test_reviewers_are_offered_and_shown_by_name_and_role_never_by_login(person, world):
    admin, staff, org = person("admin"), person("community_staff"), person("org_staff")
    round_id = location_id(admin.post("/funding/new", round_form()))
    need_id = location_id(staff.post("/needs/new", need_form()))
    application_id = location_id(org.post(f"/funding/{round_id}/apply", application_form(need_id)))
    admin.post(f"/funding/{round_id}/transitions", {"to": "reviewing", "confirmed": "1"})
    page = html(admin.get(f"/funding/applications/{application_id}"))
    options = re.findall(
        r'<option value="(\d+)">(.*?)</option>', page.split('id="f-user_id"', 1)[1].split("</select>")[0]
    )
    labels = {int(uid): text for uid, text in options}
    with world.platform.read_session() as s:
        from linkage.models import Organization

        org_name = s.get(Organization, world.ids["organization"]).name
    assert labels[user_id(world, "social_worker")] == f"张华（社会工作者 · {org_name}）"
    assert labels[user_id(world, "admin")] == f"区民政局工作人员 #{user_id(world, 'admin')}"
    assert not any(re.search(r"[A-Za-z]", text) for text in labels.values()), labels
    admin.post(f"/funding/applications/{application_id}/reviewers", {"user_id": user_id(world, "admin")})
    admin.post(f"/funding/applications/{application_id}/reviews", {f"score_{k}": "80" for k in RUBRIC})
    shown = html(admin.get(f"/funding/applications/{application_id}"))
    reviewers = shown.split('id="reviewers"', 1)[1].split("<form", 1)[0]
    reviews = shown.split('id="reviews"', 1)[1]
    for part in (reviewers, reviews):
        assert f"区民政局工作人员 #{user_id(world, 'admin')}" in part and ">admin<" not in part


def test_irreversible_funding_buttons_ask_for_a_confirmation_first(person, world):
    """Closing applications, committing the awards and releasing a tranche go first to the one
    confirmation page (/confirm, actions.confirm_first), which says what cannot be undone; nothing
    changes until it is confirmed."""
    admin, staff, org = person("admin"), person("community_staff"), person("org_staff")
    round_id = location_id(admin.post("/funding/new", round_form()))
    need_id = location_id(staff.post("/needs/new", need_form()))
    application_id = location_id(org.post(f"/funding/{round_id}/apply", application_form(need_id)))

    def asked(response) -> str:
        assert response.status_code == 303 and response.headers["Location"] == "/confirm", response.status_code
        return html(admin.get("/confirm"))

    question = asked(admin.post(f"/funding/{round_id}/transitions", {"to": "reviewing"}))
    assert "截止申报、进入评审？" in question and "不可撤销" in question and 'name="confirmed" value="1"' in question
    with world.platform.read_session() as s:
        assert s.get(FundingRound, round_id).status == "open"
    assert admin.post(f"/funding/{round_id}/transitions", {"to": "reviewing", "confirmed": "1"}).status_code == 302
    admin.post(f"/funding/applications/{application_id}/reviewers", {"user_id": user_id(world, "admin")})
    admin.post(f"/funding/applications/{application_id}/reviews", {f"score_{k}": "80" for k in RUBRIC})
    assert "按以上结果立项？" in asked(admin.post(f"/funding/{round_id}/awards", {}))
    with world.platform.read_session() as s:
        assert s.get(FundingRound, round_id).status == "reviewing"
        assert s.scalar(select(Grant.id).where(Grant.application_id == application_id)) is None
    assert location_id(admin.post(f"/funding/{round_id}/awards", {"confirmed": "1"})) == round_id
    with world.platform.read_session() as s:
        grant_id = s.scalars(select(Grant.id).where(Grant.application_id == application_id)).one()
    staff.post(f"/funding/grants/{grant_id}/milestones/1/acceptance", {"note": "ok"})
    assert "拨付第1期 ¥1,600.00？" in asked(admin.post(f"/funding/grants/{grant_id}/disbursements", {}))
    assert 'id="money-disbursed">¥0.00<' in html(admin.get(f"/funding/grants/{grant_id}"))
    assert admin.post(f"/funding/grants/{grant_id}/disbursements", {"confirmed": "1"}).status_code == 302
    assert 'id="money-disbursed">¥1,600.00<' in html(admin.get(f"/funding/grants/{grant_id}"))


def test_a_refused_funding_form_redirects_to_its_page_which_shows_the_errors_once(person, world):
    scene = granted(person, world)
    grant_page = f"/funding/grants/{scene.grant_id}"
    spend = {"amount_yuan": "1000", "budget_line": "人员费", "receipt_ref": "FP-001", "note": "社工劳务"}
    refused = scene.org.post(f"{grant_page}/expenditures", spend)
    assert refused.status_code == 303 and refused.headers["Location"] == grant_page  # not the action's URL
    page = html(scene.org.get(grant_page))
    assert 'id="err-amount_yuan"' in page and 'value="FP-001"' in page and "社工劳务" in page  # what was typed
    assert 'id="err-amount_yuan"' not in html(scene.org.get(grant_page))  # shown once: a refresh is clean
    # the application form, a page of its own, too
    org, round_id = person("org_staff"), location_id(scene.admin.post("/funding/new", round_form()))
    wrong = org.post(f"/funding/{round_id}/apply", application_form(scene.need_id, ms_share_2="10"))
    assert wrong.status_code == 303 and wrong.headers["Location"] == f"/funding/{round_id}/apply"
    form_page = html(org.get(f"/funding/{round_id}/apply"))
    assert 'id="err-milestones"' in form_page and 'value="1600"' in form_page
    bad_round = scene.admin.post("/funding/new", round_form(cap_yuan="20000"))
    assert bad_round.status_code == 303 and bad_round.headers["Location"] == "/funding/new"
    assert 'id="err-cap_yuan"' in html(scene.admin.get("/funding/new"))


def test_an_amount_of_nothing_is_refused_in_yuan_words(person, world):
    scene = granted(person, world)
    spend = {"amount_yuan": "0", "budget_line": "人员费", "receipt_ref": "FP-003"}
    page = html(scene.org.post(f"/funding/grants/{scene.grant_id}/expenditures", spend, **FOLLOW))
    error = re.search(r'id="err-amount_yuan"[^>]*>(.*?)</p>', page).group(1)
    assert error == "金额须大于0元" and "金额须为正整数（分）" not in page
    round_id = location_id(scene.admin.post("/funding/new", round_form()))
    apply = application_form(scene.need_id, requested_yuan="-4000", line_yuan_0="-2400")
    page = html(person("org_staff").post(f"/funding/{round_id}/apply", apply, **FOLLOW))
    assert 'id="err-requested_yuan"' in page and "金额须为正整数（分）" not in page and "金额须大于0元" in page
