"""Hours read as people read them: one decimal, half up, with the unit."""

from __future__ import annotations

import pytest

from linkage.formats import hours


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (150, "2.5 小时"),
        (90, "1.5 小时"),
        (0, "0.0 小时"),
        (None, "0.0 小时"),
        (63, "1.1 小时"),
        (62, "1.0 小时"),
        (3, "0.1 小时"),
        (6000, "100.0 小时"),
    ],
)
def test_minutes_read_as_hours_with_one_decimal(minutes, text):
    assert hours(minutes) == text
