"""What the relay re-sends when the broker lost events, so every accepted need still gets its ranking."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Iterable

from sqlalchemy import String, cast, exists, func, select, update
from sqlalchemy.orm import Session, aliased

from events.topics import MATCHES, NEEDS, PROVIDERS
from linkage.catalogue import Types
from linkage.models import MatchSet, Need, NeedStatus, OutboxEvent

if TYPE_CHECKING:
    from events.relay import Relay

log = logging.getLogger(__name__)

# The topics whose loss the relay repairs from the database.
WATCHED = [NEEDS, PROVIDERS, MATCHES]

# The need events the matcher answers with a ranking (plain strings: they go into SQL).
RANKED_TYPES = (Types.NEED_POSTED.value, Types.NEED_UPDATED.value)


def needs_awaiting_ranking(session: Session, *, sent_before: datetime | None = None,
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
    # sent_at is never None here (the query keeps sent rows); the test only tells mypy so.
    return [(outbox_id, sent_at, attempts) for outbox_id, sent_at, attempts in session.execute(query).tuples()
            if sent_at is not None]


def resend(session: Session, outbox_ids: list[int]) -> int:
    """Mark rows unsent again: the relay publishes them with their original event ids."""
    if not outbox_ids:
        return 0
    session.execute(update(OutboxEvent).where(OutboxEvent.id.in_(outbox_ids)).values(sent_at=None))
    return len(outbox_ids)


def overdue(rows: Iterable[tuple[int, datetime, int]], *, now: datetime, after: float, cap: float = 3600.0) -> list[int]:
    """Rows whose ranking is overdue: the wait doubles with each send, up to `cap` seconds."""
    due = []
    for outbox_id, sent_at, attempts in rows:
        wait = min(after * 2 ** max(attempts - 1, 0), cap)
        if sent_at + timedelta(seconds=wait) <= now:
            due.append(outbox_id)
    return due


def unsent_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(OutboxEvent)
                          .where(OutboxEvent.sent_at.is_(None))) or 0


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Recovery:
    """The relay's watch over the broker: a topic that came back empty or recreated, and overdue rankings."""

    def __init__(self, relay: Relay, *, topic_check_every: float, redeliver_after: float,
                 max_redeliveries: int) -> None:
        self.relay = relay
        self.topic_check_every = topic_check_every
        self.redeliver_after, self.max_redeliveries = redeliver_after, max_redeliveries
        self.known_ids: dict[str, str] = {}
        self._next_topic_check = 0.0
        self._next_sweep = 0.0

    def check_topics_soon(self) -> None:
        self._next_topic_check = 0.0

    def tick(self, now: float) -> None:
        """Compare the topics' ids every `topic_check_every` s; sweep for overdue rankings now and then."""
        if now >= self._next_topic_check:
            self._next_topic_check = now + self.topic_check_every
            try:
                self._check_topics()
            except Exception as exc:  # noqa: BLE001 - broker away: the publish path backs off
                log.info("relay: topic check failed (%s)", exc)
                self.relay.reset_clients()
        if now >= self._next_sweep:
            self._next_sweep = now + min(self.redeliver_after / 4, 5.0)
            self._redeliver_overdue()

    def _check_topics(self) -> None:
        from events.topics import ensure_topics, topic_ids

        admin = self.relay.admin()
        created = ensure_topics(admin)
        current = topic_ids(admin, WATCHED)
        lost = [t for t, tid in current.items()
                if tid and self.known_ids.get(t) and self.known_ids[t] != tid]
        if created and not self.known_ids:
            lost = []  # first look: handled by after_start
        self.known_ids.update({t: tid for t, tid in current.items() if tid})
        if lost:
            log.warning("relay: broker lost %s (restarted empty?); recovering", ", ".join(lost))
            self.recover(lost)

    def after_start(self) -> None:
        """A relay starting against an empty topic that the outbox says it sent to re-sends what the DB knows."""
        try:
            ends = self._topic_sizes([NEEDS, PROVIDERS])
        except Exception as exc:  # noqa: BLE001
            log.warning("relay: could not read topic sizes (%s); skipping start-up recovery", exc)
            return
        lost = [t for t, size in ends.items() if size == 0 and self._ever_sent(t)]
        if lost:
            self.recover(lost)

    def _ever_sent(self, topic: str) -> bool:
        with self.relay.platform.read_session() as session:
            return session.scalar(select(OutboxEvent.id).where(
                OutboxEvent.topic == topic, OutboxEvent.sent_at.is_not(None)).limit(1)) is not None

    def _topic_sizes(self, topics: list[str]) -> dict[str, int]:
        from kafka import TopicPartition

        from events.consumer import make_consumer
        consumer = make_consumer(self.relay.bootstrap, None, client_id="linkage-relay-inspect")
        try:
            sizes = {}
            for topic in topics:
                partitions = consumer.partitions_for_topic(topic) or set()
                ends = consumer.end_offsets([TopicPartition(topic, p) for p in partitions])
                sizes[topic] = sum(ends.values())
            return sizes
        finally:
            consumer.close(autocommit=False)

    def recover(self, lost: list[str]) -> None:
        """Re-send what the broker lost: every active provider, and every need still without a ranking."""
        self.relay.flush_marks(force=True)
        if PROVIDERS in lost:
            self.republish_providers()
        if NEEDS in lost or MATCHES in lost:
            with self.relay.platform.write_sessions() as session:
                rows = needs_awaiting_ranking(session)
                count = resend(session, [r[0] for r in rows])
                session.commit()
            if count:
                log.warning("relay: re-sending %d needs that have no ranking yet", count)
        self.relay.rescan_soon()

    def republish_providers(self) -> int:
        from linkage.services.providers import republish_providers

        with self.relay.platform.uow() as uow:
            count = republish_providers(uow)
        if count:
            log.warning("relay: republished %d providers", count)
        return count

    def _redeliver_overdue(self) -> None:
        """Needs whose ranking is overdue are sent again (same event id; consumers dedupe)."""
        try:
            with self.relay.platform.read_session() as session:
                rows = needs_awaiting_ranking(
                    session, sent_before=utcnow() - timedelta(seconds=self.redeliver_after),
                    max_attempts=self.max_redeliveries)
            due = overdue(rows, now=utcnow(), after=self.redeliver_after)
            if due:
                self.relay.flush_marks(force=True)
                with self.relay.platform.write_sessions() as session:
                    resend(session, due)
                    session.commit()
                self.relay.rescan_soon()
                log.warning("relay: %d needs have no ranking after %.0fs; re-sending",
                            len(due), self.redeliver_after)
        except Exception as exc:  # noqa: BLE001 - a busy database: try at the next sweep
            log.info("relay: redelivery sweep failed (%s)", exc)
