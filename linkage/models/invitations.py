"""Invitations (邀请) sent from a need's ranked matches: to claim the need, or to join one of its activities."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from linkage.models.base import Base, utcnow


class InvitationKind(str, enum.Enum):
    CLAIM = "claim"  # an organization is invited to claim (认领) the need
    ACTIVITY = "activity"  # a volunteer or social worker is invited to an activity of the need's project


class InvitationStatus(str, enum.Enum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"  # the need or activity closed before an answer


# Who may be invited to what: the provider kinds of each invitation kind.
INVITEE_KINDS = {
    InvitationKind.CLAIM.value: ("organization",),
    InvitationKind.ACTIVITY.value: ("volunteer", "social_worker"),
}


def pending_key(kind: str, need_id: int, activity_id: int | None, invitee_kind: str, invitee_id: int) -> str:
    """What makes a pending invitation unique: one per (need or activity, invitee)."""
    target = f"activity-{activity_id}" if kind == InvitationKind.ACTIVITY.value else f"need-{need_id}"
    return f"{target}:{invitee_kind}:{invitee_id}"


class Invitation(Base):
    """An invitation to a ranked provider. `pending_key` is set while it waits for an answer and
    cleared when it is answered or expires: its unique constraint (NULLs never collide, on SQLite
    and PostgreSQL alike) allows one pending invitation per target and invitee."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"), index=True)
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id"), index=True)
    invitee_kind: Mapped[str] = mapped_column(String(20))  # organization | volunteer | social_worker
    invitee_id: Mapped[int]
    invitee_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    inviter_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10), default=InvitationStatus.PENDING.value, index=True)
    message: Mapped[str] = mapped_column(String(500), default="")
    pending_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"))  # the claim an acceptance made
    signup_id: Mapped[int | None] = mapped_column(ForeignKey("signups.id"))  # the sign-up an acceptance made
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]
