"""The notifier (group `linkage-notifier`): domain events and due dates → inbox rows → external sends.

Three parts in one worker:
- a consumer of the topics whose events tell someone something (projects, hours): each event's
  notices are stored insert-if-absent by dedupe key before its offset is committed, so a
  redelivered event adds no second row;
- a ticker (at start, then every LINKAGE_NOTIFY_TICK seconds, default 30) storing what time
  tells: reminders 24 h and 2 h before a shift, missed check-ins, milestones and qualifications due;
- a dispatcher sending pending deliveries through the external channels, outside each user's
  quiet hours. A delivery is claimed (attempts + 1, compare-and-set) and committed before the
  send, and marked sent after; the channel skips a delivery id it already sent, so a crash in
  between sends nothing twice.
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from events.channels import Channel, channels_from_env
from events.consumer import ConsumerLoop
from events.envelope import Event
from events.kafka_types import Record
from linkage.catalogue import of_topic
from linkage.models import Delivery, DeliveryStatus, Notification, utcnow
from linkage.services.inbox import in_quiet_hours, quiet_window, render, store_notices
from linkage.services.invitations import expire_invitations
from linkage.services.notifications import due_notices, handled_topics, notices_for_event
from linkage.services.series import extend_series

if TYPE_CHECKING:
    from linkage.config import Settings
    from linkage.platform import Platform

log = logging.getLogger(__name__)

GROUP = "linkage-notifier"
MAX_ATTEMPTS = 5
DISPATCH_BATCH = 50


class Notifier:
    def __init__(
        self,
        platform: Platform,
        bootstrap: str,
        *,
        channels: dict[str, Channel] | None = None,
        group_id: str = GROUP,
        name: str = "notifier",
        tick_seconds: float | None = None,
        stop: threading.Event | None = None,
        consumer_config: dict[str, Any] | None = None,
        producer_config: dict[str, Any] | None = None,
        clock: Any = utcnow,
    ) -> None:
        self.platform, self.bootstrap = platform, bootstrap
        self.channels = channels if channels is not None else channels_from_env()
        self.tick_seconds = (
            tick_seconds if tick_seconds is not None else float(os.environ.get("LINKAGE_NOTIFY_TICK", "30"))
        )
        self.stop_event = stop or threading.Event()
        self.clock = clock
        self.stored = self.sent = 0
        topics = handled_topics()
        accept = tuple(found for topic in topics for found in of_topic(topic))
        self.loop = ConsumerLoop(
            name=name,
            bootstrap=bootstrap,
            group_id=group_id,
            topics=topics,
            handle=self.handle,
            handle_batch=self.handle_batch,
            accept=accept,
            stop=self.stop_event,
            consumer_config=consumer_config,
            producer_config=producer_config,
        )

    # -- events ---------------------------------------------------------------------------------
    def handle_batch(self, items: list[tuple[Record, Event]]) -> None:
        """A poll's events in one transaction; a failure makes the loop retry them one by one."""
        with self.platform.uow() as uow:
            notices = [
                n for _record, event in items for n in notices_for_event(uow.session, event.id, event.type, event.data)
            ]
            stored = store_notices(uow.session, notices, tuple(self.channels))
            uow.commit()
        self.stored += len(stored)

    def handle(self, record: Record, event: Event) -> None:
        # A duplicate key at commit (another notifier stored it first) raises: the loop's retry
        # then finds the row and stores nothing.
        self.handle_batch([(record, event)])

    # -- time -----------------------------------------------------------------------------------
    def tick(self, now: datetime | None = None) -> int:
        """Keep the schedules (see upkeep), then store the notices due now; returns how many were new."""
        now = now or self.clock()
        self.upkeep(now)
        try:
            with self.platform.uow() as uow:
                stored = store_notices(uow.session, due_notices(uow.session, now), tuple(self.channels))
                uow.commit()
        except IntegrityError as exc:  # a racing notifier stored some first: the next tick adds the rest
            log.info("notifier: tick raced another notifier (%s)", exc.__class__.__name__)
            return 0
        self.stored += len(stored)
        return len(stored)

    def upkeep(self, now: datetime) -> None:
        """The time-driven upkeep that reminders and the to-do list count on: recurring activities
        scheduled HORIZON_DAYS ahead (series.extend_series), invitations whose need or activity
        closed marked expired (invitations.expire_invitations). Each is idempotent."""
        for job in (lambda uow: extend_series(uow, now), expire_invitations):
            try:
                with self.platform.uow() as uow:
                    job(uow)
            except Exception:  # noqa: BLE001 - upkeep failing must not stop the notices; next tick retries
                log.exception("notifier: schedule upkeep failed; trying again next tick")

    # -- sending --------------------------------------------------------------------------------
    def dispatch(self, now: datetime | None = None) -> int:
        """Send the pending deliveries outside their users' quiet hours; returns how many were sent."""
        now = now or self.clock()
        with self.platform.read_session() as session:
            rows = session.execute(
                select(Delivery.id, Delivery.channel, Delivery.attempts, Notification)
                .join(Notification, Notification.id == Delivery.notification_id)
                .where(Delivery.status == DeliveryStatus.PENDING.value)
                .order_by(Delivery.id)
                .limit(DISPATCH_BATCH)
            ).all()
            windows = {row[3].user_id: quiet_window(session, row[3].user_id) for row in rows}
            work = [
                (delivery_id, channel, attempts, note.user_id, note.kind, render(note, "zh_CN"))
                for delivery_id, channel, attempts, note in rows
                if not in_quiet_hours(windows[note.user_id], now)
            ]
        sent = 0
        for delivery_id, channel, attempts, user_id, kind, text in work:
            if self.stop_event.is_set():
                break
            if self._send(delivery_id, channel, attempts, user_id, kind, text):
                sent += 1
        self.sent += sent
        return sent

    def _send(self, delivery_id: int, channel: str, attempts: int, user_id: int, kind: str, text: str) -> bool:
        gateway = self.channels.get(channel)
        if gateway is None:
            return False  # a channel no longer configured: left pending for a notifier that has it
        with self.platform.uow() as uow:  # claim it: only one notifier gets past this
            claimed = uow.session.execute(
                update(Delivery)
                .where(
                    Delivery.id == delivery_id,
                    Delivery.attempts == attempts,
                    Delivery.status == DeliveryStatus.PENDING.value,
                )
                .values(attempts=attempts + 1)
            )
            uow.commit()
        if getattr(claimed, "rowcount", 0) != 1:
            return False
        try:
            gateway.send(delivery_id, user_id, kind, text)
        except Exception as exc:  # noqa: BLE001 - a gateway failure is retried, then given up on
            log.warning("notifier: delivery %s on %s failed (%s)", delivery_id, channel, exc)
            with self.platform.uow() as uow:
                failed = attempts + 1 >= MAX_ATTEMPTS
                uow.session.execute(
                    update(Delivery)
                    .where(Delivery.id == delivery_id)
                    .values(
                        last_error=str(exc)[:300],
                        status=DeliveryStatus.FAILED.value if failed else DeliveryStatus.PENDING.value,
                    )
                )
                uow.commit()
            return False
        with self.platform.uow() as uow:
            uow.session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id)
                .values(status=DeliveryStatus.SENT.value, sent_at=utcnow())
            )
            uow.commit()
        return True

    def _time_loop(self) -> None:
        next_tick = 0.0
        while not self.stop_event.is_set():
            try:
                if self._monotonic() >= next_tick:
                    self.tick()
                    next_tick = self._monotonic() + self.tick_seconds
                self.dispatch()
            except Exception:  # noqa: BLE001 - a database hiccup must not end the ticker
                log.exception("notifier: tick or dispatch failed; trying again")
            self.stop_event.wait(1.0)

    @staticmethod
    def _monotonic() -> float:
        import time

        return time.monotonic()

    # -- running --------------------------------------------------------------------------------
    def stop(self) -> None:
        self.stop_event.set()

    def run(self) -> None:
        from events.runtime import prepare_topics

        ticker = threading.Thread(target=self._time_loop, name="notifier-ticker", daemon=True)
        ticker.start()
        try:
            if prepare_topics(self.bootstrap, self.stop_event):
                self.loop.run()
        finally:
            self.stop_event.set()
            ticker.join(10)


def run_notifier(settings: Settings, stop: threading.Event | None = None, *, platform: Platform | None = None) -> None:
    """`linkage notifier`: runs until `stop` is set (or SIGTERM when called from the CLI)."""
    from events.producer import producer_config
    from events.runtime import bootstrap_for
    from linkage.platform import build_platform

    platform = platform or build_platform(settings, source="linkage-notifier")
    Notifier(platform, bootstrap_for(settings), stop=stop, producer_config=producer_config(settings.broker_kind)).run()
