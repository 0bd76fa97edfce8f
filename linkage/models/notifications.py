"""Notifications (通知): inbox rows, per-kind opt-outs, quiet hours and external deliveries."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from linkage.models.base import Base, utcnow


class NotificationKind(str, enum.Enum):
    SIGNUP_CONFIRMED = "signup_confirmed"
    WAITLIST_PROMOTED = "waitlist_promoted"
    SIGNUP_CANCELLED = "signup_cancelled"
    REMINDER_24H = "reminder_24h"
    REMINDER_2H = "reminder_2h"
    CHECKIN_MISSED = "checkin_missed"
    HOURS_VERIFIED = "hours_verified"
    HOURS_REJECTED = "hours_rejected"
    HOURS_DISPUTED = "hours_disputed"
    CLAIM_DECIDED = "claim_decided"
    MILESTONE_DUE = "milestone_due"
    INVITATION = "invitation"
    QUALIFICATION_EXPIRING = "qualification_expiring"
    ANNUAL_REPORT_DUE = "annual_report_due"  # 年报: the organization's report on last year is due


KINDS = tuple(kind.value for kind in NotificationKind)


class DeliveryStatus(str, enum.Enum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Notification(Base):
    """One inbox row (the in-app channel); `dedupe_key` makes each notice exist once, however often
    the event behind it is delivered or the ticker looks."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    params: Mapped[dict] = mapped_column(default=dict)  # the message catalogue's parameters
    link: Mapped[str] = mapped_column(String(200), default="")  # a URL path on this site
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]


class NotificationPreference(Base):
    """A user's opt-out of one kind on the external channels (the inbox row always appears)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind", name="uq_notification_preferences_user_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    opted_out: Mapped[bool] = mapped_column(default=True)


class QuietHours(Base):
    """免打扰时段: local minutes after midnight; external deliveries wait until it ends. No row means
    the default, 22:00–07:00; start == end means none."""

    __tablename__ = "quiet_hours"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    start_minute: Mapped[int] = mapped_column(default=22 * 60)
    end_minute: Mapped[int] = mapped_column(default=7 * 60)


class Delivery(Base):
    """A notification's send on one external channel (SMS, e-mail): the notifier's outbox."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        UniqueConstraint("notification_id", "channel", name="uq_deliveries_notification_channel"),
        Index("ix_deliveries_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(8), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
