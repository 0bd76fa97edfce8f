"""Transfer and safety pages: export downloads on my hours, staff import with files, trusted platforms, insurance."""

from __future__ import annotations

import io
import json

from sqlalchemy import func, select

from linkage.models import ImportedHours, Insurance
from tests.integration.api import transfer_world
from tests.integration.api.matrix_scene import Scene


def _imported(world) -> int:
    with world.platform.read_session() as s:
        return s.scalar(select(func.count()).select_from(ImportedHours))


def _files(document: dict | str, signature: str, code: str) -> dict:
    raw = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False, indent=2)
    return {
        "volunteer_code": code,
        "document": (io.BytesIO(raw.encode()), "export.json"),
        "signature": (io.BytesIO(signature.encode()), "export.json.sig"),
    }


def _code(world) -> str:
    from linkage.models import Volunteer

    with world.platform.read_session() as s:
        return s.get(Volunteer, world.ids["volunteer"]).code


def test_the_volunteer_downloads_a_matching_json_signature_and_pdf(world, person):
    me = person("volunteer")
    refused = me.get("/me/transfer/export.json")  # nothing verified yet: back to the page, told why
    assert refused.status_code == 303
    assert "没有可导出的已核实服务时长" in me.get(refused.headers["Location"]).get_data(as_text=True)
    Scene(world).verified_record()
    page = me.get("/me/hours").get_data(as_text=True)
    assert "转入时长" in page and "/me/transfer/export.json.sig" in page
    document = me.get("/me/transfer/export.json")
    signature = me.get("/me/transfer/export.json.sig").get_data(as_text=True).strip()
    assert document.status_code == 200 and document.mimetype == "application/json"
    from linkage import signing

    assert signing.verify(world.platform.signer.public_key, document.data, signature)
    pdf = me.get("/me/transfer/export.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_staff_import_an_export_and_the_volunteer_sees_it_apart(world, person):
    staff = person("community_staff")
    signed = transfer_world.signed(transfer_world.document(minutes=150))
    untrusted = staff.post(
        "/transfer/import",
        _files(signed["document"], signed["signature"], _code(world)),
        content_type="multipart/form-data",
    )
    assert untrusted.status_code == 422 and "出具平台不在信任列表中" in untrusted.get_data(as_text=True)

    admin = person("admin")
    page = admin.get("/transfer/platforms").get_data(as_text=True)
    assert world.platform.signer.public_key_text in page
    added = admin.post(
        "/transfer/platforms", {"name": "甲区平台", "public_key": transfer_world.OTHER_PLATFORM.public_key_text}
    )
    assert added.status_code == 302
    assert "甲区平台" in admin.get("/transfer/platforms").get_data(as_text=True)

    tampered = json.loads(json.dumps(signed["document"]))
    tampered["records"][0]["minutes"] = 151
    refused = staff.post(
        "/transfer/import", _files(tampered, signed["signature"], _code(world)), content_type="multipart/form-data"
    )
    assert refused.status_code == 422 and "签名核验未通过" in refused.get_data(as_text=True)
    broken = staff.post(
        "/transfer/import", _files("{not json", signed["signature"], _code(world)), content_type="multipart/form-data"
    )
    assert broken.status_code == 422 and "文件不是有效的转移接续记录" in broken.get_data(as_text=True)
    assert _imported(world) == 0

    done = staff.post(
        "/transfer/import",
        _files(signed["document"], signed["signature"], _code(world)),
        content_type="multipart/form-data",
    )
    assert done.status_code == 303 and _imported(world) == 1
    assert "已从甲区平台转入 1 条记录" in staff.get(done.headers["Location"]).get_data(as_text=True)
    mine = person("volunteer").get("/me/hours").get_data(as_text=True)
    assert 'id="imported-total">2.5 小时' in mine and "来自甲区平台" in mine


def test_the_volunteer_enters_insurance_and_a_bad_one_is_refused(world, person):
    me = person("volunteer")
    assert "意外保险" in me.get("/me/safety").get_data(as_text=True)
    back = me.post_back(
        "/me/safety/insurance",
        {"insurer": "中国人寿", "policy_number": "P-1", "starts_on": "2026-12-31", "ends_on": "2026-01-01"},
    )
    assert back.status_code == 200 and 'aria-invalid="true"' in back.get_data(as_text=True)
    saved = me.post(
        "/me/safety/insurance",
        {"insurer": "中国人寿", "policy_number": "P-1", "starts_on": "2026-01-01", "ends_on": "2026-12-31"},
    )
    assert saved.status_code == 302
    with world.platform.read_session() as s:
        assert s.scalar(select(Insurance.policy_number)) == "P-1"
    assert "P-1" in me.get("/me/safety").get_data(as_text=True)
    assert person("community_staff").get("/me/safety").status_code == 403


def test_an_activity_that_requires_insurance_says_so_and_refuses_the_uninsured(world, person):
    scene = Scene(world)
    project = scene.running_project()
    staff = person("org_staff")
    staff.get(f"/projects/{project}")
    starts = "2030-05-01T09:00"
    made = staff.post(
        f"/projects/{project}/activities",
        {
            "title": "河道巡护",
            "place": "海河岸边",
            "starts_at": starts,
            "ends_at": "2030-05-01T11:00",
            "slots": "5",
            "requires_insurance": "1",
        },
    )
    assert made.status_code in (302, 303), made.get_data(as_text=True)[:300]
    from linkage.models import Activity

    with world.platform.read_session() as s:
        activity = s.scalar(select(Activity).where(Activity.title == "河道巡护"))
        assert activity.requires_insurance
    me = person("volunteer")
    page = me.get(f"/activities/{activity.id}").get_data(as_text=True)
    assert 'id="requires-insurance"' in page
    signed = me.post(f"/activities/{activity.id}/signup", {})
    shown = (
        me.get(signed.headers["Location"]).get_data(as_text=True)
        if signed.status_code in (302, 303)
        else signed.get_data(as_text=True)
    )
    assert "缺少意外保险" in shown
