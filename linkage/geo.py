"""Distances on the earth for the platform's own queries (the matcher in matching/ keeps its own)."""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG)
KM_PER_DEGREE = 111.195  # of latitude, on that sphere
BOX_KM_PER_DEGREE = 111.0  # a little under the true figure: a prefilter box errs on the wide side


def lon_scale(lat: float) -> float:
    """How much shorter a degree of longitude is than one of latitude at `lat`."""
    return math.cos(math.radians(lat))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def bounding_box(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """(lat_lo, lat_hi, lon_lo, lon_hi) around a point, to prefilter rows before the true distance."""
    dlat = km / BOX_KM_PER_DEGREE
    dlon = km / (BOX_KM_PER_DEGREE * max(lon_scale(lat), 0.01))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def offset(lat: float, lon: float, km: float, bearing_deg: float) -> tuple[float, float]:
    """The point `km` away on a bearing; flat-earth is exact enough below a few tens of km."""
    b = math.radians(bearing_deg)
    dlat = km * math.cos(b) / KM_PER_DEGREE
    dlon = km * math.sin(b) / (KM_PER_DEGREE * lon_scale(lat))
    return round(lat + dlat, 6), round(lon + dlon, 6)
