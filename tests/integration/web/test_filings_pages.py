"""The filing pages (备案): residents' phone form and receipt without login; staff review and confirm."""

from __future__ import annotations

from sqlalchemy import func, select

from linkage.models import Filing, Organization
from tests.english import english_words
from tests.factories import valid_id_number
from tests.integration.api.conftest import db_fingerprint
from tests.integration.web.test_verify_page import visible_text

MEMBERS = "李秀英 13812345601\n张桂兰，13812345602\n王淑珍 13812345603"


def _form(world, **over):
    body = {
        "community_id": str(world.ids["community"]),
        "name": "海棠舞蹈队",
        "field": "文体",
        "members": MEMBERS,
        "responsible_name": "刘玉梅",
        "responsible_phone": "13912345678",
        "responsible_id_number": valid_id_number(77),
        "activity_place": "新华里社区文化广场",
    }
    body.update(over)
    return body


def test_story_20_1_pages_residents_file_on_a_phone_the_community_accepts_the_street_confirms(person, world):
    resident = person()
    page = resident.get("/filings/new")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "社区社会组织备案申请" in html and "新华里社区" in html
    done = resident.post("/filings/new", _form(world))
    assert done.status_code == 302 and "/filings/t/" in done.headers["Location"]
    receipt = done.headers["Location"]
    html = resident.get(receipt).get_data(as_text=True)
    assert "待社区受理" in html and "139****5678" in html and "13912345678" not in html
    assert valid_id_number(77) not in html and "138****5601" in html
    with world.platform.read_session() as s:
        fid = s.scalar(select(Filing.id))

    staff = person("community_staff")
    assert "海棠舞蹈队" in staff.get("/filings").get_data(as_text=True)
    html = staff.get(f"/filings/{fid}").get_data(as_text=True)
    assert "受理，报街道确认" in html and "13912345678" in html
    assert staff.post(f"/filings/{fid}/review", {"decision": "accept"}).status_code == 302

    other = person("other_community_staff")
    assert other.get(f"/filings/{fid}").status_code == 404
    assert "海棠舞蹈队" not in other.get("/filings").get_data(as_text=True)

    street = person("admin")
    html = street.get(f"/filings/{fid}").get_data(as_text=True)
    assert "待街道确认" in html and "确认备案" in html
    assert street.post(f"/filings/{fid}/confirmation", {"decision": "confirm"}).status_code == 302
    assert "已登记为社区社会组织" in street.get(f"/filings/{fid}").get_data(as_text=True)
    html = resident.get(receipt).get_data(as_text=True)
    assert "已备案" in html and "已登记为社区社会组织" in html
    for page in (
        html,
        resident.get("/filings/new").get_data(as_text=True),
        street.get("/filings").get_data(as_text=True),
        street.get(f"/filings/{fid}").get_data(as_text=True),
    ):
        assert english_words(visible_text(page)) == [], english_words(visible_text(page))
    with world.platform.read_session() as s:
        org = s.scalar(select(Organization).where(Organization.name == "海棠舞蹈队"))
    assert org is not None and org.registration == "filed" and org.uscc is None


def test_a_bad_filing_comes_back_with_its_message_and_stores_nothing(person, world):
    resident = person()
    before = db_fingerprint(world.platform)
    html = resident.post_back("/filings/new", _form(world, members="李秀英 13812345601")).get_data(as_text=True)
    assert "请至少填写 3 名成员" in html
    html = resident.post_back("/filings/new", _form(world, members="李秀英\n张桂兰 13812345602")).get_data(as_text=True)
    assert "第 1 行" in html
    html = resident.post_back("/filings/new", _form(world, responsible_id_number="120116198501010000")).get_data(
        as_text=True
    )
    assert "海棠舞蹈队" in html  # what was typed stays
    assert db_fingerprint(world.platform) == before
    with world.platform.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Filing)) == 0


def test_a_forged_receipt_is_not_found(person, world):
    assert person().get("/filings/t/not-a-token").status_code == 404
