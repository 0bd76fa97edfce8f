"""Load benchmark (not a test): the whole platform under a realistic request mix, on loopback.

    python benchmarks/load.py [--workers 2] [--rate 200] [--duration 30]
                              [--baseline-rate 20] [--baseline-duration 20] [--providers 10000]
                              [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Starts Linkage as production runs it — `linkage run --no-seed` (gunicorn 'app:create_app()' with
--workers N sync workers, relay, matcher, projector, embedded broker) — on a fresh SQLite WAL file
(or, with --database-url, a scratch PostgreSQL database created on that server and dropped
afterwards). Seeds the demo (`linkage seed`), tops the providers up to --providers, sets up
through the API a claimed project with past activities (volunteers signed up, for hour logging)
and future ones (for self sign-ups), then offers an open-loop mix at a fixed rate from a bounded
pool of client threads (http.client, no new dependencies): a baseline at --baseline-rate, then
the load at --rate, in the same run. Latency is measured from each request's scheduled time, so
a server that falls behind is charged for the queueing it causes (no coordinated omission).

Prints: req/s achieved, p50/p99 overall and per request type, the status breakdown (409/422 are
expected answers; anything else that is not 2xx is an error), post→matches-stored latency
(match_sets.stored_at − the POST's send time), CPU seconds per component, and `uptime`.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent

from sqlalchemy import create_engine, func, select, text  # noqa: E402

PASSWORD = "wushe-liandong-demo"  # linkage.demo.DEMO_PASSWORD
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
SKILLS = {"养老": ["陪诊", "助老", "助餐", "上门探访"], "助学": ["课业辅导", "作业辅导", "心理陪伴"],
          "助残": ["康复训练", "手语", "无障碍出行"], "医疗健康": ["义诊", "健康讲座", "测血压"],
          "帮困": ["物资发放", "入户走访", "低保帮扶"], "文体": ["广场舞", "书法", "合唱"],
          "心理服务": ["心理咨询", "心理疏导"], "法律服务": ["法律援助", "普法宣传"]}
SLOTS = [f"{d}_{p}" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun") for p in ("am", "pm", "eve")]
# Request mix: relative weights (the brief's "realistic mix": reads dominate, writes are ~30 %).
MIX = {"needs_list": 24, "need_get": 18, "matches_get": 18, "need_post": 10, "hours_post": 10,
       "signup_post": 10, "my_hours_get": 9.5, "login": 0.5}
EXPECTED = (409, 422)


def percentile(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def port_free() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- HTTP client

class Client:
    """One keep-alive-capable connection per thread (gunicorn's sync workers close it: we reconnect)."""

    def __init__(self, port: int, timeout: float = 15.0):
        self.port, self.timeout = port, timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def call(self, method: str, path: str, token: str | None = None, body=None) -> tuple[int, dict | None]:
        headers = {"Accept": "application/json"}
        data = None
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (0, 1):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                try:
                    return response.status, json.loads(raw) if raw else None
                except ValueError:
                    return response.status, None
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A reused connection the server had already closed: retry once on a new one.
                self.conn.close()
                if attempt:
                    raise


def expect(status_body, *ok):
    status, body = status_body
    if status not in ok:
        raise SystemExit(f"setup call failed: {status} {body}")
    return body


# ---------------------------------------------------------------- platform

def process_tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                children = Path(f"/proc/{p}/task/{task}/children").read_text().split()
                todo += [int(c) for c in children]
        except OSError:
            pass
    return out


def component(pid: int) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    words = [a.decode(errors="replace") for a in argv if a]
    joined = " ".join(words)
    if "gunicorn" in joined:
        return "web(gunicorn)"
    for name in ("relay", "matcher", "projector", "broker"):
        if name in words:
            return name
    if words and "tansu" in words[0]:
        return "broker"
    if "run" in words:
        return "supervisor"
    return Path(words[0]).name if words else "?"


def _schedstat(pid: int) -> tuple[float, float]:
    """(CPU seconds, seconds runnable but waiting for a core) over all threads of `pid`."""
    cpu = wait = 0.0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            run_ns, wait_ns, _ = Path(f"/proc/{pid}/task/{task}/schedstat").read_text().split()
        except (OSError, ValueError):
            continue
        cpu, wait = cpu + int(run_ns) / 1e9, wait + int(wait_ns) / 1e9
    return cpu, wait


def cpu_by_component(root_pid: int, database: str | None = None) -> dict[str, tuple[float, float]]:
    """component -> (CPU seconds, run-queue wait seconds), cumulative (live threads only)."""
    totals: dict[str, list] = defaultdict(lambda: [0.0, 0.0])
    for pid in process_tree(root_pid):
        try:
            cpu, wait = _schedstat(pid)
        except OSError:
            continue
        totals[component(pid)][0] += cpu
        totals[component(pid)][1] += wait
    if database:  # the PostgreSQL backends serving the scratch database (not our children)
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    argv = Path(f"/proc/{entry}/cmdline").read_bytes()
                    if argv.startswith(b"postgres:") and f" {database} ".encode() in argv:
                        cpu, wait = _schedstat(int(entry))
                        totals["postgresql"][0] += cpu
                        totals["postgresql"][1] += wait
                except (OSError, ValueError):
                    pass
    me = os.times()  # this process, threads that have exited included (schedstat would miss them)
    totals["load generator"][0] = me.user + me.system
    return {k: tuple(v) for k, v in totals.items()}


class Platform:
    def __init__(self, args, workdir: Path):
        self.args, self.workdir = args, workdir
        self.scratch_db = None
        self.admin_url = None
        if args.database_url:
            self.admin_url = args.database_url
            self.scratch_db = f"linkage_load_{os.getpid()}"
            base = args.database_url.rsplit("/", 1)[0]
            self.url = f"{base}/{self.scratch_db}"
        else:
            self.url = f"sqlite:///{workdir}/linkage.db"
        self.port = args.port or port_free()
        self.broker_port = args.broker_port or port_free()
        self.env = {k: v for k, v in os.environ.items() if k not in ("KAFKA_BOOTSTRAP_SERVERS",)}
        self.env.update(DATABASE_URL=self.url, LINKAGE_BROKER_PORT=str(self.broker_port),
                        PYTHONPATH=str(ROOT), LINKAGE_RATE_LIMITS="0")  # one client address at load rates
        self.process = None

    def create_db(self):
        if self.scratch_db:
            engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{self.scratch_db}"'))
            engine.dispose()

    def drop_db(self):
        if self.scratch_db:
            engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.scratch_db}" WITH (FORCE)'))
            engine.dispose()

    def linkage(self, *argv: str, **kw):
        return subprocess.run([str(BIN / "linkage"), *argv], cwd=ROOT, env=self.env, check=True,
                              capture_output=True, text=True, **kw)

    def start(self):
        log = open(self.workdir / "platform.log", "w")
        self.process = subprocess.Popen(
            [str(BIN / "linkage"), "run", "--no-seed", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(self.args.workers)],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # the group this script started, nothing else
            self.process.wait(5)


def top_up_providers(url: str, total: int, rng: random.Random) -> int:
    """Add providers (ORM rows + outbox events, as e2e.py does) until there are `total` of them."""
    from linkage.config import settings_from_env
    from linkage.models import CharityResource, Community, Organization, SocialWorker, Volunteer
    from linkage.platform import build_platform
    from linkage.services.providers import announce_provider
    from linkage.validators import uscc_check_char

    platform = build_platform(settings_from_env(environ={}, database_url=url), source="linkage-load")
    try:
        with platform.uow() as uow:
            s = uow.session
            existing = sum(s.scalar(select(func.count()).select_from(m))
                           for m in (Organization, SocialWorker, Volunteer, CharityResource))
            communities = [(c.id, c.lat, c.lon) for c in s.scalars(select(Community))]
            missing = max(0, total - existing)

            def near():
                cid, lat, lon = rng.choice(communities)
                return cid, lat + rng.uniform(-8, 8) / 111.0, lon + rng.uniform(-8, 8) / 86.0

            objects = []
            for i in range(missing):
                kind = ("organization", "social_worker", "volunteer", "resource")[i % 4]
                category = rng.choice(list(SKILLS))
                cid, lat, lon = near()
                if kind == "organization":
                    body = f"5299{i:013d}"
                    obj = Organization(name=f"压测社会组织{i}", uscc=body + uscc_check_char(body),
                                       registration="registered", categories=[category],
                                       skills=rng.sample(SKILLS[category], 2), lat=lat, lon=lon,
                                       service_radius_km=rng.choice([5, 8, 15]), capacity=rng.randint(1, 6))
                elif kind == "social_worker":
                    obj = SocialWorker(name=f"压测社工{i}",
                                       certificate_level=rng.choice(["assistant", "intermediate", "senior"]),
                                       specialties=[category, "elderly"], lat=lat, lon=lon, service_radius_km=10)
                elif kind == "volunteer":
                    obj = Volunteer(name=f"压测志愿者{i}", code=f"L{i:08d}", phone_cipher="x",
                                    phone_digest=f"load-{i}", id_number_cipher="x", id_number_digest=f"load-{i}",
                                    skills=rng.sample(SKILLS[category], 2), lat=lat, lon=lon,
                                    travel_radius_km=rng.choice([3, 5, 8]), availability=rng.sample(SLOTS, 5),
                                    community_id=cid)
                else:
                    obj = CharityResource(name=f"压测慈善资源{i}", donor="压测爱心企业", kind="fund",
                                          tags=[category], amount_fen=5_000_000, remaining_fen=5_000_000,
                                          lat=lat, lon=lon, radius_km=20, restricted_categories=[])
                objects.append((kind, obj))
            s.add_all([o for _, o in objects])
            s.flush()
            for kind, obj in objects:
                announce_provider(uow, kind, obj)
            uow.commit()
        return existing + missing
    finally:
        platform.dispose()


def create_volunteer_users(url: str, count: int) -> list[str]:
    """Accounts for `count` active volunteers of community 1 (production password cost)."""
    from linkage.config import settings_from_env
    from linkage.models import User, Volunteer
    from linkage.platform import build_platform
    from linkage.services.accounts import create_user

    platform = build_platform(settings_from_env(environ={}, database_url=url), source="linkage-load")
    names = []
    try:
        with platform.uow() as uow:
            taken = set(uow.session.scalars(select(User.volunteer_id).where(User.volunteer_id.is_not(None))))
            ids = [v for v in uow.session.scalars(select(Volunteer.id).where(Volunteer.active.is_(True))
                                                   .order_by(Volunteer.id).limit(count + len(taken)))
                   if v not in taken][:count]
            for vid in ids:
                create_user(uow, platform.passwords, username=f"load-v{vid}", password=PASSWORD,
                            role="volunteer", volunteer_id=vid)
                names.append(f"load-v{vid}")
            uow.commit()
    finally:
        platform.dispose()
    return names


# ---------------------------------------------------------------- the world the mix acts on

class World:
    """Tokens, ids and the (thread-safe) generators of request bodies."""

    def __init__(self, port: int, rng: random.Random):
        self.port, self.rng = port, rng
        self.lock = threading.Lock()
        self.tokens: dict[str, dict] = {}
        self.need_ids: list[int] = []
        self.posted: dict[int, float] = {}  # need id -> wall time the POST was sent
        self.hour_slots: dict[int, list] = {}  # volunteer id -> [(activity_id, start)]
        self.signup_pairs: list[tuple[str, int]] = []
        self.serial = 0

    def login(self, client: Client, username: str) -> dict:
        body = expect(client.call("POST", "/api/v1/auth/token", body={"username": username, "password": PASSWORD}), 200)
        self.tokens[username] = body
        return body

    def token(self, username: str) -> str:
        return self.tokens[username]["access_token"]

    def setup(self, volunteer_users: list[str], past_days: int, future_activities: int):
        c = Client(self.port)
        for name in ("admin", "shequ", "zuzhi", "zhiyuan", *volunteer_users):
            self.login(c, name)
        self.volunteers = ["zhiyuan", *volunteer_users]
        self.readers = ["admin", "shequ", "zuzhi", *self.volunteers]
        self.community = expect(c.call("GET", "/api/v1/communities/1", self.token("shequ")), 200)
        page = expect(c.call("GET", "/api/v1/needs?page_size=200", self.token("admin")), 200)
        self.need_ids = [n["id"] for n in page["items"]]
        # A claimed project of organization 1 in community 1.
        need = expect(c.call("POST", "/api/v1/needs", self.token("shequ"), self.need_body()), 201)
        claim = expect(c.call("POST", f"/api/v1/needs/{need['id']}/claims", self.token("zuzhi"),
                              {"plan": "组织志愿者上门陪护，每周两次"}), 201)
        decision = expect(c.call("POST", f"/api/v1/claims/{claim['id']}/decision", self.token("shequ"),
                                 {"decision": "approve"}), 200)
        project = decision["project_id"]
        # Past activities, 02:00–22:00 local on each of the last `past_days` days; every volunteer
        # signed up (the organization adds them after the fact, as walk-ins) and logs 5-minute records.
        today = datetime.now(LOCAL_TZ).replace(hour=0, minute=0, second=0, microsecond=0)
        for d in range(2, 2 + past_days):
            start = today - timedelta(days=d) + timedelta(hours=2)
            act = expect(c.call("POST", f"/api/v1/projects/{project}/activities", self.token("zuzhi"),
                                {"title": "助老上门服务", "place": "新华里社区服务站", "starts_at": start.isoformat(),
                                 "ends_at": (start + timedelta(hours=20)).isoformat(), "slots": 1000}), 201)
            for name in self.volunteers:
                vid = self.tokens[name]["volunteer_id"]
                expect(c.call("POST", f"/api/v1/activities/{act['id']}/signups", self.token("zuzhi"),
                              {"volunteer_id": vid}), 201)
                self.hour_slots.setdefault(vid, []).extend(
                    (act["id"], start + timedelta(minutes=5 * k)) for k in range(240))
        for slots in self.hour_slots.values():
            self.rng.shuffle(slots)
        # Future one-hour activities, two hours apart: volunteers sign themselves up.
        first = today + timedelta(days=3, hours=8)
        future = []
        for k in range(future_activities):
            start = first + timedelta(hours=2 * k)
            act = expect(c.call("POST", f"/api/v1/projects/{project}/activities", self.token("zuzhi"),
                                {"title": "周末助老活动", "place": "新华里社区活动室", "starts_at": start.isoformat(),
                                 "ends_at": (start + timedelta(hours=1)).isoformat(), "slots": 1000}), 201)
            future.append(act["id"])
        self.signup_pairs = [(name, a) for name in self.volunteers for a in future]
        self.rng.shuffle(self.signup_pairs)
        self.project = project
        return need["id"]

    def need_body(self) -> dict:
        with self.lock:
            self.serial += 1
            serial = self.serial
            category = self.rng.choice(list(SKILLS))
            skills = self.rng.sample(SKILLS[category], 2)
            lat = self.community["lat"] + self.rng.uniform(-3, 3) / 111.0
            lon = self.community["lon"] + self.rng.uniform(-3, 3) / 86.0
            hours = self.rng.randint(24, 24 * 20)
        start = datetime.now(timezone.utc).replace(microsecond=0, second=0) + timedelta(hours=hours)
        return {"community_id": self.community["id"], "title": f"{category}服务需求 #{serial}",
                "description": "社区居民的服务需求（压测）", "category": category, "skills": skills,
                "target_groups": ["elderly"], "lat": round(lat, 6), "lon": round(lon, 6),
                "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=3)).isoformat(),
                "volunteers_needed": 2, "hours_estimate": 3, "budget_fen": 0, "urgency": "normal"}

    def request(self, kind: str):
        """(method, path, username, body, on_response) for one request of `kind`."""
        rng = self.rng
        with self.lock:
            reader = rng.choice(self.readers)
            need_id = rng.choice(self.need_ids[-200:] if rng.random() < 0.7 else self.need_ids)
        if kind == "needs_list":
            r = rng.random()
            if r < 0.5:
                q = f"status=open&page={rng.randint(1, 3)}"
            elif r < 0.8:
                q = f"category={quote(rng.choice(list(SKILLS)))}"
            else:
                q = f"near={self.community['lat']},{self.community['lon']},5"
            return "GET", f"/api/v1/needs?{q}", reader, None, None
        if kind == "need_get":
            return "GET", f"/api/v1/needs/{need_id}", reader, None, None
        if kind == "matches_get":
            return "GET", f"/api/v1/needs/{need_id}/matches", rng.choice(["shequ", "zuzhi", "admin"]), None, None
        if kind == "need_post":
            sent = time.time()

            def done(status, body):
                if status == 201 and body:
                    with self.lock:
                        self.need_ids.append(body["id"])
                        self.posted[body["id"]] = sent
            return "POST", "/api/v1/needs", "shequ", self.need_body(), done
        if kind == "hours_post":
            with self.lock:
                name = rng.choice(self.volunteers)
                vid = self.tokens[name]["volunteer_id"]
                activity_id, start = self.hour_slots[vid].pop()
            return "POST", "/api/v1/hours", name, {
                "activity_id": activity_id, "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(minutes=5)).isoformat(), "content": "陪老人聊天、读报"}, None
        if kind == "signup_post":
            with self.lock:
                name, activity_id = self.signup_pairs.pop() if self.signup_pairs else (self.volunteers[0], 1)
            return "POST", f"/api/v1/activities/{activity_id}/signups", name, {}, None
        if kind == "my_hours_get":
            name = rng.choice(self.volunteers)
            return "GET", f"/api/v1/volunteers/{self.tokens[name]['volunteer_id']}/hours", name, None, None
        if kind == "login":
            return "POST", "/api/v1/auth/token", None, {"username": rng.choice(self.readers), "password": PASSWORD}, None
        raise ValueError(kind)


# ---------------------------------------------------------------- open-loop load generator

def run_phase(world: World, rate: float, duration: float, threads: int, mix: dict) -> dict:
    kinds, weights = zip(*mix.items())
    rng = random.Random(int(rate * 1000 + duration))
    total = int(rate * duration)
    schedule = [(i / rate, rng.choices(kinds, weights)[0]) for i in range(total)]
    work: queue.Queue = queue.Queue()
    results: list[tuple] = []
    results_lock = threading.Lock()
    t0 = time.monotonic() + 0.5

    def worker():
        client = Client(world.port)
        while True:
            item = work.get()
            if item is None:
                return
            offset, kind = item
            due = t0 + offset
            try:
                method, path, user, body, done = world.request(kind)
            except IndexError:  # ran out of prepared hour slots: skip (reported as "skipped")
                with results_lock:
                    results.append((kind, -1, 0.0, 0.0, due))
                continue
            start = time.monotonic()
            try:
                status, payload = client.call(method, path, world.token(user) if user else None, body)
            except Exception as err:  # noqa: BLE001 - counted as an error with its type
                status, payload = f"exc:{type(err).__name__}", None
                client = Client(world.port)
            end = time.monotonic()
            if done:
                done(status, payload)
            with results_lock:
                results.append((kind, status, (end - due) * 1000, (end - start) * 1000, due))

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    for offset, kind in schedule:  # the scheduler: releases each request at its due time
        delay = t0 + offset - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        work.put((offset, kind))
    for _ in pool:
        work.put(None)
    deadline = time.monotonic() + 60
    for t in pool:
        t.join(max(0.1, deadline - time.monotonic()))
    span = time.monotonic() - t0
    with results_lock:
        done = list(results)
    # Requests still queued or in flight 60 s after the last was due count as errors ("unfinished").
    unfinished = total - len(done)
    return {"rate": rate, "duration": duration, "results": done, "span": span, "offered": total,
            "unfinished": unfinished}


def summarize(phase: dict) -> dict:
    results = [r for r in phase["results"] if r[1] != -1]
    skipped = len(phase["results"]) - len(results)
    ok = [r for r in results if isinstance(r[1], int) and 200 <= r[1] < 300]
    expected = [r for r in results if r[1] in EXPECTED]
    errors = [r for r in results if r not in ok and r[1] not in EXPECTED]
    last_end = max((r[4] + r[2] / 1000 for r in results), default=0)
    first_due = min((r[4] for r in results), default=0)
    per_kind = defaultdict(list)
    for r in results:
        per_kind[r[0]].append(r)
    return {"n": len(results), "skipped": skipped, "ok": len(ok), "expected": len(expected),
            "errors": len(errors) + phase["unfinished"], "unfinished": phase["unfinished"], "achieved": len(results) / max(1e-9, last_end - first_due),
            "lat": [r[2] for r in results], "svc": [r[3] for r in results], "per_kind": per_kind,
            "status": Counter((r[0], r[1]) for r in results)}


def print_phase(name: str, phase: dict, s: dict) -> None:
    print(f"\n--- {name}: offered {phase['rate']:.0f} req/s for {phase['duration']:.0f} s "
          f"({phase['offered']} requests)")
    print(f"achieved {s['achieved']:.1f} req/s; completed {s['n']}; 2xx {s['ok']}; "
          f"expected 409/422 {s['expected']}; errors {s['errors']} "
          f"(error rate {s['errors'] / max(1, s['n'] + s['unfinished']):.4%})"
          + (f"; unfinished after 60 s {s['unfinished']}" if s['unfinished'] else "")
          + (f"; skipped {s['skipped']}" if s['skipped'] else ""))
    print(f"latency ms (from scheduled time): p50 {percentile(s['lat'], 50):.1f}  p90 {percentile(s['lat'], 90):.1f}  "
          f"p99 {percentile(s['lat'], 99):.1f}  max {max(s['lat'], default=0):.1f}   "
          f"[service time p50 {percentile(s['svc'], 50):.1f} p99 {percentile(s['svc'], 99):.1f}]")
    print(f"  {'type':<13} {'n':>6} {'p50':>8} {'p90':>8} {'p99':>8} {'max':>8}  statuses")
    for kind in MIX:
        rows = s["per_kind"].get(kind, [])
        if not rows:
            continue
        lat = [r[2] for r in rows]
        statuses = Counter(r[1] for r in rows)
        print(f"  {kind:<13} {len(rows):>6} {percentile(lat, 50):>8.1f} {percentile(lat, 90):>8.1f} "
              f"{percentile(lat, 99):>8.1f} {max(lat):>8.1f}  "
              + " ".join(f"{k}:{v}" for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0]))))


def match_latency(url: str, posted: dict[int, float], timeout: float) -> dict:
    """post→stored (and post→ranked) per need, waiting up to `timeout` s for the last ones."""
    from linkage.models import MatchSet
    engine = create_engine(url)
    ids = list(posted)
    deadline = time.monotonic() + timeout
    rows = {}
    while True:
        with engine.connect() as conn:
            rows = {r.need_id: (r.stored_at, r.ranked_at) for r in conn.execute(
                select(MatchSet.need_id, MatchSet.stored_at, MatchSet.ranked_at).where(MatchSet.need_id.in_(ids)))}
        if len(rows) == len(ids) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    engine.dispose()

    def ts(value):
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.timestamp()
    stored = [(ts(rows[i][0]) - posted[i]) * 1000 for i in ids if i in rows]
    ranked = [(ts(rows[i][1]) - posted[i]) * 1000 for i in ids if i in rows]
    return {"needs": len(ids), "matched": len(rows), "stored": stored, "ranked": ranked}


def print_match(name: str, m: dict) -> None:
    print(f"post→matches stored ({name}): {m['matched']}/{m['needs']} needs matched; ms p50 "
          f"{percentile(m['stored'], 50):.0f}  p99 {percentile(m['stored'], 99):.0f}  "
          f"max {max(m['stored'], default=float('nan')):.0f}   (post→ranked p50 {percentile(m['ranked'], 50):.0f} "
          f"p99 {percentile(m['ranked'], 99):.0f})")


def print_cpu(name: str, before: dict, after: dict, seconds: float, requests: int) -> None:
    zero = (0.0, 0.0)
    used = {k: (after[k][0] - before.get(k, zero)[0], after[k][1] - before.get(k, zero)[1]) for k in after}
    order = sorted(used.items(), key=lambda kv: -kv[1][0])
    parts = ", ".join(f"{k} {v[0] / seconds:.2f}" for k, v in order if v[0] > 0.005)
    print(f"CPU cores used ({name}): total {sum(v[0] for v in used.values()) / seconds:.2f} = {parts}")
    web = used.get("web(gunicorn)", zero)
    print(f"  web CPU per request {web[0] * 1000 / max(1, requests):.2f} ms; run-queue wait (runnable, no core free) "
          + ", ".join(f"{k} {v[1] / seconds:.2f}" for k, v in order if v[1] > 0.005) + " thread-seconds/s")


# ---------------------------------------------------------------- main

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn web workers")
    parser.add_argument("--rate", type=float, default=200.0, help="offered req/s under load")
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--baseline-rate", type=float, default=20.0)
    parser.add_argument("--baseline-duration", type=float, default=20.0)
    parser.add_argument("--providers", type=int, default=10_000, help="total providers (demo + added)")
    parser.add_argument("--threads", type=int, default=64, help="client threads (bounds concurrency)")
    parser.add_argument("--volunteers", type=int, default=24, help="volunteer accounts logging hours / signing up")
    parser.add_argument("--database-url", default=None,
                        help="a PostgreSQL server URL: a scratch database is created there and dropped")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--broker-port", type=int, default=0)
    parser.add_argument("--max-seconds", type=float, default=900, help="hard stop for the whole run")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (SQLite file, logs)")
    args = parser.parse_args()
    if args.rate * args.duration > 50_000 or args.baseline_rate * args.baseline_duration > 50_000:
        raise SystemExit("bounded benchmark: at most 50,000 requests per phase")
    rng = random.Random(11)
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(SystemExit("--max-seconds reached")))
    signal.alarm(int(args.max_seconds))

    print(f"uptime before: {uptime()}")
    workdir = Path(tempfile.mkdtemp(prefix="linkage-load-"))
    platform = Platform(args, workdir)
    print(f"database: {platform.url.split('@')[-1]}   web workers: {args.workers}   port {platform.port}, "
          f"broker port {platform.broker_port}   logs: {workdir}/platform.log")
    try:
        platform.create_db()
        t = time.monotonic()
        platform.linkage("db", "upgrade")
        seeded = platform.linkage("seed").stdout.splitlines()[0]
        print(f"seed: {seeded}")
        providers = top_up_providers(platform.url, args.providers, rng)
        users = create_volunteer_users(platform.url, args.volunteers)
        print(f"providers: {providers}; volunteer accounts: {len(users) + 1}; setup {time.monotonic() - t:.1f}s")

        platform.start()
        wait_ready(platform)
        world = World(platform.port, rng)
        total_requests = (args.rate * args.duration + args.baseline_rate * args.baseline_duration) * 1.2
        past_days = max(2, int(total_requests * MIX["hours_post"] / sum(MIX.values())
                                / (240 * (len(users) + 1))) + 2)
        future = max(20, int(total_requests * MIX["signup_post"] / sum(MIX.values()) / (len(users) + 1)) + 5)
        warm_id = world.setup(users, past_days, future)
        t = time.monotonic()
        wait_matched(platform.url, [warm_id], 180)
        print(f"platform ready; matcher ranked the first need {time.monotonic() - t:.1f}s after setup "
              f"({past_days} past activities, {future} future ones)")
        # Warm every web worker and the matcher's index before measuring.
        run_phase(world, 10, 3, 8, MIX)
        time.sleep(2)

        phases = []
        for name, rate, duration in (("baseline", args.baseline_rate, args.baseline_duration),
                                     ("load", args.rate, args.duration)):
            world.posted = {}
            cpu0, w0 = cpu_by_component(platform.process.pid, platform.scratch_db), time.monotonic()
            phase = run_phase(world, rate, duration, args.threads, MIX)
            cpu1, w1 = cpu_by_component(platform.process.pid, platform.scratch_db), time.monotonic()
            m = match_latency(platform.url, world.posted, 60)
            summary = summarize(phase)
            print_phase(name, phase, summary)
            print_match(name, m)
            print_cpu(name, cpu0, cpu1, w1 - w0, len(phase["results"]))
            phases.append((name, phase, summary, m))
            time.sleep(3)

        (_, _, base, bm), (_, _, load, lm) = phases
        print("\n=== summary ===")
        print(f"web workers {args.workers}; providers {providers}; database {platform.url.split(':')[0]}")
        ratio = lambda a, b: a / b if b else float("nan")  # noqa: E731
        print(f"p50 load/baseline {ratio(percentile(load['lat'], 50), percentile(base['lat'], 50)):.2f}x   "
              f"p99 load/baseline {ratio(percentile(load['lat'], 99), percentile(base['lat'], 99)):.2f}x   "
              f"match p99 load/baseline {ratio(percentile(lm['stored'], 99), percentile(bm['stored'], 99)):.2f}x")
        checks = [
            (f"achieved ≥ 200 req/s ({load['achieved']:.1f})", load["achieved"] >= 200 and args.rate >= 200),
            (f"error rate 0 ({load['errors']} errors)", load["errors"] == 0),
            (f"p99 ≤ 500 ms ({percentile(load['lat'], 99):.1f} ms)", percentile(load["lat"], 99) <= 500),
            (f"match p99 ≤ 2 s ({percentile(lm['stored'], 99):.0f} ms, {lm['matched']}/{lm['needs']} matched)",
             percentile(lm["stored"], 99) <= 2000 and lm["matched"] == lm["needs"]),
            (f"duration ≥ 30 s ({args.duration:.0f} s)", args.duration >= 30),
        ]
        for label, ok in checks:
            print(f"  [{'MET' if ok else 'NOT MET'}] {label}")
        return 0
    finally:
        signal.alarm(0)
        platform.stop()
        try:
            platform.drop_db()
        except Exception as err:  # noqa: BLE001
            print(f"could not drop {platform.scratch_db}: {err}")
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        print(f"uptime after: {uptime()}")


def wait_ready(platform: Platform, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if platform.process.poll() is not None:
            raise SystemExit(f"linkage run exited ({platform.process.returncode}); see {platform.workdir}/platform.log")
        try:
            status, _ = Client(platform.port, 2).call("GET", "/readyz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("the platform did not become ready")


def wait_matched(url: str, ids: list[int], timeout: float) -> None:
    from linkage.models import MatchSet
    engine = create_engine(url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                n = conn.scalar(select(func.count()).select_from(MatchSet).where(MatchSet.need_id.in_(ids)))
            if n == len(ids):
                return
            time.sleep(0.3)
        raise SystemExit("the matcher did not rank the warm-up need")
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
