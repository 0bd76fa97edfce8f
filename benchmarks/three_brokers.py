"""Three Apache Kafka brokers, one killed mid-stream (not a test; a few minutes):

    python benchmarks/three_brokers.py [--needs 1000] [--rate 50] [--providers 2000]

Starts three KRaft nodes on this machine (each controller + broker; replication factor 3,
min.insync.replicas 2), the relay, matcher and projector as processes (as in production),
and posts needs through the API at a fixed rate. After a third of them it SIGKILLs the broker
that leads the most `linkage.needs` partitions; after two thirds it starts that broker again.
Then it reports: needs posted, matched exactly once (one stored ranking, derived from the need's
only posted event), lost, duplicated, records on `linkage.matches` per need (at-least-once
delivery may publish a ranking twice under the same event id; the projector stores it once), the
longest stall (the longest time no ranking was stored while needs were waiting) and post→stored
latency. Figures go into docs/scaling.md.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from sqlalchemy import func, select  # noqa: E402

from benchmarks._e2e_world import matched, need_body, percentile, seed, start_workers, stop_workers, unsent, wait  # noqa: E402
from events.envelope import matched_event_id  # noqa: E402
from events.kafka_broker import KafkaCluster  # noqa: E402
from events.topics import MATCHES, NEEDS  # noqa: E402
from linkage.config import settings_from_env  # noqa: E402
from linkage.models import Base, MatchSet, OutboxEvent, ProcessedEvent  # noqa: E402
from linkage.platform import build_platform  # noqa: E402


def leaders(bootstrap: str) -> Counter:
    """How many `linkage.needs` partitions each broker leads."""
    from events.topics import admin_client

    admin = admin_client(bootstrap)
    try:
        [topic] = admin.describe_topics([NEEDS])
        return Counter(p["leader_id"] for p in topic["partitions"])
    finally:
        admin.close()


def matches_per_need(bootstrap: str) -> Counter:
    """Records on linkage.matches per need id, read from the beginning with a plain consumer."""
    from kafka import TopicPartition

    from events.consumer import make_consumer

    consumer = make_consumer(bootstrap, None, client_id="three-brokers-reader")
    try:
        parts = [TopicPartition(MATCHES, p) for p in consumer.partitions_for_topic(MATCHES)]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        ends = consumer.end_offsets(parts)
        counts: Counter = Counter()
        while any(consumer.position(tp) < ends[tp] for tp in parts):
            for records in consumer.poll(timeout_ms=500).values():
                for record in records:
                    counts[int(record.key)] += 1
        return counts
    finally:
        consumer.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--needs", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50.0, help="offered needs per second")
    parser.add_argument("--providers", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(11)

    started = time.monotonic()
    cluster = KafkaCluster(3).start()
    bootstrap = cluster.bootstrap
    print(f"three KRaft brokers ready in {time.monotonic() - started:.1f}s: {bootstrap}")
    url = f"sqlite:///{tempfile.mkdtemp(prefix='linkage-3b-')}/linkage.db"
    settings = settings_from_env(environ={}, database_url=url, kafka_bootstrap_servers=bootstrap,
                                 password_time_cost=1, password_memory_kib=8192,
                                 rate_limits_enabled=False)  # one client address at benchmark rates
    platform = build_platform(settings)
    Base.metadata.create_all(platform.engine)
    community_id, token = seed(platform, args.providers, rng)
    env = {**os.environ, "DATABASE_URL": url, "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
           "LINKAGE_BROKER": "kafka", "LINKAGE_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    # kafka-python logs every refused reconnect to the dead broker at ERROR: into a file.
    log_path = Path(tempfile.mkdtemp(prefix="linkage-3b-logs-")) / "workers.log"
    workers = start_workers(env, log=open(log_path, "w"))
    from app import create_app
    client = create_app(settings).test_client()
    headers = {"Authorization": f"Bearer {token}"}

    victim = None
    try:
        wait(lambda: unsent(platform) == 0, 180, "providers published")
        warm = [client.post("/api/v1/needs", json=need_body(community_id, rng, -1), headers=headers).get_json()["id"]]
        wait(lambda: matched(platform, warm) == 1, 120, "the warm-up need to be matched")
        posted_at: dict[int, float] = {}
        post_errors = 0
        kill_at, restart_at = args.needs // 3, 2 * args.needs // 3
        events: list[str] = []
        wall0, mono0 = time.time(), time.monotonic()
        for i in range(args.needs):
            if i == kill_at:
                victim = leaders(bootstrap).most_common(1)[0][0]
                cluster.node(victim).kill()
                events.append(f"need {i}: SIGKILL broker {victim} (leader of the most {NEEDS} partitions) "
                              f"at t={time.monotonic() - mono0:.1f}s")
            if i == restart_at and victim is not None:
                # In a thread: posting goes on at its rate while the broker comes back.
                def restart(node=cluster.node(victim), at=time.monotonic(), i=i):
                    node.start()
                    events.append(f"need {i}: broker {node.node_id} restarted at t={at - mono0:.1f}s, "
                                  f"ready in {time.monotonic() - at:.1f}s")
                restarter = threading.Thread(target=restart, daemon=True)
                restarter.start()
            due = mono0 + i / args.rate
            if due > time.monotonic():
                time.sleep(due - time.monotonic())
            t = time.monotonic()
            response = client.post("/api/v1/needs", json=need_body(community_id, rng, i), headers=headers)
            if response.status_code != 201:
                post_errors += 1
                continue
            posted_at[response.get_json()["id"]] = wall0 + (t - mono0)
        ids = list(posted_at)
        if victim is not None:
            restarter.join(120)
        try:
            wait(lambda: matched(platform, ids) == len(ids), 300, "every need to be matched")
        except SystemExit as exc:
            print(f"!! {exc}")

        with platform.read_session() as s:
            sets = {m.need_id: m for m in s.scalars(select(MatchSet).where(MatchSet.need_id.in_(ids)))}
            posted_events = dict(s.execute(select(OutboxEvent.key, OutboxEvent.event_id)
                                           .where(OutboxEvent.type == "linkage.need.posted.v1")).all())
            stored_events = s.scalar(select(func.count()).select_from(ProcessedEvent)
                                     .where(ProcessedEvent.consumer == "projector",
                                            ProcessedEvent.event_id.in_([m.event_id for m in sets.values()])))
        exactly_once = sum(1 for i in ids if i in sets
                           and sets[i].event_id == matched_event_id(posted_events[str(i)]))
        lost = [i for i in ids if i not in sets]
        records = matches_per_need(bootstrap)
        times = sorted(m.stored_at.timestamp() for m in sets.values())
        stall = max((b - a for a, b in zip([min(posted_at.values())] + times, times)), default=0.0)

        print("\n".join(events))
        print(f"(the workers' logs: {log_path})")
        print(f"needs posted: {len(ids)} (+{post_errors} refused) at {args.rate:.0f}/s offered, "
              f"{args.providers} providers")
        print(f"matched exactly once: {exactly_once}")
        print(f"lost: {len(lost)}")
        # Duplicated: a ranking stored from another event than the need's one posted event, or
        # a ranking event the projector recorded more than once.
        print(f"duplicated: {len(sets) - exactly_once + max(0, stored_events - len(sets))} "
              f"(projector's processed-event rows {stored_events} for {len(sets)} stored rankings)")
        print(f"records on {MATCHES} per need: " + ", ".join(
            f"{n} record(s): {c} needs" for n, c in sorted(Counter(records[i] for i in ids).items())))
        print(f"longest stall: {stall:.2f}s with no ranking stored")
        order = list(posted_at)
        phases = {"all": order, "before the kill": order[:kill_at], "broker down": order[kill_at:restart_at],
                  "after the restart": order[restart_at:]}
        for phase, members in phases.items():
            values = [(sets[i].stored_at.timestamp() - posted_at[i]) * 1000 for i in members if i in sets]
            if values:
                print(f"post→stored ms, {phase:<18} p50 {percentile(values, 50):6.0f}  "
                      f"p99 {percentile(values, 99):6.0f}  max {max(values):6.0f}  ({len(values)} needs)")
    finally:
        stop_workers(workers, 20)
        platform.dispose()
        cluster.close()


if __name__ == "__main__":
    main()
