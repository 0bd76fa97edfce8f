"""The dashboard page: filters that narrow each other, a mismatch said and cleared, rows in code order."""

from __future__ import annotations

import re

import pytest

from linkage.services.communities import register_community
from tests.factories import ADMIN, community_body


def html(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def places(world):
    """Beside the world's two 新港街道 communities: one in 新北街道 (same district), one in 和平区."""
    with world.platform.uow() as uow:
        north = register_community(uow, ADMIN, community_body(code="120116002005", name="新北社区", street="新北街道"))
        heping = register_community(
            uow, ADMIN, community_body(code="120101001001", name="南营门社区", street="南营门街道", district="和平区")
        )
        ids = {"north": north.id, "heping": heping.id}
    return ids


def options(page: str, select_id: str) -> list[str]:
    block = re.search(rf'<select id="{select_id}".*?</select>', page, re.S).group(0)
    return [o.strip() for o in re.findall(r"<option[^>]*>([^<]*)</option>", block)][1:]  # without 全部


def test_a_district_limits_the_streets_and_a_street_the_communities(person, world, places):
    admin = person("admin")
    page = html(admin.get("/dashboard?district=和平区"))
    assert options(page, "s") == ["南营门街道"]
    assert options(page, "c") == ["南营门街道 南营门社区"]
    page = html(admin.get("/dashboard?district=滨海新区&street=新北街道"))
    assert set(options(page, "s")) == {"新港街道", "新北街道"} and options(page, "c") == ["新北社区"]
    everything = html(admin.get("/dashboard"))
    assert "和平区 南营门街道" in options(everything, "s") and len(options(everything, "c")) == 4


def test_a_street_of_another_district_is_cleared_and_said_not_shown_as_zeros(person, world, places):
    admin = person("admin")
    response = admin.get("/dashboard?district=和平区&street=新港街道")
    page = html(response)
    assert response.status_code == 200
    assert 'data-ignored="street"' in page and "所选街道不在所选的区内" in page
    assert re.search(r'<option value="和平区" selected>', page)
    assert "selected>新港街道" not in page  # the street select is back on 全部
    assert re.search(r'<p class="muted">社区数 1 ·', page), page  # the district's own figures, not zeros


def test_a_community_of_another_street_is_cleared_and_said(person, world, places):
    admin = person("admin")
    page = html(admin.get(f"/dashboard?district=滨海新区&street=新港街道&community_id={places['heping']}"))
    assert 'data-ignored="community_id"' in page and "所选社区不在所选的区或街道内" in page
    assert 'data-ignored="street"' not in page and re.search(r'<option value="新港街道" selected>', page)
    fine = html(admin.get(f"/dashboard?district=和平区&community_id={places['heping']}"))
    assert "data-ignored" not in fine


def test_the_breakdown_rows_and_the_choices_follow_the_statistical_codes(person, world, places):
    """Rows in 统计用区划代码 order (district, street, community), as the district's own tables are;
    the page says so."""
    admin = person("admin")
    page = html(admin.get("/dashboard"))
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th>', page)
    assert rows == ["和平区", "滨海新区"], rows  # 120101 before 120116
    assert "按统计用区划代码排序" in page
    assert options(page, "d") == ["和平区", "滨海新区"]
    page = html(admin.get("/dashboard?district=滨海新区"))
    assert re.findall(r'<tr><th scope="row">([^<]+)</th>', page) == ["新港街道", "新北街道"]
    assert options(page, "s") == ["新港街道", "新北街道"]
    page = html(admin.get("/dashboard?district=滨海新区&street=新港街道"))
    assert re.findall(r'<tr><th scope="row">([^<]+)</th>', page) == ["新华里社区", "福州里社区"]
