"""Volunteer-hour ledger (志愿服务记录): append-only entries, hash-chained per volunteer."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Select, String, Text, UniqueConstraint, and_, case, func, literal, select
from sqlalchemy.orm import Mapped, aliased, mapped_column

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


def records_with_status() -> tuple[Select, object]:
    """`select(HourEntry, status)` over every record, and the status expression to filter by: the
    rule record_states replays, in SQL, so lists filter and page by status in the query. The latest
    correction aimed at a record decides (reversed when it carries no time, else superseded); then
    the latest review; with neither the record is pending."""
    aimed = aliased(HourEntry)
    corrections_first = case((aimed.action == HourAction.CORRECT.value, 0), else_=1)
    decider = (select(aimed.target_id, aimed.volunteer_id, aimed.action, aimed.starts_at,
                      func.row_number().over(partition_by=aimed.target_id,
                                             order_by=(corrections_first, aimed.seq.desc())).label("rank"))
               .where(aimed.target_id.is_not(None)).subquery("decider"))
    corrected = decider.c.action == HourAction.CORRECT.value
    status = case((decider.c.action.is_(None), literal(RecordStatus.PENDING.value)),
                  (and_(corrected, decider.c.starts_at.is_(None)), literal(RecordStatus.REVERSED.value)),
                  (corrected, literal(RecordStatus.SUPERSEDED.value)),
                  *((decider.c.action == action, literal(outcome.value))
                    for action, outcome in REVIEW_OUTCOME.items()),
                  else_=literal(RecordStatus.PENDING.value))
    query = (select(HourEntry, status.label("status"))
             .outerjoin(decider, and_(decider.c.target_id == HourEntry.id, decider.c.rank == 1,
                                      decider.c.volunteer_id == HourEntry.volunteer_id))
             .where(HourEntry.action.in_(RECORD_ACTIONS), HourEntry.starts_at.is_not(None)))
    return query, status
