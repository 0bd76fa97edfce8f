"""Accounts and roles; each role is bound to the object its holder acts for."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from linkage.models.base import Base, utcnow


class Role(str, enum.Enum):
    ADMIN = "admin"  # district 民政 staff
    COMMUNITY_STAFF = "community_staff"  # bound to a community
    ORG_STAFF = "org_staff"  # bound to an organization
    SOCIAL_WORKER = "social_worker"  # bound to a social-worker profile
    VOLUNTEER = "volunteer"  # bound to a volunteer profile
    AUDITOR = "auditor"  # read-only


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id"))
    social_worker_id: Mapped[int | None] = mapped_column(ForeignKey("social_workers.id"))
    active: Mapped[bool] = mapped_column(default=True)
    token_version: Mapped[int] = mapped_column(default=0)  # bump to revoke every token
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginFailure(Base):
    """A failed login, kept briefly to slow down password guessing (per account and per address)."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), index=True)
    remote_addr: Mapped[str] = mapped_column(String(64), default="", index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class RateLimitCounter(Base):
    """One fixed-window request counter of the rate limiter (linkage.http.rate_limits), shared by every
    worker because it lives in the database."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[float] = mapped_column(Float, index=True)  # POSIX seconds
