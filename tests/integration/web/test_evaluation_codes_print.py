"""Printable evaluation codes: cut-out cards with the code, the project, the /evaluate link and its QR code."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.english import english_words
from tests.integration.api.test_hours import project_id  # noqa: F401 (fixture)
from tests.integration.web.test_pages import html
from tests.integration.web.test_verify_page import visible_text


@pytest.fixture
def completed(world, project_id):  # noqa: F811
    for status in ("in_progress", "completed"):
        moved = world.call("POST", f"/api/v1/projects/{project_id}/transitions", "org_staff", json={"to": status})
        assert moved.status_code == 200, moved.json
    return project_id


def issue(staff, project: int, households: int = 3) -> tuple[str, list[str]]:
    page = html(staff.post(f"/projects/{project}/codes", {"households": str(households)}))
    return page, re.findall(r"<li><code>([A-Z0-9]{8})</code></li>", page)


def test_the_codes_are_printable_right_where_they_are_shown_once(person, world, completed):
    staff = person("community_staff")
    page, codes = issue(staff, completed)
    assert len(codes) == 3
    form = re.search(
        r'<form[^>]*action="/projects/%d/evaluation-codes/print"[^>]*>(.*?)</form>' % completed, page, re.S
    )
    assert form, page
    assert sorted(re.findall(r'name="codes" value="([A-Z0-9]{8})"', form.group(1))) == sorted(codes)
    assert "打印评价码" in form.group(1)

    printed = staff.post(f"/projects/{completed}/evaluation-codes/print", {"codes": codes})
    sheet = html(printed)
    assert printed.status_code == 200 and 'class="top"' in sheet
    title = world.call("GET", f"/api/v1/projects/{completed}", "community_staff").json["title"]
    base = world.platform.settings.public_base_url.rstrip("/")
    cards = re.findall(r'<li class="code-card">(.*?)</li>', sheet, re.S)
    assert len(cards) == 3
    for code, card in zip(codes, cards):
        link = f"{base}/evaluate?project={completed}&code={code}"
        assert code in card and title in unescape(card) and link in unescape(card), card
        assert re.search(r'<svg[^>]*class="qr"[^>]*role="img"', card)  # the QR code, drawn inline
    assert " style=" not in sheet and "<style" not in sheet  # the CSP forbids inline styles
    assert english_words(visible_text(sheet), {c.lower() for c in codes}) == []


def test_only_unused_codes_of_that_project_are_printed(person, world, completed):
    staff = person("community_staff")
    _, codes = issue(staff, completed, households=2)
    resident = person()
    assert (
        resident.post("/evaluate", {"project_id": completed, "code": codes[0], "satisfaction": "5"}).status_code == 302
    )
    sheet = html(staff.post(f"/projects/{completed}/evaluation-codes/print", {"codes": [*codes, "ABCDEFGH"]}))
    cards = re.findall(r'<li class="code-card">(.*?)</li>', sheet, re.S)
    assert len(cards) == 1 and codes[1] in cards[0]
    assert "2 个评价码已使用或不属于本项目，未打印" in visible_text(sheet)


def test_only_the_projects_community_may_print_its_codes(person, world, completed):
    _, codes = issue(person("community_staff"), completed, households=1)
    path = f"/projects/{completed}/evaluation-codes/print"
    for someone in ("other_community_staff", "org_staff", "volunteer"):
        response = person(someone).post(path, {"codes": codes})
        assert response.status_code == 403 and codes[0] not in html(response), someone
    assert person().post(path, {"codes": codes}).status_code in (302, 400)  # no login: no sheet
    assert person("admin").post(path, {"codes": codes}).status_code == 200


def test_the_evaluate_page_takes_the_project_and_the_code_from_the_link(person, world, completed):
    _, codes = issue(person("community_staff"), completed, households=1)
    page = html(person().get(f"/evaluate?project={completed}&code={codes[0].lower()}"))
    assert re.search(r'<option value="%d" selected>' % completed, page)
    assert re.search(r'<input id="f-code" name="code" type="text" value="%s"' % codes[0], page), page
