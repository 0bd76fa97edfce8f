"""Retention (PIPL art. 19): rows kept only as long as they serve a purpose are deleted after a set number of days
(and an import's uploaded file, previewed but never committed, after a set number of hours)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, update

from linkage.i18n import text
from linkage.models import ImportBatch, ImportStatus, LoginFailure, OutboxEvent, utcnow
from linkage.uow import UnitOfWork


def purge_database(uow: UnitOfWork, *, outbox_days: int, login_failure_days: int, import_upload_hours: int = 24,
                   now: datetime | None = None) -> dict[str, int]:
    """Delete sent outbox rows and failed-login rows older than their retention, and clear the uploaded
    file (plain-text ID numbers and phones) of import batches left uncommitted longer than theirs;
    returns the counts.

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
    uploads = _expire_uploads(uow, now - timedelta(hours=import_upload_hours))
    uow.commit()
    return {"outbox": outbox.rowcount, "login_failures": failures.rowcount, "import_uploads": uploads}


def _expire_uploads(uow: UnitOfWork, before: datetime) -> int:
    """A batch uploaded before `before` and still holding its file (previewed, never committed; or a
    check that died) loses the file and is failed with the reason; its counts and problems stay."""
    expired = cast(CursorResult[Any], uow.session.execute(update(ImportBatch).where(
        ImportBatch.content.is_not(None), ImportBatch.created_at < before,
        ImportBatch.status.in_([ImportStatus.READY.value, ImportStatus.RUNNING.value, ImportStatus.FAILED.value]))
        .values(content=None, status=ImportStatus.FAILED.value, message=text("import.expired", None, "zh_CN"),
                finished_at=utcnow()).execution_options(synchronize_session=False)))
    return expired.rowcount
