"""End-to-end benchmark (not a test): POST /needs → relay → Kafka → matcher → Kafka → projector → DB.

    python benchmarks/e2e.py [--needs 1000] [--providers 10000] [--rate 120] [--broker both|tansu|kafka]

Runs once per broker (default: the embedded Tansu, then Apache Kafka 4, and a table of both at
the end), each started fresh, unless KAFKA_BOOTSTRAP_SERVERS is set; uses a fresh SQLite file
unless --database-url is given, runs relay, matcher and projector as separate processes
(`python -m events.cli ...`, as in production), posts needs through the Flask app at a fixed
offered rate, and reports post→matches-stored latency and the sustained rate.
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from events.broker import BROKER_KINDS, make_broker  # noqa: E402
from events.health import broker_ready  # noqa: E402
from linkage.config import settings_from_env  # noqa: E402
from linkage.models import (  # noqa: E402
    Base,
    CharityResource,
    Community,
    MatchSet,
    Organization,
    OutboxEvent,
    SocialWorker,
    Volunteer,
)
from linkage.permissions import Actor  # noqa: E402
from linkage.platform import build_platform  # noqa: E402
from linkage.services.accounts import create_user  # noqa: E402
from linkage.services.providers import announce_provider  # noqa: E402
from linkage.validators import uscc_check_char  # noqa: E402

ADMIN = Actor(user_id=None, role="admin", username="benchmark")
CENTRE = (39.02, 117.70)  # 滨海新区
SKILLS = {"养老": ["陪诊", "助老", "助餐", "上门探访"], "助学": ["课业辅导", "作业辅导", "心理陪伴"],
          "助残": ["康复训练", "手语", "无障碍出行"], "医疗健康": ["义诊", "健康讲座", "测血压"],
          "帮困": ["物资发放", "入户走访", "低保帮扶"], "文体": ["广场舞", "书法", "合唱"],
          "心理服务": ["心理咨询", "心理疏导"], "法律服务": ["法律援助", "普法宣传"]}
SLOTS = [f"{d}_{p}" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun") for p in ("am", "pm", "eve")]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def near(rng: random.Random, km: float = 25.0) -> tuple[float, float]:
    return CENTRE[0] + rng.uniform(-km, km) / 111.0, CENTRE[1] + rng.uniform(-km, km) / 86.0


def seed(platform, providers: int, rng: random.Random) -> tuple[int, str]:
    with platform.uow() as uow:
        community = Community(code="120116001", name="新华里社区", street="新港街道", district="滨海新区",
                              lat=CENTRE[0], lon=CENTRE[1], households=1200, population=3500)
        uow.session.add(community)
        uow.session.flush()
        per_kind = providers // 4
        objects = []
        for i in range(per_kind):
            category = rng.choice(list(SKILLS))
            lat, lon = near(rng)
            body = f"52120116{i:08d}"[:17]
            objects.append(("organization", Organization(
                name=f"社会组织{i}", uscc=body + uscc_check_char(body), registration="registered",
                categories=[category], skills=rng.sample(SKILLS[category], 2), lat=lat, lon=lon,
                service_radius_km=rng.choice([5, 8, 15]), capacity=rng.randint(1, 6))))
        for i in range(per_kind):
            category = rng.choice(list(SKILLS))
            lat, lon = near(rng)
            objects.append(("social_worker", SocialWorker(
                name=f"社工{i}", certificate_level=rng.choice(["assistant", "intermediate", "senior"]),
                specialties=[category, "elderly"], lat=lat, lon=lon, service_radius_km=10)))
        for i in range(per_kind):
            category = rng.choice(list(SKILLS))
            lat, lon = near(rng)
            objects.append(("volunteer", Volunteer(
                name=f"志愿者{i}", code=f"V{i:08d}", phone_cipher="x", phone_digest=f"bench-{i}",
                id_number_cipher="x", id_number_digest=f"bench-{i}", skills=rng.sample(SKILLS[category], 2),
                lat=lat, lon=lon, travel_radius_km=rng.choice([3, 5, 8]), availability=rng.sample(SLOTS, 5),
                community_id=community.id)))
        for i in range(providers - 3 * per_kind):
            category = rng.choice(list(SKILLS))
            lat, lon = near(rng)
            objects.append(("resource", CharityResource(
                name=f"慈善资源{i}", donor="滨海爱心企业", kind="fund", tags=[category],
                amount_fen=5_000_000, remaining_fen=5_000_000, lat=lat, lon=lon, radius_km=20,
                restricted_categories=[])))
        uow.session.add_all([obj for _, obj in objects])
        uow.session.flush()
        for kind, obj in objects:
            announce_provider(uow, kind, obj)
        user = create_user(uow, platform.passwords, username="bench-staff", password="bench-password-1",
                           role="community_staff", community_id=community.id)
        uow.commit()
    return community.id, platform.tokens.issue(user.id, user.token_version)


def need_body(community_id: int, rng: random.Random, serial: int) -> dict:
    category = rng.choice(list(SKILLS))
    lat, lon = near(rng, 15)
    start = datetime(2026, 12, 5, 1, tzinfo=timezone.utc) + timedelta(hours=rng.randint(0, 200))
    return {"community_id": community_id, "title": f"{category}需求 #{serial}", "description": "社区居民的服务需求",
            "category": category, "skills": rng.sample(SKILLS[category], 2), "target_groups": ["elderly"],
            "lat": lat, "lon": lon, "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=3)).isoformat(), "volunteers_needed": 2,
            "hours_estimate": 3, "budget_fen": 0, "urgency": "normal"}


def stop_workers(workers, grace: float) -> None:
    """SIGTERM every worker, then kill what has not stopped within `grace` seconds."""
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(grace)
        except subprocess.TimeoutExpired:
            worker.kill()


def start_workers(env: dict, log=None) -> list[subprocess.Popen]:
    # E2E_PROFILE=dir: each worker's main thread is profiled into dir/<worker>.prof.
    profile = os.environ.get("E2E_PROFILE")
    return [subprocess.Popen([sys.executable, *(["-m", "cProfile", "-o", f"{profile}/{name}.prof"] if profile else []),
                              "-m", "events.cli", name], cwd=ROOT, env=env, stderr=log)
            for name in ("relay", "matcher", "projector")]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise SystemExit(f"timed out waiting for {what}")


def unsent(platform) -> int:
    """Outbox rows the relay has not published yet."""
    with platform.read_session() as s:
        return s.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.sent_at.is_(None)))


def matched(platform, ids) -> int:
    """How many of these needs have their ranking stored."""
    with platform.read_session() as s:
        return s.scalar(select(func.count()).select_from(MatchSet).where(MatchSet.need_id.in_(ids)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--needs", type=int, default=1000)
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=120.0, help="offered needs per second")
    parser.add_argument("--database-url", default=None, help="an empty database (default: temp SQLite)")
    parser.add_argument("--broker", choices=["both", *BROKER_KINDS], default="both")
    args = parser.parse_args()
    kinds = list(BROKER_KINDS) if args.broker == "both" else [args.broker]
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        kinds = ["external"]
    results = {}
    for kind in kinds:
        print(f"== broker: {kind}")
        results[kind] = run(kind, args)
    print("\n== post→matches by broker (same needs, same providers, same offered rate)")
    print(f"{'broker':<10}{'p50 ms':>9}{'p99 ms':>9}{'needs/s':>10}{'broker CPU ms/need':>20}")
    for kind, figures in results.items():
        print(f"{kind:<10}{figures['p50']:>9.1f}{figures['p99']:>9.1f}{figures['rate']:>10.1f}"
              f"{figures['cpu'].get('broker', float('nan')):>20.2f}")


def run(kind: str, args) -> dict:
    """One full run on a fresh broker of `kind` (or the external one) and a fresh database."""
    rng = random.Random(7)
    broker = None
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if not bootstrap:
        started = time.monotonic()
        broker = make_broker(kind).start()
        print(f"{kind} broker ready in {time.monotonic() - started:.1f}s")
        bootstrap = broker.bootstrap
    tmp = tempfile.mkdtemp(prefix="linkage-e2e-")
    url = args.database_url or f"sqlite:///{tmp}/linkage.db"
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
    workers = start_workers(env)
    from app import create_app
    app = create_app(settings)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    try:
        wait(lambda: broker_ready(bootstrap), 30, "the broker")
        wait(lambda: unsent(platform) == 0, 120, "providers published")
        warm = [client.post("/api/v1/needs", json=need_body(community_id, rng, -i), headers=headers).get_json()["id"]
                for i in range(1, 6)]
        wait(lambda: matched(platform, warm) == len(warm), 120, "the matcher to load the index and rank warm-up needs")
        time.sleep(1.0)

        cpu_before = {w.pid: cpu_seconds(w.pid) for w in workers}
        cpu_before[os.getpid()] = cpu_seconds(os.getpid())
        if broker is not None:
            cpu_before[broker.pid] = cpu_seconds(broker.pid)
        posted_at: dict[int, float] = {}
        post_ms: list[float] = []
        wall0, mono0 = time.time(), time.monotonic()
        for i in range(args.needs):
            due = mono0 + i / args.rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            t = time.monotonic()
            response = client.post("/api/v1/needs", json=need_body(community_id, rng, i), headers=headers)
            post_ms.append((time.monotonic() - t) * 1000)
            assert response.status_code == 201, response.get_json()
            posted_at[response.get_json()["id"]] = wall0 + (t - mono0)
        posting_s = time.monotonic() - mono0
        ids = list(posted_at)
        wait(lambda: matched(platform, ids) == len(ids), 300, "every need to be matched")
        names = {w.pid: n for w, n in zip(workers, ("relay", "matcher", "projector"))}
        names[os.getpid()] = "web(posting)"
        if broker is not None:
            names[broker.pid] = "broker"
        cpu = {names[pid]: (cpu_seconds(pid) - before) * 1000 / len(ids) for pid, before in cpu_before.items()}

        with platform.read_session() as s:
            stored = {m.need_id: m.stored_at.timestamp() for m in s.scalars(select(MatchSet).where(MatchSet.need_id.in_(ids)))}
            ranked = {m.need_id: m.ranked_at.timestamp() for m in s.scalars(select(MatchSet).where(MatchSet.need_id.in_(ids)))}
        latencies = [(stored[i] - posted_at[i]) * 1000 for i in ids]
        stages = {"post→ranked": [(ranked[i] - posted_at[i]) * 1000 for i in ids],
                  "ranked→stored": [(stored[i] - ranked[i]) * 1000 for i in ids]}
        span = max(stored.values()) - min(posted_at.values())
        print(f"needs: {len(ids)} against {args.providers} providers; offered {args.rate:.0f}/s, "
              f"posted in {posting_s:.2f}s ({len(ids) / posting_s:.0f}/s)")
        print(f"POST /needs latency ms: p50 {percentile(post_ms, 50):.1f}  p99 {percentile(post_ms, 99):.1f}")
        print(f"post→matches-stored latency ms: p50 {percentile(latencies, 50):.1f}  "
              f"p95 {percentile(latencies, 95):.1f}  p99 {percentile(latencies, 99):.1f}  max {max(latencies):.1f}")
        for stage, values in stages.items():
            print(f"  {stage:<15} p50 {percentile(values, 50):6.1f}  p99 {percentile(values, 99):6.1f}")
        print("CPU ms per need: " + ", ".join(f"{n} {v:.2f}" for n, v in cpu.items()))
        print(f"sustained: {len(ids) / span:.1f} needs/s end to end ({span:.2f}s from first post to last stored)")
        return {"p50": percentile(latencies, 50), "p99": percentile(latencies, 99),
                "rate": len(ids) / span, "cpu": cpu}
    finally:
        stop_workers(workers, 15)
        platform.dispose()
        if broker is not None:
            broker.close()


if __name__ == "__main__":
    main()
