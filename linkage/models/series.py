"""Recurring activities (周期活动): a rule (RFC 5545 RRULE), its holidays and the shifts (班次) of each occurrence."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from linkage.models.base import Base, utcnow


class ActivitySeries(Base):
    """A recurring activity: each occurrence of `rrule` from `dtstart` (less `exdates`, ISO dates of
    holidays) is materialized as one Activity per shift template in `shifts`
    ([{role, slots, skills_wanted, qualification_required}]), up to `materialized_until`."""

    __tablename__ = "activity_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    place: Mapped[str] = mapped_column(String(200))
    rrule: Mapped[str] = mapped_column(Text)
    dtstart: Mapped[datetime]
    duration_minutes: Mapped[int]
    exdates: Mapped[list] = mapped_column(default=list)
    shifts: Mapped[list] = mapped_column(default=list)
    materialized_until: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
