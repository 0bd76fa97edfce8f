"""Star levels (星级志愿者) from verified hours; thresholds per district, the national scheme by default."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

SCHEMES_FILE = Path(__file__).resolve().parent / "star_levels.toml"


@lru_cache(maxsize=4)
def load_schemes(path: str = str(SCHEMES_FILE)) -> dict:
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def thresholds_for(district: str | None, schemes: dict | None = None) -> list[int]:
    """Hours needed for one to five stars in this district."""
    schemes = schemes or load_schemes()
    for scheme in schemes.get("district", []):
        if district and scheme["name"] == district:
            return list(scheme["hours"])
    return list(schemes["national"]["hours"])


def star_level(verified_minutes: int, thresholds_hours: list[int]) -> int:
    """Whole minutes compared with whole hours: 100 h is 6,000 minutes, 99 h 59 min is not enough."""
    return sum(1 for hours in thresholds_hours if verified_minutes >= hours * 60)


def minutes_to_next(verified_minutes: int, thresholds_hours: list[int]) -> tuple[int, int] | None:
    """(the next level, the verified minutes still to serve for it); None at the top level."""
    level = star_level(verified_minutes, thresholds_hours)
    if level >= len(thresholds_hours):
        return None
    return level + 1, thresholds_hours[level] * 60 - verified_minutes
