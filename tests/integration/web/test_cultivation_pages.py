"""The incubation pages (孵化培育) and the annual reports page (年报), in Chinese, for the centre and an organization."""

from __future__ import annotations

from sqlalchemy import func, select

from linkage.models import AnnualReport, CapacityAssessment, CohortMember, Organization
from linkage.services.qualifications import china_day
from tests.factories import valid_uscc

TODAY = china_day()
PASSING = {"governance": 80, "activity": 75, "finance": 60, "resources": 55, "resident_satisfaction": 90}


def html(response) -> str:
    return response.get_data(as_text=True)


def _file(world, *keys):
    with world.platform.uow() as uow:
        for key in keys:
            org = uow.session.get(Organization, world.ids[key])
            org.registration, org.uscc = "filed", None
        uow.commit()


def _cohort(admin) -> str:
    made = admin.post(
        "/cultivation",
        {
            "name": "2026年第一期",
            "street": "新港街道",
            "starts_on": TODAY.isoformat(),
            "ends_on": TODAY.replace(year=TODAY.year + 1).isoformat(),
        },
    )
    assert made.status_code == 302, html(made)[:300]
    page = html(admin.get("/cultivation"))
    assert "2026年第一期" in page
    cohort_id = page.split('id="cohort-')[1].split('"')[0]
    return f"/cultivation/{cohort_id}"


def test_the_centre_runs_a_cohort_on_its_pages(person, world):
    _file(world, "organization", "other_organization")
    admin = person("admin")
    org, other = world.ids["organization"], world.ids["other_organization"]
    # 1. Open a cohort; admit both filed organizations.
    cohort = _cohort(admin)
    for oid in (org, other):
        assert admin.post(f"{cohort}/members", {"organization_id": str(oid)}).status_code == 302
    # 2. A mentoring session and a training.
    for kind, title in (("mentoring", "章程辅导"), ("training", "财务培训")):
        done = admin.post(
            f"{cohort}/members/{org}/records",
            {"kind": kind, "held_on": TODAY.isoformat(), "title": title, "hours": "2"},
        )
        assert done.status_code == 302, html(done)[:300]
    # 3. Graduating before an assessment is refused with the reason on the page.
    refused = html(admin.post_back(f"{cohort}/members/{org}/graduate"))
    assert "尚未进行能力评估" in refused
    # 4. A bad score is refused and stores nothing; a passing assessment; graduation.
    bad = html(
        admin.post_back(
            f"{cohort}/members/{org}/assessments",
            {"assessed_on": TODAY.isoformat(), **{f"score_{k}": "x" for k in PASSING}},
        )
    )
    assert "0 到 100 的整数" in bad
    with world.platform.read_session() as s:
        assert s.scalar(select(func.count()).select_from(CapacityAssessment)) == 0
    assessed = admin.post(
        f"{cohort}/members/{org}/assessments",
        {"assessed_on": TODAY.isoformat(), **{f"score_{k}": str(v) for k, v in PASSING.items()}},
    )
    assert assessed.status_code == 302
    assert admin.post(f"{cohort}/members/{org}/graduate").status_code == 302
    # 5. The other is upgraded with its USCC.
    assert admin.post(f"{cohort}/members/{other}/upgrade", {"uscc": valid_uscc(6001)}).status_code == 302
    page = html(admin.get(cohort))
    assert "已出壳" in page and "已转登记" in page and "章程辅导" in page and "合格" in page
    with world.platform.read_session() as s:
        assert s.get(Organization, other).registration == "registered"
        assert sorted(s.scalars(select(CohortMember.status))) == ["graduated", "upgraded"]
    # 6. The organization's staff see their own member; the other organization's staff do not.
    mine = html(person("org_staff").get(cohort))
    assert "章程辅导" in mine and "财务培训" in mine and 'id="member-' + str(other) + '"' not in mine
    assert person("volunteer").get(cohort).status_code == 403  # a page of other roles' work
    assert person("other_org_staff").get(f"{cohort}/members/{org}").status_code in (404, 405)


def test_another_organizations_staff_get_not_found_for_a_cohort(person, world):
    _file(world, "organization")
    admin = person("admin")
    cohort = _cohort(admin)
    admin.post(f"{cohort}/members", {"organization_id": str(world.ids["organization"])})
    assert person("other_org_staff").get(cohort).status_code == 404
    assert "2026年第一期" not in html(person("other_org_staff").get("/cultivation"))


def test_the_rubric_page_needs_no_login(person):
    page = person().get("/cultivation/rubric")
    assert page.status_code == 200 and "内部治理" in html(page) and "合格线" in html(page)


def test_an_organization_submits_its_annual_report_and_the_district_sees_the_overdue_list(person, world):
    staff = person("org_staff")
    year = TODAY.year - 1
    bad = html(
        staff.post_back(
            "/annual-reports",
            {
                "year": str(year),
                "activities_count": "12",
                "members": "30",
                "income_yuan": "abc",
                "spending_yuan": "800",
            },
        )
    )
    assert 'id="err-income_yuan"' in bad
    with world.platform.read_session() as s:
        assert s.scalar(select(func.count()).select_from(AnnualReport)) == 0
    done = staff.post(
        "/annual-reports",
        {
            "year": str(year),
            "activities_count": "12",
            "members": "30",
            "income_yuan": "1000.50",
            "spending_yuan": "800",
            "summary": "全年活动",
        },
    )
    assert done.status_code == 302, html(staff.get("/annual-reports")).split("error-summary")[-1][:600]
    page = html(staff.get("/annual-reports"))
    assert "1,000.50" in page or "1000.50" in page
    twice = html(
        staff.post_back(
            "/annual-reports",
            {"year": str(year), "activities_count": "1", "members": "1", "income_yuan": "1", "spending_yuan": "1"},
        )
    )
    assert "年度的年报已提交" in twice
    district = html(person("admin").get("/annual-reports?overdue=1"))
    assert "逾期未报名单" in district
    assert "逾期未报名单" not in html(person("other_org_staff").get("/annual-reports?overdue=1"))
