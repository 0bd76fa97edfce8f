"""One home for distances and the local zone: what needs, stats, pages and the demo all measure with."""

from datetime import datetime, timezone

import pytest

from linkage import geo
from linkage.clock import LOCAL_TZ, local_year, local_year_start
from linkage.config import Settings


def test_tianjin_to_beijing_is_about_114_km():
    assert geo.haversine_km(39.0842, 117.2009, 39.9042, 116.4074) == pytest.approx(113.6, abs=1.0)


def test_a_point_placed_3_km_away_measures_3_km():
    for bearing in (0, 45, 90, 200, 315):
        lat, lon = geo.offset(30.66, 104.06, 3.0, bearing)
        assert geo.haversine_km(30.66, 104.06, lat, lon) == pytest.approx(3.0, rel=0.01)


def test_the_prefilter_box_holds_every_point_within_the_radius():
    lat_lo, lat_hi, lon_lo, lon_hi = geo.bounding_box(45.0, 126.6, 5.0)
    for bearing in range(0, 360, 15):
        lat, lon = geo.offset(45.0, 126.6, 4.99, bearing)
        assert lat_lo <= lat <= lat_hi and lon_lo <= lon <= lon_hi


def test_beijing_time_is_eight_hours_ahead_and_the_default_setting():
    moment = datetime(2026, 1, 1, 16, 30, tzinfo=timezone.utc).astimezone(LOCAL_TZ)
    assert (moment.date().isoformat(), moment.hour) == ("2026-01-02", 0)
    assert Settings.__dataclass_fields__["timezone"].default == "Asia/Shanghai"


def test_the_year_of_a_yearly_target_starts_on_1_january_beijing_time():
    new_year_eve = datetime(2026, 12, 31, 15, 59, tzinfo=timezone.utc)  # 23:59 in Beijing
    new_year = datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc)  # 00:00 on 1 January 2027 in Beijing
    assert local_year(new_year_eve) == 2026 and local_year(new_year) == 2027
    assert local_year_start(new_year_eve) == datetime(2025, 12, 31, 16, 0, tzinfo=timezone.utc)
    assert local_year_start(new_year) == new_year
