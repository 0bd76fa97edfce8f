"""End-to-end benchmark (not a test): POST /needs → relay → Kafka → matcher → Kafka → projector → DB.

    python benchmarks/e2e.py [--needs 1000] [--providers 10000] [--rate 120] [--broker both|tansu|kafka]
                             [--pg postgresql+psycopg://postgres@127.0.0.1:54329/postgres [--databases both]]
                             [--matchers 1] [--baseline-needs 300] [--repeat 1] [--profile benchmarks/results]

For each broker (the embedded Tansu, Apache Kafka 4; each started fresh unless KAFKA_BOOTSTRAP_SERVERS
is set) and each database (a fresh SQLite file; with --pg a scratch database on that server, dropped
afterwards): seeds the providers, runs relay, matcher(s) and projector as separate processes
(`python -m events.cli ...`, as in production), posts needs through the Flask app at a fixed offered
rate, and reports post→matches-stored latency, the sustained rate and the CPU ms per need of every
process (the PostgreSQL backends included). Then, in the same run and on the same database, the
in-process baseline: the same API insert followed by a synchronous ranking and store in the posting
process (what one would build without Kafka); the pipeline's CPU and latency are printed as ratios to it.
--backlog measures the pipeline's capacity instead of one posting thread's: the needs are posted while
the relay is stopped, and the rate and CPU are those of draining them (latency then counts from the drain's start).
--profile DIR samples each worker under load with py-spy (DIR/<broker>-<db>-<worker>.txt, collapsed
stacks: a flame graph's input) and prints its top frames.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from benchmarks._e2e_world import (  # noqa: E402
    cpu_seconds,
    matched,
    need_body,
    percentile,
    postgres_backends,
    profile_top,
    profile_workers,
    rankings_published,
    resident_mib,
    scratch_database,
    seed,
    start_worker,
    start_workers,
    stop_workers,
    unsent,
    wait,
    worker_names,
)
from events.broker import BROKER_KINDS, make_broker  # noqa: E402
from events.envelope import parse  # noqa: E402
from events.health import broker_ready  # noqa: E402
from events.topics import PROVIDERS  # noqa: E402
from linkage.config import settings_from_env  # noqa: E402
from linkage.models import Base, MatchSet, OutboxEvent  # noqa: E402
from linkage.platform import build_platform  # noqa: E402

# What each run returns that the summary reports (medians over --repeat).
FIGURES = ("p50", "p99", "rate", "cpu_total", "baseline_cpu", "cpu_ratio", "baseline_p50", "latency_ratio", "lost",
           "twice")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--needs", type=int, default=1000)
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=120.0, help="offered needs per second")
    parser.add_argument("--broker", choices=["both", *BROKER_KINDS], default="both")
    parser.add_argument("--pg", default=None, help="a PostgreSQL server URL (a scratch database is made there)")
    parser.add_argument("--databases", choices=["sqlite", "postgresql", "both"], default=None,
                        help="default: both with --pg, else sqlite")
    parser.add_argument("--matchers", type=int, default=1, help="matcher processes sharing the partitions")
    parser.add_argument("--baseline-needs", type=int, default=300, help="needs of the in-process baseline")
    parser.add_argument("--backlog", action="store_true",
                        help="post every need first (relay stopped), then time the pipeline draining them")
    parser.add_argument("--repeat", type=int, default=1, help="runs per combination; medians are reported")
    parser.add_argument("--profile", type=Path, default=None, help="a folder for py-spy flame graphs")
    args = parser.parse_args()
    if args.needs > 50_000:
        raise SystemExit("bounded benchmark: at most 50,000 needs")
    kinds = list(BROKER_KINDS) if args.broker == "both" else [args.broker]
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        kinds = ["external"]
    databases = args.databases or ("both" if args.pg else "sqlite")
    servers = {"sqlite": None, "postgresql": args.pg}
    chosen = ["sqlite", "postgresql"] if databases == "both" else [databases]
    if "postgresql" in chosen and not args.pg:
        raise SystemExit("--databases postgresql needs --pg URL")
    print(f"uptime before: {os.getloadavg()}")
    results: dict[tuple[str, str], list[dict]] = {}
    for kind in kinds:
        for database in chosen:
            for attempt in range(args.repeat):
                print(f"\n== broker: {kind}   database: {database}   run {attempt + 1}/{args.repeat}")
                results.setdefault((kind, database), []).append(run(kind, servers[database], database, args))
    print(f"\n== post→matches, medians of {args.repeat} run(s); {args.needs} needs offered at {args.rate:.0f}/s, "
          f"{args.providers} providers, {args.matchers} matcher(s); load average {os.getloadavg()}")
    print(f"{'broker':<9}{'database':<11}{'p50 ms':>8}{'p99 ms':>8}{'needs/s':>9}{'CPU ms/need':>13}"
          f"{'baseline CPU':>14}{'CPU ×':>7}{'base p50':>10}{'p50 ×':>7}{'lost':>6}{'twice':>6}")
    for (kind, database), runs in results.items():
        m = {f: statistics.median(r[f] for r in runs) for f in FIGURES}
        print(f"{kind:<9}{database:<11}{m['p50']:>8.1f}{m['p99']:>8.1f}{m['rate']:>9.1f}{m['cpu_total']:>13.2f}"
              f"{m['baseline_cpu']:>14.2f}{m['cpu_ratio']:>7.2f}{m['baseline_p50']:>10.1f}{m['latency_ratio']:>7.1f}"
              f"{max(r['lost'] for r in runs):>6}{max(r['twice'] for r in runs):>6}")


def run(kind: str, server_url: str | None, database: str, args) -> dict:
    """One full run on a fresh broker of `kind` (or the external one) and a fresh database."""
    rng = random.Random(7)
    broker = None
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if not bootstrap:
        started = time.monotonic()
        broker = make_broker(kind).start()
        print(f"{kind} broker ready in {time.monotonic() - started:.1f}s")
        bootstrap = broker.bootstrap
    try:
        with scratch_database(server_url, tempfile.mkdtemp(prefix="linkage-e2e-")) as (url, scratch):
            return _run_on(kind, broker, bootstrap, url, scratch, database, rng, args)
    finally:
        if broker is not None:
            broker.close()


def _run_on(kind, broker, bootstrap, url, scratch, database, rng, args) -> dict:
    settings = settings_from_env(environ={}, database_url=url, kafka_bootstrap_servers=bootstrap,
                                 password_time_cost=1, password_memory_kib=8192,
                                 rate_limits_enabled=False)  # one client address at benchmark rates
    platform = build_platform(settings)
    Base.metadata.create_all(platform.engine)
    started = time.monotonic()
    community_id, token = seed(platform, args.providers, rng)
    print(f"seeded {args.providers} providers in {time.monotonic() - started:.1f}s")

    env = {**os.environ, "DATABASE_URL": url, "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
           "LINKAGE_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT),
           "LINKAGE_BROKER": "kafka" if kind == "external" else kind}
    workers = start_workers(env, matchers=args.matchers)
    from app import create_app
    app = create_app(settings)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    names = dict(zip((w.pid for w in workers), worker_names(args.matchers)))
    try:
        wait(lambda: broker_ready(bootstrap), 30, "the broker")
        wait(lambda: unsent(platform) == 0, 120, "providers published")
        warm = [client.post("/api/v1/needs", json=need_body(community_id, rng, -i), headers=headers).get_json()["id"]
                for i in range(1, 6)]
        wait(lambda: matched(platform, warm) == len(warm), 120, "the matcher to load the index and rank warm-up needs")
        time.sleep(1.0)

        names[os.getpid()] = "web(posting)"
        if broker is not None:
            names[broker.pid] = "broker"
        for pid in postgres_backends(scratch) if scratch else []:
            names[pid] = "postgresql"
        published_before = rankings_published(bootstrap)
        if args.backlog:
            # The pipeline's own capacity, free of this one posting thread: the needs wait in the
            # outbox while the relay is stopped; CPU and the rate count the drain once it is back.
            stop_workers(workers[:1], 15)
            del names[workers[0].pid], names[os.getpid()]
            posted_at, post_ms, posting_s = post_needs(client, headers, community_id, rng, args.needs, float("inf"))
            workers[0] = start_worker(env, "relay")
            names[workers[0].pid] = "relay"
            drain_started = time.time()
            posted_at = dict.fromkeys(posted_at, drain_started)
        cpu_before = {pid: cpu_seconds(pid) for pid in names}
        spies = {}
        if args.profile:
            tag = f"{kind}-{database}" + (f"-{args.matchers}m" if args.matchers > 1 else "")
            spies = profile_workers(workers, [f"{tag}-{n}" for n in worker_names(args.matchers)], args.profile,
                                    max(1.0, args.needs / args.rate * 0.8))
        if not args.backlog:
            posted_at, post_ms, posting_s = post_needs(client, headers, community_id, rng, args.needs, args.rate)
        ids = list(posted_at)
        wait(lambda: matched(platform, ids) == len(ids), 300, "every need to be matched")
        time.sleep(0.5)  # a duplicate ranking would still be on its way
        twice = rankings_published(bootstrap) - published_before - len(ids)
        cpu_ms: dict[str, float] = {}
        for pid, before in cpu_before.items():
            try:
                spent = cpu_seconds(pid) - before
            except Exception:  # noqa: BLE001 - a PostgreSQL backend that ended meanwhile
                continue
            cpu_ms[names[pid]] = cpu_ms.get(names[pid], 0.0) + spent * 1000 / len(ids)
        for path, spy in spies.items():
            spy.wait(60)
            print(f"profile {path}:\n{profile_top(path)}")

        with platform.read_session() as s:
            sets = list(s.execute(select(MatchSet.need_id, MatchSet.ranked_at, MatchSet.stored_at)
                                  .where(MatchSet.need_id.in_(ids))))
        stored = {need_id: stored_at.timestamp() for need_id, _ranked, stored_at in sets}
        ranked = {need_id: ranked_at.timestamp() for need_id, ranked_at, _stored in sets}
        latencies = [(stored[i] - posted_at[i]) * 1000 for i in ids]
        stages = {"post→ranked": [(ranked[i] - posted_at[i]) * 1000 for i in ids],
                  "ranked→stored": [(stored[i] - ranked[i]) * 1000 for i in ids]}
        span = max(stored.values()) - min(posted_at.values())
        print(f"needs: {len(ids)} against {args.providers} providers; offered {args.rate:.0f}/s, "
              f"posted in {posting_s:.2f}s ({len(ids) / posting_s:.0f}/s); lost {len(ids) - len(stored)}, "
              f"ranked twice {twice}")
        print(f"POST /needs latency ms: p50 {percentile(post_ms, 50):.1f}  p99 {percentile(post_ms, 99):.1f}")
        print(f"post→matches-stored latency ms: p50 {percentile(latencies, 50):.1f}  "
              f"p95 {percentile(latencies, 95):.1f}  p99 {percentile(latencies, 99):.1f}  max {max(latencies):.1f}")
        for stage, values in stages.items():
            print(f"  {stage:<15} p50 {percentile(values, 50):6.1f}  p99 {percentile(values, 99):6.1f}")
        cpu_total = sum(cpu_ms.values())
        print("CPU ms per need: " + ", ".join(f"{n} {v:.2f}" for n, v in cpu_ms.items()) + f"; total {cpu_total:.2f}")
        print(f"sustained: {len(ids) / span:.1f} needs/s end to end ({span:.2f}s from first post to last stored)")
        print("resident MiB: " + ", ".join(f"{names[w.pid]} {resident_mib(w.pid):.0f}" for w in workers))
    finally:
        stop_workers(workers, 15)
    try:
        base = in_process_baseline(platform, settings, client, headers, community_id, rng, args.baseline_needs, scratch)
    finally:
        platform.dispose()
    print(f"in-process baseline ({args.baseline_needs} needs, one after another: insert, rank, store): "
          f"latency p50 {base['p50']:.1f} p99 {base['p99']:.1f} ms; CPU {base['cpu']:.2f} ms per need")
    print(f"pipeline ÷ baseline: CPU ×{cpu_total / base['cpu']:.2f}, latency p50 ×{percentile(latencies, 50) / base['p50']:.1f}")
    return {"p50": percentile(latencies, 50), "p99": percentile(latencies, 99), "rate": len(ids) / span,
            "cpu": cpu_ms, "cpu_total": cpu_total, "baseline_cpu": base["cpu"], "cpu_ratio": cpu_total / base["cpu"],
            "baseline_p50": base["p50"], "latency_ratio": percentile(latencies, 50) / base["p50"],
            "lost": len(ids) - len(stored), "twice": twice}


def post_needs(client, headers, community_id, rng, count: int, rate: float):
    """Open loop at `rate`; returns each need's post time (wall clock), the POST latencies, the span."""
    posted_at: dict[int, float] = {}
    post_ms: list[float] = []
    wall0, mono0 = time.time(), time.monotonic()
    for i in range(count):
        delay = mono0 + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        t = time.monotonic()
        response = client.post("/api/v1/needs", json=need_body(community_id, rng, i), headers=headers)
        post_ms.append((time.monotonic() - t) * 1000)
        assert response.status_code == 201, response.get_json()
        posted_at[response.get_json()["id"]] = wall0 + (t - mono0)
    return posted_at, post_ms, time.monotonic() - mono0


def in_process_baseline(platform, settings, client, headers, community_id, rng, count: int, scratch) -> dict:
    """The same API insert, then the ranking and its store in this process, one need after another.

    The index is built from the provider events the relay published (the matcher's own input), so
    both rank against the same providers; the workers are stopped, so the outbox rows these posts
    add are left unsent and cost nothing else."""
    from events.matcher import build_index
    from linkage.services.matches import record_matches

    index = build_index(settings)
    with platform.read_session() as s:
        envelopes = s.scalars(select(OutboxEvent.envelope).where(OutboxEvent.topic == PROVIDERS,
                                                                  OutboxEvent.envelope.is_not(None))
                              .order_by(OutboxEvent.id)).all()
    by_kind: dict[str, list] = {}
    for envelope in envelopes:
        event = parse(envelope)
        if "provider" in event.data:
            by_kind.setdefault(event.data["kind"], []).append(event.data["provider"])
    for kind, providers in by_kind.items():
        index.upsert_many(kind, providers)
    index.rank(need_body(community_id, rng, 0) | {"id": 0})  # fits the model once, as the matcher's warm-up does

    backends = postgres_backends(scratch) if scratch else []
    cpu0 = time.process_time() + sum(cpu_seconds(pid) for pid in backends)
    latencies = []
    for i in range(count):
        t = time.perf_counter()
        response = client.post("/api/v1/needs", json=need_body(community_id, rng, 100_000 + i), headers=headers)
        need = response.get_json()
        ranking = index.rank(need, k=20)
        with platform.uow() as uow:
            record_matches(uow, consumer="baseline", event_id=str(uuid.uuid4()), need_id=need["id"],
                           ranked_at=datetime.now(timezone.utc), matches=ranking, need_version="baseline")
            uow.commit()
        latencies.append((time.perf_counter() - t) * 1000)
    cpu1 = time.process_time() + sum(cpu_seconds(pid) for pid in backends)
    return {"p50": percentile(latencies, 50), "p99": percentile(latencies, 99), "cpu": (cpu1 - cpu0) * 1000 / count}


if __name__ == "__main__":
    main()
