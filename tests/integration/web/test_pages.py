"""The pages as people use them: logging in, forms with errors by their fields, the whole story, roles."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from linkage.models import AuditEntry, Claim, HourEntry, Need, Project, Signup, utcnow
from linkage.services import matches

TZ = ZoneInfo("Asia/Shanghai")


def local(moment: datetime) -> str:
    return moment.astimezone(TZ).strftime("%Y-%m-%dT%H:%M")


def need_form(**over) -> dict:
    start = utcnow() + timedelta(days=3)
    form = {"title": "陪同独居老人到医院复诊", "category": "养老", "description": "王奶奶86岁，独居。",
            "skills": "陪诊，助老", "target_groups": ["elderly"], "starts_at": local(start),
            "ends_at": local(start + timedelta(hours=3)), "volunteers_needed": "2", "hours_estimate": "3",
            "budget_yuan": "200", "urgency": "normal"}
    form.update(over)
    return form


def html(response) -> str:
    return response.get_data(as_text=True)


def test_logging_in_sets_a_signed_http_only_lax_cookie_and_logging_out_ends_it(person):
    someone = person()
    wrong = someone.post("/login", {"username": "community_staff", "password": "nope-nope"})
    assert wrong.status_code == 401 and "用户名或密码错误" in html(wrong)
    ok = someone.post("/login?next=/needs", {"username": "community_staff", "password": "correct-horse-9"})
    assert ok.status_code == 302 and ok.headers["Location"] == "/needs"
    cookie = ok.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert someone.get("/needs").status_code == 200
    someone.post("/logout")
    assert someone.get("/needs").status_code == 302


def test_login_never_redirects_to_another_site(person):
    someone = person()
    response = someone.post("/login?next=//evil.example/x", {"username": "volunteer", "password": "correct-horse-9"})
    assert response.headers["Location"] == "/"


def test_a_form_without_the_csrf_token_is_refused(person, world):
    staff = person("community_staff")
    response = staff.post("/needs/new", need_form(), csrf=False)
    assert response.status_code == 400
    response = staff.post("/needs/new", {**need_form(), "csrf_token": "forged"}, csrf=False)
    assert response.status_code == 400
    with world.platform.read_session() as s:
        assert s.scalar(select(Need.id)) is None


def test_a_bad_need_form_shows_each_error_next_to_its_field_and_keeps_the_input(person):
    staff = person("community_staff")
    form = need_form(title="", category="火星", lat="200")
    form["ends_at"] = form["starts_at"]
    response = staff.post_back("/needs/new", form)
    page = html(response)
    for field in ("title", "category", "lat"):
        assert re.search(rf'id="err-{field}"', page), field
    assert 'aria-invalid="true" aria-describedby="err-title"' in page
    assert "纬度须在中国境内" in page  # the schema's own message, the Chinese half
    assert "王奶奶86岁" in page  # what the person typed is still there


def test_the_domain_rule_on_an_empty_window_shows_at_the_end_time(person):
    staff = person("community_staff")
    form = need_form()
    form["ends_at"] = form["starts_at"]
    page = html(staff.post_back("/needs/new", form))
    assert 'id="err-ends_at"' in page and "结束时间须晚于开始时间" in page


def test_posting_a_need_on_the_page_is_audited_under_the_person(person, world):
    staff = person("community_staff")
    response = staff.post("/needs/new", need_form())
    assert response.status_code == 302
    need_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with world.platform.read_session() as s:
        need = s.get(Need, need_id)
        assert need.community_id == world.ids["community"] and need.budget_fen == 20000
        assert need.skills == ["陪诊", "助老"] and need.target_groups == ["elderly"]
        audit = s.scalars(select(AuditEntry).where(AuditEntry.object_type == "needs")).first()
        assert audit.username == "community_staff" and audit.action == "POST /needs/new"


def test_the_matches_page_says_matching_until_the_matcher_answers(person, world):
    staff = person("community_staff")
    need_id = int(staff.post("/needs/new", need_form()).headers["Location"].rsplit("/", 1)[1])
    page = html(staff.get(f"/needs/{need_id}"))
    assert "正在匹配" in page and 'data-status="pending"' in page
    assert staff.get(f"/needs/{need_id}/matches.json").get_json() == {"need_id": need_id, "status": "pending"}
    entry = {"provider_id": world.ids["organization"], "kind": "organization", "name": "乐龄养老服务中心",
             "score": 0.87, "distance_km": 1.4, "factors": {"skill": 0.9},
             "reasons": ["技能匹配：陪诊", "距离 1.4 公里"]}
    with world.platform.uow() as uow:
        matches.record_matches(uow, consumer="test", event_id="e1", need_id=need_id, ranked_at=utcnow(),
                               matches={"organization": [entry]})
        uow.commit()
    body = staff.get(f"/needs/{need_id}/matches.json").get_json()
    assert body["status"] == "ready" and "乐龄养老服务中心" in body["html"] and "技能匹配：陪诊" in body["html"]
    assert "1.4" in body["html"] and "87" in body["html"]
    assert (body["need_status"], body["need_status_label"]) == ("matched", "已匹配")  # the badge's new face


def test_the_matches_page_shows_a_volunteer_by_surname_and_a_distance_band(person, world):
    staff = person("community_staff")
    need_id = int(staff.post("/needs/new", need_form()).headers["Location"].rsplit("/", 1)[1])
    entry = {"provider_id": world.ids["volunteer"], "kind": "volunteer", "name": "欧阳娜娜", "score": 0.81,
             "distance_km": 0.43, "factors": {"skill": 0.9}, "reasons": ["技能相符：陪诊", "距离 430 米"]}
    with world.platform.uow() as uow:
        matches.record_matches(uow, consumer="test", event_id="e1", need_id=need_id, ranked_at=utcnow(),
                               matches={"volunteer": [entry]})
        uow.commit()
    for page in (html(staff.get(f"/needs/{need_id}")), staff.get(f"/needs/{need_id}/matches.json").get_json()["html"]):
        assert "欧阳**" in page and "欧阳娜娜" not in page, page
        assert "1 公里内" in page and "430" not in page and "0.4" not in page
        assert "技能相符：陪诊" in page and "81" in page
    own = html(person("volunteer").get(f"/needs/{need_id}"))
    assert "欧阳娜娜" in own  # the volunteer's own entry (provider_id is theirs): their name whole


def test_each_match_shows_one_distance(person, world):
    """The matcher's reason is the entry's one distance: the page adds no second one beside it."""
    staff = person("community_staff")
    need_id = int(staff.post("/needs/new", need_form()).headers["Location"].rsplit("/", 1)[1])
    org = {"provider_id": world.ids["organization"], "kind": "organization", "name": "乐龄养老服务中心",
           "score": 0.87, "distance_km": 1.35, "factors": {"skill": 0.9}, "reasons": ["技能相符：陪诊", "距离 1.4 公里"]}
    vol = {"provider_id": world.ids["volunteer"], "kind": "volunteer", "name": "欧阳娜娜", "score": 0.81,
           "distance_km": 0.43, "factors": {"skill": 0.9}, "reasons": ["技能相符：陪诊", "距离 430 米"]}
    with world.platform.uow() as uow:
        matches.record_matches(uow, consumer="test", event_id="e1", need_id=need_id, ranked_at=utcnow(),
                               matches={"organization": [org], "volunteer": [vol]})
        uow.commit()
    for page in (html(staff.get(f"/needs/{need_id}")), staff.get(f"/needs/{need_id}/matches.json").get_json()["html"]):
        entries = re.findall(r"<ol class=\"ranked\">\s*<li>(.*?)</li>\s*</ol>", page, re.S)
        assert len(entries) == 2, page
        for entry in entries:
            text = re.sub(r"<[^>]+>", " ", entry)
            assert text.count("距离") == 1 and text.count("公里") == 1, text
        assert "距离 1.4 公里" in page and "距离 1 公里内" in page


def test_a_volunteers_page_lists_who_revealed_their_data(person, world):
    vol = person("volunteer")
    assert "暂无人查看您的完整手机号或身份证号" in html(vol.get("/me/hours"))
    world.call("POST", f"/api/v1/volunteers/{world.ids['volunteer']}/reveal", "auditor",
               json={"field": "id_number", "reason": "审计抽查身份信息"})
    page = html(vol.get("/me/hours"))
    section = page[page.index('id="disclosures"'):]
    assert "auditor" in section and "审计" in section and "身份证号" in section and "审计抽查身份信息" in section


def test_the_whole_story_on_pages(person, world):
    staff, org, vol = person("community_staff"), person("org_staff"), person("volunteer")
    need_id = int(staff.post("/needs/new", need_form()).headers["Location"].rsplit("/", 1)[1])
    assert f"/needs/{need_id}" in html(org.get("/needs"))  # open needs near the organization
    assert org.post(f"/needs/{need_id}/claims", {"plan": "两名社工带队，每周上门两次"}).status_code == 302
    short = org.post_back(f"/needs/{need_id}/claims", {"plan": "x"})
    assert "error-summary" in html(short)  # already claimed
    with world.platform.read_session() as s:
        claim = s.scalars(select(Claim).where(Claim.need_id == need_id)).one()
    assert person("other_community_staff").post(f"/claims/{claim.id}/decision",
                                                 {"decision": "approve"}).status_code == 403
    decided = staff.post(f"/claims/{claim.id}/decision", {"decision": "approve", "reason": ""})
    assert decided.status_code == 302 and "/projects/" in decided.headers["Location"]
    project_id = int(decided.headers["Location"].rsplit("/", 1)[1])
    assert org.post(f"/projects/{project_id}/transitions", {"to": "in_progress"}).status_code == 302
    start = utcnow() - timedelta(hours=2)
    bad = org.post_back(f"/projects/{project_id}/activities", {"title": "上门探访", "place": "", "slots": "0",
                                                          "starts_at": local(start), "ends_at": local(start)})
    assert 'id="err-place"' in html(bad) and 'id="err-slots"' in html(bad)
    assert org.post(f"/projects/{project_id}/activities", {
        "title": "上门探访", "place": "新华里社区服务站", "slots": "3", "starts_at": local(start),
        "ends_at": local(start + timedelta(hours=4)), "confirm_past": "1"}).status_code == 302
    listing = html(vol.get("/activities"))
    activity_id = int(re.search(r'href="/activities/(\d+)"', listing).group(1))
    assert vol.post(f"/activities/{activity_id}/signup").status_code == 302
    assert "已报名" in html(vol.post_back(f"/activities/{activity_id}/signup"))  # already signed up
    with world.platform.read_session() as s:
        signup = s.scalars(select(Signup).where(Signup.activity_id == activity_id)).one()
    assert org.post(f"/signups/{signup.id}/check-in", {"activity_id": activity_id,
                                                        "at": local(start)}).status_code == 302
    assert org.post(f"/signups/{signup.id}/check-out", {"activity_id": activity_id,
                                                         "at": local(start + timedelta(minutes=90))}).status_code == 302
    with world.platform.read_session() as s:
        record = s.scalars(select(HourEntry).where(HourEntry.action == "record")).one()
    assert record.minutes == 90
    assert vol.post(f"/hours/{record.id}/review", {"decision": "verify"}).status_code == 403
    # Who checked the volunteer out does not verify the hours too (separation of duties).
    assert org.post(f"/hours/{record.id}/review", {"decision": "verify"}).status_code == 403
    own = html(org.get(f"/projects/{project_id}"))
    assert "须由他人核实" in own and 'value="verify"' not in own
    assert 'id="err-note"' in html(staff.post_back(f"/hours/{record.id}/review", {"decision": "reject"}))  # no reason
    assert staff.post(f"/hours/{record.id}/review", {"decision": "verify"}).status_code == 302
    page = html(vol.get("/me/hours"))
    assert 'id="verified-hours">1.5 小时<' in page
    # The star level says how it is earned and how far the next is (national scheme: one star at 100 h).
    assert "星级：尚未评星" in page and "再服务 98.5 小时可达一星" in page
    assert "星级按已核实的志愿服务时长评定：一星 100.0 小时、二星 300.0 小时" in page
    pdf = vol.post("/me/certificates")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    code = pdf.headers["X-Certificate-Code"]
    assert vol.get(f"/me/certificates/{code}.pdf").data.startswith(b"%PDF")
    assert person("other_volunteer").get(f"/me/certificates/{code}.pdf").status_code == 404
    assert org.post(f"/projects/{project_id}/transitions", {"to": "completed", "confirmed": "1"}).status_code == 302
    issued = html(staff.post(f"/projects/{project_id}/codes", {"households": "2"}))
    codes = re.findall(r"<li><code>([A-Z0-9]{8})</code></li>", issued)
    assert len(codes) == 2
    resident = person()
    wrong = resident.post_back("/evaluate", {"project_id": project_id, "code": "WRONGCODE", "satisfaction": "5"})
    assert 'id="err-code"' in html(wrong)
    missing = resident.post_back("/evaluate", {"project_id": project_id, "code": codes[0]})
    assert 'id="err-satisfaction"' in html(missing)
    assert resident.post("/evaluate", {"project_id": project_id, "code": codes[0], "satisfaction": "5",
                                       "comment": "很及时"}).status_code == 302
    # The next household types its code on the thanks page: a refusal there must not say thanks.
    again = resident.post_back(f"/evaluate?done={project_id}", {"project_id": project_id, "code": codes[0],
                                                                "satisfaction": "4"})
    assert "已使用" in html(again) and 'id="thanks"' not in html(again)
    assert 'action="/evaluate"' in html(resident.get(f"/evaluate?done={project_id}"))
    board = html(person("admin").get("/dashboard"))
    assert 'id="satisfaction">5.0<' in board and 'id="needs-completed">1<' in board
    assert "<svg" in board and 'class="map"' in board
    with world.platform.read_session() as s:
        assert s.get(Project, project_id).status == "completed"


def test_pages_for_another_role_say_not_allowed(person):
    volunteer = person("volunteer")
    response = volunteer.get("/needs/new")
    assert response.status_code == 403 and "没有权限" in html(response)
    assert person("org_staff").get("/me/hours").status_code == 403


def test_the_language_switch_is_remembered(person):
    staff = person("community_staff")
    assert '<html lang="zh-CN">' in html(staff.get("/"))
    staff.get("/lang/en", headers={"Referer": "http://localhost/needs"})
    page = html(staff.get("/needs"))
    assert '<html lang="en">' in page and "Our community&#39;s needs" in page
    bad = staff.post_back("/needs/new", need_form(lat="200"))
    assert "latitude must be within China" in html(bad)


def test_unknown_objects_are_a_not_found_page(person):
    staff = person("community_staff")
    response = staff.get("/needs/999999")
    assert response.status_code == 404 and "<html" in html(response)


def test_the_dashboard_states_the_window_of_its_time_to_match(person):
    page = html(person("admin").get("/dashboard"))
    stat = re.search(r'data-indicator="to_match".*?</div>', page, re.S).group(0)
    assert "近 30 天" in stat and "不含演示数据" in stat, stat


def test_the_dashboard_narrows_to_a_community(person, world):
    admin = person("admin")
    page = html(admin.get(f"/dashboard?community_id={world.ids['community']}"))
    assert "新华里社区" in page and 'data-indicator="organizations_per_10k"' in page
