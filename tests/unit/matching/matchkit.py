"""Builders for need and provider dicts (shapes from docs/provider-records.md) near 滨海新区."""
from __future__ import annotations

import math
import random
from datetime import datetime, timedelta, timezone

CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=CST)  # a Monday; the need below is that Saturday
HOME = (39.01727, 117.698407)  # 滨海新区 (cpca adcodes.csv)
REP = {"rating_sum": 0.0, "rating_count": 0, "completed": 0, "cancelled": 0}


def offset(km_north: float = 0.0, km_east: float = 0.0, origin=HOME) -> tuple[float, float]:
    lat = origin[0] + km_north / 111.195
    return lat, origin[1] + km_east / (111.195 * math.cos(math.radians(origin[0])))


def need(**kw) -> dict:
    base = {"id": 17, "community_id": 3, "title": "陪同老人去医院复诊", "description": "老人行动不便，需要有人陪诊",
            "category": "养老", "skills": ["陪诊", "助老"], "target_groups": ["elderly"],
            "lat": HOME[0], "lon": HOME[1], "starts_at": "2026-11-28T09:00:00+08:00",
            "ends_at": "2026-11-28T12:00:00+08:00", "volunteers_needed": 2, "hours_estimate": 3,
            "budget_fen": 0, "urgency": "normal", "status": "open"}
    base.update(kw)
    return base


def _at(kw, km_north, km_east):
    lat, lon = offset(km_north, km_east)
    kw.setdefault("lat", lat)
    kw.setdefault("lon", lon)


def volunteer(id=1, km_north=1.0, km_east=0.0, **kw) -> dict:
    _at(kw, km_north, km_east)
    return {"id": id, "name": f"志愿者{id}", "active": True, "reputation": dict(REP), "skills": ["陪诊", "助老"],
            "travel_radius_km": 5.0, "availability": ["sat_am"], "verified_minutes": 600, **kw}


def organization(id=1, km_north=1.0, km_east=0.0, **kw) -> dict:
    _at(kw, km_north, km_east)
    return {"id": id, "name": f"社会组织{id}", "active": True, "reputation": dict(REP), "categories": ["养老"],
            "skills": ["陪诊", "助餐"], "service_radius_km": 20.0, "capacity": 5, "open_projects": 1,
            "registration": "registered", **kw}


def social_worker(id=1, km_north=1.0, km_east=0.0, **kw) -> dict:
    _at(kw, km_north, km_east)
    return {"id": id, "name": f"社工{id}", "active": True, "reputation": dict(REP),
            "certificate_level": "intermediate", "specialties": ["养老", "elderly", "个案辅导"],
            "organization_id": None, "service_radius_km": 10.0, **kw}


def resource(id=1, km_north=1.0, km_east=0.0, **kw) -> dict:
    _at(kw, km_north, km_east)
    return {"id": id, "name": f"资源{id}", "active": True, "reputation": dict(REP), "donor": "爱心企业",
            "kind": "fund", "tags": ["助老"], "amount_fen": 100000, "remaining_fen": 50000, "radius_km": 20.0,
            "restricted_categories": [], "available_from": None, "available_until": None, **kw}


BUILDERS = {"volunteer": volunteer, "organization": organization, "social_worker": social_worker,
            "resource": resource}
SKILLS = ["陪诊", "助老", "助餐", "课业辅导", "助学", "心理疏导", "法律咨询", "垃圾分类", "急救", "手语"]
CATS = ["养老", "助学", "心理服务", "法律服务", "环境", "应急", "助残"]


def random_provider(kind: str, pid: int, rnd: random.Random) -> dict:
    """A varied provider within ~15 km of home, for property and agreement tests."""
    kw = {"km_north": rnd.uniform(-12, 12), "km_east": rnd.uniform(-12, 12),
          "reputation": {"rating_sum": rnd.randint(0, 40) * 1.0, "rating_count": rnd.randint(0, 10),
                         "completed": rnd.randint(0, 20), "cancelled": rnd.randint(0, 3)}}
    skills = rnd.sample(SKILLS, rnd.randint(1, 3))
    if kind == "volunteer":
        kw.update(skills=skills, travel_radius_km=rnd.choice([2.0, 5.0, 10.0]),
                  availability=rnd.sample(["sat_am", "sat_pm", "sun_am", "mon_eve", "wed_pm"], rnd.randint(0, 3)),
                  verified_minutes=rnd.randint(0, 3000))
    elif kind == "organization":
        cap = rnd.randint(1, 6)
        kw.update(skills=skills, categories=rnd.sample(CATS, 1), capacity=cap, open_projects=rnd.randint(0, cap),
                  registration=rnd.choice(["registered", "filed"]), service_radius_km=rnd.choice([5.0, 15.0, 30.0]))
    elif kind == "social_worker":
        kw.update(specialties=skills + rnd.sample(CATS, 1) + rnd.sample(["elderly", "minors", "disabled"], 1),
                  certificate_level=rnd.choice(["assistant", "intermediate", "senior"]),
                  service_radius_km=rnd.choice([5.0, 10.0, 20.0]))
    else:
        kw.update(kind=rnd.choice(["fund", "material"]), tags=skills, remaining_fen=rnd.randint(0, 90000),
                  remaining_quantity=rnd.randint(0, 9), radius_km=rnd.choice([5.0, 20.0]),
                  restricted_categories=rnd.sample(CATS, rnd.randint(0, 1)),
                  available_until=rnd.choice([None, "2026-11-20T00:00:00+08:00", "2027-01-01T00:00:00+08:00"]))
    return BUILDERS[kind](id=pid, **kw)
