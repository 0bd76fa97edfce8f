"""What the relay re-sends when the broker lost events, so every accepted need still gets its ranking."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import String, cast, exists, func, select, update
from sqlalchemy.orm import aliased

from events.topics import NEEDS
from linkage.catalogue import Types
from linkage.models import MatchSet, Need, NeedStatus, OutboxEvent

# The need events the matcher answers with a ranking (plain strings: they go into SQL).
RANKED_TYPES = (Types.NEED_POSTED.value, Types.NEED_UPDATED.value)


def needs_awaiting_ranking(session, *, sent_before: datetime | None = None,
                           max_attempts: int | None = None, limit: int = 1000) -> list[tuple[int, datetime, int]]:
    """(outbox id, sent_at, attempts) of the latest sent event of each open need that has no ranking."""
    later = aliased(OutboxEvent)
    query = (
        select(OutboxEvent.id, OutboxEvent.sent_at, OutboxEvent.attempts)
        .join(Need, OutboxEvent.key == cast(Need.id, String))
        .where(OutboxEvent.topic == NEEDS, OutboxEvent.type.in_(RANKED_TYPES),
               OutboxEvent.sent_at.is_not(None), Need.status == NeedStatus.OPEN.value,
               ~exists().where(MatchSet.need_id == Need.id),
               ~exists().where(later.topic == NEEDS, later.key == OutboxEvent.key,
                               later.id > OutboxEvent.id))
        .order_by(OutboxEvent.id).limit(limit)
    )
    if sent_before is not None:
        query = query.where(OutboxEvent.sent_at < sent_before)
    if max_attempts is not None:
        query = query.where(OutboxEvent.attempts < max_attempts)
    return [tuple(row) for row in session.execute(query)]


def resend(session, outbox_ids: list[int]) -> int:
    """Mark rows unsent again: the relay publishes them with their original event ids."""
    if not outbox_ids:
        return 0
    session.execute(update(OutboxEvent).where(OutboxEvent.id.in_(outbox_ids)).values(sent_at=None))
    return len(outbox_ids)


def overdue(rows, *, now: datetime, after: float, cap: float = 3600.0) -> list[int]:
    """Rows whose ranking is overdue: the wait doubles with each send, up to `cap` seconds."""
    due = []
    for outbox_id, sent_at, attempts in rows:
        wait = min(after * 2 ** max(attempts - 1, 0), cap)
        if sent_at + timedelta(seconds=wait) <= now:
            due.append(outbox_id)
    return due


def unsent_count(session) -> int:
    return session.scalar(select(func.count()).select_from(OutboxEvent)
                          .where(OutboxEvent.sent_at.is_(None))) or 0


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
