"""Needs (需求) at the service: who posts and changes them, the time-window rule, cancelling, finding them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from linkage.errors import Conflict, Forbidden, InvalidInput, NotFound
from linkage.messages import Types
from linkage.models import Need, OutboxEvent
from linkage.services.needs import cancel_need, get_need, haversine_km, list_needs, need_record, post_need, update_need
from tests.factories import ADMIN, need_data


def _events(read, need_id):
    with read() as s:
        return list(s.scalars(select(OutboxEvent.type).where(OutboxEvent.key == str(need_id)).order_by(OutboxEvent.id)))


def test_community_staff_post_a_need_for_their_community_and_it_is_announced(build, act, read):
    community = build.community()
    staff = build.community_staff(community)
    need = act(post_need, staff, need_data(community.id, title="代买药品"))
    assert (need.status, need.title, need.created_by) == ("open", "代买药品", staff.user_id)
    assert _events(read, need.id) == [Types.NEED_POSTED]
    with read() as s:
        assert need_record(get_need(s, need.id))["title"] == "代买药品"


def test_a_need_without_a_place_is_served_at_the_community_centre(build, act):
    community = build.community(lat=39.1, lon=117.5)
    need = act(post_need, ADMIN, need_data(community.id))
    assert (need.lat, need.lon) == (39.1, 117.5)
    placed = act(post_need, ADMIN, need_data(community.id, lat=39.2, lon=117.6))
    assert (placed.lat, placed.lon) == (39.2, 117.6)


def test_staff_of_another_community_cannot_post_there(build, act, unchanged):
    community, other = build.community(), build.community()
    outsider = build.community_staff(other)
    for actor in (outsider, build.org_staff(build.organization()), build.auditor()):
        with unchanged(), pytest.raises(Forbidden):
            act(post_need, actor, need_data(community.id))


def test_a_need_for_an_unknown_community_is_invalid_input(build, act, unchanged):
    with unchanged(), pytest.raises(InvalidInput) as caught:
        act(post_need, ADMIN, need_data(99999))
    assert "community_id" in caught.value.errors


def test_a_need_whose_window_is_empty_is_refused(build, act, unchanged):
    community = build.community()
    data = need_data(community.id)
    with unchanged(), pytest.raises(InvalidInput) as caught:
        act(post_need, ADMIN, {**data, "ends_at": data["starts_at"]})
    assert "ends_at" in caught.value.errors


def test_staff_change_an_open_need_and_the_change_is_announced(build, act, read):
    community = build.community()
    staff = build.community_staff(community)
    need = build.need(community)
    changed = act(update_need, staff, need.id, {"title": "陪同复诊（改期）", "volunteers_needed": 3})
    assert (changed.title, changed.volunteers_needed) == ("陪同复诊（改期）", 3)
    assert _events(read, need.id) == [Types.NEED_POSTED, Types.NEED_UPDATED]


def test_a_change_that_empties_the_window_is_refused(build, act, unchanged):
    need = build.need(build.community())
    with unchanged(), pytest.raises(InvalidInput):
        act(update_need, ADMIN, need.id, {"ends_at": need.starts_at - timedelta(minutes=1)})


def test_staff_of_another_community_cannot_change_or_cancel_a_need(build, act, unchanged):
    need = build.need(build.community())
    outsider = build.community_staff(build.community())
    with unchanged():
        with pytest.raises(Forbidden):
            act(update_need, outsider, need.id, {"title": "篡改"})
        with pytest.raises(Forbidden):
            act(cancel_need, outsider, need.id)


def test_an_unknown_need_is_not_found(act):
    with pytest.raises(NotFound):
        act(update_need, ADMIN, 424242, {"title": "x"})
    with pytest.raises(NotFound):
        act(cancel_need, ADMIN, 424242)


def test_a_cancelled_need_can_no_longer_be_changed_or_cancelled(build, act, read, unchanged):
    need = build.need(build.community())
    assert act(cancel_need, ADMIN, need.id).status == "cancelled"
    assert _events(read, need.id) == [Types.NEED_POSTED, Types.NEED_CANCELLED]
    with unchanged():
        with pytest.raises(Conflict):
            act(update_need, ADMIN, need.id, {"title": "复活"})
        with pytest.raises(Conflict):
            act(cancel_need, ADMIN, need.id)


def test_a_need_that_became_a_project_cannot_be_cancelled(build, act, unchanged):
    need = build.need(build.community())
    build.project(need)
    with unchanged(), pytest.raises(Conflict):
        act(cancel_need, ADMIN, need.id)


def test_needs_are_listed_newest_first_and_filtered(build, read):
    a, b = build.community(), build.community()
    first = build.need(a, category="养老")
    second = build.need(a, category="助残")
    third = build.need(b, category="养老")
    with read() as s:
        rows, total = list_needs(s)
        assert ([n.id for n in rows], total) == ([third.id, second.id, first.id], 3)
        rows, total = list_needs(s, category="养老", community_id=a.id)
        assert ([n.id for n in rows], total) == ([first.id], 1)
        rows, total = list_needs(s, page=2, page_size=2)
        assert ([n.id for n in rows], total) == ([first.id], 3)


def test_needs_near_a_point_are_found_by_true_distance(build, read):
    community = build.community(lat=39.0, lon=117.7)
    here = build.need(community, lat=39.0, lon=117.7)
    build.need(community, lat=39.0, lon=117.8)  # about 8.6 km east
    with read() as s:
        rows, total = list_needs(s, near=(39.0, 117.7, 5))
        assert ([n.id for n in rows], total) == ([here.id], 1)
        rows, total = list_needs(s, near=(39.0, 117.75, 5))
        assert total == 2


def test_haversine_distance_is_the_great_circle_distance():
    assert haversine_km(39.0, 117.7, 39.0, 117.7) == 0
    # One degree of latitude is about 111 km anywhere.
    assert haversine_km(39.0, 117.7, 40.0, 117.7) == pytest.approx(111.2, abs=0.1)


def test_get_need_of_an_unknown_id_is_not_found(read):
    with read() as s, pytest.raises(NotFound):
        get_need(s, 31337)


def test_the_stored_need_matches_what_the_service_returned(build, read):
    need = build.need(build.community())
    with read() as s:
        stored = s.get(Need, need.id)
        assert need_record(stored) == need_record(need)
