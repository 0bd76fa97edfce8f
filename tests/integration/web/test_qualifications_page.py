"""The volunteer's page for qualifications, weekly free time and leave (资质与空闲时间)."""

from __future__ import annotations

from sqlalchemy import select

from linkage.models import Qualification, Volunteer
from linkage.services.qualifications import china_day


def _volunteer(world):
    with world.platform.read_session() as s:
        return s.get(Volunteer, world.ids["volunteer"])


def test_a_volunteer_adds_a_qualification_and_sees_it_masked(person, world):
    me = person("volunteer")
    page = me.get("/me/qualifications")
    assert page.status_code == 200 and "资质与空闲时间" in page.get_data(as_text=True)
    done = me.post(
        "/me/qualifications",
        {"kind": "first_aid", "number": "JJ2024-000123", "issued_on": "2024-03-01", "expires_on": "2027-02-28"},
    )
    assert done.status_code == 302
    html = me.get("/me/qualifications").get_data(as_text=True)
    assert "急救证" in html and "JJ20*****0123" in html and "JJ2024-000123" not in html and "有效" in html
    with world.platform.read_session() as s:
        [row] = s.scalars(select(Qualification).where(Qualification.volunteer_id == world.ids["volunteer"])).all()
    assert me.post(f"/me/qualifications/{row.id}", {"expires_on": "", "issued_on": "2024-03-01"}).status_code == 302
    assert "长期有效" in me.get("/me/qualifications").get_data(as_text=True)
    assert me.post(f"/me/qualifications/{row.id}/delete", {}).status_code == 302
    with world.platform.read_session() as s:
        assert s.get(Qualification, row.id) is None


def test_a_bad_qualification_comes_back_with_its_message(person, world):
    me = person("volunteer")
    html = me.post_back("/me/qualifications", {"kind": "social_work", "issued_on": "2024-03-01"}).get_data(as_text=True)
    assert "社工证请选择等级" in html
    with world.platform.read_session() as s:
        assert s.scalars(select(Qualification)).all() == []


def test_free_time_and_leave_are_edited_on_the_page(person, world):
    me = person("volunteer")
    assert me.post("/me/availability", {"availability": ["mon_am", "sat_eve"]}).status_code == 302
    assert _volunteer(world).availability == ["mon_am", "sat_eve"]
    start = china_day().isoformat()
    assert me.post("/me/leave", {"from": start, "to": start}).status_code == 302
    assert _volunteer(world).leave == [{"from": start, "to": start}]
    html = me.post_back("/me/leave", {"from": start, "to": "2020-01-01"}).get_data(as_text=True)
    assert "结束日期不能早于开始日期" in html and len(_volunteer(world).leave) == 1
    assert me.post("/me/leave/delete", {"from": start, "to": start}).status_code == 302
    assert _volunteer(world).leave == []
    assert me.post("/me/availability", {}).status_code == 302  # every box unticked
    assert _volunteer(world).availability == []


def test_the_page_is_the_volunteers_own(person):
    assert person("org_staff").get("/me/qualifications").status_code == 403


def test_a_need_posted_on_its_form_can_require_a_qualification(person):
    from tests.integration.web.test_pages import need_form

    staff = person("community_staff")
    assert "所需资质" in staff.get("/needs/new").get_data(as_text=True)
    posted = staff.post("/needs/new", need_form(qualification_required="first_aid"))
    assert posted.status_code == 302, posted.get_data(as_text=True)[:500]
    page = staff.get(posted.headers["Location"]).get_data(as_text=True)
    assert "所需资质" in page and "急救证" in page
    plain = staff.post("/needs/new", need_form(qualification_required=""))
    assert "所需资质" not in staff.get(plain.headers["Location"]).get_data(as_text=True)
