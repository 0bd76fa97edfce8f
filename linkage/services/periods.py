"""A report's period (报表期间): a month YYYY-MM or a year YYYY in China's time, as UTC instants."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from linkage.clock import LOCAL_TZ
from linkage.errors import InvalidInput

PATTERN = re.compile(r"^((?:19|20)[0-9][0-9])(?:-(0[1-9]|1[0-2]))?$")  # ASCII digits only (\d takes １９９９)


@dataclass(frozen=True)
class Period:
    """A calendar month or year: `label` as given, its months, and [start, end) in UTC."""

    label: str
    year: int
    month: int | None  # None: the whole year

    @property
    def is_year(self) -> bool:
        return self.month is None

    @property
    def window(self) -> tuple[datetime, datetime]:
        return _month_window(self.year, self.month or 1, 12 if self.month is None else 1)

    def months(self) -> list[Period]:
        """The months of a year; a month is its own only month."""
        if self.month is not None:
            return [self]
        return [Period(f"{self.year}-{m:02d}", self.year, m) for m in range(1, 13)]

    def trailing_months(self, count: int = 12) -> list[Period]:
        """The `count` months ending with this period's last month (a year: its own twelve)."""
        if self.month is None:
            return self.months()
        found = []
        year, month = self.year, self.month
        for _ in range(count):
            found.append(Period(f"{year}-{month:02d}", year, month))
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return list(reversed(found))

    @property
    def title(self) -> str:
        """As a Chinese heading: 2026年11月 or 2026年."""
        return f"{self.year}年" if self.month is None else f"{self.year}年{self.month}月"


def _month_window(year: int, month: int, count: int) -> tuple[datetime, datetime]:
    end_year, end_month = year + (month - 1 + count) // 12, (month - 1 + count) % 12 + 1
    start = datetime(year, month, 1, tzinfo=LOCAL_TZ).astimezone(timezone.utc)
    end = datetime(end_year, end_month, 1, tzinfo=LOCAL_TZ).astimezone(timezone.utc)
    return start, end


def parse_period(text: str | None) -> Period:
    """`2026-11` or `2026`; anything else is a 422 naming the field `period`."""
    match = PATTERN.fullmatch(text or "")  # "$" alone would let a trailing newline through
    if match is None:
        raise InvalidInput("report.period_invalid", {"period": ["report.period_format"]})
    year, month = match.groups()
    return Period(text or "", int(year), int(month) if month else None)


def current_month(now: datetime) -> Period:
    """The month `now` falls in, in China's time."""
    local = now.astimezone(LOCAL_TZ)
    return Period(f"{local.year}-{local.month:02d}", local.year, local.month)
