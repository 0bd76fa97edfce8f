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
from linkage.observability.workers import RANK_SECONDS, STALE_PROVIDER_EVENTS

if TYPE_CHECKING:
    from linkage.config import Settings
    from matching import ProviderIndex

log = logging.getLogger(__name__)
Provider = Mapping[str, Any]
Pending = dict[str, dict[int, Provider]]  # per kind, the upserts of a poll not yet applied, by id

# Every type the catalogue puts on the topics the matcher reads.
NEED_TYPES = of_topic(Topics.NEEDS)
PROVIDER_TYPES = of_topic(Topics.PROVIDERS)


class Index(Protocol):
    """What the matcher needs of a provider index: matching.ProviderIndex, or a test's stand-in."""

    def upsert(self, kind: str, provider: Provider) -> None: ...

    def remove(self, kind: str, provider_id: int) -> None: ...

    def rank(self, need: Mapping[str, Any], k: int = 20) -> dict[str, list[dict[str, Any]]]: ...


class ProviderFeed:
    """Keeps a provider index in step with `linkage.providers` (every partition, from offset 0).

    Each provider event carries the provider's version; the feed keeps the highest it applied
    per provider and drops an event no newer (several relays may publish one provider's events
    out of order). A tombstone erases for good. An event without a version (written before
    versions, or by hand) is applied in offset order, as it comes. docs/events.md, "Provider
    versions"."""

    def __init__(self, bootstrap: str, index: Index, *, name: str = "matcher-providers") -> None:
        self.bootstrap, self.index, self.name = bootstrap, index, name
        self.consumer: Client = None
        self.epochs: TopicEpochs | None = None
        self.applied = 0
        self.rejected = 0
        self.stale = 0
        self.versions: dict[str, dict[int, int]] = {kind: {} for kind in PROVIDER_KINDS}
        self.erased: dict[str, set[int]] = {kind: set() for kind in PROVIDER_KINDS}

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
            self._reread()
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
            self._reread()
        for _ in range(100):
            batch = self.consumer.poll(timeout_ms=0)
            if not batch:
                return
            self._apply_batch(batch)

    def _reread(self) -> None:
        """The topic was recreated and is rebuilt from the database (the relay republishes every
        active provider): its versions are the truth now, whatever this feed saw before."""
        log.warning("%s: providers topic recreated; re-reading it", self.name)
        for seen in self.versions.values():
            seen.clear()
        self.consumer.seek_to_beginning(*self.consumer.assignment())

    def _apply_batch(self, batch: dict[TopicPartition, list[Record]]) -> None:
        # A poll's upserts go to the index in bulk (10,000 providers load in well under a
        # second), one per provider: the newest, whatever the order they came in.
        pending: Pending = {}
        for records in batch.values():
            for record in records:
                self._apply(record, pending)
        for kind in list(pending):
            self._flush(kind, pending)

    def _flush(self, kind: str, pending: Pending) -> None:
        providers = pending.pop(kind, None)
        if not providers:
            return
        if len(providers) > 1 and hasattr(self.index, "upsert_many"):
            self.index.upsert_many(kind, list(providers.values()))
        else:
            for provider in providers.values():
                self.index.upsert(kind, provider)

    def _newer(self, kind: str, provider_id: int, version: int | None) -> bool:
        """Whether an event of this version is to be applied; if so, it is the newest seen."""
        if provider_id in self.erased[kind]:
            return False
        if version is None:
            return True  # unversioned: offset order, as before providers had versions
        seen = self.versions[kind]
        if version <= seen.get(provider_id, -1):
            return False
        seen[provider_id] = version
        return True

    def _apply(self, record: Record, pending: Pending) -> None:
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
        upserted = event.type == Types.PROVIDER_UPSERTED
        provider_id = data["provider"]["id"] if upserted else data["id"]
        if not self._newer(kind, provider_id, data.get("version")):
            self.stale += 1
            STALE_PROVIDER_EVENTS.labels(self.name).inc()
            return
        if upserted:
            pending.setdefault(kind, {})[provider_id] = data["provider"]  # inactive ones are removed
        else:
            pending.get(kind, {}).pop(provider_id, None)  # only this provider's order matters
            self.index.remove(kind, provider_id)
        self.applied += 1

    def _forget(self, record: Record, pending: Pending) -> None:
        """A tombstone (key "kind:id", null value): the provider was erased; drop it for good,
        and any event of it that comes later (one published by a slower relay is stale)."""
        kind, _, provider_id = (record.key or b"").decode("utf-8", "replace").partition(":")
        if kind not in PROVIDER_KINDS or not provider_id.isdigit():
            self.rejected += 1
            log.warning("%s: skipping a tombstone with key %r", self.name, record.key)
            return
        pid = int(provider_id)
        pending.get(kind, {}).pop(pid, None)
        self.index.remove(kind, pid)
        self.erased[kind].add(pid)
        self.versions[kind].pop(pid, None)
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
