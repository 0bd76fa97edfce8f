"""Residents' voice (议事协商) on pages: staff open a consultation and print codes; a resident, without an
account, proposes and votes on a phone page and finds their receipt; staff close it and make the winner a need."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from linkage.models import ConsultationItem, ConsultationVote, utcnow
from tests.english import english_words
from tests.integration.api.conftest import db_fingerprint
from tests.integration.web.test_pages import html, local
from tests.integration.web.test_verify_page import visible_text


def _open(staff, **over) -> int:
    now = utcnow()
    form = {
        "title": "楼道加装扶手还是办老年餐桌",
        "description": "每户一票",
        "opens_at": local(now - timedelta(hours=1)),
        "closes_at": local(now + timedelta(days=7)),
        "max_proposals": "5",
        **over,
    }
    done = staff.post("/consultations", form)
    assert done.status_code == 302, html(done)[:500]
    return int(done.headers["Location"].rsplit("/", 1)[1])


def _codes(staff, cid: int, n: int) -> tuple[str, list[str]]:
    page = html(staff.post(f"/consultations/{cid}/codes", {"count": str(n)}))
    return page, re.findall(r"<li><code>([A-Z0-9]{8})</code></li>", page)


def test_staff_open_print_codes_residents_vote_and_the_winner_becomes_a_need(person, world):
    staff = person("community_staff")
    assert "居民议事" in html(staff.get("/consultations"))
    cid = _open(staff)
    page, codes = _codes(staff, cid, 3)
    assert len(codes) == 3 and "打印议事码" in page
    printed = html(staff.post(f"/consultations/{cid}/codes/print", {"codes": codes}))
    assert all(code in printed for code in codes) and f"/c/{cid}?code=" in printed and "<svg" in printed
    assert "议事码：" in printed and "评价码" not in printed
    assert english_words(visible_text(printed), {c.lower() for c in codes}) == []

    resident = person()  # no account
    phone = html(resident.get(f"/c/{cid}?code={codes[0]}"))
    assert "楼道加装扶手还是办老年餐桌" in phone and codes[0] in phone
    assert english_words(visible_text(phone), {codes[0].lower()}) == []
    assert (
        resident.post(f"/c/{cid}/propose", {"code": codes[0], "title": "楼道加装扶手", "description": ""}).status_code
        == 302
    )
    with world.platform.read_session() as s:
        item = s.scalars(select(ConsultationItem)).one()
    voted = resident.post(f"/c/{cid}/vote", {"code": codes[0], "item_id": str(item.id)})
    assert voted.status_code == 302
    result = html(resident.get(voted.headers["Location"]))
    receipt = re.search(r'id="mine">([A-Z0-9]{10})<', result).group(1)
    assert "您的匿名回执是 " + receipt in result and "共 1 票" in result
    assert english_words(visible_text(result), {receipt.lower()}) == []

    before = db_fingerprint(world.platform)
    again = html(resident.post_back(f"/c/{cid}/vote", {"code": codes[0], "item_id": str(item.id)}))
    assert "这个议事码已使用过" in again
    unknown = html(resident.post_back(f"/c/{cid}/vote", {"code": "ZZZZZZZZ", "item_id": str(item.id)}))
    assert "议事码不正确" in unknown
    assert db_fingerprint(world.platform) == before

    assert staff.post(f"/consultations/{cid}/close", {}).status_code == 302
    made = staff.post(f"/consultations/{cid}/items/{item.id}/need", {"category": "养老"})
    assert made.status_code == 302 and "/needs/" in made.headers["Location"]
    need_page = html(staff.get(made.headers["Location"]))
    assert 'id="need-origin"' in need_page and "楼道加装扶手" in need_page
    closed = html(resident.get(f"/c/{cid}/result"))
    assert "已转为需求" in closed and "已结束" in closed
    listed = html(resident.get(f"/c/community/{world.ids['community']}"))
    assert "楼道加装扶手还是办老年餐桌" in listed
    refused = html(resident.post_back(f"/c/{cid}/vote", {"code": codes[1], "item_id": str(item.id)}))
    assert "已结束" in refused
    with world.platform.read_session() as s:
        assert s.scalar(select(func.count(ConsultationVote.id))) == 1


def test_another_communitys_staff_and_other_roles_do_not_see_the_staff_page(person, world):
    cid = _open(person("community_staff"))
    assert person("other_community_staff").get(f"/consultations/{cid}").status_code == 404
    assert person("org_staff").get("/consultations").status_code == 403
    assert person("auditor").get(f"/consultations/{cid}").status_code == 200
    assert person().get(f"/c/{cid}/result").status_code == 200
    assert person().post("/c/987654/vote", {"code": "ZZZZZZZZ", "item_id": "1"}).status_code == 404


def test_a_bad_consultation_form_shows_its_errors(person, world):
    staff = person("community_staff")
    now = utcnow()
    before = db_fingerprint(world.platform)
    page = html(staff.post_back("/consultations", {"title": "", "opens_at": local(now), "closes_at": local(now)}))
    assert 'id="err-title"' in page
    page = html(
        staff.post_back(
            "/consultations",
            {
                "title": "老年餐桌",
                "opens_at": local(now + timedelta(days=2)),
                "closes_at": local(now + timedelta(days=1)),
            },
        )
    )
    assert 'id="err-closes_at"' in page and "截止时间须晚于开始时间" in page and "老年餐桌" in page
    assert db_fingerprint(world.platform) == before
