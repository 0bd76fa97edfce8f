"""Import pages: the template link, an upload and its preview with the bad row's reason, the commit,
the report; a refused file is told on the form; another's batch is a 404."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.imports_files import VOLUNTEER_HEADERS, bad_id_number, csv_bytes, volunteer_row, xlsx


def _upload(who, body: bytes, name: str = "名册.xlsx", kind: str = "volunteer"):
    return who.post("/imports", {"kind": kind, "file": (io.BytesIO(body), name)}, content_type="multipart/form-data")


def test_staff_upload_preview_commit_and_read_the_report(world, person):
    staff = person("community_staff")
    page = staff.get("/imports").get_data(as_text=True)
    assert "批量导入" in page and "/imports/templates/volunteer.xlsx" in page
    template = staff.get("/imports/templates/volunteer.xlsx")
    headers = next(load_workbook(io.BytesIO(template.data), read_only=True).active.iter_rows(values_only=True))
    assert headers[:3] == ("姓名*", "手机号*", "身份证号*")
    rows = [volunteer_row(801), volunteer_row(802), volunteer_row(803)]
    rows[2][2] = bad_id_number(803)
    done = _upload(staff, csv_bytes(VOLUNTEER_HEADERS, rows, "gb18030"), "名册.csv")
    assert done.status_code == 303
    batch_page = staff.get(done.headers["Location"]).get_data(as_text=True)
    assert "有错误的行及原因" in batch_page and "身份证号" in batch_page and "校验" in batch_page
    refused = staff.post(done.headers["Location"] + "/commit", {"mode": "valid_rows"})
    assert "纸质" in staff.get(refused.headers["Location"]).get_data(as_text=True)
    committed = staff.post(done.headers["Location"] + "/commit", {"mode": "valid_rows", "paper_consents_held": "1"})
    page = staff.get(committed.headers["Location"]).get_data(as_text=True)
    assert 'id="count-committed">2<' in page
    report = staff.get(done.headers["Location"] + "/report.xlsx")
    outcomes = [
        r[1]
        for r in load_workbook(io.BytesIO(report.data), read_only=True)["导入结果"].iter_rows(
            min_row=2, values_only=True
        )
    ]
    assert outcomes == ["已新增", "已新增", "有错误，未导入"]
    assert person("other_community_staff").get(done.headers["Location"]).status_code == 404


def test_a_file_that_is_not_a_spreadsheet_is_told_on_the_form(world, person):
    staff = person("community_staff")
    refused = _upload(staff, b"%PDF-1.4 not a sheet\x00\x01", "名册.xlsx")
    assert refused.status_code == 303
    assert "这不是电子表格文件" in staff.get(refused.headers["Location"]).get_data(as_text=True)


def test_too_many_rows_fail_the_batch_with_a_message_to_split(world, person, monkeypatch):
    from linkage.services.imports import reading

    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    staff = person("community_staff")
    done = _upload(staff, xlsx(VOLUNTEER_HEADERS, [volunteer_row(900 + n) for n in range(5)]))
    page = staff.get(done.headers["Location"]).get_data(as_text=True)
    assert "最多 3 行" in page and "拆分" in page


def test_organization_staff_are_offered_hour_records_only_of_their_kinds(world, person):
    page = person("org_staff").get("/imports").get_data(as_text=True)
    assert "/imports/templates/hours.xlsx" in page and "志愿服务时长" in page
    assert "/imports/templates/hours.xlsx" not in person("community_staff").get("/imports").get_data(as_text=True)
