"""Factor formulas shared by the vectorised index and the exact reference scorer."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Mapping

EARTH_RADIUS_KM = 6371.0088
CHINA_TZ = timezone(timedelta(hours=8))  # Asia/Shanghai has had no DST since 1991
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PARTS = (("am", 8, 12), ("pm", 12, 18), ("eve", 18, 22))
SLOT_BITS = {f"{d}_{p[0]}": i * 3 + j for i, d in enumerate(DAYS) for j, p in enumerate(PARTS)}
ALL_SLOTS = (1 << 21) - 1
REGISTRATION = {"registered": 1.0, "filed": 0.7}
LEVELS = {"assistant": 0.5, "intermediate": 0.75, "senior": 1.0}
RESOURCE_KINDS = ("fund", "material", "venue", "service")
NO_BUDGET_FUND = 0.3  # money offered to a need that asks for none is a weak match


# --- geography -------------------------------------------------------------------------


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def unit_vector(lat: float, lon: float) -> tuple[float, float, float]:
    # Squared chord length between unit vectors is monotonic in great-circle distance,
    # so the hard radius cut needs no trigonometry per candidate.
    phi, lam = math.radians(lat), math.radians(lon)
    return (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))


def chord2_of_km(km: float) -> float:
    angle = min(max(km, 0.0) / EARTH_RADIUS_KM, math.pi)
    return (2 * math.sin(angle / 2)) ** 2


def distance_factor(km: float, half_km: float) -> float:
    return float(2.0 ** (-km / half_km))


# --- time ------------------------------------------------------------------------------


def parse_time(value: str | datetime | None) -> float | None:
    """RFC 3339 string (or aware datetime) to epoch seconds; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if dt.tzinfo is None:  # the contract says offsets are always present; assume China time
        dt = dt.replace(tzinfo=CHINA_TZ)
    return dt.timestamp()


def slot_mask(slots: Iterable[str] | None) -> int:
    mask = 0
    for s in slots or ():
        bit = SLOT_BITS.get(s)
        if bit is not None:
            mask |= 1 << bit
    return mask


def window_slot_mask(start: float | None, end: float | None) -> int:
    """Weekly slots (bits) that the need's window [start, end) touches, in China time."""
    if start is None:
        return 0
    if end is None or end <= start:
        end = start + 3600
    if end - start >= 7 * 86400:
        return ALL_SLOTS
    mask = 0
    t0 = datetime.fromtimestamp(start, CHINA_TZ)
    day = t0.replace(hour=0, minute=0, second=0, microsecond=0)
    while day.timestamp() < end:
        for j, (_, h0, h1) in enumerate(PARTS):
            a, b = day.timestamp() + h0 * 3600, day.timestamp() + h1 * 3600
            if a < end and b > start:
                mask |= 1 << (day.weekday() * 3 + j)
        day += timedelta(days=1)
    return mask


# --- qualifications (hard) and leave (soft) --------------------------------------------------
# Both arrive as lists in the provider record and are kept as interned tuples: few providers
# have any, and many share the same, so a row holds a small id (0 = none) into a shared table.

Qualifications = tuple[tuple[str, float], ...]  # (kind, end of validity in epoch seconds; inf = none)
Leave = tuple[tuple[float, float], ...]  # [start, end) epoch seconds, China days


def _day_start(day: str) -> float:
    return datetime.fromisoformat(day[:10]).replace(tzinfo=CHINA_TZ).timestamp()


def day_end(day: str | None) -> float:
    """The end of a `YYYY-MM-DD` day in China time (epoch seconds); inf for none (no expiry)."""
    return _day_start(day) + 86400 if day else math.inf


def parse_qualifications(values: Iterable[Mapping[str, Any]] | None) -> Qualifications:
    """A record's `qualifications` ([{kind, expires_on}]) as (kind, until): valid until the end of
    its expiry day in China time."""
    out = set()
    for q in values or ():
        kind = str(q.get("kind") or "")
        if kind:
            expires = q.get("expires_on")
            out.add((kind, _day_start(expires) + 86400 if expires else math.inf))
    return tuple(sorted(out))


def parse_leave(values: Iterable[Mapping[str, Any]] | None) -> Leave:
    """A record's `leave` ([{from, to}], days inclusive) as [start, end) times."""
    out = set()
    for r in values or ():
        if r.get("from") and r.get("to"):
            out.add((_day_start(str(r["from"])), _day_start(str(r["to"])) + 86400))
    return tuple(sorted(out))


def holds(quals: Qualifications, kind: str, at: float) -> bool:
    """Whether one of `quals` is of `kind` and still valid at `at` (expired ones stop counting)."""
    return any(k == kind and until > at for k, until in quals)


def on_leave(leave: Leave, start: float, end: float) -> bool:
    """Whether a leave range overlaps the need's window [start, end)."""
    return any(a < end and b > start for a, b in leave)


class Interned:
    """Tuples by small ids, id 0 the empty tuple: what a row's `quals` / `leave` column points into."""

    def __init__(self) -> None:
        self.ids: dict[tuple[Any, ...], int] = {(): 0}
        self.items: list[tuple[Any, ...]] = [()]

    def id(self, item: tuple[Any, ...]) -> int:
        got = self.ids.get(item)
        if got is None:
            got = self.ids[item] = len(self.items)
            self.items.append(item)
        return got


def popcount(x: int) -> int:
    return bin(x).count("1")


def availability(volunteer_mask: int, need_mask: int, unknown: float) -> float:
    if need_mask == 0:  # a night-time window says nothing about weekly slots
        return unknown
    return popcount(volunteer_mask & need_mask) / popcount(need_mask)


# --- per-provider quality ----------------------------------------------------------------


def reputation(rep: Mapping[str, Any] | None, p: Mapping[str, float]) -> float:
    """Bayesian shrinkage: few ratings stay near the prior, many speak for themselves."""
    rep = rep or {}
    n = float(rep.get("rating_count") or 0)
    mean = (float(rep.get("rating_sum") or 0.0) + p["rating_strength"] * p["rating_prior"]) / (n + p["rating_strength"])
    rating = min(1.0, max(0.0, (mean - 1.0) / 4.0))
    done, cancelled = float(rep.get("completed") or 0), float(rep.get("cancelled") or 0)
    completion = (done + p["completion_strength"] * p["completion_prior"]) / (
        done + cancelled + p["completion_strength"]
    )
    return p["rating_share"] * rating + (1 - p["rating_share"]) * min(1.0, max(0.0, completion))


def spread(open_recommendations: float, half: float) -> float:
    return 1.0 / (1.0 + max(0.0, open_recommendations) / half)


def experience(verified_minutes: float, hours_scale: float) -> float:
    return 1.0 - math.exp(-max(0.0, verified_minutes) / 60.0 / hours_scale)


def room(capacity: int, open_projects: int) -> float:
    if capacity <= 0:
        return 0.0
    return min(1.0, max(0.0, (capacity - open_projects) / capacity))


def resource_capacity(is_fund: bool, remaining: float, budget_fen: float) -> float:
    if budget_fen > 0:
        return min(1.0, remaining / budget_fen) if is_fund else 0.5
    return NO_BUDGET_FUND if is_fund else 1.0


def org_professional(category_match: bool, registration: float) -> float:
    return 0.7 * category_match + 0.3 * registration


def social_worker_professional(level: float, category_match: bool, group_cover: float) -> float:
    return 0.3 * level + 0.4 * category_match + 0.3 * group_cover


def resource_professional(restricted: bool) -> float:
    # It passed the hard cut, so a restricted resource is earmarked for this very category.
    return 1.0 if restricted else 0.6


# --- text and tags -----------------------------------------------------------------------


def _strings(values: Iterable[Any] | None) -> list[str]:
    return [str(v).strip() for v in (values or ()) if str(v).strip()]


def provider_tags(kind: str, p: Mapping[str, Any]) -> list[str]:
    if kind == "organization":
        tags = _strings(p.get("skills")) + _strings(p.get("categories"))
    elif kind == "social_worker":
        tags = _strings(p.get("specialties"))
    elif kind == "volunteer":
        tags = _strings(p.get("skills"))
    else:
        tags = _strings(p.get("tags")) + _strings(p.get("restricted_categories"))
    return sorted(set(tags))


def provider_doc(kind: str, p: Mapping[str, Any]) -> str:
    # Names are left out: they are unique, add noise and defeat de-duplication of documents.
    return " ".join(provider_tags(kind, p))


def need_tags(need: Mapping[str, Any]) -> list[str]:
    return sorted(set(need_tags_in_order(need)))


def need_tags_in_order(need: Mapping[str, Any]) -> list[str]:
    return _strings(need.get("skills")) + _strings([need.get("category")])


def need_doc(need: Mapping[str, Any]) -> str:
    parts = [need.get("title") or "", need.get("description") or "", need.get("category") or ""]
    return " ".join(parts + _strings(need.get("skills")))


def tag_cover(need_tag_set: set[str], tags: Iterable[str]) -> float:
    if not need_tag_set:
        return 0.0
    return len(need_tag_set.intersection(tags)) / len(need_tag_set)
