"""The e2e benchmark's world: seeded providers, needs to post, scratch databases, CPU per process."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402

from benchmarks._load_world import SKILLS, SLOTS  # noqa: E402  (one world for both benchmarks)
from linkage.models import CharityResource, Community, MatchSet, Organization, OutboxEvent, SocialWorker, Volunteer  # noqa: E402
from linkage.permissions import Actor  # noqa: E402
from linkage.services.accounts import create_user  # noqa: E402
from linkage.services.providers import announce_provider  # noqa: E402
from linkage.validators import uscc_check_char  # noqa: E402

ADMIN = Actor(user_id=None, role="admin", username="benchmark")
CENTRE = (39.02, 117.70)  # 滨海新区


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def near(rng: random.Random, km: float = 25.0) -> tuple[float, float]:
    return CENTRE[0] + rng.uniform(-km, km) / 111.0, CENTRE[1] + rng.uniform(-km, km) / 86.0


def seed(platform, providers: int, rng: random.Random) -> tuple[int, str]:
    with platform.uow() as uow:
        community = Community(
            code="120116001",
            name="新华里社区",
            street="新港街道",
            district="滨海新区",
            lat=CENTRE[0],
            lon=CENTRE[1],
            households=1200,
            population=3500,
        )
        uow.session.add(community)
        uow.session.flush()
        per_kind = providers // 4
        objects = []
        for i in range(per_kind):
            category = rng.choice(list(SKILLS))
            lat, lon = near(rng)
            body = f"52120116{i:08d}"[:17]
            objects.append(
                (
                    "organization",
                    Organization(
                        name=f"社会组织{i}",
                        uscc=body + uscc_check_char(body),
                        registration="registered",
                        categories=[category],
                        skills=rng.sample(SKILLS[category], 2),
                        lat=lat,
                        lon=lon,
                        service_radius_km=rng.choice([5, 8, 15]),
                        capacity=rng.randint(1, 6),
                    ),
                )
            )
        for i in range(per_kind):
            category = rng.choice(list(SKILLS))
            lat, lon = near(rng)
            objects.append(
                (
                    "social_worker",
                    SocialWorker(
                        name=f"社工{i}",
                        certificate_level=rng.choice(["assistant", "intermediate", "senior"]),
                        specialties=[category, "elderly"],
                        lat=lat,
                        lon=lon,
                        service_radius_km=10,
                    ),
                )
            )
        for i in range(per_kind):
            category = rng.choice(list(SKILLS))
            lat, lon = near(rng)
            objects.append(
                (
                    "volunteer",
                    Volunteer(
                        name=f"志愿者{i}",
                        code=f"V{i:08d}",
                        phone_cipher="x",
                        phone_digest=f"bench-{i}",
                        id_number_cipher="x",
                        id_number_digest=f"bench-{i}",
                        skills=rng.sample(SKILLS[category], 2),
                        lat=lat,
                        lon=lon,
                        travel_radius_km=rng.choice([3, 5, 8]),
                        availability=rng.sample(SLOTS, 5),
                        community_id=community.id,
                    ),
                )
            )
        for i in range(providers - 3 * per_kind):
            category = rng.choice(list(SKILLS))
            lat, lon = near(rng)
            objects.append(
                (
                    "resource",
                    CharityResource(
                        name=f"慈善资源{i}",
                        donor="滨海爱心企业",
                        kind="fund",
                        tags=[category],
                        amount_fen=5_000_000,
                        remaining_fen=5_000_000,
                        lat=lat,
                        lon=lon,
                        radius_km=20,
                        restricted_categories=[],
                    ),
                )
            )
        uow.session.add_all([obj for _, obj in objects])
        uow.session.flush()
        for kind, obj in objects:
            announce_provider(uow, kind, obj)
        user = create_user(
            uow,
            platform.passwords,
            username="bench-staff",
            password="bench-password-1",
            role="community_staff",
            community_id=community.id,
        )
        uow.commit()
    return community.id, platform.tokens.issue(user.id, user.token_version)


def need_body(community_id: int, rng: random.Random, serial: int) -> dict:
    category = rng.choice(list(SKILLS))
    lat, lon = near(rng, 15)
    start = datetime(2026, 12, 5, 1, tzinfo=timezone.utc) + timedelta(hours=rng.randint(0, 200))
    return {
        "community_id": community_id,
        "title": f"{category}需求 #{serial}",
        "description": "社区居民的服务需求",
        "category": category,
        "skills": rng.sample(SKILLS[category], 2),
        "target_groups": ["elderly"],
        "lat": lat,
        "lon": lon,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=3)).isoformat(),
        "volunteers_needed": 2,
        "hours_estimate": 3,
        "budget_fen": 0,
        "urgency": "normal",
    }


def stop_workers(workers, grace: float) -> None:
    """SIGTERM every worker, then kill what has not stopped within `grace` seconds."""
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(grace)
        except subprocess.TimeoutExpired:
            worker.kill()


def worker_names(matchers: int = 1) -> list[str]:
    return ["relay", *(["matcher"] if matchers == 1 else [f"matcher{i + 1}" for i in range(matchers)]), "projector"]


def start_worker(env: dict, name: str, log=None) -> subprocess.Popen:
    """One worker, `python -m events.cli relay|matcher|projector`, as production runs it."""
    return subprocess.Popen(
        [sys.executable, "-m", "events.cli", name.rstrip("0123456789")], cwd=ROOT, env=env, stderr=log
    )


def start_workers(env: dict, log=None, matchers: int = 1) -> list[subprocess.Popen]:
    """relay, `matchers` matchers (one group: they share the needs' partitions) and the projector."""
    return [start_worker(env, name, log) for name in worker_names(matchers)]


def profile_workers(
    workers: list[subprocess.Popen], names: list[str], directory: Path, seconds: float
) -> dict[str, subprocess.Popen]:
    """py-spy samples of each worker for `seconds` (--gil: the thread running Python), as collapsed
    stacks (DIR/<name>.txt: the flame graph's input; speedscope or flamegraph.pl draw it)."""
    spy = Path(sys.executable).with_name("py-spy")
    directory.mkdir(parents=True, exist_ok=True)
    return {
        str(directory / f"{name}.txt"): subprocess.Popen(
            [
                str(spy),
                "record",
                "--pid",
                str(w.pid),
                "--duration",
                str(int(seconds)),
                "--rate",
                "250",
                *("--threads", "--gil", "--format", "raw", "--output", str(directory / f"{name}.txt")),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for w, name in zip(workers, names)
    }


def profile_top(path: str, top: int = 6) -> str:
    """Where a collapsed-stacks profile's samples went: by thread, and the frames on top (self)."""
    import re

    frame = re.compile(r"^(.*) \((?:.*/)?([^/]+?)(?::\d+)?\)$")
    threads: dict[str, int] = {}
    own: dict[str, int] = {}
    samples = 0
    for line in Path(path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        parts = stack.split(";")
        thread = re.sub(r"-\d+$", "", parts[0].split(": ", 1)[-1])
        n = int(count)
        samples += n
        threads[thread] = threads.get(thread, 0) + n
        if len(parts) > 1:
            m = frame.match(parts[-1])
            leaf = f"{m.group(1)} ({m.group(2)})" if m else parts[-1]
            own[leaf] = own.get(leaf, 0) + n
    if not samples:
        return "  (no samples)"

    def shares(table: dict[str, int]) -> str:
        ranked = sorted(table.items(), key=lambda kv: -kv[1])[:top]
        return "; ".join(f"{name} {100 * n / samples:.0f}%" for name, n in ranked)

    return f"  {samples} samples on CPU\n  threads: {shares(threads)}\n  self:    {shares(own)}"


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process, all its threads (psutil reads /proc)."""
    import psutil

    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def rankings_published(bootstrap: str) -> int:
    """Records on the rankings topic so far (its end offsets): a need ranked twice shows here."""
    from kafka import TopicPartition

    from events.consumer import make_consumer
    from events.topics import MATCHES

    consumer = make_consumer(bootstrap, None, client_id="e2e-count")
    try:
        partitions = [TopicPartition(MATCHES, p) for p in consumer.partitions_for_topic(MATCHES) or ()]
        return sum(consumer.end_offsets(partitions).values())
    finally:
        consumer.close()


def resident_mib(pid: int) -> float:
    import psutil

    return float(psutil.Process(pid).memory_info().rss) / 2**20


def postgres_backends(database: str) -> list[int]:
    """The server processes serving `database` (their CPU is the database's share of a need)."""
    import psutil

    found = []
    for process in psutil.process_iter(["cmdline"]):
        line = " ".join(process.info["cmdline"] or [])
        if line.startswith("postgres:") and f" {database} " in line:
            found.append(process.pid)
    return found


@contextmanager
def scratch_database(server_url: str | None, workdir: str) -> Iterator[tuple[str, str | None]]:
    """A fresh SQLite file, or a scratch database on a PostgreSQL server, dropped afterwards."""
    if not server_url:
        yield f"sqlite:///{workdir}/linkage.db", None
        return
    name = f"linkage_e2e_{os.getpid()}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{server_url.rsplit('/', 1)[0]}/{name}", name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


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
