"""Producers for the relay and the workers: acks from all replicas, bounded retries, no topic auto-creation."""
from __future__ import annotations

import uuid
from typing import Any

from events.envelope import DEAD_LETTERED
from events.kafka_types import Client
from events.topics import DLQ
from linkage import codec
from linkage.catalogue import check_outgoing
from linkage.messages import make_envelope

# What every client of ours, producer or consumer, sets alike.
CLIENT_DEFAULTS = dict(
    # A topic that vanished (broker restarted empty) must be recreated with its partition
    # count by ensure_topics, never auto-created with the broker's default.
    allow_auto_create_topics=False,
    reconnect_backoff_max_ms=1000,
    retry_backoff_ms=100,
    metrics_enabled=False,  # client-side sensors cost CPU on every record; we do not read them
)

# Short timeouts: a broker that is down must surface as an error within seconds, so the
# caller backs off and retries from its own durable state instead of blocking for minutes.
DEFAULTS = dict(
    CLIENT_DEFAULTS,
    acks="all",
    retries=5,
    # Idempotence needs producer ids that an emptied broker forgets; one request in flight
    # per connection keeps each key's order across retries without it.
    enable_idempotence=False,
    max_in_flight_requests_per_connection=1,
    linger_ms=1,
    request_timeout_ms=5000,
    delivery_timeout_ms=15000,
    max_block_ms=5000,
)


# What differs per broker (docs/events.md, "Two brokers"). Apache Kafka keeps producer ids
# and sequence numbers in its log, so producers there are idempotent: a retried send is never
# written twice, and with idempotence Kafka keeps each partition's order with up to five
# requests in flight. The embedded broker forgets producer state when it restarts (memory
# only), so there the DEFAULTS hold: one request in flight, no producer ids.
BROKER_PRODUCER: dict[str, dict[str, Any]] = {
    "tansu": {},
    "kafka": {"enable_idempotence": True, "max_in_flight_requests_per_connection": 5},
}


def producer_config(broker_kind: str) -> dict[str, Any]:
    """The producer settings for a broker of `broker_kind` ("tansu" or "kafka")."""
    return dict(BROKER_PRODUCER[broker_kind])


def make_producer(bootstrap: str, client_id: str = "linkage", **overrides: Any) -> Client:
    from kafka import KafkaProducer

    return KafkaProducer(bootstrap_servers=bootstrap, client_id=client_id,
                         **{**DEFAULTS, **overrides})


def dead_letter(*, source: str, consumer: str, topic: str, partition: int, offset: int,
                key: bytes | None, value: bytes | None, error: BaseException,
                reason: str) -> tuple[bytes | None, bytes]:
    """The DLQ record for a record that could not be handled: key and value to produce."""
    original: dict[str, Any] = {}
    if value is not None:
        try:
            original["original"] = value.decode("utf-8")
        except UnicodeDecodeError:
            import base64
            original["original_base64"] = base64.b64encode(value).decode("ascii")
    data = {"consumer": consumer, "topic": topic, "partition": partition, "offset": offset,
            "key": key.decode("utf-8", "replace") if key is not None else None,
            "reason": reason, "error": f"{type(error).__name__}: {error}", **original}
    envelope = make_envelope(type=check_outgoing(DEAD_LETTERED, DLQ, data), source=source,
                             subject=f"{topic}/{partition}/{offset}", data=data,
                             event_id=str(uuid.uuid5(uuid.NAMESPACE_URL,
                                                     f"dlq:{consumer}:{topic}:{partition}:{offset}")))
    return key, codec.dumps(envelope)

