"""Claims, service projects (服务项目化), their activities, sign-ups and residents' evaluations."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from linkage.models.base import Base, utcnow
from linkage.models.state_machine import StateMachine


class ClaimStatus(str, enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class Claim(Base):
    """An organization's offer to take on a need, with a short plan."""

    __tablename__ = "claims"
    __table_args__ = (UniqueConstraint("need_id", "organization_id", name="uq_claims_need_org"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    plan: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=ClaimStatus.PENDING.value)
    ranked: Mapped[bool] = mapped_column(default=False)  # the matcher had recommended this organization
    rank_position: Mapped[int | None]
    decline_reason: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]


class ProjectStatus(str, enum.Enum):
    APPROVED = "approved"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    EVALUATED = "evaluated"
    CANCELLED = "cancelled"


# The lifecycle: each legal move and the parties who may make it.
LIFECYCLE = StateMachine(
    "project",
    {
        ("approved", "in_progress"): frozenset({"organization"}),
        ("in_progress", "completed"): frozenset({"organization"}),
        ("completed", "evaluated"): frozenset({"community"}),
        ("approved", "cancelled"): frozenset({"organization", "community"}),
        ("in_progress", "cancelled"): frozenset({"organization", "community"}),
    },
)
TRANSITIONS = LIFECYCLE.moves
check_transition = LIFECYCLE.require  # the parties allowed to move a project; 409 if the move is illegal


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"), unique=True)  # one project per need
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), unique=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default=ProjectStatus.APPROVED.value, index=True)
    lead_social_worker_id: Mapped[int | None] = mapped_column(ForeignKey("social_workers.id"))
    cancel_reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class Activity(Base):
    """A dated session of a project that volunteers sign up for."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    place: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    slots: Mapped[int]
    skills_wanted: Mapped[list] = mapped_column(default=list)
    cancelled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A shift (班次) of a recurring activity: its series, the occurrence it belongs to and its role.
    series_id: Mapped[int | None] = mapped_column(ForeignKey("activity_series.id"), index=True)
    occurrence_start: Mapped[datetime | None]
    role: Mapped[str] = mapped_column(String(50), default="")
    qualification_required: Mapped[str] = mapped_column(String(50), default="")
    # Sign-up needs accident insurance covering the activity's days (services/eligibility.py).
    requires_insurance: Mapped[bool] = mapped_column(default=False, server_default=false())

    project: Mapped[Project] = relationship(lazy="joined", innerjoin=True)


class SignupStatus(str, enum.Enum):
    SIGNED_UP = "signed_up"
    CHECKED_IN = "checked_in"
    CHECKED_OUT = "checked_out"
    CANCELLED = "cancelled"
    WAITLISTED = "waitlisted"  # 候补: waits, by sign-up id, for a slot to free up
    NO_SHOW = "no_show"  # 未到: marked by the organizer; the slot goes to the waitlist

    @property
    def holds_a_slot(self) -> bool:
        return self.value not in NOT_SERVING


# Statuses of a sign-up that holds no slot and records no hours.
NOT_SERVING = ("cancelled", "waitlisted", "no_show")


class Signup(Base):
    __tablename__ = "signups"
    __table_args__ = (Index("ix_signups_activity_volunteer", "activity_id", "volunteer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=SignupStatus.SIGNED_UP.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    checked_in_at: Mapped[datetime | None]
    checked_out_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]


class EvaluationCode(Base):
    """A one-time code handed to a household reached by a completed project; only its hash is kept."""

    __tablename__ = "evaluation_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    code_digest: Mapped[str] = mapped_column(String(64), unique=True)
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


class Evaluation(Base):
    """A resident's verdict (居民满意度): 1–5 and a comment."""

    __tablename__ = "evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("evaluation_codes.id"), unique=True)
    satisfaction: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
