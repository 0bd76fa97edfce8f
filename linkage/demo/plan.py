"""The demo rows as plain dicts, generated deterministically; `seed.py` writes them through the services.

Rows refer to each other by position (`_community`, `_organization`): ids exist only once written.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from linkage.demo import content, names
from linkage.demo.places import DISTRICTS, District, district_centre, scatter
from linkage.taxonomy import AVAILABILITY_SLOTS, TARGET_GROUPS, WEEKDAYS

SEED = 20261123
BASE_COUNTS = {"organizations": 100, "social_workers": 40, "volunteers": 2000,
               "resources": 60, "needs": 50}


@dataclass
class DemoPlan:
    communities: list[dict] = field(default_factory=list)
    organizations: list[dict] = field(default_factory=list)
    social_workers: list[dict] = field(default_factory=list)
    volunteers: list[dict] = field(default_factory=list)
    resources: list[dict] = field(default_factory=list)
    needs: list[dict] = field(default_factory=list)


def _rng(section: str) -> random.Random:
    # One stream per section: changing how many volunteers are made leaves the needs unchanged.
    return random.Random(f"{SEED}:{section}")


def scaled_counts(scale: float) -> dict[str, int]:
    return {k: max(1, round(v * scale)) for k, v in BASE_COUNTS.items()}


def _at(point: tuple[float, float]) -> dict[str, float]:
    return {"lat": point[0], "lon": point[1]}


def _spread(total: int, buckets: int) -> list[int]:
    return [total // buckets + (1 if i < total % buckets else 0) for i in range(buckets)]


def build_plan(*, scale: float = 1.0, today: date, tz: ZoneInfo) -> DemoPlan:
    counts = scaled_counts(scale)
    plan = DemoPlan()
    plan.communities = _communities()
    plan.organizations = _organizations(plan.communities, counts["organizations"])
    plan.social_workers = _social_workers(plan.communities, plan.organizations, counts["social_workers"])
    plan.volunteers = _volunteers(plan.communities, counts["volunteers"])
    plan.resources = _resources(plan.communities, counts["resources"], today, tz)
    plan.needs = _needs(plan.communities, counts["needs"], today, tz)
    return plan


def _communities() -> list[dict]:
    rng = _rng("communities")
    rows = []
    for district in DISTRICTS:
        centre = district_centre(district.adcode)
        for street_no, (street, name) in enumerate(district.communities, start=1):
            lat, lon = scatter(rng, *centre, 0.8, 4.0)
            households = rng.randrange(1800, 4800, 10)
            rows.append({
                # 12-digit statistical code: district, street (3 digits), community (3 digits).
                "code": f"{district.adcode}{street_no:03d}{rng.randint(1, 30):03d}",
                "name": name, "street": street, "district": district.label,
                "lat": lat, "lon": lon, "households": households,
                "population": round(households * rng.uniform(2.5, 3.1)),
                "_district": district,
            })
    return rows


def _in_district(communities: list[dict], district: District) -> list[int]:
    return [i for i, c in enumerate(communities) if c["_district"] is district]


def _org_row(rng, district, kind, community, *, name, registration, radius, near_km, used_codes):
    _suffix, org_type, kind_categories = kind
    extra = min(len(kind_categories) - 1, rng.randint(0, 2))
    categories = [kind_categories[0]] + rng.sample(kind_categories[1:], extra)
    skills: list[str] = []
    for category in categories:
        for skill in rng.sample(content.CATEGORY_SKILLS[category], 2):
            if skill not in skills:
                skills.append(skill)
    groups = {g for c in categories for g in content.CATEGORY_GROUPS[c]}
    group_names = "、".join(sorted(TARGET_GROUPS[g][0] for g in groups))
    uscc = names.social_org_uscc(rng, district.adcode, org_type)
    while uscc in used_codes:
        uscc = names.social_org_uscc(rng, district.adcode, org_type)
    used_codes.add(uscc)
    contact_born = rng.randint(1965, 1995)
    return {
        "name": name, "uscc": uscc, "registration": registration,
        "categories": categories, "skills": skills[:6],
        "description": f"{name}扎根{district.label}，主要开展{'、'.join(categories)}服务，服务对象以{group_names}为主。",
        "district": district.label,
        **_at(scatter(rng, community["lat"], community["lon"], *near_km)),
        "service_radius_km": radius, "capacity": rng.randint(2, 8),
        "contact_name": names.person_name(rng, female=rng.random() < 0.6, born=contact_born),
        "contact_phone": names.mobile(rng),
    }


def _organizations(communities: list[dict], total: int) -> list[dict]:
    rng = _rng("organizations")
    rows: list[dict] = []
    used_names: set[str] = set()
    used_codes: set[str] = set()
    # A fifth are community-based organizations (社区社会组织), one per community while they last.
    community_based = min(len(communities), total // 5)
    for slot, per_district in enumerate(_spread(total - community_based, len(DISTRICTS))):
        district = DISTRICTS[slot]
        members = _in_district(communities, district)
        for _ in range(per_district):
            if not rows:  # the demo's first organization (the `zuzhi` login) reads well
                kind, brand = content.ORG_KINDS[0], "乐龄"
            else:
                kind, brand = rng.choice(content.ORG_KINDS), rng.choice(content.ORG_BRANDS)
            name = f"{district.prefix}{brand}{kind[0]}"
            attempts = 0
            while name in used_names:  # large scales run out of brand × kind pairs: number them
                attempts += 1
                brand = rng.choice(content.ORG_BRANDS)
                name = f"{district.prefix}{brand}{kind[0]}" + (f"（{attempts}）" if attempts > 20 else "")
            used_names.add(name)
            home = communities[rng.choice(members)]
            row = _org_row(rng, district, kind, home, name=name,
                           registration="registered" if rng.random() < 0.9 else "filed",
                           radius=float(rng.randint(5, 15)), near_km=(0.5, 5.0), used_codes=used_codes)
            row["_community"] = None
            rows.append(row)
    for index in range(community_based):
        community = communities[index * len(communities) // community_based]
        kind = content.COMMUNITY_ORG_KINDS[index % len(content.COMMUNITY_ORG_KINDS)]
        row = _org_row(rng, community["_district"], kind, community,
                       name=f"{community['name']}{kind[0]}",
                       registration="filed" if rng.random() < 0.8 else "registered",
                       radius=float(rng.randint(3, 5)), near_km=(0.05, 0.5), used_codes=used_codes)
        row["_community"] = communities.index(community)
        rows.append(row)
    return rows


def _social_workers(communities: list[dict], orgs: list[dict], total: int) -> list[dict]:
    rng = _rng("social_workers")
    rows = []
    for i in range(total):
        district = DISTRICTS[i % len(DISTRICTS)]
        local = [j for j, o in enumerate(orgs) if o["district"] == district.label and o["_community"] is None]
        employed = bool(local) and (i == 0 or rng.random() < 0.85)
        if employed:
            weights = [4 if "社会工作" in orgs[j]["name"] else 1 for j in local]
            org_index = rng.choices(local, weights=weights)[0]
            categories = orgs[org_index]["categories"]
            base_lat, base_lon = orgs[org_index]["lat"], orgs[org_index]["lon"]
        else:
            org_index = None
            categories = [rng.choice(list(content.CATEGORY_SKILLS))]
            home = communities[rng.choice(_in_district(communities, district))]
            base_lat, base_lon = home["lat"], home["lon"]
        focus = rng.sample(categories, min(len(categories), rng.randint(1, 2)))
        specialties = list(focus)
        specialties.append(rng.choice(content.CATEGORY_GROUPS[focus[0]]))
        specialties.append(rng.choice(content.SOCIAL_WORK_METHODS))
        born = rng.randint(1972, 2000)
        rows.append({
            "name": names.person_name(rng, female=rng.random() < 0.7, born=born),
            "certificate_level": rng.choices(("assistant", "intermediate", "senior"), weights=(55, 33, 12))[0],
            "specialties": specialties,
            **_at(scatter(rng, base_lat, base_lon, 0.5, 5.0)),
            "service_radius_km": float(rng.randint(5, 15)),
            "_organization": org_index,
        })
    return rows


def _stage_of(rng: random.Random) -> tuple[str, int, int]:
    stage = rng.choices(("retired", "working", "student"), weights=(50, 35, 15))[0]
    years = {"retired": (1950, 1966), "working": (1967, 1999), "student": (2000, 2005)}[stage]
    return stage, *years


_SLOT_ODDS = {
    # (weekday am, weekday pm, weekday eve, weekend am, weekend pm, weekend eve)
    "retired": (0.55, 0.45, 0.10, 0.30, 0.25, 0.05),
    "working": (0.03, 0.03, 0.35, 0.50, 0.45, 0.15),
    "student": (0.02, 0.10, 0.15, 0.55, 0.55, 0.10),
}


def _availability(rng: random.Random, stage: str) -> list[str]:
    odds = _SLOT_ODDS[stage]
    slots = []
    for day in WEEKDAYS:
        weekend = day in ("sat", "sun")
        for k, part in enumerate(("am", "pm", "eve")):
            if rng.random() < odds[k + (3 if weekend else 0)]:
                slots.append(f"{day}_{part}")
    if not slots:
        slots.append(rng.choice(("sat_am", "sun_am") if stage != "retired" else ("mon_am", "wed_am")))
    return [s for s in AVAILABILITY_SLOTS if s in slots]


def _volunteers(communities: list[dict], total: int) -> list[dict]:
    rng = _rng("volunteers")
    weights = [c["population"] for c in communities]
    phones: set[str] = set()
    ids: set[str] = set()
    rows = []
    for i in range(total):
        # The `zhiyuan` login is the first volunteer, in the first community.
        index = 0 if i == 0 else rng.choices(range(len(communities)), weights=weights)[0]
        community = communities[index]
        stage, first, last = _stage_of(rng)
        female = rng.random() < (0.65 if stage == "retired" else 0.55)
        born = names.birth_date(rng, first, last)
        id_number = names.resident_id(rng, community["_district"].adcode, born, female=female)
        while id_number in ids:
            id_number = names.resident_id(rng, community["_district"].adcode, born, female=female)
        ids.add(id_number)
        phone = names.mobile(rng)
        while phone in phones:
            phone = names.mobile(rng)
        phones.add(phone)
        pool = content.VOLUNTEER_SKILLS[stage]
        skills: list[str] = []
        for _ in range(rng.choices((1, 2, 3, 4), weights=(3, 4, 2, 1))[0]):
            skill = rng.choices([s for s, _ in pool], weights=[w for _, w in pool])[0]
            if skill not in skills:
                skills.append(skill)
        low, high = {"retired": (1, 4), "working": (2, 8), "student": (2, 10)}[stage]
        rows.append({
            "name": names.person_name(rng, female=female, born=born.year),
            "phone": phone, "id_number": id_number, "skills": skills,
            **_at(scatter(rng, community["lat"], community["lon"], 0.05, 1.5)),
            "travel_radius_km": rng.randint(low * 2, high * 2) / 2,
            "availability": _availability(rng, stage),
            "_community": index,
        })
    return rows


def _local(day: date, tz: ZoneInfo, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def _donor(rng: random.Random, district: District, pools: tuple[str, ...]) -> str:
    pattern = rng.choice(content.DONORS[rng.choice(pools)])
    return pattern.format(c=district.city.removesuffix("市"), d=district.prefix,
                          s=rng.choice(names.SURNAMES[:40]))


def _resources(communities: list[dict], total: int, today: date, tz: ZoneInfo) -> list[dict]:
    rng = _rng("resources")
    rows = []
    for i in range(total):
        district = DISTRICTS[i % len(DISTRICTS)]
        kind, title, description, unit, (low, high), restricted, tags, pools = rng.choice(content.RESOURCE_TEMPLATES)
        donor = _donor(rng, district, pools)
        if donor.startswith("爱心人士"):
            high = max(low, high // 4)  # individuals give less than companies and foundations
        home = communities[rng.choice(_in_district(communities, district))]
        row = {"name": title, "donor": donor, "kind": kind, "description": description,
               "tags": list(tags), "restricted_categories": list(restricted), "unit": unit,
               "amount_fen": None, "quantity": None,
               **_at(scatter(rng, home["lat"], home["lon"], 0.2, 3.0))}
        if kind == "fund":
            row["amount_fen"] = rng.randrange(low, high + 1, 1000) * 100 if high > low else low * 100
            row["unit"] = "元"
            row["radius_km"] = float(rng.randint(10, 20))
        else:
            quantity = rng.randint(low, high)
            row["quantity"] = quantity - quantity % 10 if quantity > 50 else quantity
            row["radius_km"] = float({"material": rng.randint(5, 15), "venue": rng.randint(2, 5),
                                      "service": rng.randint(3, 10)}[kind])
        if i % 12 == 11:  # one in twelve has lapsed: the matcher must leave those out
            row["available_until"] = _local(today - timedelta(days=rng.randint(1, 60)), tz, 23, 59)
            row["available_from"] = row["available_until"] - timedelta(days=rng.randint(90, 200))
        else:
            row["available_from"] = _local(today - timedelta(days=rng.randint(0, 120)), tz)
            row["available_until"] = (None if rng.random() < 0.1
                                      else _local(today + timedelta(days=rng.randint(30, 365)), tz, 23, 59))
        rows.append(row)
    return rows


def _fits(day: date, kind: str) -> bool:
    return kind == "any" or (day.weekday() >= 5) == (kind == "weekend")


def _needs(communities: list[dict], total: int, today: date, tz: ZoneInfo) -> list[dict]:
    rng = _rng("needs")
    templates = list(content.NEED_TEMPLATES)
    order: list[tuple] = []
    rows = []
    for i in range(total):
        if not order:  # every template is used once before any is used again
            order = rng.sample(templates, len(templates))
        (title, description, category, skills, groups, (vlow, vhigh), (hour, minute), duration,
         (blow, bhigh), urgency_weights, day_kind) = order.pop()
        index = i % len(communities)
        community = communities[index]
        days = [today + timedelta(days=d) for d in range(2, 31)]
        day = rng.choice([d for d in days if _fits(d, day_kind)])
        starts = _local(day, tz, hour, minute)
        row = {
            "title": title,
            "description": description.format(c=community["name"], age=rng.randint(76, 93),
                                              n=rng.randint(3, 25)),
            "category": category, "skills": list(skills), "target_groups": list(groups),
            "starts_at": starts, "ends_at": starts + timedelta(hours=duration),
            "volunteers_needed": rng.randint(vlow, vhigh), "hours_estimate": float(duration),
            "budget_fen": rng.randrange(blow, bhigh + 1, 100) * 100 if bhigh else 0,
            "urgency": rng.choices(("low", "normal", "high", "urgent"), weights=urgency_weights)[0],
            "_community": index,
        }
        if rng.random() < 0.5:  # served somewhere in the community rather than at its office
            row.update(_at(scatter(rng, community["lat"], community["lon"], 0.2, 1.0)))
        rows.append(row)
    return rows
