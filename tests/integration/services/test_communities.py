"""Communities (社区) at the service: registered by the district, maintained by their own staff."""

from __future__ import annotations

import pytest

from linkage.errors import Conflict, Forbidden, NotFound
from linkage.services.communities import get_community, list_communities, register_community, update_community
from tests.factories import ADMIN, community_body


def test_the_district_registers_a_community(act, read):
    community = act(register_community, ADMIN, community_body(code="120116101", name="新港社区"))
    with read() as s:
        stored = get_community(s, community.id)
    assert (stored.code, stored.name, stored.population) == ("120116101", "新港社区", 3500)


def test_nobody_but_the_district_registers_one(build, act, unchanged):
    staff = build.community_staff(build.community())
    for actor in (staff, build.auditor()):
        with unchanged(), pytest.raises(Forbidden):
            act(register_community, actor, community_body(code="120116102"))


def test_a_community_code_is_used_once(build, act, unchanged):
    existing = build.community()
    with unchanged(), pytest.raises(Conflict) as caught:
        act(register_community, ADMIN, community_body(code=existing.code))
    assert "code" in caught.value.errors


def test_its_staff_maintain_it_but_never_its_code(build, act, unchanged):
    community = build.community()
    staff = build.community_staff(community)
    changed = act(update_community, staff, community.id, {"households": 1300, "population": 3800})
    assert (changed.households, changed.population) == (1300, 3800)
    with unchanged(), pytest.raises(Conflict) as caught:
        act(update_community, staff, community.id, {"code": "120116999"})
    assert "code" in caught.value.errors
    assert act(update_community, ADMIN, community.id, {"code": "120116999"}).code == "120116999"


def test_staff_of_another_community_cannot_change_it(build, act, unchanged):
    community = build.community()
    outsider = build.community_staff(build.community())
    with unchanged(), pytest.raises(Forbidden):
        act(update_community, outsider, community.id, {"name": "改名"})


def test_a_change_to_a_taken_code_is_a_conflict(build, act, unchanged):
    a, b = build.community(), build.community()
    with unchanged(), pytest.raises(Conflict):
        act(update_community, ADMIN, b.id, {"code": a.code})


def test_an_unknown_community_is_not_found(act, read):
    with pytest.raises(NotFound):
        act(update_community, ADMIN, 5150, {"name": "无"})
    with read() as s, pytest.raises(NotFound):
        get_community(s, 5150)


def test_communities_are_listed_by_district_and_street_a_page_at_a_time(build, read):
    a = build.community(district="滨海新区", street="新港街道")
    b = build.community(district="滨海新区", street="新北街道")
    c = build.community(district="和平区", street="南营门街道")
    with read() as s:
        assert [x.id for x in list_communities(s)[0]] == [a.id, b.id, c.id]
        assert [x.id for x in list_communities(s, district="滨海新区")[0]] == [a.id, b.id]
        assert [x.id for x in list_communities(s, street="新北街道")[0]] == [b.id]
        rows, total = list_communities(s, page=2, page_size=2)
        assert ([x.id for x in rows], total) == ([c.id], 3)
