"""The monthly and yearly report (报表) of the demo district: the workbook opens in openpyxl with its
sheets and =SUM totals, and its figures are the ones GET /stats/linkage?period= shows for the same scope
and period; the PDF embeds its Chinese font and reads back; who may take which report; bad periods."""

from __future__ import annotations

import io
import subprocess
from urllib.parse import quote

import openpyxl
import pytest
from sqlalchemy import select, text

from linkage.clock import LOCAL_TZ
from linkage.demo import DEMO_PASSWORD
from linkage.models import Community, HourEntry, Project, User
from linkage.reports.monthly_pdf import SECTIONS
from linkage.reports.report_xlsx import SHEETS
from linkage.services import stats
from linkage.services.periods import Period, parse_period
from tests.integration._stats_world import seeded_world
from tests.integration.api.test_certificate_fonts import pdf_fonts
from tests.integration.web.conftest import Person

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def seeded(request, tmp_path_factory):
    """The demo at scale 0.2 with the statistics story (projects, verified hours, a funding round)."""
    with seeded_world(request.param, tmp_path_factory) as platform:
        yield platform


@pytest.fixture(scope="module")
def api(seeded):
    from app import create_app

    app = create_app(seeded.settings, testing=True)
    platform = app.extensions["linkage"]
    tokens = {}
    with platform.read_session() as s:
        for user in s.scalars(select(User)):
            tokens[user.username] = {"Authorization": f"Bearer {platform.tokens.issue(user.id, user.token_version)}"}
        staff = s.scalars(select(User).where(User.username == "shequ")).one()
        own = s.get(Community, staff.community_id)
        other = s.scalars(select(Community).where(Community.id != own.id).order_by(Community.id)).first()
    yield app, app.test_client(), tokens, own, other
    platform.dispose()


def _story_periods(seeded) -> list[Period]:
    """The month and the year the story's hours were served in (China's time), so the report has figures."""
    with seeded.read_session() as s:
        first = s.scalars(select(HourEntry).where(HourEntry.starts_at.is_not(None)).order_by(HourEntry.id)).first()
    assert first is not None and first.starts_at is not None
    local = first.starts_at.astimezone(LOCAL_TZ)
    month = parse_period(f"{local.year}-{local.month:02d}")
    return [month, parse_period(str(local.year))]


def _rows(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def _column_total(rows: list[tuple], column: int) -> float:
    """The data rows' sum of a column (what the =SUM in the totals row adds up)."""
    return sum(row[column] for row in rows[1:-1])


def _assert_sum_row(rows: list[tuple], columns: range) -> None:
    last = len(rows)
    for column in columns:
        letter = openpyxl.utils.get_column_letter(column + 1)
        assert rows[-1][column] == f"=SUM({letter}2:{letter}{last - 1})", (rows[0][column], rows[-1])


def test_the_demo_districts_report_opens_with_its_sheets_and_equals_the_stats_api(seeded, api):
    app, client, tokens, own, _ = api
    district = own.district
    checked_hours = 0
    for period in _story_periods(seeded):
        query = {"district": district, "period": period.label}
        figures = client.get("/api/v1/stats/linkage", query_string=query, headers=tokens["admin"])
        assert figures.status_code == 200, figures.get_json()
        shown = figures.get_json()["indicators"]
        response = client.get(
            "/api/v1/reports/linkage", query_string={**query, "format": "xlsx"}, headers=tokens["admin"]
        )
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        assert response.mimetype == XLSX
        assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
        book = openpyxl.load_workbook(io.BytesIO(response.data))
        assert book.sheetnames == list(SHEETS)
        cover = dict(_rows(book["封面"])[1:])
        assert district in cover["统计范围"] and period.label in cover["统计期间"]

        indicators = {row[0]: row for row in _rows(book["政策指标"])}
        assert indicators["每万人社会组织数"][1:3] == (shown["organizations_per_10k"], 20)
        assert indicators["每社区社工数"][1:3] == (shown["social_workers_per_community"], 2)
        assert indicators["本期发布需求"][1] == shown["needs_posted"]
        assert indicators["活跃志愿者数（本期有服务时长）"][1] == shown["volunteers_active"]
        # the seeds' growth targets, year to date at the period's end (stats.GROWTH_TARGETS)
        assert indicators["每社区本年新培育社区社会组织数"][1:3] == (
            shown["new_community_organizations_per_community"],
            4,
        )
        assert indicators["每区品牌社会组织数"][1:3] == (shown["brand_organizations_per_district"], 50)
        assert indicators["每街道本年引入社工的社会组织数"][1:3] == (
            shown["organizations_with_social_workers_per_street"],
            3,
        )

        units = _rows(book["分区指标"])
        _assert_sum_row(units, range(1, 11))
        assert _column_total(units, 1) == shown["population"]
        assert _column_total(units, 2) == shown["organizations"]
        assert _column_total(units, 6) == shown["needs_posted"]
        assert round(_column_total(units, 10) * 60) == shown["volunteer_minutes_verified"]
        _assert_sum_row(units, range(13, 16))
        for column, key in enumerate(
            ("new_community_organizations", "brand_organizations", "organizations_with_social_workers"), 13
        ):
            assert _column_total(units, column) == shown[key], key

        categories = _rows(book["需求分类"])
        _assert_sum_row(categories, range(1, 5))
        for column, key in enumerate(("needs_posted", "needs_matched", "needs_claimed", "needs_completed"), 1):
            assert _column_total(categories, column) == shown[key], key

        service = _rows(book["志愿服务"])
        _assert_sum_row(service, range(1, 3))
        assert len(service) == len(period.months()) + 2  # header, a row per month, totals
        assert round(_column_total(service, 1) * 60) == shown["volunteer_minutes_recorded"]
        assert round(_column_total(service, 2) * 60) == shown["volunteer_minutes_verified"]
        assert service[-1][3] == shown["volunteers_active"]
        checked_hours += shown["volunteer_minutes_verified"]

        funds = _rows(book["资金"])
        _assert_sum_row(funds, range(1, 4))
        for column, key in enumerate(("funds_awarded_fen", "funds_disbursed_fen", "funds_spent_fen"), 1):
            assert round(_column_total(funds, column) * 100) == shown[key], key

        projects = _rows(book["项目状态"])
        _assert_sum_row(projects, range(1, 2))
        start, end = period.window
        with seeded.read_session() as s:
            wanted = [c.id for c in stats.scope_communities(s, district=district)]
            counted = sum(
                1
                for p in s.scalars(select(Project).where(Project.community_id.in_(wanted)))
                if p.created_at < end and (p.closed_at is None or p.closed_at >= start)
            )
        assert _column_total(projects, 1) == counted
    assert checked_hours > 0  # the story's verified hours fall in its own month and year: the check has figures


def test_the_figures_of_a_period_equal_an_independent_count(seeded):
    """Needs posted in the period, counted in raw SQL, are what the period's figures say."""
    for period in _story_periods(seeded):
        start, end = period.window
        with seeded.engine.connect() as conn, seeded.read_session() as session:
            want = conn.execute(
                text("SELECT count(*) FROM needs WHERE created_at >= :s AND created_at < :e"),
                {"s": start.replace(tzinfo=None), "e": end.replace(tzinfo=None)},
            ).scalar()
            figures = stats.linkage_stats(session, window=period.window)["indicators"]
        assert figures["needs_posted"] == want
        assert want > 0


def test_the_pdf_embeds_its_chinese_font_and_its_sections_read_back(seeded, api, tmp_path):
    _, client, tokens, own, _ = api
    month = _story_periods(seeded)[0]
    response = client.get(
        "/api/v1/reports/linkage",
        headers=tokens["admin"],
        query_string={"district": own.district, "period": month.label, "format": "pdf"},
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(response.data)
    fonts = pdf_fonts(path)
    assert fonts and [f for f in fonts if f["emb"] != "yes"] == [], fonts
    extracted = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in (
        "五社联动月报",
        own.district,
        month.title,
        *SECTIONS,
        "每万人社会组织数",
        "每区品牌社会组织数",
        "各类别需求",
        "近十二个月志愿服务时长",
    ):
        assert expected in extracted, (expected, extracted[:800])
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")], check=True
    )
    assert (tmp_path / "page-1.png").stat().st_size > 10_000  # a page with tables and a chart, not blank


def test_community_staff_take_their_own_communitys_report_only(seeded, api):
    _, client, tokens, own, other = api
    month = _story_periods(seeded)[0].label

    def get(who: str, **query):
        return client.get("/api/v1/reports/linkage", headers=tokens[who], query_string={"period": month, **query})

    mine = get("shequ", community_id=own.id)
    assert mine.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(mine.data)).sheetnames == list(SHEETS)
    another = get("shequ", community_id=other.id)
    assert another.status_code == 404 and another.get_json()["code"] == 404
    assert get("shequ", district=own.district).status_code == 403
    assert get("shequ").status_code == 403
    for role_user in ("zuzhi", "shegong", "zhiyuan"):
        assert get(role_user, community_id=own.id).status_code == 403, role_user
    assert get("shenji", community_id=other.id, format="pdf").status_code == 200  # the auditor: any scope
    assert get("admin", district="没有这个区").status_code == 404
    assert get("admin", district=own.district, street="没有这个街道").status_code == 404
    assert client.get("/api/v1/reports/linkage", query_string={"period": month}).status_code == 401


@pytest.mark.parametrize("period", ["2026-13", "2026-1", "26-11", "2026/11", "", "2026-11-01", "１９９９", "2026-11\n"])
def test_a_bad_period_is_a_422_naming_the_field(api, period):
    _, client, tokens, _, _ = api
    for path in ("/api/v1/reports/linkage", "/api/v1/stats/linkage"):
        response = client.get(path, headers=tokens["admin"], query_string={"period": period})
        assert response.status_code == 422, (path, period, response.status_code)
        body = response.get_json()
        assert body["code"] == 422 and "period" in body["errors"], body
    missing = client.get("/api/v1/reports/linkage", headers=tokens["admin"])
    assert missing.status_code == 422 and "period" in missing.get_json()["errors"]
    wrong = client.get(
        "/api/v1/reports/linkage", headers=tokens["admin"], query_string={"period": "2026-11", "format": "docx"}
    )
    assert wrong.status_code == 422 and "format" in wrong.get_json()["errors"]


def test_the_reports_page_picks_a_scope_and_period_and_says_what_is_wrong_in_chinese(seeded, api):
    app, _, _, own, other = api
    staff = Person(app)
    assert staff.post("/login", {"username": "shequ", "password": DEMO_PASSWORD}).status_code == 302
    page = staff.get("/reports")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert (
        "报表" in body
        and own.name in body
        and "下载电子表格" in body
        and 'href="/reports"' in staff.get("/").get_data(as_text=True)
    )
    download = staff.get("/reports", query_string={"period": _story_periods(seeded)[1].label, "format": "xlsx"})
    assert download.status_code == 200 and download.mimetype == XLSX
    assert openpyxl.load_workbook(io.BytesIO(download.data)).sheetnames == list(SHEETS)
    bad = staff.get("/reports", query_string={"period": "2026年11月", "format": "pdf"})
    assert bad.status_code == 422
    assert "请填写月份（如 2026-11）或年份（如 2026）" in bad.get_data(as_text=True)
    assert (
        staff.get(
            "/reports", query_string={"period": "2026-11", "format": "xlsx", "community_id": other.id}
        ).status_code
        == 404
    )
    admin = Person(app)
    admin.post("/login", {"username": "admin", "password": DEMO_PASSWORD})
    dashboard = admin.get("/dashboard", query_string={"district": own.district}).get_data(as_text=True)
    assert f'href="/reports?district={quote(own.district)}"' in dashboard  # the dashboard's scope, carried over
    chosen = admin.get("/reports", query_string={"district": own.district}).get_data(as_text=True)
    assert f'<option value="{own.district}" selected>' in chosen
    unfit = admin.get(
        "/reports",
        query_string={"period": "2026-11", "format": "xlsx", "district": own.district, "street": "没有这个街道"},
    )
    assert unfit.status_code == 404 and "没有这个统计范围" in unfit.get_data(as_text=True)
    assert "下载 PDF 报表" in unfit.get_data(as_text=True)  # the form again, to pick another scope
    volunteer = Person(app)
    volunteer.post("/login", {"username": "zhiyuan", "password": DEMO_PASSWORD})
    assert volunteer.get("/reports").status_code == 403
    assert 'href="/reports"' not in volunteer.get("/").get_data(as_text=True)


def test_an_operator_writes_a_report_from_the_command_line(tmp_path):
    from click.testing import CliRunner

    from linkage.cli import main

    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'ops.db'}", "LINKAGE_ENV": "development"}
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    assert runner.invoke(main, ["seed", "--scale", "0.05"], env=env).exit_code == 0
    out = tmp_path / "月报.xlsx"
    made = runner.invoke(main, ["report", "--period", "2026-11", "--out", str(out)], env=env)
    assert made.exit_code == 0, made.output
    assert openpyxl.load_workbook(out).sheetnames == list(SHEETS)
    pdf = tmp_path / "年报.pdf"
    assert (
        runner.invoke(main, ["report", "--period", "2026", "--community-id", "1", "--out", str(pdf)], env=env).exit_code
        == 0
    )
    assert pdf.read_bytes().startswith(b"%PDF")
    bad = runner.invoke(main, ["report", "--period", "2026-13", "--out", str(out)], env=env)
    assert bad.exit_code == 1 and "period" in bad.output
    assert runner.invoke(main, ["report", "--period", "2026", "--out", str(tmp_path / "x.doc")], env=env).exit_code == 2


def test_the_menu_offers_reports_to_exactly_the_roles_the_policy_lets_take_one():
    from linkage.models import Role
    from linkage.permissions import Actor
    from linkage.policy.pages import in_menu
    from linkage.policy.reports import may_take_reports

    for role in Role:
        actor = Actor(user_id=1, role=role.value, community_id=1)
        assert in_menu(actor, "reports") == may_take_reports(actor), role
