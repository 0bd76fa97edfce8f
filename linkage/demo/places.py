"""The five seed districts, their streets and communities, and points scattered around them."""

from __future__ import annotations

import csv
import importlib.resources
import math
import random
from dataclasses import dataclass
from functools import lru_cache

from linkage.geo import haversine_km, offset


@dataclass(frozen=True)
class District:
    adcode: str  # 6-digit administrative division code
    city: str
    name: str
    prefix: str  # how local organizations start their names
    communities: tuple[tuple[str, str], ...]  # (street 街道, community 社区)

    @property
    def label(self) -> str:
        return f"{self.city}{self.name}"


def _district(names: str, streets: str) -> District:
    """ "adcode city name prefix", "street/community street/community ..." -> a District."""
    adcode, city, name, prefix = names.split()
    return District(adcode, city, name, prefix, tuple(tuple(pair.split("/")) for pair in streets.split()))


# The districts the policy seeds come from; street and community names are plausible, not a census.
DISTRICTS: tuple[District, ...] = (
    _district(
        "120116 天津市 滨海新区 滨海新区",
        "新港街道/新华里社区 杭州道街道/福州道社区 新北街道/桃园社区 泰达街道/翠亨社区",
    ),
    _district(
        "371502 聊城市 东昌府区 东昌府区", "新区街道/御苑社区 古楼街道/光岳社区 柳园街道/水城社区 湖西街道/龙湾社区"
    ),
    _district(
        "140302 阳泉市 城区 阳泉市城区", "上站街道/桃北社区 下站街道/德胜社区 北大街街道/南庄社区 义井街道/义东社区"
    ),
    _district(
        "610113 西安市 雁塔区 雁塔区",
        "小寨路街道/小寨东路社区 大雁塔街道/慈恩社区 长延堡街道/吉祥村社区 电子城街道/科技路社区",
    ),
    _district(
        "510107 成都市 武侯区 武侯区",
        "玉林街道/玉林北路社区 望江路街道/望江楼社区 浆洗街街道/洗面桥社区 红牌楼街道/佳灵路社区",
    ),
)


@lru_cache(maxsize=1)
def _adcode_table() -> dict[str, tuple[float, float]]:
    path = importlib.resources.files("cpca") / "resources" / "adcodes.csv"
    with path.open(encoding="utf-8") as handle:
        # Some rows (e.g. towns) carry no coordinates; only districts matter here.
        return {
            row["adcode"]: (float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(handle)
            if row["latitude"] and row["longitude"]
        }


def district_centre(adcode: str) -> tuple[float, float]:
    """(lat, lon) of a district from cpca's table, which keys districts by 12-digit codes."""
    table = _adcode_table()
    key = adcode.ljust(12, "0")
    if key not in table:
        raise LookupError(f"cpca has no coordinates for adcode {adcode}")
    return table[key]


def scatter(rng: random.Random, lat: float, lon: float, min_km: float, max_km: float) -> tuple[float, float]:
    # sqrt spreads points evenly over the ring's area instead of crowding the centre.
    r = math.sqrt(rng.uniform(min_km**2, max_km**2))
    return offset(lat, lon, r, rng.uniform(0, 360))


distance_km = haversine_km  # the demo checks its layout with the platform's own distance
