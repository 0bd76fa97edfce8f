"""培育发展 (/growth): the district names a brand organization and records a social worker's placement; the
dashboard shows the growth indicators against their targets."""

from __future__ import annotations

from sqlalchemy import select

from linkage.models import BrandDesignation, Placement
from linkage.services.qualifications import china_day


def test_the_district_designates_a_brand_and_records_a_placement_on_the_page(person, world):
    admin = person("admin")
    page = admin.get("/growth")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "培育发展" in html and "品牌社会组织" in html and "社工引入社会组织" in html
    today = china_day()
    done = admin.post(
        "/growth/brands", {"organization_id": world.ids["organization"], "year": today.year, "reason": "服务成效突出"}
    )
    assert done.status_code == 302
    done = admin.post(
        "/growth/placements",
        {
            "social_worker_id": world.ids["other_social_worker"],
            "organization_id": world.ids["organization"],
            "placed_on": today.isoformat(),
            "note": "驻点服务",
        },
    )
    assert done.status_code == 302
    html = admin.get("/growth").get_data(as_text=True)
    assert "服务成效突出" in html and "赵强" in html and "驻点服务" in html
    with world.platform.read_session() as s:
        [brand] = s.scalars(select(BrandDesignation)).all()
        [placement] = s.scalars(select(Placement)).all()
    assert admin.post(f"/growth/brands/{brand.id}/revocation", {"reason": "年度考核不合格"}).status_code == 302
    assert "已撤销" in admin.get("/growth").get_data(as_text=True)
    assert admin.post(f"/growth/placements/{placement.id}/delete", {}).status_code == 302
    with world.platform.read_session() as s:
        assert s.scalars(select(Placement)).all() == []


def test_a_bad_placement_comes_back_with_its_message_and_stores_nothing(person, world):
    admin = person("admin")
    html = admin.post_back(
        "/growth/placements",
        {
            "social_worker_id": world.ids["social_worker"],
            "organization_id": world.ids["organization"],
            "placed_on": "2999-01-01",
        },
    ).get_data(as_text=True)
    assert "晚于现在" in html, html[:2000]
    with world.platform.read_session() as s:
        assert s.scalars(select(Placement)).all() == []


def test_the_page_is_the_districts_and_the_dashboard_shows_the_growth_targets(person):
    assert person("auditor").get("/growth").status_code == 403
    assert person("community_staff").get("/growth").status_code == 403
    html = person("admin").get("/dashboard").get_data(as_text=True)
    assert "培育发展指标" in html and 'data-growth="brand_organizations_per_district"' in html
    assert "每街道本年引入社工的社会组织数" in html and "目标" in html


def test_an_organizations_staff_record_placements_into_their_own_organization_only(person, world):
    staff = person("org_staff")
    html = staff.get("/growth").get_data(as_text=True)
    assert 'action="/growth/brands"' not in html, "naming brand organizations is the district's"
    offered = html[html.index('id="p-org"') :].split("</select>", 1)[0]
    assert f'value="{world.ids["organization"]}"' in offered
    assert f'value="{world.ids["other_organization"]}"' not in offered, "only their own organization is offered"
    today = china_day().isoformat()
    done = staff.post(
        "/growth/placements",
        {
            "social_worker_id": world.ids["other_social_worker"],
            "organization_id": world.ids["organization"],
            "placed_on": today,
        },
    )
    assert done.status_code == 302
    refused = staff.post(  # only a forged form names another organization: refused outright
        "/growth/placements",
        {
            "social_worker_id": world.ids["social_worker"],
            "organization_id": world.ids["other_organization"],
            "placed_on": today,
        },
    )
    assert refused.status_code == 403, refused.status_code
    with world.platform.read_session() as s:
        assert [p.organization_id for p in s.scalars(select(Placement))] == [world.ids["organization"]]
