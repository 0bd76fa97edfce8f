"""The matcher: ranks each posted or updated need against the provider index and publishes the ranking.

It never touches the database: needs carry their own data, and the index is built from
`linkage.providers`, read from the beginning by a consumer outside any group.
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Mapping, Protocol

from events.consumer import ConsumerLoop, Output, TopicEpochs, make_consumer
from events.envelope import Event, EventError, matched_event_id, parse
from events.kafka_types import Client, Record, TopicPartition
from events.topics import MATCHES, NEEDS, PROVIDERS
from linkage import codec
from linkage.catalogue import PROVIDER_KINDS, Topics, Types, check_outgoing, of_topic
from linkage.messages import make_envelope, rfc3339
from linkage.observability.logs import REQUEST_ID_ATTRIBUTE
from linkage.observability.workers import RANK_SECONDS

if TYPE_CHECKING:
    from linkage.config import Settings
    from matching import ProviderIndex

log = logging.getLogger(__name__)
Provider = Mapping[str, Any]

# Every type the catalogue puts on the topics the matcher reads.
NEED_TYPES = of_topic(Topics.NEEDS)
PROVIDER_TYPES = of_topic(Topics.PROVIDERS)


class Index(Protocol):
    """What the matcher needs of a provider index: matching.ProviderIndex, or a test's stand-in."""

    def upsert(self, kind: str, provider: Provider) -> None: ...

    def remove(self, kind: str, provider_id: int) -> None: ...

    def rank(self, need: Mapping[str, Any], k: int = 20) -> dict[str, list[dict[str, Any]]]: ...


class ProviderFeed:
    """Keeps a provider index in step with `linkage.providers` (every partition, from offset 0)."""

    def __init__(self, bootstrap: str, index: Index, *, name: str = "matcher-providers") -> None:
        self.bootstrap, self.index, self.name = bootstrap, index, name
        self.consumer: Client = None
        self.epochs: TopicEpochs | None = None
        self.applied = 0
        self.rejected = 0

    def open(self, stop: threading.Event, timeout: float = 60.0) -> bool:
        from kafka import TopicPartition

        # Provider changes are rare next to needs: a slower fetch cycle keeps an idle matcher
        # cheap, and a need's batch still drains whatever has arrived first.
        self.consumer = make_consumer(self.bootstrap, None, client_id=self.name,
                                      max_poll_records=5000, fetch_max_wait_ms=200)
        partitions = None
        waited = 0.0
        while not partitions and not stop.is_set() and waited < timeout:
            partitions = self.consumer.partitions_for_topic(PROVIDERS)
            if not partitions:
                stop.wait(0.2)
                waited += 0.2
        if not partitions:
            return False
        assigned = [TopicPartition(PROVIDERS, p) for p in sorted(partitions)]
        self.consumer.assign(assigned)
        self.consumer.seek_to_beginning(*assigned)
        self.epochs = TopicEpochs(self.consumer, [PROVIDERS])
        return True

    def catch_up(self, stop: threading.Event | None = None, timeout: float = 60.0) -> None:
        """Read until every partition's position reaches the end offsets of this moment."""
        if self.epochs is not None and self.epochs.changed():
            log.warning("%s: providers topic recreated; re-reading it", self.name)
            self.consumer.seek_to_beginning(*self.consumer.assignment())
        assigned = list(self.consumer.assignment())
        ends = self.consumer.end_offsets(assigned)
        deadline = time.monotonic() + timeout
        while not (stop is not None and stop.is_set()) and time.monotonic() < deadline:
            if all(self.consumer.position(tp) >= ends[tp] for tp in assigned):
                break
            self._apply_batch(self.consumer.poll(timeout_ms=50))

    def drain(self) -> None:
        """Apply whatever provider events have arrived, without waiting for more."""
        if self.epochs is not None and self.epochs.changed():
            log.warning("%s: providers topic recreated; re-reading it", self.name)
            self.consumer.seek_to_beginning(*self.consumer.assignment())
        for _ in range(100):
            batch = self.consumer.poll(timeout_ms=0)
            if not batch:
                return
            self._apply_batch(batch)

    def _apply_batch(self, batch: dict[TopicPartition, list[Record]]) -> None:
        # Runs of upserts go to the index in bulk (10,000 providers load in well under a
        # second); a removal first flushes its kind's run, so per-key order is kept.
        pending: dict[str, list[Provider]] = {}
        for records in batch.values():
            for record in records:
                self._apply(record, pending)
        for kind in list(pending):
            self._flush(kind, pending)

    def _flush(self, kind: str, pending: dict[str, list[Provider]]) -> None:
        providers = pending.pop(kind, None)
        if not providers:
            return
        if len(providers) > 1 and hasattr(self.index, "upsert_many"):
            self.index.upsert_many(kind, providers)
        else:
            for provider in providers:
                self.index.upsert(kind, provider)

    def _apply(self, record: Record, pending: dict[str, list[Provider]]) -> None:
        if record.value is None:
            self._forget(record, pending)
            return
        try:
            event = parse(record.value, accept=PROVIDER_TYPES)
        except EventError as exc:
            # Not dead-lettered here: every matcher reads every provider event, so each would
            # write the same dead letter; the relay only ever produces valid ones.
            self.rejected += 1
            log.warning("%s: skipping provider event %s@%s: %s", self.name, record.partition,
                        record.offset, exc)
            return
        data = event.data
        kind = data["kind"]
        if event.type == Types.PROVIDER_UPSERTED:
            pending.setdefault(kind, []).append(data["provider"])  # inactive ones are removed
        else:
            self._flush(kind, pending)
            self.index.remove(kind, data["id"])
        self.applied += 1

    def _forget(self, record: Record, pending: dict[str, list[Provider]]) -> None:
        """A tombstone (key "kind:id", null value): the provider was erased; drop it for good."""
        kind, _, provider_id = (record.key or b"").decode("utf-8", "replace").partition(":")
        if kind not in PROVIDER_KINDS or not provider_id.isdigit():
            self.rejected += 1
            log.warning("%s: skipping a tombstone with key %r", self.name, record.key)
            return
        self._flush(kind, pending)
        self.index.remove(kind, int(provider_id))
        self.applied += 1

    def close(self) -> None:
        if self.consumer is not None:
            self.consumer.close(autocommit=False)


class Matcher:
    """A member of the `matcher` group on `linkage.needs`."""

    def __init__(self, bootstrap: str, index: Index, *, group_id: str = "matcher", k: int = 20,
                 name: str = "matcher", stop: threading.Event | None = None,
                 consumer_config: dict[str, Any] | None = None,
                 producer_config: dict[str, Any] | None = None) -> None:
        self.bootstrap, self.index, self.k, self.name = bootstrap, index, k, name
        self.stop_event = stop or threading.Event()
        self.feed = ProviderFeed(bootstrap, index, name=f"{name}-providers")
        self.loop = ConsumerLoop(name=name, bootstrap=bootstrap, group_id=group_id, topics=[NEEDS],
                                 handle=self.handle, accept=NEED_TYPES,
                                 before_batch=self._before_batch, on_idle=self._idle,
                                 stop=self.stop_event, producer_config=producer_config,
                                 # A poll's rankings are published together: small polls keep
                                 # a backlog from delaying the first answers.
                                 consumer_config={"max_poll_records": 50, **(consumer_config or {})})
        self.ranked = 0
        self._next_idle_drain = 0.0

    def _before_batch(self) -> None:
        # A need is ranked against every provider registered before it was posted: the relay
        # has the providers acknowledged before the needs that follow them in the outbox, so
        # reading the providers topic up to its end offsets of now takes them all in. (A
        # plain drain missed them on Apache Kafka, whose fetches can lag a just-written record.)
        self.feed.catch_up(self.stop_event, timeout=5.0)

    def _idle(self) -> None:
        if time.monotonic() >= self._next_idle_drain:
            self._next_idle_drain = time.monotonic() + 0.5
            self.feed.drain()

    def handle(self, record: Record, event: Event) -> list[Output]:
        if event.type == Types.NEED_CANCELLED:
            return []  # nothing to rank; the need's status already says it all
        need = event.data
        if need.get("status", "open") not in ("open", "matched"):
            return []
        started = time.perf_counter()
        ranking = self.index.rank(need, k=self.k)
        RANK_SECONDS.labels(self.name).observe(time.perf_counter() - started)
        if hasattr(self.index, "note_recommended"):
            for kind, entries in ranking.items():  # feeds the index's spread factor
                self.index.note_recommended(kind, [e["provider_id"] for e in entries])
        data = {"need_id": need["id"], "need_event_id": event.id,
                "ranked_at": rfc3339(datetime.now(timezone.utc)),
                "matches": {kind: ranking.get(kind, []) for kind in PROVIDER_KINDS}}
        matched = check_outgoing(Types.NEED_MATCHED, MATCHES, data)
        envelope = make_envelope(type=matched, source="linkage-matcher",
                                 subject=f"need/{need['id']}", data=data,
                                 event_id=matched_event_id(event.id))
        if event.raw.get(REQUEST_ID_ATTRIBUTE):  # the ranking answers the request that posted the need
            envelope[REQUEST_ID_ATTRIBUTE] = event.raw[REQUEST_ID_ATTRIBUTE]
        self.ranked += 1
        return [Output(MATCHES, str(need["id"]), codec.dumps(envelope))]

    def stop(self) -> None:
        self.stop_event.set()

    def run(self) -> None:
        from events.runtime import prepare_topics

        if not prepare_topics(self.bootstrap, self.stop_event):
            return
        try:
            if not self.feed.open(self.stop_event):
                return
            self.feed.catch_up(self.stop_event)
            log.info("%s: index built from %d provider events", self.name, self.feed.applied)
            self.loop.run()
        finally:
            self.feed.close()


def build_index(settings: Settings) -> ProviderIndex:
    from matching import ProviderIndex, load_weights

    return ProviderIndex(weights=load_weights(overrides=dict(settings.extra)))


def run_matcher(settings: Settings, stop: threading.Event | None = None, *, index: Index | None = None,
                group_id: str = "matcher", k: int = 20) -> None:
    """`linkage matcher`: runs until `stop` is set (or SIGTERM when called from the CLI)."""
    from events.producer import producer_config
    from events.runtime import bootstrap_for

    matcher = Matcher(bootstrap_for(settings), index if index is not None else build_index(settings),
                      group_id=group_id, k=k, stop=stop,
                      producer_config=producer_config(settings.broker_kind))
    matcher.run()
