"""Hard constraints: what must never rank, whatever the other factors say."""

import pytest
from matchkit import BUILDERS, need, offset, organization, resource, volunteer


def ids(ranked, kind):
    return [e["provider_id"] for e in ranked[kind]]


def test_volunteer_beyond_travel_radius_never_ranks(index):
    # 30 km away with a 27 km travel radius: the need is 3 km outside the circle.
    index.upsert("volunteer", volunteer(id=1, km_north=30.0, travel_radius_km=27.0))
    index.upsert("volunteer", volunteer(id=2, km_north=26.0, travel_radius_km=27.0))
    assert ids(index.rank(need()), "volunteer") == [2]


@pytest.mark.parametrize("kind", list(BUILDERS))
def test_every_kind_is_cut_at_its_own_radius(index, kind):
    key = {"volunteer": "travel_radius_km", "resource": "radius_km"}.get(kind, "service_radius_km")
    index.upsert(kind, BUILDERS[kind](id=1, km_north=10.2, **{key: 10.0}))
    index.upsert(kind, BUILDERS[kind](id=2, km_east=9.8, **{key: 10.0}))
    assert ids(index.rank(need()), kind) == [2]


def test_resource_restricted_to_education_never_ranks_for_elderly_need(index):
    index.upsert("resource", resource(id=1, restricted_categories=["助学"], tags=["助老", "陪诊"]))
    index.upsert("resource", resource(id=2, restricted_categories=["养老"]))
    index.upsert("resource", resource(id=3, restricted_categories=[]))
    assert sorted(ids(index.rank(need(category="养老")), "resource")) == [2, 3]
    assert sorted(ids(index.rank(need(category="助学")), "resource")) == [1, 3]


def test_expired_resource_never_ranks(index):
    index.upsert("resource", resource(id=1, available_until="2026-11-22T23:59:59+08:00"))  # yesterday
    index.upsert("resource", resource(id=2, available_until="2026-11-27T00:00:00+08:00"))  # ends before the need
    index.upsert("resource", resource(id=3, available_until="2026-12-31T00:00:00+08:00"))
    index.upsert("resource", resource(id=4, available_from="2026-12-01T00:00:00+08:00"))  # starts after it
    assert ids(index.rank(need()), "resource") == [3]


def test_resource_with_nothing_left_never_ranks(index):
    index.upsert("resource", resource(id=1, remaining_fen=0))
    index.upsert("resource", resource(id=2, kind="material", remaining_quantity=0))
    index.upsert("resource", resource(id=3, kind="material", remaining_quantity=4))
    assert ids(index.rank(need()), "resource") == [3]


def test_full_organization_ranks_below_an_equal_one_with_room(index):
    index.upsert("organization", organization(id=1, capacity=5, open_projects=5))
    index.upsert("organization", organization(id=2, capacity=5, open_projects=2))
    ranked = index.rank(need())["organization"]
    assert [e["provider_id"] for e in ranked] == [2, 1]
    assert ranked[1]["factors"]["capacity"] == 0.0
    assert "已满负荷（5/5）" in ranked[1]["reasons"]


def test_inactive_provider_never_ranks_and_leaves_the_index(index):
    index.upsert("volunteer", volunteer(id=1))
    index.upsert("volunteer", volunteer(id=2, active=False))
    assert ids(index.rank(need()), "volunteer") == [1]
    index.upsert("volunteer", volunteer(id=1, active=False))
    assert ids(index.rank(need()), "volunteer") == [] and index.size("volunteer") == 0


def test_a_provider_moving_out_of_range_stops_ranking(index):
    index.upsert("volunteer", volunteer(id=1))
    assert ids(index.rank(need()), "volunteer") == [1]
    lat, lon = offset(km_north=40)
    index.upsert("volunteer", volunteer(id=1, lat=lat, lon=lon))
    assert ids(index.rank(need()), "volunteer") == []
