"""Metrics of the event workers (relay, matcher, projector), served on LINKAGE_METRICS_PORT.

Each worker is its own process with its own registry (the default one); `linkage run` gives
each a port of its own. Labels name the worker so several in one process (tests) stay apart.
"""
from __future__ import annotations

import logging

from prometheus_client import Counter, Gauge, Histogram, start_http_server

log = logging.getLogger(__name__)

CONSUMED = Counter("linkage_events_consumed", "Records a worker read from a topic",
                   ["worker", "topic"])
PUBLISHED = Counter("linkage_events_published", "Records a worker published and the broker acknowledged",
                    ["worker", "topic"])
DEAD_LETTERED = Counter("linkage_events_dead_lettered", "Records a worker sent to the dead-letter topic",
                        ["worker", "reason"])
COMMIT_FAILURES = Counter("linkage_consumer_commit_failures", "Offset commits that did not land",
                          ["worker"])
LAG = Gauge("linkage_consumer_lag", "Records behind the partition's end (high watermark - position)",
            ["worker", "topic", "partition"])
RANK_SECONDS = Histogram("linkage_matcher_rank_duration_seconds", "Time to rank one need against the index",
                         ["worker"], buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0))
STALE_PROVIDER_EVENTS = Counter("linkage_matcher_stale_provider_events",
                                "Provider events the matcher dropped: a newer version (or an erasure) came first",
                                ["worker"])
RELAY_FAILURES = Counter("linkage_relay_failures", "Relay publish attempts that failed (broker or database)")


def serve_metrics(port: int | None, addr: str = "0.0.0.0") -> bool:
    """Start the /metrics HTTP endpoint in a daemon thread; no port means no endpoint."""
    if not port:
        return False
    start_http_server(int(port), addr=addr)
    log.info("metrics on http://%s:%s/metrics", addr, port)
    return True


def update_lag(worker: str, consumer) -> None:
    """Lag from what the client already knows (fetch responses carry the high watermark): no I/O."""
    # position() may ask the coordinator for committed offsets; the subscription state is what
    # the client already holds, so it is read directly (kafka-python 3 keeps it there).
    states = getattr(getattr(consumer, "_subscription", None), "assignment", {})
    for tp in consumer.assignment():
        end = consumer.highwater(tp)
        state = states.get(tp)
        position = getattr(getattr(state, "position", None), "offset", None)
        if end is not None and position is not None:
            LAG.labels(worker, tp.topic, str(tp.partition)).set(max(0, end - position))


def forget_lag(worker: str) -> None:
    """A worker that lost or released its partitions stops reporting their lag."""
    for labels in list(LAG._metrics):  # noqa: SLF001 - prometheus_client offers no filtered removal
        if labels[0] == worker:
            LAG.remove(*labels)
