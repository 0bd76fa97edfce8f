"""Pages speak Chinese by default and English after the switch: their words and the domain's messages."""

from __future__ import annotations

from tests.integration.web.test_pages import html, need_form


def test_a_page_in_english_says_the_domains_message_in_english(person):
    staff = person("community_staff")
    zh = html(staff.get("/needs/999999"))
    assert "需求 999999 不存在" in zh and "找不到" in zh
    staff.get("/lang/en", headers={"Referer": "http://localhost/needs"})
    en = html(staff.get("/needs/999999"))
    assert '<html lang="en">' in en and "need 999999 does not exist" in en and "Not found" in en
    assert "不存在" not in en


def test_a_form_in_english_shows_field_messages_in_english(person):
    staff = person("community_staff")
    form = need_form()
    form["ends_at"] = form["starts_at"]
    assert "结束时间须晚于开始时间" in html(staff.post_back("/needs/new", form))
    staff.get("/lang/en", headers={"Referer": "http://localhost/needs"})
    page = html(staff.post_back("/needs/new", form))
    assert 'id="err-ends_at"' in page and "must be later than starts_at" in page
    assert "Please fix the marked fields" in page and "结束时间" not in page
