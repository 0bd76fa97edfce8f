"""The 公益创投 pages as people use them: a round from the call to the money, every rule the services'."""
from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

from sqlalchemy import select

from linkage.models import AuditEntry, User
from linkage.models.funding import FundEntry, FundingApplication, FundingRound, Grant
from tests.integration.web.test_pages import html, need_form

RUBRIC = ("necessity", "feasibility", "professional_capacity", "budget_reasonableness", "sustainability")


def round_form(**over) -> dict:
    form = {"name": "2026年社区公益创投", "description": "面向养老服务的小额资助", "budget_yuan": "10,000",
            "cap_yuan": "4000", "priority_categories": ["养老"], "cofunding_pct": "0", "pass_score": "60",
            "min_partial_pct": "50", **{f"w_{k}": w for k, w in zip(RUBRIC, ("25", "25", "20", "15", "15"))}}
    form.update(over)
    return form


def application_form(need_id: int, **over) -> dict:
    form = {"target": f"need:{need_id}", "summary": "为独居老人提供陪诊与探访", "requested_yuan": "4000",
            "line_name_0": "人员费", "line_yuan_0": "2400", "line_name_1": "活动费", "line_yuan_1": "1600",
            "ms_title_0": "项目启动", "ms_share_0": "40", "ms_title_1": "中期评估", "ms_share_1": "40",
            "ms_title_2": "结项评估", "ms_share_2": "20"}
    form.update(over)
    return form


def refused(response) -> bool:
    """A refused form was sent back to its page (POST-redirect-GET), which shows why."""
    return bool(response.history) and response.history[0].status_code == 303 and response.status_code == 200


def location_id(response) -> int:
    assert response.status_code == 302, html(response)[:2000]
    return int(re.search(r"/(\d+)(?:#.*)?$", response.headers["Location"]).group(1))


def user_id(world, username: str) -> int:
    with world.platform.read_session() as s:
        return s.scalars(select(User.id).where(User.username == username)).one()


def test_a_round_from_the_call_to_the_money_on_pages(person, world):
    admin, staff, org = person("admin"), person("community_staff"), person("org_staff")

    # -- the district opens a round; amounts typed in 元 are stored in 分 ---------------------------
    assert admin.get("/funding/new").status_code == 200
    bad = admin.post("/funding/new", round_form(name="", budget_yuan="一万", w_necessity="x"), follow_redirects=True)
    page = html(bad)
    assert refused(bad)
    for field in ("name", "budget_yuan", "rubric_weights"):
        assert f'id="err-{field}"' in page, field
    assert "最多两位小数" in page and "面向养老服务的小额资助" in page  # the typed text is kept
    over = admin.post("/funding/new", round_form(cap_yuan="20000"), follow_redirects=True)
    assert refused(over) and 'id="err-cap_yuan"' in html(over) and "单项上限不能超过总预算" in html(over)
    weights = admin.post("/funding/new", round_form(w_necessity="35"), follow_redirects=True)
    assert refused(weights) and "合计100" in html(weights)
    round_id = location_id(admin.post("/funding/new", round_form(budget_yuan="10,000.50")))
    with world.platform.read_session() as s:
        found = s.get(FundingRound, round_id)
        assert (found.budget_fen, found.cap_fen, found.priority_categories) == (1_000_050, 400_000, ["养老"])
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "POST /funding/new")).first()
        assert audit is not None and audit.username == "admin"
    assert "¥10,000.50" in html(admin.get(f"/funding/{round_id}"))

    # -- an organization applies for a need near it; the plan's errors sit by their rows -----------
    need_id = location_id(staff.post("/needs/new", need_form()))
    form_page = html(org.get(f"/funding/{round_id}/apply"))
    assert f'value="need:{need_id}"' in form_page and 'value="项目启动"' in form_page
    wrong = org.post(f"/funding/{round_id}/apply", application_form(need_id, line_yuan_1="abc", ms_share_2="10"), follow_redirects=True)
    assert refused(wrong) and 'id="err-line_yuan_1"' in html(wrong)
    shares = org.post(f"/funding/{round_id}/apply", application_form(need_id, ms_share_2="10"), follow_redirects=True)
    assert refused(shares) and 'id="err-milestones"' in html(shares) and "合计须为100" in html(shares)
    lines = org.post(f"/funding/{round_id}/apply", application_form(need_id, line_yuan_1="1000"), follow_redirects=True)
    assert refused(lines) and 'id="err-budget_lines"' in html(lines)
    cap = org.post(f"/funding/{round_id}/apply", application_form(need_id, requested_yuan="5000", line_yuan_1="2600"), follow_redirects=True)
    assert refused(cap) and 'id="err-requested_yuan"' in html(cap)
    none = org.post(f"/funding/{round_id}/apply", application_form(need_id, target=""), follow_redirects=True)
    assert refused(none) and 'id="err-target"' in html(none)
    application_id = location_id(org.post(f"/funding/{round_id}/apply", application_form(need_id)))
    with world.platform.read_session() as s:
        application = s.get(FundingApplication, application_id)
        assert application.requested_fen == 400_000
        assert [m["share_pct"] for m in application.milestones] == [40, 40, 20]
    again = org.post(f"/funding/{round_id}/apply", application_form(need_id), follow_redirects=True)
    assert refused(again)
    assert person("volunteer").get(f"/funding/{round_id}/apply").status_code == 403

    # -- reviewing: a reviewer tied to the applicant and the auditor are refused; the district scores
    assert location_id(admin.post(f"/funding/{round_id}/transitions", {"to": "reviewing", "confirmed": "1"})) == round_id
    tied = admin.post(f"/funding/applications/{application_id}/reviewers",
                      {"user_id": user_id(world, "social_worker")}, follow_redirects=True)
    assert refused(tied) and "利益冲突" in html(tied)
    auditor = admin.post(f"/funding/applications/{application_id}/reviewers",
                         {"user_id": user_id(world, "auditor")}, follow_redirects=True)
    assert refused(auditor) and "职责分离" in html(auditor)
    assert admin.post(f"/funding/applications/{application_id}/reviewers",
                      {"user_id": user_id(world, "admin")}).status_code == 302
    reviewer = admin
    review_page = html(reviewer.get(f"/funding/applications/{application_id}"))
    assert 'id="f-score_necessity"' in review_page and "必要性" in review_page
    partial = reviewer.post(f"/funding/applications/{application_id}/reviews",
                            {**{f"score_{k}": "80" for k in RUBRIC[:-1]}, "score_sustainability": ""}, follow_redirects=True)
    assert refused(partial) and 'id="err-score_sustainability"' in html(partial)
    high = reviewer.post(f"/funding/applications/{application_id}/reviews",
                         {**{f"score_{k}": "80" for k in RUBRIC}, "score_necessity": "101"}, follow_redirects=True)
    assert refused(high) and 'id="err-scores"' in html(high)
    assert reviewer.post(f"/funding/applications/{application_id}/reviews",
                         {**{f"score_{k}": "80" for k in RUBRIC}, "comments": "需求明确"}).status_code == 302

    # -- the allocation with its reasons, then the awards ---------------------------------------
    assert org.get(f"/funding/{round_id}").status_code == 200
    assert 'id="allocation"' not in html(org.get(f"/funding/{round_id}"))  # a preview is for the district
    preview = html(admin.get(f"/funding/{round_id}"))
    assert "分配预览" in preview and "按申请额全额资助" in preview and "优先类别「养老」" in preview
    no_reason = admin.post(f"/funding/{round_id}/awards", {f"override_yuan_{application_id}": "3000", "confirmed": "1"}, follow_redirects=True)
    assert refused(no_reason) and "调整须说明理由" in html(no_reason)
    assert location_id(admin.post(f"/funding/{round_id}/awards", {f"override_yuan_{application_id}": "", "confirmed": "1"})) == round_id
    with world.platform.read_session() as s:
        grant = s.scalars(select(Grant).where(Grant.application_id == application_id)).one()
    published = html(org.get(f"/funding/{round_id}"))
    assert "立项结果公示" in published and f"/funding/grants/{grant.id}" in published

    # -- milestone 1 accepted by the community, the tranche paid, spending reported ---------------
    early = admin.post(f"/funding/grants/{grant.id}/disbursements", {"confirmed": "1"}, follow_redirects=True)
    assert refused(early) and 'id="err-milestone"' in html(early) and "尚未验收" in html(early)
    assert person("other_community_staff").post(f"/funding/grants/{grant.id}/milestones/1/acceptance").status_code == 403
    assert staff.post(f"/funding/grants/{grant.id}/milestones/2/acceptance").status_code == 303  # in order: refused
    assert staff.post(f"/funding/grants/{grant.id}/milestones/1/acceptance", {"note": "启动会已召开"}).status_code == 302
    assert admin.post(f"/funding/grants/{grant.id}/disbursements", {"confirmed": "1"}).status_code == 302
    too_much = org.post(f"/funding/grants/{grant.id}/expenditures",
                        {"amount_yuan": "1000", "budget_line": "人员费", "receipt_ref": "FP-001"}, follow_redirects=True)
    assert refused(too_much) and 'id="err-amount_yuan"' in html(too_much)
    missing = org.post(f"/funding/grants/{grant.id}/expenditures", {"amount_yuan": "1.234", "budget_line": "人员费"}, follow_redirects=True)
    assert refused(missing) and 'id="err-amount_yuan"' in html(missing) and 'id="err-receipt_ref"' in html(missing)
    assert person("other_org_staff").get(f"/funding/grants/{grant.id}").status_code == 403
    assert org.post(f"/funding/grants/{grant.id}/expenditures",
                    {"amount_yuan": "500", "budget_line": "人员费", "receipt_ref": "FP-002", "note": "社工劳务"}).status_code == 302
    grant_page = html(org.get(f"/funding/grants/{grant.id}"))
    assert 'id="money-disbursed">¥1,600.00<' in grant_page and 'id="money-spent">¥500.00<' in grant_page
    with world.platform.read_session() as s:
        kinds = [e.kind for e in s.scalars(select(FundEntry).where(FundEntry.round_id == round_id).order_by(FundEntry.seq))]
    assert kinds == ["budget", "award", "disbursement", "expenditure"]

    # -- oversight: scoped supervision, the public summary without login, the dashboard ------------
    sup = html(org.get(f"/funding/{round_id}/supervision"))
    assert "资金台账校验通过" in sup and f'data-grant="{grant.id}"' in sup
    assert f'data-grant="{grant.id}"' not in html(person("other_org_staff").get(f"/funding/{round_id}/supervision"))
    assert person("volunteer").get(f"/funding/{round_id}/supervision").status_code == 403
    resident = person()
    public = resident.get(f"/funding/{round_id}/public")
    assert public.status_code == 200 and "¥4,000.00" in html(public) and "FP-002" not in html(public)
    assert "auditor" not in html(public)
    # 公示台账 as csv: no login, linked from the public page, only its figures (no receipts), same totals
    assert f"/funding/{round_id}/public.csv" in html(public)
    ledger = resident.get(f"/funding/{round_id}/public.csv")
    assert ledger.status_code == 200 and ledger.data.startswith(b"\xef\xbb\xbf") and b"FP-002" not in ledger.data
    rows = list(csv.DictReader(io.StringIO(ledger.data.decode("utf-8-sig"))))
    assert (rows[0]["类型"], rows[0]["资助金额（元）"], rows[0]["已拨付（元）"], rows[0]["已支出（元）"]) == \
        ("活动合计", "4000.00", "1600.00", "500.00")
    projects = [row for row in rows if row["类型"] == "项目"]
    for column in ("资助金额（元）", "已拨付（元）", "已支出（元）"):
        assert sum(Decimal(row[column]) for row in projects) == Decimal(rows[0][column])
    assert {row["预算科目"] for row in rows if row["类型"] == "预算科目"} == {"人员费", "活动费"}
    assert f"/funding/{round_id}/public" in html(resident.get("/funding"))
    assert resident.get(f"/funding/{round_id}").status_code == 302  # the round's own page needs a login
    board = html(admin.get("/dashboard"))
    assert 'id="funds-awarded">4,000.00<' in board and 'id="funds-disbursed">1,600.00<' in board
    assert 'id="funds-spent">500.00<' in board


def test_funding_forms_need_the_csrf_token_and_the_right_role(person, world):
    admin = person("admin")
    assert admin.post("/funding/new", round_form(), csrf=False).status_code == 400
    with world.platform.read_session() as s:
        assert s.scalar(select(FundingRound.id)) is None
    assert person("org_staff").get("/funding/new").status_code == 403
    assert person("community_staff").post("/funding/new", round_form()).status_code == 403


def test_the_funding_pages_speak_english_too(person):
    admin = person("admin")
    admin.get("/lang/en")
    round_id = location_id(admin.post("/funding/new", round_form()))
    page = html(admin.get(f"/funding/{round_id}"))
    assert '<html lang="en">' in page and "Close applications and start reviewing" in page
    bad = html(admin.post("/funding/new", round_form(cap_yuan="20000"), follow_redirects=True))
    assert "greater than budget_fen" in bad
