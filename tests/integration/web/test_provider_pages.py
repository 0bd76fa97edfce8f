"""The provider list pages and the needs page: searched by pinyin, paged, masked, only for the roles that read them."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from tests.integration.api.conftest import ADMIN, need_body


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_the_volunteer_roster_finds_by_initials_and_masks_the_phone(world, person):
    staff = person("community_staff")
    page = _text(staff.get("/volunteers?q=wf"))
    assert "志愿者名册" in page and "王芳" in page and "李明" not in page
    assert "138****0002" in page and "13800000002" not in page  # masked as the API masks it
    assert 'class="list-actions"' in page and 'name="q"' in page and 'value="wf"' in page
    assert "李明" in _text(staff.get("/volunteers?q=liming")) and "李明" in _text(staff.get("/volunteers?q=李"))
    assert "没有找到" in _text(staff.get("/volunteers?q=zzzz"))


def test_a_volunteer_of_another_community_is_not_found_from_the_page(world, person):
    page = _text(person("other_community_staff").get("/volunteers?q=wangfang"))
    assert "王芳" not in page


def test_each_list_page_searches_and_filters(world, person):
    admin = person("admin")
    assert "赵强" in _text(admin.get("/social-workers?q=zhaoqiang"))
    assert "赵强" in _text(admin.get("/social-workers?q=zq&certificate_level=intermediate"))
    assert "赵强" not in _text(admin.get("/social-workers?q=zq&certificate_level=senior"))
    organizations = _text(admin.get("/organizations"))
    assert "社会组织" in organizations and organizations.count('class="card"') == 2
    assert "慈善资源" in _text(admin.get("/resources?kind=nonsense&q=%00"))  # a bad filter is ignored


def test_only_the_roles_that_read_the_lists_open_them(world, person):
    assert person("volunteer").get("/volunteers").status_code == 403
    assert person("social_worker").get("/volunteers").status_code == 403
    assert person("social_worker").get("/organizations").status_code == 200
    assert person().get("/volunteers").status_code == 302  # to the login page
    nav = _text(person("community_staff").get("/needs"))
    for path in ("/volunteers", "/organizations", "/social-workers", "/resources"):
        assert f'href="{path}"' in nav
    assert 'href="/volunteers"' not in _text(person("volunteer").get("/activities"))


def test_the_needs_page_searches_titles_by_pinyin(world, person):
    from linkage.services import needs

    starts = datetime.now(timezone.utc) + timedelta(days=3)
    for title in ("重阳节送餐", "儿童课业辅导"):
        with world.platform.uow() as uow:
            needs.post_need(
                uow,
                ADMIN,
                {
                    **need_body(world.ids["community"], title=title),
                    "starts_at": starts,
                    "ends_at": starts + timedelta(hours=2),
                },
            )
    staff = person("community_staff")
    page = _text(staff.get("/needs?q=cyj"))
    assert "重阳节送餐" in page and "儿童课业辅导" not in page
    page = _text(staff.get("/needs?q=ertong"))
    assert "儿童课业辅导" in page and "重阳节送餐" not in page
    assert re.search(r'<input type="search" id="q" name="q" value="ertong"', page)
