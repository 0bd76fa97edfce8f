"""Event-spine fixtures: a real broker per test (Tansu and Apache Kafka), a SQLite database, workers in threads."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select

from events.broker import BROKER_KINDS, make_broker
from events.matcher import Matcher
from events.producer import producer_config
from events.projector import Projector
from events.relay import Relay
from linkage.models import Base, MatchSet, Need, OutboxEvent
from linkage.permissions import Actor
from linkage.platform import build_platform
from linkage.services.communities import register_community
from linkage.services.needs import post_need
from linkage.services.providers import register_provider
from tests.conftest import settings_for_tests
from tests.factories import KINDS, community_body, provider_body  # noqa: F401
from tests.factories import need_data as need_body  # the services take datetimes, not strings

ADMIN = Actor(user_id=None, role="admin", username="events-fixture")
# Group timings short enough that joins and fail-overs take seconds (FACTS: ~half the session).
FAST_GROUP = dict(session_timeout_ms=6000, heartbeat_interval_ms=1000)


def make_index():
    from matching import ProviderIndex, load_weights

    return ProviderIndex(weights=load_weights(overrides={}))


def wait_until(predicate, timeout: float = 20.0, interval: float = 0.05, message=""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    said = message() if callable(message) else message  # a callable: what to say, read at the timeout
    raise AssertionError(f"timed out after {timeout}s: {said or predicate}")


def read_all(bootstrap, topic, expect: int, timeout: float = 15.0):
    from kafka import TopicPartition

    from events.consumer import make_consumer

    consumer = make_consumer(bootstrap, None, client_id="test-reader")
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        records, deadline = [], time.monotonic() + timeout
        while len(records) < expect and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=200).values():
                records.extend(batch)
        return records
    finally:
        consumer.close()


# -- the world ------------------------------------------------------------------------------
@dataclass
class World:
    platform: object
    community_id: int = 0
    providers: dict = field(default_factory=dict)

    def seed_providers(self, per_kind: int = 2) -> None:
        with self.platform.uow() as uow:
            self.community_id = register_community(uow, ADMIN, community_body()).id
        serial = 0
        for kind in KINDS:
            for _ in range(per_kind):
                serial += 1
                org = self.providers.get("organization", [None])[0]
                with self.platform.uow() as uow:
                    obj = register_provider(uow, ADMIN, kind,
                                            provider_body(kind, serial, self.community_id, org),
                                            self.platform.cipher)
                self.providers.setdefault(kind, []).append(obj.id)

    def post_needs(self, count: int, start: int = 0) -> list[int]:
        ids = []
        for serial in range(start, start + count):
            with self.platform.uow() as uow:
                ids.append(post_need(uow, ADMIN, need_body(self.community_id, serial)).id)
        return ids

    def need_ids(self) -> list[int]:
        with self.platform.read_session() as s:
            return list(s.scalars(select(Need.id).order_by(Need.id)))

    def matched_ids(self) -> set[int]:
        with self.platform.read_session() as s:
            return set(s.scalars(select(MatchSet.need_id)))

    def match_sets(self) -> dict[int, MatchSet]:
        with self.platform.read_session() as s:
            return {m.need_id: m for m in s.scalars(select(MatchSet))}

    def unsent(self) -> int:
        with self.platform.read_session() as s:
            return s.scalar(select(func.count()).select_from(OutboxEvent)
                            .where(OutboxEvent.sent_at.is_(None)))

    def all_matched(self, need_ids) -> bool:
        return set(need_ids) <= self.matched_ids()

    def need_envelope(self, need_id: int) -> str:
        with self.platform.read_session() as s:
            return s.scalar(select(OutboxEvent.envelope).where(OutboxEvent.key == str(need_id),
                                                               OutboxEvent.topic == "linkage.needs"))

    def resend_needs(self, need_ids) -> None:
        """Mark the needs' outbox rows unsent again: the relay publishes them once more."""
        from sqlalchemy import update
        with self.platform.write_sessions() as s:
            s.execute(update(OutboxEvent).where(OutboxEvent.topic == "linkage.needs",
                                                OutboxEvent.key.in_([str(i) for i in need_ids]))
                      .values(sent_at=None))
            s.commit()

    def need_event_ids(self) -> dict[int, str]:
        """need id → the event id of its (only) need.posted event."""
        with self.platform.read_session() as s:
            rows = s.execute(select(OutboxEvent.key, OutboxEvent.event_id)
                             .where(OutboxEvent.type == "linkage.need.posted.v1"))
            return {int(key): event_id for key, event_id in rows}


class Spine:
    """The relay, matchers and projector as threads over one broker and one database."""

    def __init__(self, platform, bootstrap: str, broker_kind: str = "tansu"):
        self.platform, self.bootstrap = platform, bootstrap
        self.producer_config = producer_config(broker_kind)  # as the workers set it up
        self.workers: list[tuple[object, threading.Thread]] = []

    def _start(self, worker, name: str):
        thread = threading.Thread(target=worker.run, name=name, daemon=True)
        thread.start()
        self.workers.append((worker, thread))
        return worker

    def relay(self, **options) -> Relay:
        return self._start(Relay(self.platform, self.bootstrap, producer_config=self.producer_config,
                                 **options), "relay")

    def matcher(self, name: str = "matcher", index=None) -> Matcher:
        return self._start(Matcher(self.bootstrap, index or make_index(), name=name,
                                   consumer_config=FAST_GROUP, producer_config=self.producer_config),
                           name)

    def projector(self) -> Projector:
        return self._start(Projector(self.platform, self.bootstrap, consumer_config=FAST_GROUP,
                                     producer_config=self.producer_config), "projector")

    def notifier(self, channels=None, tick_seconds: float = 30.0):
        """The notifier; in-app only unless given channels (nothing written under the project)."""
        from events.notifier import Notifier

        return self._start(Notifier(self.platform, self.bootstrap, channels=channels or {},
                                    tick_seconds=tick_seconds, consumer_config=FAST_GROUP,
                                    producer_config=self.producer_config), "notifier")

    def all(self) -> "Spine":
        self.relay()
        self.matcher()
        self.projector()
        return self

    def ready(self, timeout: float = 30.0) -> "Spine":
        """Wait until every group member started so far holds partitions (joins take seconds)."""
        def joined():
            loops = [w.loop for w, _ in self.workers if hasattr(w, "loop")]
            return all(loop.consumer is not None and loop.consumer.assignment() for loop in loops)
        wait_until(joined, timeout, message="consumer groups joined")
        return self

    def stop(self, worker, timeout: float = 15.0) -> None:
        for candidate, thread in self.workers:
            if candidate is worker:
                worker.stop()
                thread.join(timeout)
                assert not thread.is_alive(), f"{thread.name} did not stop"

    def stop_all(self) -> None:
        for worker, _ in self.workers:
            worker.stop()
        for _, thread in self.workers:
            thread.join(15)


@pytest.fixture(params=BROKER_KINDS)
def broker(request):
    """A broker of its own for each test, of each kind: every event-spine test runs on the
    embedded Tansu and on Apache Kafka 4 (KRaft). Tansu starts in well under a second, a
    KRaft node in a few."""
    options = {"quick_start": True} if request.param == "kafka" else {}
    with make_broker(request.param, **options) as started:
        yield started


@pytest.fixture
def platform(tmp_path):
    # The schema from the models (not the migrations): the event tests exercise the spine,
    # and tests/integration/api checks that migrations and models agree.
    built = build_platform(settings_for_tests(f"sqlite:///{tmp_path / 'linkage.db'}"))
    Base.metadata.create_all(built.engine)
    yield built
    built.dispose()


@pytest.fixture
def world(platform) -> World:
    world = World(platform)
    world.seed_providers()
    return world


class Api:
    """The Flask app on the same database, with a community worker's bearer token."""

    def __init__(self, app, token: str, community_id: int):
        self.client, self.token, self.community_id = app.test_client(), token, community_id

    def post_need(self, serial: int = 0):
        body = need_body(self.community_id, serial)
        body["starts_at"], body["ends_at"] = body["starts_at"].isoformat(), body["ends_at"].isoformat()
        return self.client.post("/api/v1/needs", json=body,
                                headers={"Authorization": f"Bearer {self.token}"})

    def matches(self, need_id: int):
        return self.client.get(f"/api/v1/needs/{need_id}/matches",
                               headers={"Authorization": f"Bearer {self.token}"})


@pytest.fixture
def api(world):
    from app import create_app
    from linkage.services.accounts import create_user

    app = create_app(world.platform.settings, testing=True)
    platform = app.extensions["linkage"]
    with platform.uow() as uow:
        user = create_user(uow, platform.passwords, username="staff", password="correct-horse-9",
                           role="community_staff", community_id=world.community_id)
    yield Api(app, platform.tokens.issue(user.id, user.token_version), world.community_id)
    platform.dispose()


@pytest.fixture
def spine(platform, broker):
    running = Spine(platform, broker.bootstrap, broker.kind)
    yield running
    running.stop_all()


def pytest_configure(config):
    # kafka-python 3 loads its protocol schemas with a deprecated importlib call.
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning")


def start_matcher_process(broker, rank_delay: float = 0.0):
    """The matcher in a child process (matcher_process.py)."""
    return _start_process("matcher_process.py", broker.bootstrap, str(rank_delay), broker.kind)


def start_projector_process(broker, database_url: str, *, die_before_commit: bool = False):
    """The projector in a child process (projector_process.py) on `database_url`; with
    `die_before_commit` it exits 137 after storing its first poll, before committing its offsets."""
    args = [broker.bootstrap, database_url, broker.kind] + (["--die-before-commit"] if die_before_commit else [])
    return _start_process("projector_process.py", *args)


def _start_process(script: str, *args: str):
    """A worker script in a child process, its output in a file: a pipe nobody drains while the
    test waits would fill and stall the child at its next log line (`process.output()` reads it)."""
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    path = Path(__file__).with_name(script)
    log = tempfile.NamedTemporaryFile("w+", prefix=f"{path.stem}-", suffix=".log", delete=False)
    process = subprocess.Popen([sys.executable, str(path), *args],
                               stdout=log, stderr=subprocess.STDOUT, text=True)
    process.output = lambda: Path(log.name).read_text(encoding="utf-8")
    return process
