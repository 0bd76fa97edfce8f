"""The bell, the inbox page (mark read, settings) and the home page's to-do list, as a person uses them."""

from __future__ import annotations

import re

from sqlalchemy import select

from linkage.models import User
from linkage.services.inbox import store_notices
from linkage.services.notifications import Notice
from tests.factories import Build


def _notify(world, username: str, key: str, link: str = "/me/hours") -> int:
    with world.platform.uow() as uow:
        user = uow.session.scalars(select(User.id).where(User.username == username)).one()
        (row,) = store_notices(uow.session, [Notice(user, "hours_verified", key, {"minutes": 30}, link)])
        uow.commit()
        return row.id


def _bell(html: str) -> str:
    found = re.search(r'id="bell"[^>]*aria-label="([^"]+)"', html)
    return found.group(1) if found else ""


def test_the_bell_counts_unread_and_opening_a_notice_reads_it_and_goes_to_its_page(world, person):
    first, _second = _notify(world, "volunteer", "a"), _notify(world, "volunteer", "b")
    _notify(world, "other_volunteer", "c")
    me = person("volunteer")
    home = me.get("/").get_data(as_text=True)
    assert _bell(home) == "通知，2 条未读" and 'id="bell-count">2<' in home
    page = me.get("/inbox").get_data(as_text=True)
    assert page.count("您的服务时长（30 分钟）已核实") == 2 and 'data-kind="hours_verified"' in page
    opened = me.post(f"/inbox/{first}/read", {"go": "1"})
    assert opened.status_code == 303 and opened.headers["Location"].endswith("/me/hours")
    assert _bell(me.get("/").get_data(as_text=True)) == "通知，1 条未读"
    me.post("/inbox/read-all")
    assert 'id="bell-count"' not in me.get("/").get_data(as_text=True)


def test_another_persons_notice_cannot_be_read_and_no_notice_leaves_the_bell_empty(world, person):
    theirs = _notify(world, "other_volunteer", "c")
    me = person("volunteer")
    assert me.post(f"/inbox/{theirs}/read").status_code == 404
    assert "暂无通知" in me.get("/inbox").get_data(as_text=True)
    assert 'id="bell"' not in person().get("/login").get_data(as_text=True)


def test_settings_with_a_bad_time_go_back_with_its_message_and_good_ones_are_kept(world, person):
    me = person("volunteer")
    page = me.post_back(
        "/inbox/settings", {"opted_out": "reminder_24h", "quiet_start": "25:00", "quiet_end": "07:00"}
    ).get_data(as_text=True)
    assert "请按“时:分”填写" in page and 'value="25:00"' in page
    saved = me.post(
        "/inbox/settings",
        {"opted_out": ["reminder_24h", "checkin_missed"], "quiet_start": "21:30", "quiet_end": "06:00"},
    )
    assert saved.status_code in (302, 303)
    page = me.get("/inbox").get_data(as_text=True)
    assert 'value="21:30"' in page and 'value="reminder_24h" checked' in page
    assert 'value="signup_confirmed" checked' not in page


def test_the_home_page_lists_what_waits_for_each_role_with_a_link_to_act(world, person):
    build = Build(world.platform)
    build.claim(build.need(world.ids["community"]), world.ids["other_organization"])
    project = build.project(
        organization=world.ids["organization"], community=world.ids["community"], status="in_progress"
    )
    build.hour_record(build.past_activity(project), world.ids["volunteer"])
    staff = person("community_staff").get("/").get_data(as_text=True)
    assert re.search(r'href="/needs" id="todo-claims"><span>待决定的认领</span><span class="count">1<', staff)
    org = person("org_staff").get("/").get_data(as_text=True)
    assert re.search(r'id="todo-hours"><span>待核实的服务时长</span><span class="count">1<', org)
    assert "暂无待办事项" in person("other_org_staff").get("/").get_data(as_text=True)
