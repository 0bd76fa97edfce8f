"""Retention (PIPL art. 19): rows kept only as long as they serve a purpose are deleted after a set number of days."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select

from linkage.models import LoginFailure, OutboxEvent, utcnow
from linkage.uow import UnitOfWork


def purge_database(uow: UnitOfWork, *, outbox_days: int, login_failure_days: int,
                   now: datetime | None = None) -> dict[str, int]:
    """Delete sent outbox rows and failed-login rows older than their retention; returns the counts.

    Unsent outbox rows are never deleted (they are still to be published). The newest sent
    row of each topic stays: the relay reads it to tell "never sent" from "sent, and the broker
    lost it" when it starts (events.relay._recover_after_start).
    """
    now = now or utcnow()
    newest = select(func.max(OutboxEvent.id)).where(OutboxEvent.sent_at.is_not(None)).group_by(OutboxEvent.topic)
    outbox = cast(CursorResult[Any], uow.session.execute(delete(OutboxEvent).where(
        OutboxEvent.sent_at.is_not(None), OutboxEvent.sent_at < now - timedelta(days=outbox_days),
        OutboxEvent.id.not_in(newest)).execution_options(synchronize_session=False)))
    failures = cast(CursorResult[Any], uow.session.execute(delete(LoginFailure).where(
        LoginFailure.at < now - timedelta(days=login_failure_days)).execution_options(synchronize_session=False)))
    uow.commit()
    return {"outbox": outbox.rowcount, "login_failures": failures.rowcount}
