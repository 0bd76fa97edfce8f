"""Each factor on its own: the formulas a community worker's ranking rests on."""

import math

import pytest
from matchkit import need, organization, resource, social_worker, volunteer

from matching import features as F
from matching import load_weights

P = load_weights().params


def test_haversine_between_tianjin_binhai_and_beijing_is_about_140_km():
    assert 130 < F.haversine_km(39.01727, 117.698407, 39.9042, 116.4074) < 150


def test_distance_factor_halves_every_half_distance():
    assert F.distance_factor(0, 1.5) == 1.0
    assert F.distance_factor(1.5, 1.5) == pytest.approx(0.5)
    assert F.distance_factor(3.0, 1.5) == pytest.approx(0.25)


def test_saturday_morning_window_touches_only_the_saturday_morning_slot():
    start = F.parse_time("2026-11-28T09:00:00+08:00")
    end = F.parse_time("2026-11-28T12:00:00+08:00")
    assert F.window_slot_mask(start, end) == F.slot_mask(["sat_am"])


def test_window_across_noon_touches_morning_and_afternoon():
    start = F.parse_time("2026-11-28T03:00:00Z")  # 11:00 in China
    end = F.parse_time("2026-11-28T06:00:00Z")
    assert F.window_slot_mask(start, end) == F.slot_mask(["sat_am", "sat_pm"])


def test_availability_is_the_share_of_the_needs_slots_the_volunteer_has():
    need_mask = F.slot_mask(["sat_am", "sat_pm"])
    assert F.availability(F.slot_mask(["sat_am", "sun_am"]), need_mask, 0.5) == 0.5
    assert F.availability(F.slot_mask(["sat_am", "sat_pm"]), need_mask, 0.5) == 1.0
    assert F.availability(0, need_mask, 0.5) == 0.0
    assert F.availability(0, 0, 0.5) == 0.5  # a night-time need says nothing


def test_reputation_of_a_newcomer_is_the_prior():
    prior = P["rating_share"] * (P["rating_prior"] - 1) / 4 + (1 - P["rating_share"]) * P["completion_prior"]
    assert F.reputation(None, P) == pytest.approx(prior)


def test_one_five_star_rating_moves_reputation_less_than_fifty():
    one = F.reputation({"rating_sum": 5, "rating_count": 1, "completed": 1, "cancelled": 0}, P)
    fifty = F.reputation({"rating_sum": 250, "rating_count": 50, "completed": 50, "cancelled": 0}, P)
    assert F.reputation(None, P) < one < fifty <= 1.0


def test_many_cancellations_pull_reputation_down():
    good = F.reputation({"rating_sum": 40, "rating_count": 10, "completed": 10, "cancelled": 0}, P)
    flaky = F.reputation({"rating_sum": 40, "rating_count": 10, "completed": 2, "cancelled": 8}, P)
    assert flaky < good


def test_spread_is_a_gentle_penalty():
    assert F.spread(0, 5) == 1.0
    assert F.spread(5, 5) == 0.5
    assert 0 < F.spread(100, 5) < 0.1


def test_room_is_the_free_share_of_capacity():
    assert F.room(5, 0) == 1.0 and F.room(5, 5) == 0.0 and F.room(4, 1) == 0.75
    assert F.room(0, 0) == 0.0 and F.room(3, 9) == 0.0


def test_fund_covering_the_budget_is_full_capacity_and_half_covering_is_half():
    assert F.resource_capacity(True, 50000, 20000) == 1.0
    assert F.resource_capacity(True, 10000, 20000) == 0.5
    assert F.resource_capacity(False, 3, 0) == 1.0


def test_skill_similarity_prefers_matching_skills(index):
    index.upsert("volunteer", volunteer(id=1, skills=["陪诊", "助老"]))
    index.upsert("volunteer", volunteer(id=2, skills=["垃圾分类"]))
    index.upsert("volunteer", volunteer(id=3, skills=["陪护就诊"]))  # no exact tag, shared characters
    f = {e["provider_id"]: e["factors"]["skill"] for e in index.rank(need())["volunteer"]}
    assert f[1] > f[3] > f[2] == 0.0


def test_exact_tag_overlap_counts_category_and_skills(index):
    index.upsert("organization", organization(id=1, skills=["陪诊"], categories=["养老"]))
    index.upsert("organization", organization(id=2, skills=["陪诊"], categories=["环境"]))
    f = {e["provider_id"]: e["factors"] for e in index.rank(need())["organization"]}
    assert f[1]["skill"] > f[2]["skill"]
    assert f[1]["professional"] > f[2]["professional"]


def test_senior_social_worker_with_matching_specialties_fits_best(index):
    index.upsert("social_worker", social_worker(id=1, certificate_level="senior", specialties=["养老", "elderly"]))
    index.upsert("social_worker", social_worker(id=2, certificate_level="assistant", specialties=["养老", "elderly"]))
    index.upsert("social_worker", social_worker(id=3, certificate_level="senior", specialties=["助学", "minors"]))
    f = {e["provider_id"]: e["factors"]["professional"] for e in index.rank(need())["social_worker"]}
    assert f[1] == pytest.approx(1.0)
    assert f[1] > f[2] > f[3]


def test_earmarked_resource_fits_better_than_an_unrestricted_one(index):
    index.upsert("resource", resource(id=1, restricted_categories=["养老"]))
    index.upsert("resource", resource(id=2, restricted_categories=[]))
    f = {e["provider_id"]: e["factors"]["professional"] for e in index.rank(need())["resource"]}
    assert f[1] > f[2]


def test_volunteer_free_on_saturday_morning_ranks_above_one_free_on_sunday(index):
    index.upsert("volunteer", volunteer(id=1, availability=["sun_am"]))
    index.upsert("volunteer", volunteer(id=2, availability=["sat_am"]))
    ranked = index.rank(need())["volunteer"]
    assert [e["provider_id"] for e in ranked] == [2, 1]
    assert ranked[0]["factors"]["availability"] == 1.0 and ranked[1]["factors"]["availability"] == 0.0


def test_closer_provider_wins_when_all_else_is_equal(index):
    index.upsert("volunteer", volunteer(id=1, km_north=3.0))
    index.upsert("volunteer", volunteer(id=2, km_north=0.5))
    ranked = index.rank(need())["volunteer"]
    assert [e["provider_id"] for e in ranked] == [2, 1]
    assert ranked[1]["distance_km"] == pytest.approx(3.0, abs=0.01)
    assert ranked[1]["factors"]["distance"] == pytest.approx(math.pow(2, -3.0 / 1.5), abs=1e-3)


def test_experienced_volunteer_edges_out_a_newcomer(index):
    index.upsert("volunteer", volunteer(id=1, verified_minutes=0))
    index.upsert("volunteer", volunteer(id=2, verified_minutes=6000))
    assert [e["provider_id"] for e in index.rank(need())["volunteer"]] == [2, 1]
