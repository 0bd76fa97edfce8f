"""Retention at the service: sent outbox rows and failed logins are deleted after their days, never what is unsent."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from linkage.models import LoginFailure, OutboxEvent, utcnow
from linkage.services.retention import purge_database


def _count(read, model, *where):
    with read() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def test_old_sent_rows_and_old_login_failures_go_unsent_and_newest_rows_stay(build, platform, read, act):
    now = utcnow()
    for _ in range(3):
        build.community()  # no events
    needs = [build.need(build.community()) for _ in range(3)]  # three linkage.needs rows
    with platform.uow() as uow:
        rows = list(uow.session.scalars(select(OutboxEvent).where(OutboxEvent.topic == "linkage.needs")
                                        .order_by(OutboxEvent.id)))
        rows[0].sent_at = rows[1].sent_at = now - timedelta(days=40)  # old and sent
        uow.session.add_all([LoginFailure(username="x", remote_addr="10.0.0.1", at=now - timedelta(days=100)),
                             LoginFailure(username="x", remote_addr="10.0.0.1", at=now - timedelta(days=1))])
        uow.commit()
    unsent = _count(read, OutboxEvent, OutboxEvent.sent_at.is_(None))
    counts = act(purge_database, outbox_days=30, login_failure_days=90, now=now)
    # Of the two old sent rows, the newer stays: it is the newest sent row of its topic.
    assert counts == {"outbox": 1, "login_failures": 1}
    assert _count(read, OutboxEvent, OutboxEvent.sent_at.is_(None)) == unsent
    assert _count(read, OutboxEvent, OutboxEvent.key == str(needs[1].id)) == 1
    assert _count(read, LoginFailure) == 1


def test_nothing_young_enough_is_deleted(build, platform, read, act):
    build.need(build.community())
    with platform.write_sessions() as s:
        s.execute(update(OutboxEvent).values(sent_at=utcnow() - timedelta(days=2)))
        s.commit()
    before = _count(read, OutboxEvent)
    assert act(purge_database, outbox_days=30, login_failure_days=90) == {"outbox": 0, "login_failures": 0}
    assert _count(read, OutboxEvent) == before
