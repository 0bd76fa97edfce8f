"""The platform's local time zone: times are UTC inside and Asia/Shanghai at the edge (DESIGN §6)."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

LOCAL_ZONE = "Asia/Shanghai"
LOCAL_TZ = ZoneInfo(LOCAL_ZONE)


def local_year_start(moment: datetime) -> datetime:
    """The UTC instant China's calendar year of `moment` began (1 January, 00:00 Beijing time):
    where "this year" starts for a yearly target (每年)."""
    local = moment.astimezone(LOCAL_TZ)
    return datetime(local.year, 1, 1, tzinfo=LOCAL_TZ).astimezone(timezone.utc)


def local_year(moment: datetime) -> int:
    """China's calendar year of `moment`."""
    return moment.astimezone(LOCAL_TZ).year
