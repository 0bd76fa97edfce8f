"""The platform's local time zone: times are UTC inside and Asia/Shanghai at the edge (DESIGN §6)."""
from __future__ import annotations

from zoneinfo import ZoneInfo

LOCAL_ZONE = "Asia/Shanghai"
LOCAL_TZ = ZoneInfo(LOCAL_ZONE)
