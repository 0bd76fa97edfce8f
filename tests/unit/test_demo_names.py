"""The demo seeder's generated people, codes and places pass the platform's own checks."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from linkage.demo import names
from linkage.demo.places import DISTRICTS, distance_km, district_centre
from linkage.demo.plan import build_plan
from linkage.taxonomy import AVAILABILITY_SLOTS, CATEGORIES, TARGET_GROUPS
from linkage.validators import is_mainland_mobile, is_resident_id, is_uscc

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def plan():
    return build_plan(today=TODAY, tz=TZ)


def test_generated_resident_ids_pass_the_check_digit():
    rng = random.Random(1)
    for _ in range(2000):
        born = names.birth_date(rng, 1950, 2005)
        female = rng.random() < 0.5
        number = names.resident_id(rng, "610113", born, female=female)
        assert is_resident_id(number), number
        assert number.startswith("610113") and number[6:14] == f"{born:%Y%m%d}"
        assert int(number[16]) % 2 == (0 if female else 1)  # the sequence's parity gives the sex


def test_generated_usccs_pass_the_check_character():
    rng = random.Random(2)
    for org_type in "123":
        for _ in range(500):
            code = names.social_org_uscc(rng, "120116", org_type)
            assert is_uscc(code), code
            assert code.startswith(f"5{org_type}120116MJ")


def test_generated_phones_are_mainland_mobiles():
    rng = random.Random(3)
    assert all(is_mainland_mobile(names.mobile(rng)) for _ in range(2000))


def test_the_same_seed_gives_the_same_people():
    def people(seed):
        rng = random.Random(seed)
        return [(names.person_name(rng, female=i % 2 == 0, born=1950 + i % 50), names.mobile(rng),
                 names.social_org_uscc(rng, "371502", "2")) for i in range(200)]
    assert people(7) == people(7)
    assert people(7) != people(8)


def test_two_plans_are_identical(plan):
    assert build_plan(today=TODAY, tz=TZ) == plan


def test_every_volunteer_in_the_plan_has_valid_unique_identifiers(plan):
    vols = plan.volunteers
    assert len(vols) == 2000
    assert all(is_resident_id(v["id_number"]) for v in vols)
    assert all(is_mainland_mobile(v["phone"]) for v in vols)
    assert len({v["id_number"] for v in vols}) == len(vols)
    assert len({v["phone"] for v in vols}) == len(vols)
    assert all(1950 <= int(v["id_number"][6:10]) <= 2005 for v in vols)
    assert all(v["availability"] and set(v["availability"]) <= set(AVAILABILITY_SLOTS) for v in vols)
    assert all(1 <= v["travel_radius_km"] <= 10 for v in vols)


def test_volunteers_id_numbers_start_with_their_districts_code(plan):
    for v in plan.volunteers:
        district = plan.communities[v["_community"]]["_district"]
        assert v["id_number"][:6] == district.adcode


def test_organizations_have_valid_codes_and_taxonomy_categories(plan):
    orgs = plan.organizations
    assert len(orgs) == 100 and len({o["uscc"] for o in orgs}) == 100
    assert len({o["name"] for o in orgs}) == 100
    assert all(is_uscc(o["uscc"]) and is_mainland_mobile(o["contact_phone"]) for o in orgs)
    assert all(1 <= len(o["categories"]) <= 3 and set(o["categories"]) <= set(CATEGORIES) for o in orgs)
    assert all(2 <= o["capacity"] <= 8 and 3 <= o["service_radius_km"] <= 15 for o in orgs)
    assert any(o["_community"] is not None for o in orgs)  # 社区社会组织 exist


def test_communities_sit_within_four_km_of_their_district_centre(plan):
    assert len(plan.communities) == 20
    for district in DISTRICTS:
        members = [c for c in plan.communities if c["_district"] is district]
        assert len(members) == 4
        centre = district_centre(district.adcode)
        assert all(distance_km(c["lat"], c["lon"], *centre) <= 4.01 for c in members)


def test_most_organizations_are_near_a_community(plan):
    near = sum(1 for o in plan.organizations
               if min(distance_km(o["lat"], o["lon"], c["lat"], c["lon"]) for c in plan.communities) <= 5.0)
    assert near >= 95


def test_needs_fall_in_the_next_month_at_local_daytime_hours(plan):
    assert len(plan.needs) == 50
    start_of_today = datetime.combine(TODAY, datetime.min.time(), tzinfo=TZ)
    for need in plan.needs:
        local = need["starts_at"].astimezone(TZ)
        assert start_of_today + timedelta(days=2) <= local <= start_of_today + timedelta(days=31)
        assert 7 <= local.hour and need["ends_at"].astimezone(TZ).hour <= 22
        assert need["category"] in CATEGORIES and set(need["target_groups"]) <= set(TARGET_GROUPS)
    assert {n["_community"] for n in plan.needs} == set(range(20))  # every community posts


def test_a_few_resources_have_lapsed(plan):
    now = datetime.combine(TODAY, datetime.min.time(), tzinfo=TZ)
    lapsed = [r for r in plan.resources if r["available_until"] and r["available_until"] < now]
    assert len(plan.resources) == 60 and 1 <= len(lapsed) <= 15
    funds = [r for r in plan.resources if r["kind"] == "fund"]
    assert funds and all(5_000_00 <= r["amount_fen"] <= 200_000_00 for r in funds)
    assert all(r["quantity"] for r in plan.resources if r["kind"] != "fund")
