"""How quantities read: each unit's one format (linkage/formats.py)."""

import pytest

from linkage.formats import distance, yuan


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
    assert distance(km) == read


def test_money_reads_in_yuan():
    assert yuan(160000) == "¥1,600.00" and yuan(-5, sign=False) == "-0.05"
