"""The public certificate check: /verify has a box for the number on a paper certificate, /verify/<code> a styled verdict."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.english import english_words
from tests.integration.api.test_hours import log, past_activity, project_id, review  # noqa: F401 (fixture)
from tests.integration.web.test_pages import html


class _Reader(HTMLParser):
    """What a reader sees of a page: its text, and the words of titles and placeholders."""

    def __init__(self):
        super().__init__()
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        self.parts += [value for name, value in attrs if name in ("title", "placeholder") and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(page: str) -> str:
    reader = _Reader()
    reader.feed(page)
    return " ".join(" ".join(reader.parts).split())


def issued_code(world, project_id) -> str:  # noqa: F811
    review(world, log(world, past_activity(world, project_id, days_ago=2), 90).json["id"])
    volunteer = world.ids["volunteer"]
    return world.call("POST", f"/api/v1/volunteers/{volunteer}/certificates", "volunteer", json={}).json["code"]


def test_verify_offers_a_box_for_the_number_printed_on_a_paper_certificate(person):
    response = person().get("/verify")
    page = html(response)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert '<html lang="zh-CN">' in page and 'class="top"' in page  # the site's own page, with its header
    form = re.search(r'<form[^>]*method="get"[^>]*action="/verify"[^>]*>(.*?)</form>', page, re.S)
    assert form and re.search(r'<input[^>]*name="code"', form.group(1)), page
    assert "志愿服务记录证明核验" in page and "证明编号" in page
    assert english_words(visible_text(page)) == []


def test_a_typed_code_leads_to_the_verdict_and_what_the_certificate_vouches_for(person, world, project_id):  # noqa: F811
    code = issued_code(world, project_id)
    someone = person()  # no login: anyone holding the paper may check it
    typed = someone.get(f"/verify?code=+{code.lower()}+")
    assert typed.status_code == 302 and typed.headers["Location"] == f"/verify/{code}"
    response = someone.get(typed.headers["Location"])
    page = html(response)
    assert response.status_code == 200 and 'class="top"' in page
    text = visible_text(page)
    for expected in ("有效证明", code, "李*", "1.5 小时", "服务期间", "出具单位", "出具日期"):
        assert expected in text, (expected, text)
    assert "李明" not in text and "1201" not in text  # the name masked, no ID number
    assert '<input id="f-code" name="code"' in page  # another number can be checked from here
    assert english_words(text, {code.lower()}) == []  # a code may happen to be all letters
    # The QR code on the certificate holds the full link: pasting it into the box works too.
    pasted = someone.get(f"/verify?code=http://localhost/verify/{code}")
    assert pasted.headers["Location"] == f"/verify/{code}"


def test_an_unknown_code_is_a_friendly_chinese_not_found_on_the_same_page(person):
    response = person().get("/verify/ZY2NOSUCH3")
    page = html(response)
    assert response.status_code == 404 and response.mimetype == "text/html"
    text = visible_text(page)
    assert "未找到证明编号 ZY2NOSUCH3" in text and 'class="top"' in page and 'name="code"' in page
    assert english_words(text) == []


def test_an_empty_box_asks_for_the_number(person):
    response = person().get("/verify?code=+")
    assert response.status_code == 422 and "请输入证明编号" in visible_text(html(response))


def test_a_revoked_certificate_says_so_in_chinese(person, world, project_id):  # noqa: F811
    code = issued_code(world, project_id)
    revoked = world.call("POST", f"/api/v1/certificates/{code}/revocation", "org_staff", json={"reason": "记录有误"})
    assert revoked.status_code == 200
    text = visible_text(html(person().get(f"/verify/{code}")))
    assert "已撤销" in text and "记录有误" in text and "有效证明" not in text
    assert english_words(text, {code.lower()}) == []
