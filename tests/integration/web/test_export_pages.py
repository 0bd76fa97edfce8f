"""导出 Excel / 导出 CSV on the list pages: the links keep the page's filters, the file holds every
page of what the page lists for that reader (never another party's rows), and the public ledger
csv needs no login."""

from __future__ import annotations

import csv
import html as htmllib
import io
import re
from datetime import datetime, timedelta, timezone

from openpyxl import load_workbook

from linkage.services import needs
from tests.integration.api.conftest import ADMIN, need_body


def links(page: str) -> dict[str, str]:
    """The export links of a page: format -> address."""
    found = re.findall(r'<p class="export-links">(.*?)</p>', page, re.S)
    assert len(found) == 1, found
    return {
        re.search(r"format=(\w+)", href).group(1): htmllib.unescape(href)
        for href in re.findall(r'href="([^"]+)"', found[0])
    }


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    if response.mimetype == "text/csv":
        assert response.data.startswith(b"\xef\xbb\xbf")
        return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).worksheets[0]
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def post_needs(world, community: str, titles: list[str]) -> None:
    starts = datetime.now(timezone.utc) + timedelta(days=3)
    for title in titles:
        with world.platform.uow() as uow:
            needs.post_need(
                uow,
                ADMIN,
                {
                    **need_body(world.ids[community], title=title),
                    "starts_at": starts,
                    "ends_at": starts + timedelta(hours=2),
                },
            )


def test_the_needs_page_exports_every_page_of_its_own_needs_and_no_one_else_s(world, person):
    mine = [f"需求{n:03d}" for n in range(101)]
    post_needs(world, "community", mine)
    post_needs(world, "other_community", ["另一个社区的需求", '=HYPERLINK("http://evil.example","点我")'])
    staff = person("community_staff")
    page = staff.get("/needs?page=2").get_data(as_text=True)
    found = links(page)
    assert set(found) == {"xlsx", "csv"} and all("page=" not in href for href in found.values())
    for fmt, href in found.items():
        rows = rows_of(staff.get(href))
        assert rows[0][:2] == ["编号", "标题"]
        assert sorted(row[1] for row in rows[1:]) == mine, fmt  # both pages, this community only
    everyone = rows_of(person("admin").get("/needs?format=csv"))
    assert '\'=HYPERLINK("http://evil.example","点我")' in [row[1] for row in everyone]


def test_each_list_page_offers_both_files_and_answers_them(world, person):
    for who, path in (
        ("community_staff", "/projects"),
        ("org_staff", "/activities"),
        ("volunteer", "/activities"),
        ("volunteer", "/me/hours"),
        ("volunteer", "/me/signups"),
        ("volunteer", "/invitations"),
        ("volunteer", "/inbox"),
        (None, "/funding"),
        ("admin", "/funding"),
    ):
        someone = person(who)
        page = someone.get(path)
        assert page.status_code == 200, (who, path)
        for fmt, href in links(page.get_data(as_text=True)).items():
            response = someone.get(href)
            assert response.headers["Content-Disposition"].endswith(f".{fmt}"), (who, path)
            assert rows_of(response)[0], (who, path, fmt)


def test_a_page_the_reader_may_not_open_exports_nothing(world, person):
    assert person("org_staff").get("/me/hours?format=csv").status_code in (302, 403)
    assert person(None).get("/needs?format=csv").status_code == 302  # to the login


def test_the_monthly_hours_report_page_lists_and_exports_only_the_reader_s_own(world, person):
    from tests.integration.api.test_hours import log, past_activity

    need = world.call("POST", "/api/v1/needs", "community_staff", json=need_body(world.ids["community"])).json
    claim = world.call("POST", f"/api/v1/needs/{need['id']}/claims", "org_staff", json={"plan": "派志愿者上门"}).json
    project = world.call(
        "POST", f"/api/v1/claims/{claim['id']}/decision", "community_staff", json={"decision": "approve"}
    ).json["project_id"]
    entry = log(world, past_activity(world, project, days_ago=1), 45).json
    month = datetime.fromisoformat(entry["starts_at"]).astimezone(timezone(timedelta(hours=8))).strftime("%Y-%m")
    org = person("org_staff")
    project_page = org.get(f"/projects/{project}").get_data(as_text=True)
    report = re.search(r'href="(/hours/report[^"]*)"', project_page).group(1)
    page = org.get(htmllib.unescape(report) + f"&month={month}").get_data(as_text=True)
    assert f'data-record="{entry["id"]}"' in page
    for fmt, href in links(page).items():
        rows = rows_of(org.get(href))
        assert [row[0] for row in rows[1:]] == [str(entry["id"])] and rows[1][2] == "李明", fmt
    for who in ("other_org_staff", "other_community_staff"):
        assert len(rows_of(person(who).get(f"/hours/report?month={month}&format=csv"))) == 1, who  # the header only
    assert len(rows_of(person("community_staff").get(f"/hours/report?month={month}&format=csv"))) == 2
    other = world.ids["other_organization"]
    assert len(rows_of(person("admin").get(f"/hours/report?scope=organization:{other}&month={month}&format=xlsx"))) == 1
    assert person("volunteer").get("/hours/report").status_code == 403
    for bad in ("2026-13", "9999-12", "0000-01", "2026-1x", "x" * 300):
        refused = org.get(f"/hours/report?month={bad}")
        assert refused.status_code == 422 and "月份格式" in refused.get_data(as_text=True), bad
