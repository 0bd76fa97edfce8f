"""Pinyin search at the service: keys kept on every write, q= by Chinese, pinyin and initials, exact first, never past the policy."""

from __future__ import annotations

from sqlalchemy import insert, select, text

from linkage.models import Community, Need, Organization, Volunteer
from linkage.services.communities import list_communities, update_community
from linkage.services.needs import list_needs, update_need
from linkage.services.providers import list_providers, update_provider
from tests.factories import ADMIN


def _names(rows) -> list[str]:
    return [getattr(r, "title", None) or r.name for r in rows]


def test_keys_are_written_on_insert_and_rename(build, act, read, platform):
    volunteer = build.volunteer(name="张三")
    with read() as s:
        row = s.get(Volunteer, volunteer.id)
        assert (row.name_pinyin, row.name_initials) == ("zhangsan", "zs")
    act(
        update_provider,
        build.volunteer_actor(volunteer),
        "volunteer",
        volunteer.id,
        {"name": "单雄信"},
        platform.cipher,
    )
    with read() as s:
        row = s.get(Volunteer, volunteer.id)
        assert (row.name_pinyin, row.name_initials) == ("shanxiongxin", "sxx")  # the surname reading


def test_keys_of_communities_needs_and_a_core_bulk_insert(build, act, read):
    community = build.community(name="重庆路社区")
    need = build.need(community, title="助老陪诊")
    act(update_community, ADMIN, community.id, {"name": "和平社区"})
    act(update_need, ADMIN, need.id, {"title": "重阳节送餐"})
    with read() as s:
        assert s.scalar(select(Community.name_initials).where(Community.id == community.id)) == "hpsq"
        assert s.scalar(select(Need.name_pinyin).where(Need.id == need.id)) == "chongyangjiesongcan"
    with read() as s:  # a Core insert that names the organization computes its keys by the column default
        s.execute(
            insert(Organization),
            [
                {
                    "name": "曾氏慈善会",
                    "uscc": f"91120116MA0{n:07d}",
                    "registration": "filed",
                    "lat": 39.1,
                    "lon": 117.2,
                }
                for n in (1, 2)
            ],
        )
        keys = s.execute(
            select(Organization.name_pinyin, Organization.name_initials).where(Organization.name == "曾氏慈善会")
        ).all()
        s.rollback()
    assert [tuple(k) for k in keys] == [("cengshicishanhui", "cscsh")] * 2  # not a person: no surname reading


def test_volunteers_are_found_by_chinese_full_pinyin_and_initials(build, read):
    community = build.community()
    zhang = build.volunteer(community, name="张三")
    build.volunteer(community, name="李四")
    with read() as s:
        for q in ("张三", "张", "zhangsan", "ZhangSan", "zhang san", "zhan", "zs", "z"):
            rows, total = list_providers(s, ADMIN, "volunteer", q=q)
            assert [r.id for r in rows] == [zhang.id] and total == 1, q
        assert list_providers(s, ADMIN, "volunteer", q="wangwu") == ([], 0)
        assert list_providers(s, ADMIN, "volunteer", q="%")[1] == 0  # a LIKE wildcard is just a character


def test_exact_matches_come_first(build, read):
    community = build.community()
    longer = build.volunteer(community, name="张三丰")  # registered first: a lower id
    substring = build.volunteer(community, name="老张三")
    exact = build.volunteer(community, name="张三")
    with read() as s:
        rows, _ = list_providers(s, ADMIN, "volunteer", q="张三")
        assert [r.id for r in rows] == [exact.id, longer.id, substring.id]
        rows, _ = list_providers(s, ADMIN, "volunteer", q="zhangsan")
        assert [r.id for r in rows] == [exact.id, longer.id]
        rows, _ = list_providers(s, ADMIN, "volunteer", q="zs")
        assert [r.id for r in rows] == [exact.id, longer.id]


def test_a_volunteer_the_list_hides_is_never_found(build, read):
    mine, theirs = build.community(), build.community()
    found = build.volunteer(mine, name="张三")
    build.volunteer(theirs, name="张三")
    staff = build.community_staff(mine)
    with read() as s:
        for q in ("张三", "zhangsan", "zs"):
            rows, total = list_providers(s, staff, "volunteer", q=q)
            assert ([r.id for r in rows], total) == ([found.id], 1), q
        stranger = build.volunteer_actor(build.volunteer(mine, name="王五"))
        assert list_providers(s, stranger, "volunteer", q="zs") == ([], 0)


def test_organizations_communities_and_needs_are_searched(build, read):
    build.organization(name="阳光社工服务中心")
    build.organization(name="益心公益")
    community = build.community(name="和平社区")
    build.need(community, title="助老陪诊")
    build.need(community, title="儿童课业辅导")
    with read() as s:
        assert _names(list_providers(s, ADMIN, "organization", q="ygsg")[0]) == ["阳光社工服务中心"]
        assert _names(list_communities(s, q="heping")[0]) == ["和平社区"]
        assert _names(list_needs(s, q="zl")[0]) == ["助老陪诊"]
        assert _names(list_needs(s, q="课业")[0]) == ["儿童课业辅导"]


def test_postgresql_serves_a_pinyin_prefix_from_the_index(build, read, database_url):
    if not database_url.startswith("postgresql"):
        return
    build.volunteer(name="张三")
    with read() as s:
        s.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(
            s.scalars(
                text("EXPLAIN SELECT id FROM volunteers WHERE name_pinyin LIKE 'zhang%' OR name_initials LIKE 'zs%'")
            )
        )
    assert "ix_volunteers_name_pinyin" in plan and "ix_volunteers_name_initials" in plan


def test_an_erased_volunteer_leaves_no_pinyin_of_their_name(build, act, read):
    from linkage.services.rights import erase_volunteer

    volunteer = build.volunteer(name="张三")
    act(erase_volunteer, ADMIN, volunteer.id, "本人书面申请")
    with read() as s:
        row = s.get(Volunteer, volunteer.id)
        assert "zhang" not in row.name_pinyin and row.name_initials != "zs"
        assert list_providers(s, ADMIN, "volunteer", q="zhangsan", include_inactive=True) == ([], 0)
