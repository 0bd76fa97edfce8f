"""Retention: `linkage purge` deletes sent outbox rows and failed logins past their days, nothing else."""
from __future__ import annotations

from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import select

from linkage.cli import main
from linkage.models import LoginFailure, OutboxEvent, utcnow
from linkage.platform import build_platform

DAY = timedelta(days=1)


def _outbox(key: str, topic: str, sent_days_ago: float | None, created_days_ago: float = 60) -> OutboxEvent:
    now = utcnow()
    return OutboxEvent(event_id=f"e-{topic}-{key}", topic=topic, key=key, type="t", envelope="{}",
                       created_at=now - created_days_ago * DAY,
                       sent_at=None if sent_days_ago is None else now - sent_days_ago * DAY)


def test_purge_deletes_what_is_past_its_retention_and_keeps_the_rest(settings):
    platform = build_platform(settings)
    with platform.write_sessions() as s:
        s.add_all([
            _outbox("old-1", "linkage.needs", sent_days_ago=40),
            _outbox("old-2", "linkage.needs", sent_days_ago=8),
            _outbox("recent", "linkage.needs", sent_days_ago=2),
            _outbox("unsent", "linkage.needs", sent_days_ago=None),        # still to publish: kept
            _outbox("only", "linkage.providers", sent_days_ago=90),        # the topic's newest sent row: kept
            LoginFailure(username="wang", remote_addr="10.0.0.1", at=utcnow() - 31 * DAY),
            LoginFailure(username="wang", remote_addr="10.0.0.1", at=utcnow() - 29 * DAY),
        ])
        s.commit()
    env = {"DATABASE_URL": settings.database_url, "LINKAGE_ENV": "development"}
    result = CliRunner().invoke(main, ["purge", "--no-broker"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "outbox=2" in result.output and "login_failures=1" in result.output and "dead_letters=n/a" in result.output
    with platform.read_session() as s:
        assert sorted(s.scalars(select(OutboxEvent.key))) == ["only", "recent", "unsent"]
        assert len(list(s.scalars(select(LoginFailure.id)))) == 1
    again = CliRunner().invoke(main, ["purge", "--no-broker"], env=env, catch_exceptions=False)
    assert "outbox=0" in again.output and "login_failures=0" in again.output
    # the days are settings: a shorter outbox retention reaches the 2-day-old row, once a newer
    # row of its topic has been sent
    with platform.write_sessions() as s:
        s.add(_outbox("newer", "linkage.needs", sent_days_ago=0.5))
        s.commit()
    shorter = CliRunner().invoke(main, ["purge", "--no-broker"], env={**env, "LINKAGE_RETAIN_OUTBOX_DAYS": "1"},
                                 catch_exceptions=False)
    assert "outbox=1" in shorter.output
    with platform.read_session() as s:
        assert sorted(s.scalars(select(OutboxEvent.key))) == ["newer", "only", "unsent"]
    platform.dispose()
