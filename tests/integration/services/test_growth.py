"""Growth indicators against the seeds' targets (新培育社区社会组织, 品牌社会组织, 社工引入), and the two records
behind them: brand designations and social workers' placements."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from linkage.clock import local_year_start
from linkage.errors import Conflict, Forbidden, InvalidInput, NotFound
from linkage.models import BrandDesignation, Organization, Placement, utcnow
from linkage.services import growth
from linkage.services.stats import ALL_TARGETS, GROWTH_INDICATORS, GROWTH_TARGETS, TARGETS, linkage_stats
from tests.factories import ADMIN

TODAY = growth.china_day()


@pytest.fixture
def district(build):
    """Two communities of one street, a third in another street, all of one district; and a fourth
    community in another district."""
    return {
        "a": build.community(district="滨海新区", street="新港街道", population=5000, lat=39.0, lon=117.7),
        "b": build.community(district="滨海新区", street="新港街道", population=5000, lat=39.01, lon=117.71),
        "c": build.community(district="滨海新区", street="新北街道", population=5000, lat=39.1, lon=117.6),
        "d": build.community(district="和平区", street="南营门街道", population=10000, lat=39.12, lon=117.2),
    }


def _values(read, **scope):
    with read() as s:
        return linkage_stats(s, **scope)["indicators"]


def _backdate(platform, organization_id, moment):
    with platform.uow() as uow:
        uow.session.execute(update(Organization).where(Organization.id == organization_id).values(created_at=moment))
        uow.commit()


def test_1_the_growth_targets_have_one_home_and_come_from_the_seed():
    assert GROWTH_TARGETS == {
        "new_community_organizations_per_community": 4,
        "brand_organizations_per_district": 50,
        "organizations_with_social_workers_per_street": 3,
    }
    assert TARGETS["organizations_per_10k"] == 20  # reused, not copied
    assert set(GROWTH_INDICATORS) <= set(ALL_TARGETS) and "organizations_per_10k" not in GROWTH_TARGETS


def test_2_a_community_organization_created_this_year_moves_its_indicator_by_one(district, build, read, platform):
    a = district["a"]
    before = _values(read, community_id=a.id)["new_community_organizations"]
    build.organization(community_id=a.id, registration="filed", uscc=None)
    after = _values(read, community_id=a.id)
    assert after["new_community_organizations"] == before + 1
    assert after["new_community_organizations_per_community"] == before + 1.0
    with read() as s:
        attained = linkage_stats(s, community_id=a.id)["attainment"]["new_community_organizations_per_community"]
    assert attained["target"] == 4 and attained["met"] is False


def test_3_last_year_s_organization_and_one_with_no_community_do_not_count(district, build, read, platform):
    a = district["a"]
    start = local_year_start(utcnow())  # 1 January 00:00 Beijing time, as UTC
    last_year = build.organization(community_id=a.id)
    _backdate(platform, last_year.id, start - timedelta(seconds=1))
    first_moment = build.organization(community_id=a.id)
    _backdate(platform, first_moment.id, start)
    build.organization(lat=39.0, lon=117.7)  # not a community organization, though it stands in a
    values = _values(read, community_id=a.id)
    assert values["new_community_organizations"] == 1
    assert values["community_organizations"] == 2 and values["organizations"] == 3


def test_4_brand_organizations_count_until_revoked(district, build, act, read):
    org = build.organization(community_id=district["c"].id)
    other = build.organization(lat=39.12, lon=117.2)  # nearest to d, in the other district
    row = act(growth.designate_brand, ADMIN, {"organization_id": org.id, "year": TODAY.year, "reason": "服务成效突出"})
    act(growth.designate_brand, ADMIN, {"organization_id": other.id, "year": TODAY.year, "reason": "群众认可度高"})
    assert _values(read, district="滨海新区")["brand_organizations"] == 1
    everywhere = _values(read)
    assert everywhere["brand_organizations"] == 2 and everywhere["brand_organizations_per_district"] == 1.0
    with pytest.raises(Conflict):
        act(growth.designate_brand, ADMIN, {"organization_id": org.id, "year": TODAY.year, "reason": "再次认定"})
    act(growth.revoke_brand, ADMIN, row.id, "年度考核不合格")
    assert _values(read, district="滨海新区")["brand_organizations"] == 0
    with pytest.raises(Conflict):
        act(growth.revoke_brand, ADMIN, row.id, "再撤一次")
    with read() as s:
        shown = growth.brand_views(s, growth.list_brands(s, ADMIN))
    assert [(b["organization_name"], b["standing"]) for b in shown] == [(other.name, True), (org.name, False)]


def test_5_placements_count_distinct_organizations_per_street_this_year(district, build, act, read):
    a, b, c = district["a"], district["b"], district["c"]
    home = build.organization(community_id=a.id)
    worker = build.social_worker(home)
    second = build.social_worker(home, name="刘洋")
    into_a, into_b = build.organization(community_id=a.id), build.organization(community_id=b.id)
    into_c = build.organization(community_id=c.id)
    for who, org in ((worker, into_a), (second, into_a), (worker, into_b), (worker, into_c)):
        act(growth.record_placement, ADMIN, {"social_worker_id": who.id, "organization_id": org.id, "placed_on": TODAY})
    act(
        growth.record_placement,
        ADMIN,  # last year's: not this year's count
        {"social_worker_id": second.id, "organization_id": into_b.id, "placed_on": TODAY.replace(year=TODAY.year - 1)},
    )
    street = _values(read, street="新港街道")
    assert street["organizations_with_social_workers"] == 2  # into_a once, though two workers went there
    assert street["organizations_with_social_workers_per_street"] == 2.0
    district_values = _values(read, district="滨海新区")
    assert district_values["organizations_with_social_workers"] == 3 and district_values["streets"] == 2
    assert district_values["organizations_with_social_workers_per_street"] == 1.5


def test_6_drill_down_levels_agree_sum_of_communities_is_the_street(district, build, act, read, platform):
    a, b, c = district["a"], district["b"], district["c"]
    for community in (a, a, b, c):
        build.organization(community_id=community.id)
    worker = build.social_worker(build.organization(lat=39.12, lon=117.2))
    brand = build.organization(community_id=b.id)
    act(growth.designate_brand, ADMIN, {"organization_id": brand.id, "year": TODAY.year, "reason": "示范引领"})
    for org_id in (brand.id,):
        act(
            growth.record_placement,
            ADMIN,
            {"social_worker_id": worker.id, "organization_id": org_id, "placed_on": TODAY},
        )
    counts = ("new_community_organizations", "brand_organizations", "organizations_with_social_workers")
    with read() as s:
        street = linkage_stats(s, street="新港街道")
        district_stats = linkage_stats(s, district="滨海新区")
    rows = {row["key"]: row["indicators"] for row in street["breakdown"]}
    parts = [_values(read, community_id=cid) for cid in (a.id, b.id)]
    for name in counts:
        assert sum(p[name] for p in parts) == street["indicators"][name] == sum(r[name] for r in rows.values())
        assert sum(r["indicators"][name] for r in district_stats["breakdown"]) == district_stats["indicators"][name]
    assert street["indicators"]["new_community_organizations"] == 4
    assert street["attainment"]["new_community_organizations_per_community"]["value"] == 2.0


def test_7_org_staff_record_placements_into_their_own_organization_only(district, build, act, read, unchanged):
    mine, theirs = build.organization(), build.organization()
    worker = build.social_worker(theirs)
    staff, their_staff = build.org_staff(mine), build.org_staff(theirs)
    outsiders = (build.community_staff(district["a"]), build.auditor(), build.social_worker_actor(worker))
    row = act(growth.record_placement, staff, {"social_worker_id": worker.id, "placed_on": TODAY})
    assert row.organization_id == mine.id
    with unchanged():
        with pytest.raises(Forbidden):
            act(
                growth.record_placement,
                staff,
                {"social_worker_id": worker.id, "organization_id": theirs.id, "placed_on": TODAY},
            )
        for actor in outsiders:
            with pytest.raises(Forbidden):
                act(
                    growth.record_placement,
                    actor,
                    {"social_worker_id": worker.id, "organization_id": mine.id, "placed_on": TODAY},
                )
        with pytest.raises(Forbidden):
            act(growth.designate_brand, staff, {"organization_id": mine.id, "year": TODAY.year, "reason": "自荐"})
        with pytest.raises(NotFound):  # another organization's placement does not exist for them
            act(growth.remove_placement, their_staff, row.id)
    with read() as s:
        assert [p.id for p in growth.list_placements(s, staff)] == [row.id]
        assert growth.list_placements(s, their_staff) == []
        assert [p.id for p in growth.list_placements(s, outsiders[2])] == [row.id]  # the worker placed
        with pytest.raises(Forbidden):
            growth.list_placements(s, outsiders[0])
    act(growth.remove_placement, staff, row.id)
    with read() as s:
        assert s.get(Placement, row.id) is None


def test_8_bad_designations_and_placements_store_nothing(district, build, act, unchanged):
    org = build.organization()
    worker = build.social_worker(org)
    retired = build.organization()
    with build.platform.uow() as uow:
        uow.session.execute(update(Organization).where(Organization.id == retired.id).values(active=False))
        uow.commit()
    act(growth.record_placement, ADMIN, {"social_worker_id": worker.id, "organization_id": org.id, "placed_on": TODAY})
    good = {"organization_id": org.id, "year": TODAY.year, "reason": "服务成效突出"}
    with unchanged():
        for bad, field in (
            ({**good, "organization_id": 999999}, "organization_id"),
            ({**good, "organization_id": retired.id}, "organization_id"),
            ({**good, "year": TODAY.year + 1}, "year"),
            ({**good, "reason": "   "}, "reason"),
        ):
            with pytest.raises(InvalidInput) as refused:
                act(growth.designate_brand, ADMIN, bad)
            assert field in refused.value.errors, bad
        place = {"social_worker_id": worker.id, "organization_id": org.id, "placed_on": TODAY}
        for bad, field in (
            ({**place, "social_worker_id": 999999}, "social_worker_id"),
            ({**place, "placed_on": TODAY + timedelta(days=1)}, "placed_on"),
            ({**place, "organization_id": retired.id}, "organization_id"),
        ):
            with pytest.raises(InvalidInput) as refused:
                act(growth.record_placement, ADMIN, bad)
            assert field in refused.value.errors, bad
        with pytest.raises(Conflict):  # the same worker into the same organization on the same day
            act(growth.record_placement, ADMIN, place)
        with pytest.raises(NotFound):
            act(growth.revoke_brand, ADMIN, 999999, "无此认定")
        with pytest.raises(NotFound):
            act(growth.remove_placement, ADMIN, 999999)
    with build.platform.read_session() as s:
        assert s.query(BrandDesignation).count() == 0


def test_9_the_year_s_report_shows_the_growth_indicators_and_their_units_add_up(district, build, act, read):
    import io

    import openpyxl

    from linkage.reports.report_xlsx import render_workbook
    from linkage.services.periods import parse_period
    from linkage.services.reports import compile_report

    a, b = district["a"], district["b"]
    build.organization(community_id=a.id)
    brand = build.organization(community_id=b.id)
    worker = build.social_worker(brand)
    act(growth.designate_brand, ADMIN, {"organization_id": brand.id, "year": TODAY.year, "reason": "示范引领"})
    act(
        growth.record_placement, ADMIN, {"social_worker_id": worker.id, "organization_id": brand.id, "placed_on": TODAY}
    )
    with read() as s:
        report = compile_report(s, ADMIN, period=parse_period(str(TODAY.year)), street="新港街道")
    book = openpyxl.load_workbook(io.BytesIO(render_workbook(report)))
    indicators = {row[0]: row for row in book["政策指标"].iter_rows(values_only=True)}
    assert indicators["每社区本年新培育社区社会组织数"][1:3] == (1.0, 4)  # two in two communities
    assert indicators["每区品牌社会组织数"][1:3] == (1.0, 50)
    assert indicators["每街道本年引入社工的社会组织数"][1:3] == (1.0, 3)
    units = list(book["分区指标"].iter_rows(values_only=True))
    assert units[0][13:16] == ("本年新培育社区社会组织", "品牌社会组织", "本年引入社工的社会组织")
    assert [row[13:16] for row in units[1:-1]] == [(1, 0, 0), (1, 1, 1)]
    assert units[-1][13] == "=SUM(N2:N3)"
