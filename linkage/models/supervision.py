"""Social workers' supervision (督导): supervisors assigned, sessions both parties confirm, continuing education (继续教育)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from linkage.models.base import Base, utcnow

SUPERVISION_FORMS = ("individual", "group", "onsite")  # 个体督导 / 团体督导 / 现场督导
SUPERVISOR_LEVELS = ("intermediate", "senior")  # 社工师 / 高级社工师 may supervise


class SupervisorAssignment(Base):
    """A supervisor (督导) assigned to a social worker from `starts_on`; ended (`ends_on` set), it stays as
    history. At most one current (unended) assignment per social worker."""

    __tablename__ = "supervisor_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    social_worker_id: Mapped[int] = mapped_column(ForeignKey("social_workers.id"), index=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("social_workers.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    assigned_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def current(self) -> bool:
        return self.ends_on is None


class SupervisionSession(Base):
    """One supervision session, recorded (and so confirmed) by the supervisor; it counts only once the
    supervisee confirms it (`supervisee_status` confirmed), not while pending or disputed."""

    __tablename__ = "supervision_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("supervisor_assignments.id"), index=True)
    social_worker_id: Mapped[int] = mapped_column(ForeignKey("social_workers.id"), index=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("social_workers.id"), index=True)
    held_on: Mapped[date]
    form: Mapped[str] = mapped_column(String(12))  # SUPERVISION_FORMS
    topics: Mapped[str] = mapped_column(Text)
    minutes: Mapped[int]  # 30 .. 480 (0.5 to 8 hours)
    follow_ups: Mapped[str] = mapped_column(Text, default="")
    supervisor_confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)
    supervisee_status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | confirmed | disputed
    supervisee_answered_at: Mapped[datetime | None]
    dispute_reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def counts(self) -> bool:
        return self.supervisee_status == "confirmed"


class Training(Base):
    """A continuing-education (继续教育) training a social worker attended: its hours count toward the year's."""

    __tablename__ = "sw_trainings"

    id: Mapped[int] = mapped_column(primary_key=True)
    social_worker_id: Mapped[int] = mapped_column(ForeignKey("social_workers.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(index=True)
    minutes: Mapped[int]
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
