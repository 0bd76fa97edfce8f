"""The API's error messages follow Accept-Language (English unless asked), with the domain code as `reason`."""
from __future__ import annotations

import pytest

from tests.integration.api.conftest import need_body
from tests.integration.api.test_bad_input import ids_with_need  # noqa: F401  (a fixture)

WRONG_LOGIN = {"username": "admin", "password": "nope-nope"}


@pytest.mark.parametrize("accept, message", [
    (None, "wrong username or password"),
    ("en", "wrong username or password"),
    ("zh-CN", "用户名或密码错误"),
    ("zh-CN,zh;q=0.9,en;q=0.8", "用户名或密码错误"),
    ("zh", "用户名或密码错误"),
    ("fr-FR, en;q=0.5", "wrong username or password"),
])
def test_a_domain_error_speaks_the_language_asked_for(world, accept, message):
    headers = {"Accept-Language": accept} if accept else {}
    response = world.call("POST", "/api/v1/auth/token", json=WRONG_LOGIN, headers=headers)
    assert response.status_code == 401
    assert response.json == {"code": 401, "status": "Unauthorized", "message": message, "reason": "login.failed"}


def test_field_messages_follow_the_language_too(world, ids_with_need):
    path = f"/api/v1/needs/{ids_with_need['need']}"
    zh = world.call("PATCH", path, "community_staff", json={}, headers={"Accept-Language": "zh-CN"})
    en = world.call("PATCH", path, "community_staff", json={}, headers={"Accept-Language": "en"})
    assert zh.status_code == en.status_code == 422
    assert zh.json["reason"] == en.json["reason"] == "request.nothing_to_change"
    assert zh.json["message"] == "没有要修改的字段" and zh.json["errors"] == {"_body": ["至少提供一个要修改的字段"]}
    assert en.json["message"] == "nothing to change: send at least one field"
    assert en.json["errors"] == {"_body": ["at least one field to change"]}


def test_a_field_message_with_parameters_is_filled_in_each_language(world):
    body = need_body(world.ids["community"], starts_at="9999-01-01T08:00:00+08:00")
    zh = world.call("POST", "/api/v1/needs", "community_staff", json=body, headers={"Accept-Language": "zh-CN"})
    en = world.call("POST", "/api/v1/needs", "community_staff", json=body)
    assert zh.status_code == en.status_code == 422, en.json
    assert zh.json["message"] == "输入有误" and en.json["message"] == "invalid input"
    assert zh.json["errors"]["starts_at"] == ["年份须在 1902–9000 之间"]
    assert en.json["errors"]["starts_at"] == ["the year must be between 1902 and 9000"]
    assert "reason" not in en.json  # the schema's validation, not a domain error: no domain code


def test_the_librarys_own_messages_get_chinese_when_asked(world):
    body = {"name": "x"}
    zh = world.call("POST", "/api/v1/communities", "admin", json=body, headers={"Accept-Language": "zh-CN"})
    en = world.call("POST", "/api/v1/communities", "admin", json=body)
    assert zh.json["errors"]["code"] == ["必填"]
    assert en.json["errors"]["code"] == ["Missing data for required field."]
