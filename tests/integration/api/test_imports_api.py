"""/api/v1/imports: upload -> batch (preview inline in tests) -> commit -> report; refusals in the
error shape and changing nothing; another's batch a 404; events for the matcher."""

from __future__ import annotations

import base64
import io

from openpyxl import load_workbook
from sqlalchemy import select

from linkage.models import OutboxEvent
from tests.imports_files import ORG_HEADERS, VOLUNTEER_HEADERS, org_row, volunteer_row, xlsx
from tests.integration.api.conftest import db_fingerprint


def _body(kind: str, file: bytes) -> dict:
    return {"kind": kind, "filename": "导入.xlsx", "content": base64.b64encode(file).decode()}


def test_upload_commit_report(world):
    file = xlsx(ORG_HEADERS, [org_row(601), org_row(602), ["坏的", "91350100M000100Y4X", "登记", "养老", 39, 117]])
    batch = world.call("POST", "/api/v1/imports", "admin", json=_body("organization", file)).get_json()
    assert (batch["status"], batch["valid_rows"], batch["error_rows"]) == ("ready", 2, 1)
    assert batch["problems"][0]["column"] == "统一社会信用代码"
    assert world.call("GET", f"/api/v1/imports/{batch['id']}", "community_staff").status_code == 404
    done = world.call("POST", f"/api/v1/imports/{batch['id']}/commit", "admin", json={"mode": "valid_rows"})
    assert done.status_code == 200 and done.get_json()["committed_rows"] == 2
    again = world.call("POST", f"/api/v1/imports/{batch['id']}/commit", "admin", json={"mode": "valid_rows"})
    assert again.status_code == 409
    with world.platform.read_session() as s:
        assert len(s.scalars(select(OutboxEvent).where(OutboxEvent.key.like("organization:%"))).all()) >= 2
    report = world.call("GET", f"/api/v1/imports/{batch['id']}/report.xlsx", "admin")
    assert report.status_code == 200
    rows = list(load_workbook(io.BytesIO(report.data), read_only=True)["导入结果"].iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["已新增", "已新增", "有错误，未导入"]


def test_refused_files_are_422_naming_the_file_and_change_nothing(world):
    before = db_fingerprint(world.platform)
    for file, reason in (
        (b"hello, world\x00", "import.not_spreadsheet"),
        (xlsx(["名字", "手机号*"], [["张三", "13800000000"]]), "import.wrong_headers"),
    ):
        response = world.call("POST", "/api/v1/imports", "community_staff", json=_body("volunteer", file))
        body = response.get_json()
        assert response.status_code == 422 and body["reason"] == reason and "content" in body["errors"], body
    bad = world.call("POST", "/api/v1/imports", "community_staff", json={"kind": "volunteer", "content": "!!"})
    assert bad.status_code == 422 and "content" in bad.get_json()["errors"]
    assert db_fingerprint(world.platform) == before


def test_templates_and_permissions(world):
    template = world.call("GET", "/api/v1/imports/templates/organization.xlsx", "admin")
    assert template.status_code == 200 and template.mimetype.endswith("sheet")
    assert world.call("GET", "/api/v1/imports/templates/nothing.xlsx", "admin").status_code == 404
    file = xlsx(VOLUNTEER_HEADERS, [volunteer_row(700)])
    assert world.call("POST", "/api/v1/imports", "org_staff", json=_body("volunteer", file)).status_code == 403
    mine = world.call("POST", "/api/v1/imports", "community_staff", json=_body("volunteer", file)).get_json()
    listed = world.call("GET", "/api/v1/imports", "other_community_staff").get_json()
    assert mine["id"] not in [b["id"] for b in listed]


def test_hour_records_template_and_who_imports_them(world):
    template = world.call("GET", "/api/v1/imports/templates/hours.xlsx", "org_staff")
    assert template.status_code == 200
    headers = next(load_workbook(io.BytesIO(template.data), read_only=True).active.iter_rows(values_only=True))
    assert headers == ("志愿者编号*", "活动编号*", "开始时间*", "结束时间*", "服务内容", "补录原因*")
    for who in ("community_staff", "volunteer", "social_worker", "auditor"):
        assert world.call("POST", "/api/v1/imports", who, json=_body("hours", template.data)).status_code == 403
    batch = world.call("POST", "/api/v1/imports", "org_staff", json=_body("hours", template.data)).get_json()
    assert (batch["status"], batch["valid_rows"], batch["error_rows"]) == ("ready", 0, 1)  # the sample's volunteer
    assert world.call("GET", f"/api/v1/imports/{batch['id']}", "other_org_staff").status_code == 404
