"""The outbox relay: publishes unsent outbox rows in id order and marks them sent.

It outlives the broker: while the broker is down, rows wait in the database (requests never
notice); when it comes back empty, the relay recreates the topics, republishes the providers
from the database and re-sends the needs whose ranking never came back.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from typing import TYPE_CHECKING, Any, Sequence, cast

from sqlalchemy import URL, Connection, Table, bindparam, select, update

from events.kafka_types import Client
from events.recovery import Recovery, utcnow
from events.topics import PROVIDERS
from linkage.models import OutboxEvent
from linkage.observability.workers import PUBLISHED, RELAY_FAILURES

if TYPE_CHECKING:
    from sqlalchemy import Row

    from linkage.config import Settings
    from linkage.platform import Platform

    # An outbox row as the relay reads it: id, topic, key, envelope (None: a tombstone).
    OutboxRow = Row[int, str, str, str | None]

log = logging.getLogger(__name__)


class Relay:
    def __init__(self, platform: Platform, bootstrap: str, *, batch_size: int = 500, idle: float = 0.01,
                 topic_check_every: float = 2.0, redeliver_after: float = 30.0,
                 max_redeliveries: int = 12, mark_every: float = 0.2,
                 stop: threading.Event | None = None, producer_config: dict[str, Any] | None = None,
                 purge_every: float | None = 86400.0) -> None:
        self.platform, self.bootstrap = platform, bootstrap
        self.producer_config = producer_config or {}
        self.batch_size, self.idle = batch_size, idle
        self.stop_event = stop or threading.Event()
        self.postgres = platform.engine.dialect.name == "postgresql"
        self.producer: Client = None
        self._admin: Client = None
        self.published = 0
        self.failures = 0
        self.recovery = Recovery(self, topic_check_every=topic_check_every,
                                 redeliver_after=redeliver_after, max_redeliveries=max_redeliveries)
        # Retention: `linkage purge` once at start and then daily (None: never, e.g. in tests).
        self.purge_every = purge_every
        self._next_purge = 0.0
        self._watch = _SqliteChanges(platform.engine.url) if not self.postgres else None
        # SQLite only: published ids waiting to be marked sent, and the last one published.
        self.mark_every = mark_every
        self._to_mark: list[int] = []
        self._last_mark = 0.0
        self._cursor = 0
        self._next_rescan = 0.0
        # Built once: a statement made per batch cost a third of the relay's CPU (ORM compile
        # and cache-key work, profiled with benchmarks/e2e.py --profile); rows come as plain tuples.
        table = cast(Table, OutboxEvent.__table__)
        self._select_unsent = (select(table.c.id, table.c.topic, table.c.key, table.c.envelope)
                               .where(table.c.sent_at.is_(None), table.c.id > bindparam("after"))
                               .order_by(table.c.id).limit(batch_size))
        self._select_unsent_locked = self._select_unsent.with_for_update(skip_locked=True)
        self._mark = (update(table).where(table.c.id.in_(bindparam("ids", expanding=True)))
                      .values(sent_at=bindparam("now", type_=table.c.sent_at.type), attempts=table.c.attempts + 1))

    def stop(self) -> None:
        self.stop_event.set()

    # -- the loop -------------------------------------------------------------------------
    def run(self) -> None:
        from events.runtime import prepare_topics

        if not prepare_topics(self.bootstrap, self.stop_event):
            return
        self.recovery.after_start()
        backoff = 0.1
        try:
            while not self.stop_event.is_set():
                self._housekeeping()
                try:
                    sent = self.publish_batch()
                except Exception as exc:  # noqa: BLE001 - broker or database trouble: back off, retry
                    self.failures += 1
                    RELAY_FAILURES.inc()
                    log.warning("relay: publishing failed (%s); retrying in %.1fs", exc, backoff)
                    self.reset_clients()
                    try:
                        self._rescan()
                    except Exception:  # noqa: BLE001 - the database is the trouble: resend instead
                        self._to_mark, self._cursor = [], 0
                    self.recovery.check_topics_soon()
                    self.stop_event.wait(backoff)
                    backoff = min(backoff * 2, 2.0)
                    continue
                backoff = 0.1
                if sent < self.batch_size:
                    self._wait_for_writes()
        finally:
            self.reset_clients()
            try:
                self.flush_marks(force=True)
            except Exception as exc:  # noqa: BLE001 - unmarked rows are simply sent again
                log.warning("relay: could not mark the last rows sent (%s)", exc)

    def _wait_for_writes(self) -> None:
        """Sleep until the database may hold new rows: on SQLite a stat() of the WAL says so
        for a few microseconds, where a SELECT would cost the whole pipeline CPU."""
        if self._watch is None:
            self.stop_event.wait(self.idle)
            return
        deadline = time.monotonic() + 1.0  # look anyway, now and then
        while not self.stop_event.is_set() and time.monotonic() < deadline:
            if self._watch.changed():
                return
            self.stop_event.wait(0.002)

    def publish_batch(self) -> int:
        """Publish up to `batch_size` unsent rows, oldest first; returns how many were sent."""
        if self.postgres:
            # One transaction holds the rows locked while they are published, so a second
            # relay skips them instead of sending them twice.
            with self.platform.engine.begin() as conn:
                rows = conn.execute(self._select_unsent_locked, {"after": 0}).all()
                if rows:
                    self._publish(rows)
                    self._mark_sent(conn, [r.id for r in rows])
            return len(rows)
        # SQLite has one writer at a time, and waiting for the lock costs milliseconds that
        # every request then pays too. So the relay remembers how far it published and marks
        # rows sent in one UPDATE every `mark_every` seconds; a crash in between only means
        # those rows are published again, and consumers deduplicate.
        if time.monotonic() >= self._next_rescan:
            self._rescan()  # rows marked unsent again (recovery, an operator) have older ids
        if self._watch is not None:
            self._watch.changed()  # remember the state this SELECT sees
        with self.platform.engine.connect() as conn:
            rows = conn.execute(self._select_unsent, {"after": self._cursor}).all()
        if not rows:
            self.flush_marks()
            return 0
        self._publish(rows)
        self._cursor = rows[-1].id
        self._to_mark.extend(r.id for r in rows)
        self.flush_marks()
        return len(rows)

    def flush_marks(self, force: bool = False) -> None:
        if not self._to_mark:
            return
        if not force and time.monotonic() - self._last_mark < self.mark_every \
                and len(self._to_mark) < 5000:
            return
        with self.platform.engine.execution_options(sqlite_immediate=True).begin() as conn:
            self._mark_sent(conn, self._to_mark)
        self._to_mark = []
        self._last_mark = time.monotonic()

    def rescan_soon(self) -> None:
        """Rows were marked unsent again: look from the first unsent row at the next batch."""
        self._next_rescan = 0.0

    def _rescan(self) -> None:
        """Start again from the first unsent row (after marking what is already published)."""
        self.flush_marks(force=True)
        self._cursor = 0
        self._next_rescan = time.monotonic() + 1.0

    def _publish(self, rows: Sequence[OutboxRow]) -> None:
        # Providers are acknowledged before the needs of the same batch are sent, so that a
        # matcher holding a need finds every provider written before it (Matcher._before_batch).
        providers = [row for row in rows if row.topic == PROVIDERS]
        if providers and len(providers) < len(rows):
            self._send_and_flush(providers)
            self._send_and_flush([row for row in rows if row.topic != PROVIDERS])
        else:
            self._send_and_flush(rows)
        self.published += len(rows)
        per_topic: dict[str, int] = {}
        for row in rows:
            per_topic[row.topic] = per_topic.get(row.topic, 0) + 1
        for topic, count in per_topic.items():
            PUBLISHED.labels("relay", topic).inc(count)

    def _send_and_flush(self, rows: Sequence[OutboxRow]) -> None:
        from kafka.errors import KafkaTimeoutError

        producer = self._producer()
        # A row without an envelope is a tombstone: the key with a null value.
        futures = [producer.send(row.topic, key=row.key.encode("utf-8"),
                                 value=row.envelope.encode("utf-8") if row.envelope is not None else None)
                   for row in rows]
        producer.flush(timeout=15)
        for future in futures:
            if not future.is_done:
                raise KafkaTimeoutError("flush returned before every record was acknowledged")
            if future.failed():
                raise future.exception

    def _mark_sent(self, conn: Connection, ids: list[int]) -> None:
        conn.execute(self._mark, {"ids": ids, "now": utcnow()})

    # -- clients --------------------------------------------------------------------------
    def _producer(self) -> Client:
        if self.producer is None:
            from events.producer import make_producer
            self.producer = make_producer(self.bootstrap, client_id="linkage-relay",
                                          **self.producer_config)
        return self.producer

    def admin(self) -> Client:
        if self._admin is None:
            from events.topics import admin_client
            self._admin = admin_client(self.bootstrap)
        return self._admin

    def reset_clients(self) -> None:
        # A broker that restarted empty forgets producer state; fresh clients start clean.
        for client in (self.producer, self._admin):
            if client is not None:
                try:
                    client.close(timeout=1) if client is self.producer else client.close()
                except Exception:  # noqa: BLE001
                    pass
        self.producer = self._admin = None

    # -- duties beside publishing: the broker watch (events.recovery) and the daily purge ----
    def _housekeeping(self) -> None:
        now = time.monotonic()
        self.recovery.tick(now)
        if self.purge_every is not None and now >= self._next_purge:
            self._next_purge = now + self.purge_every
            self._purge()

    def _purge(self) -> None:
        from events.retention import run_purge

        self.flush_marks(force=True)
        try:
            run_purge(self.platform, self.bootstrap)
        except Exception as exc:  # noqa: BLE001 - a busy database: try again tomorrow
            log.warning("relay: the daily purge failed (%s)", exc)


class _SqliteChanges:
    """Has a SQLite database (main file or WAL) been written since the last call?"""

    def __init__(self, url: URL) -> None:
        database = url.database if url.get_backend_name() == "sqlite" else None
        self.paths = [database, database + "-wal"] if database and database != ":memory:" else []
        self.last: list[tuple[int, int] | None] | None = None

    def changed(self) -> bool:
        if not self.paths:
            return True
        state: list[tuple[int, int] | None] = []
        for path in self.paths:
            try:
                st = os.stat(path)
                state.append((st.st_size, st.st_mtime_ns))
            except FileNotFoundError:
                state.append(None)
        if state != self.last:
            self.last = state
            return True
        return False


def run_relay(settings: Settings, stop: threading.Event | None = None, *, platform: Platform | None = None,
              **options: Any) -> None:
    """`linkage relay`: runs until `stop` is set (or SIGTERM when called from the CLI)."""
    from events.producer import producer_config
    from events.runtime import bootstrap_for
    from linkage.platform import build_platform

    platform = platform or build_platform(settings, source="linkage-relay")
    Relay(platform, bootstrap_for(settings), stop=stop,
          producer_config=producer_config(settings.broker_kind), **options).run()
