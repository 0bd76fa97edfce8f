"""How hours, dates and materials read (linkage/formats.py): one unit, one decimal, the year when it matters."""

from datetime import date, datetime, timezone

import pytest

from linkage import formats

TODAY = date(2026, 12, 3)


@pytest.mark.parametrize(
    ("minutes", "zh", "en"),
    [
        (150, "2.5 小时", "2.5 h"),
        (0, "0.0 小时", "0.0 h"),
        (None, "0.0 小时", "0.0 h"),
        (117, "2.0 小时", "2.0 h"),
        (93, "1.6 小时", "1.6 h"),
        (3, "0.1 小时", "0.1 h"),
        (2, "0.0 小时", "0.0 h"),
        (6000, "100.0 小时", "100.0 h"),
    ],
)
def test_hours_have_one_unit_and_one_decimal_rounded_half_up(minutes, zh, en):
    assert formats.hours(minutes) == zh and formats.hours(minutes, locale="zh_CN") == zh
    assert formats.hours(minutes, locale="en") == en


def test_a_date_has_its_year_when_it_is_not_this_year_and_always_when_asked():
    assert formats.day(date(2026, 1, 3), today=TODAY) == "1月3日"
    assert formats.day(date(2027, 1, 3), today=TODAY) == "2027年1月3日"  # an expiry next year does not look past
    assert formats.day(date(2025, 12, 31), today=TODAY) == "2025年12月31日"
    assert formats.day("2026-01-03", today=TODAY, always_year=True) == "2026年1月3日"
    assert formats.day(date(2027, 1, 3), today=TODAY, locale="en") == "3 Jan 2027"
    assert formats.day(None) == ""


def test_a_moment_is_in_beijing_time_with_the_year_when_not_this_year():
    utc = datetime(2026, 12, 2, 17, 30, tzinfo=timezone.utc)  # 01:30 on 3 December in Beijing
    assert formats.moment(utc, today=TODAY) == "12月3日 01:30"
    assert formats.moment("2025-06-01T02:00:00Z", today=TODAY) == "2025年6月1日 10:00"
    assert formats.moment(None) == ""


def test_a_material_shows_its_unit():
    assert formats.quantity(50, "箱") == "50 箱"
    assert formats.quantity(1200, "件") == "1,200 件"
    assert formats.quantity(2.5, "吨") == "2.5 吨"
    assert formats.quantity(7, "") == "7"
    assert formats.quantity(None, "箱") == ""


@pytest.mark.parametrize(
    ("km", "read"),
    [
        (0.0, "0 米"),
        (0.004, "0 米"),
        (0.005, "10 米"),
        (0.43, "430 米"),
        (0.445, "450 米"),
        (0.994, "990 米"),
        (0.995, "1.0 公里"),
        (1.0, "1.0 公里"),
        (1.35, "1.4 公里"),
        (1.25, "1.3 公里"),
        (1.349, "1.3 公里"),
        (12.96, "13.0 公里"),
    ],
)
def test_a_distance_reads_in_metres_below_a_kilometre_and_in_kilometres_above(km, read):
    assert formats.distance(km) == read


def test_money_reads_in_yuan():
    assert formats.yuan(160000) == "¥1,600.00" and formats.yuan(-5, sign=False) == "-0.05"
