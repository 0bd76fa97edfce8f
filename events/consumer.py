"""The consumer loop every worker runs: poll → handle → publish output → commit, with retries and a DLQ.

Offsets are committed only after every output of the batch (results and dead letters) was
acknowledged by the broker, so a crash anywhere replays the batch: handlers are idempotent.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from events.envelope import Event, EventError, parse
from events.kafka_types import Client, Offsets, Record, TopicPartition
from events.producer import CLIENT_DEFAULTS, dead_letter, make_producer
from events.topics import DLQ
from linkage.observability.logs import event_context
from linkage.observability.workers import COMMIT_FAILURES, CONSUMED, DEAD_LETTERED, PUBLISHED, forget_lag, update_lag

log = logging.getLogger(__name__)

# Joins take about half the session timeout (FACTS); short timeouts make failover seconds long.
CONSUMER_DEFAULTS = dict(
    CLIENT_DEFAULTS,
    enable_auto_commit=False,
    auto_offset_reset="earliest",
    session_timeout_ms=6000,
    heartbeat_interval_ms=1000,
    max_poll_records=200,
    # While records flow (see FetchPace for the idle case).
    fetch_max_wait_ms=20,
    metadata_max_age_ms=3000,
)


def make_consumer(bootstrap: str, group_id: str | None, client_id: str, **overrides: Any) -> Client:
    from kafka import KafkaConsumer

    config = {**CONSUMER_DEFAULTS, **overrides}
    return KafkaConsumer(bootstrap_servers=bootstrap, group_id=group_id, client_id=client_id,
                         **config)


class FetchPace:
    """A short fetch wait while records flow, a long one while the consumer is idle.

    Measured with the embedded broker: an idle consumer on 20 ms waits spins through ~50 empty
    fetches a second (7.5 % of a core, plus the broker's share) against 1.9 % on 100 ms, and
    the first record after a quiet spell still arrives in ~3.5 ms either way; but under a
    steady stream 100 ms waits doubled the post→matches latency (p50 ~45 → ~90 ms at
    120 needs/s). kafka-python reads the wait from its fetcher's config for every request.
    """

    BUSY_MS, IDLE_MS = 20, 100

    def __init__(self, consumer: Client) -> None:
        self._config = getattr(getattr(consumer, "_fetcher", None), "config", None)

    def after_poll(self, got_records: bool) -> None:
        if self._config is not None:
            self._config["fetch_max_wait_ms"] = self.BUSY_MS if got_records else self.IDLE_MS


@dataclass(frozen=True)
class Output:
    """A record a handler wants published; the input's offset is committed only once it is acked."""

    topic: str
    key: str | None
    value: bytes


class OutputNotAcknowledged(Exception):
    pass


class TopicEpochs:
    """Notices a topic recreated under the same name (an in-memory broker restarted empty): the
    old log's positions would skip the new log's first records, so the consumer reads it from the start."""

    def __init__(self, consumer: Client, topics: list[str]) -> None:
        self.consumer, self.topics = consumer, topics
        self.seen: dict[str, object] = {}

    def changed(self) -> list[str]:
        try:
            cluster = self.consumer._client.cluster
        except AttributeError:  # a client without topic ids: nothing to compare
            return []
        changed: list[str] = []
        for topic in self.topics:
            current = cluster.topic_id(topic)
            if current is None:
                continue  # gone for now: wait for it to come back
            previous = self.seen.get(topic)
            if previous is not None and previous != current:
                changed.append(topic)
            self.seen[topic] = current
        return changed


Handler = Callable[[Record, Event], Iterable[Output] | None]


class ConsumerLoop:
    """One group member: handles records of `topics` with `handle(record, event)`."""

    def __init__(self, *, name: str, bootstrap: str, group_id: str, topics: list[str],
                 handle: Handler, handle_batch: Callable[[list[tuple[Record, Event]]], None] | None = None,
                 accept: tuple[str, ...] | None = None, retries: int = 3,
                 retry_backoff: float = 0.1, before_batch: Callable[[], None] | None = None,
                 on_idle: Callable[[], None] | None = None, stop: threading.Event | None = None,
                 consumer_config: dict[str, Any] | None = None, producer: Client = None,
                 producer_config: dict[str, Any] | None = None) -> None:
        self.name, self.bootstrap, self.group_id, self.topics = name, bootstrap, group_id, topics
        self.handle, self.handle_batch, self.accept = handle, handle_batch, accept
        self.retries, self.retry_backoff = retries, retry_backoff
        self.before_batch, self.on_idle = before_batch, on_idle
        self.stop_event = stop or threading.Event()
        self.consumer_config = consumer_config or {}
        self.producer = producer
        self.producer_config = producer_config or {}
        self._own_producer = producer is None
        self.consumer: Client = None
        self.handled = 0
        self.dead_lettered = 0
        self.commit_failures = 0
        self._uncommitted: Offsets = {}
        self._next_lag_update = 0.0

    def stop(self) -> None:
        self.stop_event.set()

    # -- the loop -------------------------------------------------------------------------
    def run(self) -> None:
        from kafka.errors import KafkaError

        if self.producer is None:
            self.producer = make_producer(self.bootstrap, client_id=f"{self.name}-out",
                                          **self.producer_config)
        self.consumer = make_consumer(self.bootstrap, self.group_id, client_id=self.name,
                                      **self.consumer_config)
        self.consumer.subscribe(self.topics)
        epochs = TopicEpochs(self.consumer, self.topics)
        pace = FetchPace(self.consumer)
        backoff = 0.1
        try:
            while not self.stop_event.is_set():
                self._restart_recreated(epochs.changed())
                try:
                    batch = self.consumer.poll(timeout_ms=100)
                except KafkaError as exc:
                    log.warning("%s: poll failed (%s); retrying", self.name, exc)
                    self.stop_event.wait(backoff)
                    continue
                pace.after_poll(bool(batch))
                if not batch:
                    self._update_lag()
                    if self.on_idle:
                        self.on_idle()
                    continue
                try:
                    offsets = self._process(batch)
                except (KafkaError, OutputNotAcknowledged) as exc:
                    # Output not acknowledged: nothing is committed; replay the batch later.
                    log.warning("%s: output not acknowledged (%s); replaying the batch", self.name, exc)
                    self._rewind(batch)
                    self.stop_event.wait(backoff)
                    backoff = min(backoff * 2, 2.0)
                    continue
                backoff = 0.1
                self._commit(offsets)
                self._update_lag()
        finally:
            forget_lag(self.name)
            self._close()

    def _update_lag(self) -> None:
        if time.monotonic() >= self._next_lag_update:
            self._next_lag_update = time.monotonic() + 1.0
            try:
                update_lag(self.name, self.consumer)
            except Exception as exc:  # noqa: BLE001 - a metric must never stop the loop
                log.debug("%s: lag not updated (%s)", self.name, exc)

    def _process(self, batch: dict[TopicPartition, list[Record]]) -> Offsets:
        from kafka.structs import OffsetAndMetadata

        if self.before_batch:
            self.before_batch()
        outputs: list[Output] = []
        futures: list[Any] = []
        offsets: Offsets = {}
        parsed: list[tuple[Record, Event]] = []

        def send(output: Output) -> None:
            # Handed to the producer at once, so the first ranking of a poll is on its way
            # while the next is computed; the batch is acknowledged as a whole below.
            key = output.key.encode("utf-8") if output.key is not None else None
            futures.append(self.producer.send(output.topic, key=key, value=output.value))
            outputs.append(output)

        for tp, records in batch.items():
            CONSUMED.labels(self.name, tp.topic).inc(len(records))
            for record in records:
                try:
                    parsed.append((record, parse(record.value, accept=self.accept)))
                except EventError as exc:
                    send(self._dead_letter(record, exc, exc.reason))
                offsets[tp] = OffsetAndMetadata(record.offset + 1, "", -1)
        if not self._handled_as_batch(parsed):
            for record, event in parsed:
                for output in self._handle(record, event):
                    send(output)
        if futures:
            self.producer.flush(timeout=15)
            for future in futures:
                if not future.is_done:
                    raise OutputNotAcknowledged("flush timed out")
                if future.failed():
                    raise OutputNotAcknowledged(str(future.exception))
            for output in outputs:
                PUBLISHED.labels(self.name, output.topic).inc()
        return offsets

    def _handled_as_batch(self, parsed: list[tuple[Record, Event]]) -> bool:
        """One transaction for the whole batch when the worker offers it; else one per record."""
        if self.handle_batch is None or len(parsed) < 2:
            return False
        try:
            self.handle_batch(parsed)
        except EventError:
            return False
        except Exception as exc:  # noqa: BLE001 - retried record by record, which isolates the culprit
            log.info("%s: batch of %d failed (%s); handling one by one", self.name, len(parsed), exc)
            return False
        self.handled += len(parsed)
        if log.isEnabledFor(logging.INFO):
            for _record, event in parsed:
                with event_context(event):
                    log.info("%s: handled %s (batch of %d)", self.name, event.type, len(parsed))
        return True

    def _handle(self, record: Record, event: Event) -> list[Output]:
        with event_context(event):  # log lines carry the event's request, event and need ids
            return self._handle_with_retries(record, event)

    def _handle_with_retries(self, record: Record, event: Event) -> list[Output]:
        for attempt in range(self.retries + 1):
            try:
                started = time.perf_counter()
                outputs = list(self.handle(record, event) or ())
                self.handled += 1
                log.info("%s: handled %s in %.1f ms", self.name, event.type,
                         (time.perf_counter() - started) * 1000)
                return outputs
            except EventError as exc:
                return [self._dead_letter(record, exc, exc.reason)]
            except Exception as exc:  # noqa: BLE001 - any handler failure is retried, then dead-lettered
                if attempt == self.retries:
                    log.exception("%s: giving up on %s/%s@%s", self.name, record.topic,
                                  record.partition, record.offset)
                    return [self._dead_letter(record, exc, "handler_failed")]
                log.warning("%s: handler failed (%s), retry %d", self.name, exc, attempt + 1)
                time.sleep(self.retry_backoff * 2 ** attempt)
        return []

    def _dead_letter(self, record: Record, error: BaseException, reason: str) -> Output:
        self.dead_lettered += 1
        DEAD_LETTERED.labels(self.name, reason).inc()
        log.warning("%s: dead-lettering %s/%s@%s: %s", self.name, record.topic, record.partition,
                    record.offset, error)
        key, value = dead_letter(source=f"linkage-{self.name}", consumer=self.group_id,
                                 topic=record.topic, partition=record.partition,
                                 offset=record.offset, key=record.key, value=record.value,
                                 error=error, reason=reason)
        return Output(DLQ, key.decode("utf-8", "replace") if key is not None else None, value)

    def _commit(self, offsets: Offsets) -> None:
        """Commit without waiting for the answer: the outputs are already acknowledged, and
        a commit that fails (a rebalance: RebalanceInProgress, CommitFailed; a lost
        coordinator) only means whoever owns the partitions next replays from the last
        commit that did land, which idempotent handlers absorb."""
        from kafka.errors import KafkaError

        if not offsets:
            return
        self._uncommitted.update(offsets)
        try:
            self.consumer.commit_async(offsets, callback=self._committed)
        except KafkaError as exc:
            log.warning("%s: commit failed (%s); records may be redelivered", self.name, exc)

    def _committed(self, offsets: Offsets, response: Any) -> None:
        if isinstance(response, Exception):
            self.commit_failures += 1
            COMMIT_FAILURES.labels(self.name).inc()
            log.warning("%s: commit failed (%s); records may be redelivered", self.name, response)
        else:
            for tp, offset in offsets.items():
                if self._uncommitted.get(tp) == offset:
                    del self._uncommitted[tp]

    def _final_commit(self) -> None:
        """On a clean stop, wait for the last offsets to land so a successor replays nothing."""
        pending = {tp: o for tp, o in self._uncommitted.items() if tp in self.consumer.assignment()}
        if not pending:
            return
        try:
            self.consumer.commit(pending, timeout_ms=3000)
        except Exception as exc:  # noqa: BLE001 - the successor replays them; handlers are idempotent
            log.info("%s: last commit failed (%s)", self.name, exc)

    def _restart_recreated(self, topics: list[str]) -> None:
        if not topics:
            return
        partitions = [tp for tp in self.consumer.assignment() if tp.topic in topics]
        log.warning("%s: %s recreated (broker restarted empty); reading it from the start",
                    self.name, ", ".join(topics))
        if partitions:
            self.consumer.seek_to_beginning(*partitions)

    def _rewind(self, batch: dict[TopicPartition, list[Record]]) -> None:
        assigned = self.consumer.assignment()
        for tp, records in batch.items():
            if records and tp in assigned:
                try:
                    self.consumer.seek(tp, records[0].offset)
                except Exception as exc:  # noqa: BLE001 - lost the partition meanwhile: its new owner replays
                    log.info("%s: could not rewind %s: %s", self.name, tp, exc)

    def _close(self) -> None:
        try:
            if self.consumer is not None:
                self._final_commit()
                self.consumer.close(autocommit=False)
        except Exception:  # noqa: BLE001
            log.exception("%s: closing the consumer failed", self.name)
        if self._own_producer and self.producer is not None:
            try:
                self.producer.close(timeout=5)
            except Exception:  # noqa: BLE001
                log.exception("%s: closing the producer failed", self.name)
