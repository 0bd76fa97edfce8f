"""The district's linkage indicators (五社联动指标) at the service: what is counted where, against the targets."""
from __future__ import annotations

import pytest

from linkage.services.evaluations import evaluate_project, issue_codes
from linkage.services.hours import review_hours
from linkage.services.stats import (
    GROWTH_TARGETS,
    TARGETS,
    home_community,
    indicators,
    linkage_stats,
    map_layers,
    scope_communities,
    scope_options,
)
from tests.factories import ADMIN


@pytest.fixture
def district(build):
    """Two streets of one district and a community in another district."""
    return {"a": build.community(district="滨海新区", street="新港街道", population=5000, households=2000,
                                 lat=39.0, lon=117.7),
            "b": build.community(district="滨海新区", street="新北街道", population=5000, households=1800,
                                 lat=39.1, lon=117.6),
            "c": build.community(district="和平区", street="南营门街道", population=10000, households=4000,
                                 lat=39.12, lon=117.2)}


def test_an_empty_district_has_zeros_and_unmet_targets(district, read):
    with read() as s:
        stats = linkage_stats(s, district="滨海新区")
    assert stats["scope"] == {"level": "district", "district": "滨海新区", "street": None, "community_id": None,
                              "communities": 2}
    values = stats["indicators"]
    assert (values["population"], values["organizations"], values["needs_posted"]) == (10000, 0, 0)
    assert values["median_seconds_to_match"] is None and values["mean_satisfaction"] is None
    assert all(not row["met"] for row in stats["attainment"].values())
    assert stats["targets"] == {**TARGETS, **GROWTH_TARGETS}
    assert sorted(row["key"] for row in stats["breakdown"]) == ["新北街道", "新港街道"]


def test_providers_count_in_their_own_community_or_the_nearest(district, build, read):
    build.organization(community_id=district["b"].id, lat=39.0, lon=117.7)  # bound to b, standing in a
    build.organization(lat=39.01, lon=117.71)                               # nearest to a
    build.social_worker(build.organization(lat=39.12, lon=117.2), lat=39.1, lon=117.6)  # org near c, worker near b
    build.volunteer(district["a"])
    with read() as s:
        a = linkage_stats(s, community_id=district["a"].id)["indicators"]
        b = linkage_stats(s, community_id=district["b"].id)["indicators"]
        c = linkage_stats(s, community_id=district["c"].id)["indicators"]
    assert (a["organizations"], a["community_organizations"], a["volunteers"]) == (1, 0, 1)
    assert (b["organizations"], b["community_organizations"], b["social_workers"]) == (1, 1, 1)
    assert c["organizations"] == 1
    assert a["organizations_per_10k"] == 2.0 and a["volunteers_per_10k"] == 2.0


def test_needs_projects_hours_and_evaluations_count_in_the_need_s_community(district, build, act, read):
    a = district["a"]
    build.need(a)                                    # posted, still open
    project = build.project(community=a, status="completed")
    volunteer = build.volunteer(a)
    running = build.project(community=a, status="in_progress")
    record = build.hour_record(build.past_activity(running), volunteer, minutes=90)
    act(review_hours, ADMIN, record.id, "verify")
    codes = act(issue_codes, ADMIN, project.id, 2)
    act(evaluate_project, project.id, codes[0], 5, "")
    act(evaluate_project, project.id, codes[1], 4, "")
    with read() as s:
        stats = linkage_stats(s, street="新港街道")
    values = stats["indicators"]
    assert (values["needs_posted"], values["needs_claimed"], values["needs_completed"]) == (3, 2, 1)
    assert values["median_seconds_to_claim"] is not None and values["evaluations"] == 2
    assert values["mean_satisfaction"] == 4.5
    assert stats["scope"]["level"] == "street"
    assert [row["level"] for row in stats["breakdown"]] == ["community"]
    with read() as s:
        everywhere = linkage_stats(s)["indicators"]
    assert everywhere["volunteer_minutes_verified"] == 90 and everywhere["volunteer_hours_verified"] == 1.5
    assert everywhere["needs_posted"] == 3 and everywhere["volunteer_minutes_recorded"] == 90


def test_indicators_of_a_group_are_computed_from_the_sum(district, read):
    with read() as s:
        stats = linkage_stats(s)
    assert stats["scope"]["level"] == "all"
    assert sorted(row["key"] for row in stats["breakdown"]) == ["和平区", "滨海新区"]
    assert indicators([], 0)["organizations_per_10k"] == 0.0


def test_scope_options_and_the_map_show_each_district_s_communities(district, build, read):
    build.need(district["a"])
    volunteer = build.volunteer(district["a"], lat=39.0012345, lon=117.7012345)
    with read() as s:
        options = scope_options(s)
        layers = map_layers(s, district="滨海新区")
        assert [c.id for c in scope_communities(s, street="新北街道")] == [district["b"].id]
        assert home_community(scope_communities(s), volunteer) == district["a"].id
    assert set(options) == {"滨海新区", "和平区"}
    assert set(options["滨海新区"]) == {"新港街道", "新北街道"}
    [layer] = layers
    assert len(layer["communities"]) == 2 and len(layer["needs"]) == 1
    [point] = layer["providers"]["volunteer"]
    assert point != {"lat": 39.0012345, "lon": 117.7012345}  # a neighbourhood, never the door


def test_matched_needs_count_with_their_time_to_match(district, build, act, read):
    from linkage.models import utcnow
    from linkage.services.matches import record_matches
    need = build.need(district["a"], actor=build.admin())
    build.need(district["a"], actor=build.admin())

    def rank(uow):
        record_matches(uow, consumer="projector", event_id="e-1", need_id=need.id, ranked_at=utcnow(), matches={})
        uow.commit()
    act(rank)
    with read() as s:
        values = linkage_stats(s, community_id=district["a"].id)["indicators"]
    assert (values["needs_posted"], values["needs_matched"]) == (2, 1)
    assert values["median_seconds_to_match"] is not None and values["median_seconds_to_match"] >= 0


def test_hours_served_elsewhere_do_not_count_here(district, build, act, read):
    elsewhere = build.project(community=district["c"], status="in_progress")
    record = build.hour_record(build.past_activity(elsewhere), build.volunteer(district["a"]), minutes=60)
    act(review_hours, ADMIN, record.id, "verify")
    with read() as s:
        here = linkage_stats(s, community_id=district["a"].id)["indicators"]
        there = linkage_stats(s, community_id=district["c"].id)["indicators"]
    assert (here["volunteers"], here["volunteer_minutes_verified"]) == (1, 0)
    assert there["volunteer_minutes_verified"] == 60


def test_time_to_match_covers_the_last_30_days_of_needs_people_posted(district, build, act, read):
    """Not the demo seeder's needs (posted by no account, at start-up), not last quarter's."""
    from datetime import timedelta

    from linkage.models import Need, utcnow
    from linkage.services.matches import record_matches

    person, seeded, old = (build.need(district["a"], actor=build.admin()), build.need(district["a"]),
                           build.need(district["a"], actor=build.admin()))
    now = utcnow()

    def rank(uow):
        uow.session.get(Need, old.id).created_at = now - timedelta(days=31)
        for n in (person, seeded, old):
            record_matches(uow, consumer="projector", event_id=f"e-{n.id}", need_id=n.id, ranked_at=now, matches={})
        uow.session.flush()
        uow.session.get(Need, person.id).matched_at = uow.session.get(Need, person.id).created_at + timedelta(seconds=2)
        uow.session.get(Need, seeded.id).matched_at = uow.session.get(Need, seeded.id).created_at + timedelta(seconds=8)
        uow.commit()
    act(rank)
    with read() as s:
        stats = linkage_stats(s, community_id=district["a"].id, now=now + timedelta(seconds=10))
    assert stats["indicators"]["needs_matched"] == 3  # every matched need still counts as matched
    assert stats["indicators"]["median_seconds_to_match"] == 2.0  # the person's need alone
    assert stats["windows"]["median_seconds_to_match"] == {"days": 30, "posted_by_people": True}
