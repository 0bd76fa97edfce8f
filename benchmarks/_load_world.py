"""The load benchmark's world: the platform it starts, and the data it sets up through the API."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, func, select, text

from benchmarks._load_procs import Client, expect, port_free

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "wushe-liandong-demo"  # linkage.demo.DEMO_PASSWORD
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
SKILLS = {"养老": ["陪诊", "助老", "助餐", "上门探访"], "助学": ["课业辅导", "作业辅导", "心理陪伴"],
          "助残": ["康复训练", "手语", "无障碍出行"], "医疗健康": ["义诊", "健康讲座", "测血压"],
          "帮困": ["物资发放", "入户走访", "低保帮扶"], "文体": ["广场舞", "书法", "合唱"],
          "心理服务": ["心理咨询", "心理疏导"], "法律服务": ["法律援助", "普法宣传"]}
SLOTS = [f"{d}_{p}" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun") for p in ("am", "pm", "eve")]
# Request mix: relative weights (the brief's "realistic mix": reads dominate, writes are ~30 %).

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

    def _admin(self, sql: str) -> None:
        """Runs one statement on the server's admin database, if this run has a scratch database."""
        if self.scratch_db:
            engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(text(sql))
            engine.dispose()

    def create_db(self):
        self._admin(f'CREATE DATABASE "{self.scratch_db}"')

    def drop_db(self):
        self._admin(f'DROP DATABASE IF EXISTS "{self.scratch_db}" WITH (FORCE)')

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

