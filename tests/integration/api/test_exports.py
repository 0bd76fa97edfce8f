"""List exports (?format=xlsx|csv): the same rows, masking and filters as the JSON list, another
party's rows never, formulas defused, csv as UTF-8 with a BOM (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from linkage import exports
from linkage.spreadsheets import cell_value
from tests.integration.api.conftest import need_body
from tests.integration.api.test_hours import log, past_activity, project_id  # noqa: F401


def norm(value) -> str:
    """A cell as text, a number in one spelling whichever the format wrote (0.00, 0 and 0.0 alike)."""
    text = "" if value is None else str(value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    return text if not number.is_finite() else format(number.normalize(), "f")


def read_back(response) -> list[list]:
    """The file of an export as rows of text (header first), whichever the format."""
    assert response.status_code == 200, response.get_json()
    if response.mimetype == "text/csv":
        assert response.data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, no GBK needed
        return [[norm(v) for v in row] for row in csv.reader(io.StringIO(response.data.decode("utf-8-sig")))]
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    sheet = book.worksheets[0]
    return [[norm(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def expected(table: exports.Table, items: list[dict]) -> list[list]:
    """The JSON items laid out as the export must show them (header first), as text."""

    def shown(value):
        return norm(cell_value(value))  # text defused exactly as linkage.spreadsheets does

    return [table.headers] + [[shown(v) for v in row] for row in table.rows(items)]


def export(world, path, who, fmt, **query):
    return world.call("GET", path, who, query_string={**query, "format": fmt})


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_volunteer_roster_exports_what_the_json_shows_masked_the_same(world, fmt):
    for who in ("admin", "community_staff", "org_staff"):
        listed = world.call("GET", "/api/v1/volunteers", who, query_string={"page_size": 200}).json
        response = export(world, "/api/v1/volunteers", who, fmt)
        rows = read_back(response)
        assert rows == expected(exports.VOLUNTEERS, listed["items"]), who
        phones = [row[3] for row in rows[1:]]
        assert all("*" in phone for phone in phones), (who, phones)  # never unmasked
        assert len(phones) == (0 if who == "org_staff" else 2), who  # org staff see no roster here
        assert all("*" in row[4] for row in rows[1:])  # 身份证号 masked
        assert response.headers["X-Export-Total"] == str(listed["total"])
        assert response.headers["X-Export-Truncated"] == "false"
        disposition = response.headers["Content-Disposition"]
        assert unquote(disposition.split("filename*=UTF-8''")[1]).startswith("志愿者名册-")
        assert disposition.endswith(f".{fmt}")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_needs_export_applies_the_filters_labels_in_chinese_and_defuses_formulas(world, fmt):
    community, other = world.ids["community"], world.ids["other_community"]
    world.call(
        "POST",
        "/api/v1/needs",
        "community_staff",
        json=need_body(community, description='=HYPERLINK("http://evil.example","点我")', urgency="urgent"),
    )
    world.call("POST", "/api/v1/needs", "community_staff", json=need_body(community, category="助残"))
    world.call("POST", "/api/v1/needs", "other_community_staff", json=need_body(other, title="另一个社区的需求"))
    listed = world.call(
        "GET", "/api/v1/needs", "community_staff", query_string={"community_id": community, "category": "养老"}
    ).json
    assert listed["total"] == 1
    rows = read_back(export(world, "/api/v1/needs", "community_staff", fmt, community_id=community, category="养老"))
    assert len(rows) == 2 and rows == expected(exports.NEEDS, listed["items"])
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["紧急程度"], row["服务对象"], row["状态"]) == ("紧急", "老年人", "待匹配")
    assert row["说明"].startswith("'=HYPERLINK(")  # shown as text, never run
    assert "另一个社区的需求" not in str(rows)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_hours_export_never_holds_another_volunteer_s_records(world, project_id, fmt):  # noqa: F811
    activity = past_activity(world, project_id, days_ago=2)
    assert log(world, activity, 60).status_code == 201
    mine = read_back(export(world, "/api/v1/hours", "volunteer", fmt))
    theirs = read_back(export(world, "/api/v1/hours", "other_volunteer", fmt))
    assert len(mine) == 2 and mine[1][exports.HOURS.headers.index("状态")] == "待审核"
    assert theirs == [exports.HOURS.headers]
    listed = world.call("GET", "/api/v1/hours", "volunteer").json
    assert mine == expected(exports.HOURS, listed)


def test_every_list_endpoint_exports_and_refuses_a_format_it_does_not_know(world):
    lists = [
        "/api/v1/needs",
        "/api/v1/projects",
        "/api/v1/communities",
        "/api/v1/organizations",
        "/api/v1/social-workers",
        "/api/v1/volunteers",
        "/api/v1/resources",
        "/api/v1/hours",
        "/api/v1/notifications",
        "/api/v1/audit",
    ]
    for path in lists:
        for fmt in ("xlsx", "csv"):
            response = export(world, path, "admin", fmt)
            assert response.status_code == 200, (path, fmt, response.get_json())
            assert read_back(response)[0], path
        assert export(world, path, "admin", "pdf").status_code == 422, path
        assert export(world, path, None, "csv").status_code == 401, path


def test_an_export_is_capped_and_says_so(world, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_CAP", 1)
    from linkage.api import paging

    monkeypatch.setattr(paging, "EXPORT_CAP", 1)
    response = export(world, "/api/v1/organizations", "admin", "xlsx")
    assert response.headers["X-Export-Truncated"] == "true" and response.headers["X-Export-Total"] == "2"
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    assert [ws.title for ws in book.worksheets] == ["社会组织名录", "说明"]
    assert len(list(book.worksheets[0].iter_rows())) == 2


def test_hours_per_organization_and_community_and_month_only_to_their_own_staff(world, project_id):  # noqa: F811
    activity = past_activity(world, project_id, days_ago=2)
    entry = log(world, activity, 90).json
    month = datetime.fromisoformat(entry["starts_at"]).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    org, community = world.ids["organization"], world.ids["community"]
    org_path, community_path = (
        f"/api/v1/organizations/{org}/hours-report",
        f"/api/v1/communities/{community}/hours-report",
    )
    expected_status = {  # who: (organization A's report, community A's report)
        "admin": (200, 200),
        "auditor": (200, 200),
        "org_staff": (200, 403),
        "other_org_staff": (403, 403),
        "community_staff": (403, 200),
        "other_community_staff": (403, 403),
        "volunteer": (403, 403),
        "other_volunteer": (403, 403),
        "social_worker": (403, 403),
    }
    for who, (for_org, for_community) in expected_status.items():
        for path, status in ((org_path, for_org), (community_path, for_community)):
            for fmt in (None, "csv", "xlsx"):
                query = {"month": month, **({"format": fmt} if fmt else {})}
                response = world.call("GET", path, who, query_string=query)
                assert response.status_code == status, (who, path, fmt, response.get_json())
                if status != 200:
                    assert world.call("GET", path, who, query_string=query).get_json()["code"] == 403
                    continue
                if fmt is None:
                    body = response.get_json()
                    assert [row["id"] for row in body["items"]] == [entry["id"]], (who, path)
                    assert body["items"][0]["volunteer_name"] == "李明" and body["items"][0]["minutes"] == 90
                else:
                    listed = world.call("GET", path, who, query_string={"month": month}).get_json()
                    rows = read_back(response)
                    assert rows == expected(exports.HOURS_REPORT, listed["items"]), (who, path, fmt)
                    assert rows[1][exports.HOURS_REPORT.headers.index("状态")] == "待审核"
    other_month = "2020-01"
    assert world.call("GET", org_path, "admin", query_string={"month": other_month}).get_json()["total"] == 0
    assert (
        world.call(
            "GET", "/api/v1/organizations/999999/hours-report", "admin", query_string={"month": month}
        ).status_code
        == 404
    )
    for bad in ("2026-13", "2026-1", "26-11", ""):
        response = world.call("GET", org_path, "admin", query_string={"month": bad})
        assert response.status_code == 422 and response.get_json()["errors"], bad
    assert world.call("GET", org_path, None, query_string={"month": month}).status_code == 401


def test_a_control_character_a_client_stored_neither_breaks_the_xlsx_nor_hides_a_formula(world):
    world.call(
        "POST",
        "/api/v1/needs",
        "community_staff",
        json=need_body(world.ids["community"], description="\x03=1+1\x0b 说明"),
    )
    rows = read_back(export(world, "/api/v1/needs", "community_staff", "xlsx"))
    assert rows[1][exports.NEEDS.headers.index("说明")] == "'=1+1 说明"  # dropped, then defused
