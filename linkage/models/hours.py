"""Volunteer-hour ledger (志愿服务记录): append-only entries, hash-chained per volunteer."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from linkage.ledger import GENESIS, Chained  # noqa: F401 (GENESIS: re-exported)
from linkage.models.base import Base, utcnow


class HourAction(str, enum.Enum):
    RECORD = "record"    # service time recorded (by the volunteer, by check-in/out, or by org staff)
    VERIFY = "verify"    # org or community staff confirm a record
    REJECT = "reject"
    DISPUTE = "dispute"  # the volunteer contests a record
    CORRECT = "correct"  # replaces (or with 0 minutes, reverses) an earlier record, with a reason


class HourSource(str, enum.Enum):
    SELF = "self"
    CHECKIN = "checkin"
    ORG_ENTRY = "org_entry"


class HourEntry(Chained, Base):
    __tablename__ = "hour_entries"
    __table_args__ = (UniqueConstraint("volunteer_id", "seq", name="uq_hour_entries_volunteer_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteers.id"), index=True)
    action: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int | None] = mapped_column(ForeignKey("hour_entries.id"))  # the record acted on
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id"))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    signup_id: Mapped[int | None] = mapped_column(ForeignKey("signups.id"))
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    minutes: Mapped[int] = mapped_column(default=0)
    content: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(10), default="")
    reason: Mapped[str] = mapped_column(String(300), default="")
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # seq, prev_hash and hash come from Chained: one chain per volunteer.
    CHAIN_KEY = "volunteer_id"
    HASHED = ("volunteer_id", "seq", "action", "target_id", "project_id", "activity_id",
              "organization_id", "signup_id", "starts_at", "ends_at", "minutes", "content",
              "source", "reason", "actor_user_id", "actor_role", "created_at", "prev_hash")




class RecordStatus(str, enum.Enum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"
    DISPUTED = "disputed"
    SUPERSEDED = "superseded"  # replaced by a correction
    REVERSED = "reversed"      # cancelled by a correction with no time


RECORD_ACTIONS = (HourAction.RECORD.value, HourAction.CORRECT.value)
REVIEW_OUTCOME = {HourAction.VERIFY.value: RecordStatus.VERIFIED, HourAction.REJECT.value: RecordStatus.REJECTED,
                  HourAction.DISPUTE.value: RecordStatus.DISPUTED}


def record_states(entries: list[HourEntry]) -> dict[int, RecordStatus]:
    """Replay a volunteer's chain (in seq order) into the current status of each record.

    Records are `record` entries and the replacements that `correct` entries carry; a correction
    with zero minutes and no time window reverses its target instead of replacing it.
    """
    states: dict[int, RecordStatus] = {}
    for entry in entries:
        if entry.action in RECORD_ACTIONS:
            if entry.action == HourAction.CORRECT.value and entry.target_id in states:
                reversal = entry.starts_at is None
                states[entry.target_id] = RecordStatus.REVERSED if reversal else RecordStatus.SUPERSEDED
                if reversal:
                    continue
            states[entry.id] = RecordStatus.PENDING
        elif entry.target_id in states and states[entry.target_id] not in (
                RecordStatus.SUPERSEDED, RecordStatus.REVERSED):
            states[entry.target_id] = REVIEW_OUTCOME[entry.action]
    return states


# Records that still stand: they block overlapping time and count toward the daily limit.
STANDING = (RecordStatus.PENDING, RecordStatus.VERIFIED, RecordStatus.DISPUTED)
