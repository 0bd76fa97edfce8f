"""Labelled synthetic needs and providers scattered around the seed districts (for benchmarks)."""
from __future__ import annotations

import csv
import math
import os
import random
from dataclasses import dataclass

import numpy as np

SEED_DISTRICTS = {  # adcode prefix -> label
    "120116": "天津 滨海新区", "371502": "聊城 东昌府区", "140302": "阳泉 城区",
    "610113": "西安 雁塔区", "510107": "成都 武侯区",
}
CATEGORY_SKILLS = {
    "养老": ["陪诊", "助老", "助餐", "送餐", "上门探访", "康复护理", "理发"],
    "托幼": ["课后托管", "儿童看护", "亲子活动", "绘本阅读"],
    "助残": ["康复训练", "手语", "无障碍出行", "助残"],
    "帮困": ["物资发放", "入户走访", "低保帮扶", "帮困"],
    "助学": ["课业辅导", "作业辅导", "助学", "心理陪伴"],
    "医疗健康": ["义诊", "健康讲座", "测血压", "护理"],
    "就业": ["就业指导", "技能培训", "简历辅导"],
    "矛盾调解": ["调解", "邻里纠纷", "法律咨询"],
    "法律服务": ["法律援助", "普法宣传", "法律咨询"],
    "心理服务": ["心理咨询", "心理疏导", "情绪支持"],
    "文体": ["广场舞", "书法", "合唱", "摄影"],
    "环境": ["垃圾分类", "环境整治", "绿化"],
    "应急": ["应急救援", "急救", "消防演练"],
}
CATEGORIES = list(CATEGORY_SKILLS)
GROUPS = {"养老": ["elderly"], "托幼": ["minors"], "助残": ["disabled"], "帮困": ["low_income"],
          "助学": ["minors", "low_income"], "医疗健康": ["elderly"], "就业": ["low_income"],
          "心理服务": ["minors"], "应急": ["residents"]}
TITLES = {"养老": "陪同老人{s}", "托幼": "社区儿童{s}", "助残": "残疾人{s}服务", "帮困": "困难家庭{s}",
          "助学": "困境学生{s}", "医疗健康": "社区{s}活动", "就业": "居民{s}", "矛盾调解": "楼栋{s}",
          "法律服务": "居民{s}", "心理服务": "青少年{s}", "文体": "社区{s}活动", "环境": "小区{s}",
          "应急": "社区{s}"}
DESCRIPTION = "{district}某社区需要{s}，时间约{h}小时，请有意愿的伙伴报名。"
SLOTS = [f"{d}_{p}" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun") for p in ("am", "pm", "eve")]
KIND_MIX = {"volunteer": 0.60, "resource": 0.20, "social_worker": 0.12, "organization": 0.08}
LEVELS = ["assistant", "intermediate", "senior"]
RKINDS = ["fund", "material", "venue", "service"]
NOW = 1795392000.0  # 2026-11-23T08:00:00+08:00 — fixed, so expiry labels are reproducible
KM_PER_DEG = 111.195


def district_centres() -> dict[str, tuple[float, float]]:
    """(lat, lon) of the seed districts, read from cpca's adcodes.csv."""
    import cpca
    path = os.path.join(os.path.dirname(cpca.__file__), "resources", "adcodes.csv")
    out = {}
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = row["adcode"][:6]
            if code in SEED_DISTRICTS and row["adcode"].endswith("000000"):
                out[SEED_DISTRICTS[code]] = (float(row["latitude"]), float(row["longitude"]))
    return out


def _scatter(rng, centres, n, sigma_km):
    names = list(centres)
    d = rng.integers(0, len(names), n)
    lat0 = np.array([centres[names[i]][0] for i in d])
    lon0 = np.array([centres[names[i]][1] for i in d])
    lat = lat0 + rng.normal(0, sigma_km, n) / KM_PER_DEG
    lon = lon0 + rng.normal(0, sigma_km, n) / (KM_PER_DEG * np.cos(np.radians(lat0)))
    return d, lat, lon


def _iso(ts: float) -> str:
    from datetime import datetime, timedelta, timezone
    return datetime.fromtimestamp(ts, timezone(timedelta(hours=8))).isoformat()


@dataclass
class Truth:
    """The generator's latent facts per provider, as arrays, for relevance labels."""

    kind: str
    ids: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    radius: np.ndarray
    cat: np.ndarray
    skills: list           # set of skills per provider
    ok: np.ndarray         # feasible regardless of need (has room, not expired, stock left)
    slots: np.ndarray      # volunteers: bitmask
    restricted: np.ndarray  # resources: restricted to its own category


def providers(kind: str, n: int, seed: int, start_id: int = 1):
    """n provider dicts of one kind plus their Truth."""
    rng = np.random.default_rng(seed)
    centres = district_centres()
    _, lat, lon = _scatter(rng, centres, n, 7.0)
    cat = rng.integers(0, len(CATEGORIES), n)
    n_sk = rng.integers(1, 4, n)
    other = rng.random(n) < 0.25
    rating_n = rng.poisson(4, n)
    rating_mean = rng.uniform(2.5, 5.0, n)
    done = rng.poisson(6, n)
    cancelled = rng.poisson(0.6, n)
    radius = {"volunteer": [2, 3, 5, 8], "organization": [5, 10, 15, 20],
              "social_worker": [3, 5, 10, 15], "resource": [5, 10, 15, 20]}[kind]
    radius = np.array(radius, float)[rng.integers(0, 4, n)]
    slots_n = rng.integers(2, 9, n)
    ok = np.ones(n, bool)
    slots = np.zeros(n, np.int64)
    restricted = np.zeros(n, bool)
    out, skill_sets = [], []
    L = {k: v.tolist() for k, v in dict(lat=lat, lon=lon, cat=cat, n_sk=n_sk, other=other, rn=rating_n,
                                         rm=rating_mean, done=done, cancelled=cancelled, radius=radius,
                                         slots_n=slots_n).items()}
    r = random.Random(seed)  # per-row picks: the stdlib is ~10x quicker than numpy for tiny draws
    for i in range(n):
        c = CATEGORIES[L["cat"][i]]
        pool = CATEGORY_SKILLS[c]
        sk = r.sample(pool, min(len(pool), L["n_sk"][i]))
        if L["other"][i]:
            sk.append(r.choice(CATEGORY_SKILLS[r.choice(CATEGORIES)]))
        sk = list(dict.fromkeys(str(s) for s in sk))
        skill_sets.append(set(sk))
        rep = {"rating_sum": round(L["rm"][i] * L["rn"][i], 1), "rating_count": L["rn"][i],
               "completed": L["done"][i], "cancelled": L["cancelled"][i]}
        p = {"id": start_id + i, "name": f"{c}{kind[:3]}{start_id + i}", "lat": L["lat"][i], "lon": L["lon"][i],
             "active": True, "reputation": rep}
        if kind == "volunteer":
            chosen = r.sample(range(21), L["slots_n"][i])
            slots[i] = int(sum(1 << int(b) for b in chosen))
            p.update(skills=sk, travel_radius_km=L["radius"][i], verified_minutes=int(r.expovariate(1 / 900)),
                     availability=[SLOTS[b] for b in sorted(chosen)])
        elif kind == "organization":
            cap = r.randint(1, 7)
            open_ = r.randint(0, cap)
            ok[i] = open_ < cap
            p.update(categories=[c], skills=sk, service_radius_km=L["radius"][i], capacity=cap,
                     open_projects=open_, registration="registered" if r.random() < 0.7 else "filed")
        elif kind == "social_worker":
            p.update(certificate_level=r.choice(LEVELS), specialties=[c, *GROUPS.get(c, []), *sk],
                     organization_id=None, service_radius_km=L["radius"][i])
        else:
            rk = r.choice(RKINDS)
            restricted[i] = r.random() < 0.5
            remaining = 0 if r.random() < 0.05 else r.randint(1, 49) * (10000 if rk == "fund" else 1)
            until = None if r.random() < 0.4 else NOW + r.uniform(-30, 120) * 86400
            ok[i] = remaining > 0 and (until is None or until > NOW + 15 * 86400)
            p.update(donor="爱心企业", kind=rk, tags=sk, radius_km=L["radius"][i],
                     restricted_categories=[c] if restricted[i] else [], available_from=None,
                     available_until=None if until is None else _iso(until),
                     **({"amount_fen": remaining * 2, "remaining_fen": remaining} if rk == "fund"
                        else {"quantity": remaining * 2, "remaining_quantity": remaining}))
        out.append(p)
    truth = Truth(kind, np.arange(start_id, start_id + n), lat, lon, radius, cat, skill_sets, ok, slots, restricted)
    return out, truth


def needs(n: int, seed: int):
    rng = np.random.default_rng(seed)
    centres = district_centres()
    names = list(centres)
    d, lat, lon = _scatter(rng, centres, n, 5.0)
    out = []
    for i in range(n):
        c = CATEGORIES[rng.integers(0, len(CATEGORIES))]
        sk = [str(s) for s in rng.choice(CATEGORY_SKILLS[c], min(2, len(CATEGORY_SKILLS[c])), replace=False)][: rng.integers(1, 3)]
        day = int(rng.integers(1, 14))
        part = int(rng.integers(0, 3))
        start = NOW - 8 * 3600 + day * 86400 + (8, 13, 18)[part] * 3600  # local 08:00/13:00/18:00
        hours = int(rng.integers(2, 4))
        out.append({"id": i + 1, "community_id": int(d[i]) + 1, "title": TITLES[c].format(s=sk[0]),
                    "description": DESCRIPTION.format(district=names[d[i]], s="、".join(sk), h=hours),
                    "category": c, "skills": sk, "target_groups": GROUPS.get(c, []),
                    "lat": float(lat[i]), "lon": float(lon[i]), "starts_at": _iso(start),
                    "ends_at": _iso(start + hours * 3600), "volunteers_needed": int(rng.integers(1, 4)),
                    "hours_estimate": hours, "budget_fen": int(rng.choice([0, 0, 50000, 200000])),
                    "urgency": "normal", "status": "open"})
    return out


def relevance(need: dict, t: Truth) -> np.ndarray:
    """Graded relevance of every provider of one kind: 2 same category and a shared skill,
    1 same category, 0 otherwise; always 0 when infeasible (beyond radius, full, expired...)."""
    from matching.features import parse_time, window_slot_mask
    p1, p2 = math.radians(need["lat"]), np.radians(t.lat)
    h = np.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(np.radians(t.lon - need["lon"]) / 2) ** 2
    km = 2 * 6371.0088 * np.arcsin(np.sqrt(h))
    c = CATEGORIES.index(need["category"])
    feasible = (km <= t.radius) & t.ok
    if t.kind == "volunteer":
        mask = window_slot_mask(parse_time(need["starts_at"]), parse_time(need["ends_at"]))
        feasible &= (t.slots & mask) != 0
    if t.kind == "resource":
        feasible &= ~t.restricted | (t.cat == c)
    same = (t.cat == c) & feasible
    grade = same.astype(np.int8)
    want = set(need["skills"])
    for i in np.flatnonzero(same):
        if t.skills[i] & want:
            grade[i] = 2
    return grade
