"""The incubation track (孵化): cohorts (孵化批次) of filed organizations, their records, assessments; annual reports (年报)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from linkage.models.base import Base, utcnow


class CohortStatus(str, enum.Enum):
    OPEN = "open"
    CLOSED = "closed"


class MemberStatus(str, enum.Enum):
    ACTIVE = "active"  # in incubation
    GRADUATED = "graduated"  # 出壳: the latest assessment passed
    UPGRADED = "upgraded"  # registered (登记) with its USCC


class RecordKind(str, enum.Enum):
    MENTORING = "mentoring"  # 辅导
    TRAINING = "training"  # 培训
    MILESTONE = "milestone"  # 里程碑


class Cohort(Base):
    """A street cultivation centre's (培育中心) cohort of organizations in incubation, from `starts_on` to `ends_on`."""

    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    street: Mapped[str] = mapped_column(String(100), index=True)  # 街道
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(10), default=CohortStatus.OPEN.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CohortMember(Base):
    """A filed organization admitted to a cohort; it leaves it graduated or upgraded to registered."""

    __tablename__ = "cohort_members"
    __table_args__ = (UniqueConstraint("cohort_id", "organization_id", name="uq_cohort_members_cohort_organization"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=MemberStatus.ACTIVE.value)
    admitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None]


class CultivationRecord(Base):
    """A mentoring session (辅导), training (培训) or milestone (里程碑) of a member organization."""

    __tablename__ = "cultivation_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("cohort_members.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    held_on: Mapped[date]
    title: Mapped[str] = mapped_column(String(100))
    minutes: Mapped[int] = mapped_column(default=0)  # hours kept as whole minutes
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CapacityAssessment(Base):
    """A capacity assessment (能力评估) on the published rubric: the scores, their weighted total, passed or not."""

    __tablename__ = "capacity_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("cohort_members.id"), index=True)
    assessed_on: Mapped[date]
    scores: Mapped[dict] = mapped_column(default=dict)  # criterion -> 0..100
    total: Mapped[float]
    pass_mark: Mapped[int]  # the rubric's, as it stood when assessed
    passed: Mapped[bool]
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AnnualReport(Base):
    """An organization's annual report (年报) on one year; money in fen (分)."""

    __tablename__ = "annual_reports"
    __table_args__ = (UniqueConstraint("organization_id", "year", name="uq_annual_reports_organization_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    year: Mapped[int]
    activities_count: Mapped[int]
    members: Mapped[int]
    income_fen: Mapped[int]
    spending_fen: Mapped[int]
    summary: Mapped[str] = mapped_column(Text, default="")
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
