"""q= over HTTP: the list endpoints find by Chinese, pinyin and initials, hide what the list hides, refuse bad input; community phones."""

from __future__ import annotations

API = "/api/v1"


def _names(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [item.get("title") or item["name"] for item in response.json["items"]]


def test_each_list_endpoint_searches_its_names(world):
    volunteer = world.call("GET", f"{API}/volunteers/{world.ids['other_volunteer']}", "admin").json["name"]
    assert volunteer == "王芳"
    for q in ("王芳", "wangfang", "wf", "WangF"):
        assert _names(world.call("GET", f"{API}/volunteers", "admin", query_string={"q": q})) == ["王芳"], q
    assert _names(world.call("GET", f"{API}/social-workers", "admin", query_string={"q": "zq"})) == ["赵强"]
    assert _names(world.call("GET", f"{API}/communities", "admin", query_string={"q": "fzl"})) == ["福州里社区"]
    assert world.call("GET", f"{API}/organizations", "admin", query_string={"q": "不存在的机构"}).json["total"] == 0


def test_search_never_finds_a_volunteer_the_list_hides(world):
    mine = world.call("GET", f"{API}/volunteers", "volunteer", query_string={"q": "wangfang"})
    assert mine.status_code == 200 and mine.json == {**mine.json, "items": [], "total": 0}


def test_a_search_with_control_characters_or_too_long_is_refused(world):
    for q in ("a\x00b", "x" * 51):
        response = world.call("GET", f"{API}/needs", "admin", query_string={"q": q})
        assert response.status_code == 422 and "q" in str(response.json), response.json


def test_a_community_gives_a_landline_with_an_extension(world):
    created = world.call(
        "POST",
        f"{API}/communities",
        "admin",
        json={
            "code": "120116099",
            "name": "新港社区",
            "street": "新港街道",
            "district": "滨海新区",
            "lat": 39.0,
            "lon": 117.7,
            "contact_phone": "022-25321234转8001",
        },
    )
    assert created.status_code == 201, created.json
    assert created.json["contact_phone"] == "022-25321234-8001"
    refused = world.call(
        "PATCH", f"{API}/communities/{created.json['id']}", "admin", json={"contact_phone": "13812345678转8001"}
    )
    assert refused.status_code == 422 and "contact_phone" in str(refused.json)
