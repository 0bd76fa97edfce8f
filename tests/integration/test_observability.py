"""Operators can see the platform: /metrics moves when a need is posted, and the request id of
that POST follows the need through its event into the matcher's and projector's log lines."""
from __future__ import annotations

import io
import json
import logging

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select, update

from linkage.models import OutboxEvent, ProcessedEvent
from linkage.permissions import Actor
from tests.integration.events.conftest import Spine, World, need_body, wait_until

ADMIN = Actor(user_id=None, role="admin", username="observability-fixture")
PASSWORD = "correct-horse-9"


class Client:
    def __init__(self, app, tokens: dict, community_id: int):
        self.app, self.client, self.tokens, self.community_id = app, app.test_client(), tokens, community_id

    def headers(self, who: str | None, **extra) -> dict:
        return {**({"Authorization": f"Bearer {self.tokens[who]}"} if who else {}), **extra}

    def post_need(self, serial: int = 0, request_id: str | None = None):
        body = need_body(self.community_id, serial)
        body["starts_at"], body["ends_at"] = body["starts_at"].isoformat(), body["ends_at"].isoformat()
        extra = {"X-Request-Id": request_id} if request_id else {}
        return self.client.post("/api/v1/needs", json=body, headers=self.headers("staff", **extra))

    def metrics(self, who: str | None = None, remote: str = "127.0.0.1", **headers):
        return self.client.get("/metrics", headers=self.headers(who, **headers),
                               environ_base={"REMOTE_ADDR": remote})

    def samples(self) -> dict:
        response = self.metrics()
        assert response.status_code == 200, response.get_data(as_text=True)
        found = {}
        for family in text_string_to_metric_families(response.get_data(as_text=True)):
            for sample in family.samples:
                found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
        return found


def _client(app) -> Client:
    from linkage.services.accounts import create_user
    from linkage.services.communities import register_community

    platform = app.extensions["linkage"]
    with platform.uow() as uow:
        community_id = register_community(uow, ADMIN, {
            "code": "120116001", "name": "新华里社区", "street": "新港街道", "district": "滨海新区",
            "lat": 39.02, "lon": 117.70, "households": 1200, "population": 3500}).id
    tokens = {}
    for username, binding in (("staff", dict(role="community_staff", community_id=community_id)),
                              ("admin", dict(role="admin")), ("auditor", dict(role="auditor"))):
        with platform.uow() as uow:
            user = create_user(uow, platform.passwords, username=username, password=PASSWORD, **binding)
        tokens[username] = platform.tokens.issue(user.id, user.token_version)
    return Client(app, tokens, community_id)


@pytest.fixture
def web(settings):
    from app import create_app

    app = create_app(settings, testing=True)
    yield _client(app)
    app.extensions["linkage"].dispose()


def _value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_show_the_outbox_and_request_latency_moving_after_a_need_is_posted(web):
    before = web.samples()
    for name in ("linkage_outbox_unsent", "linkage_outbox_oldest_unsent_age_seconds",
                 "linkage_outbox_published_total", "linkage_metrics_database_up"):
        assert (name, ()) in before, name

    posted = web.post_need(request_id="obs-test-000001")
    assert posted.status_code == 201, posted.get_json()
    after = web.samples()

    assert _value(after, "linkage_outbox_unsent") >= _value(before, "linkage_outbox_unsent") + 1
    assert _value(after, "linkage_outbox_oldest_unsent_age_seconds") >= 0
    route = dict(method="POST", route="/api/v1/needs", status="201")
    assert _value(after, "linkage_http_request_duration_seconds_count", **route) == \
        _value(before, "linkage_http_request_duration_seconds_count", **route) + 1
    assert _value(after, "linkage_http_request_duration_seconds_bucket", le="+Inf", **route) >= 1

    # What the relay and the projector do, as far as the database can tell: sent rows, processed events.
    platform = web.app.extensions["linkage"]
    with platform.write_sessions() as session:
        sent = session.execute(update(OutboxEvent).where(OutboxEvent.sent_at.is_(None))
                               .values(sent_at=OutboxEvent.created_at)).rowcount
        event_id = session.scalar(select(OutboxEvent.event_id).limit(1))
        session.add(ProcessedEvent(consumer="projector", event_id=event_id))
        session.commit()
    moved = web.samples()
    assert _value(moved, "linkage_outbox_unsent") == 0
    assert _value(moved, "linkage_outbox_oldest_unsent_age_seconds") == 0
    assert _value(moved, "linkage_outbox_published_total") == _value(after, "linkage_outbox_published_total") + sent
    assert _value(moved, "linkage_events_processed_total", consumer="projector") == 1


def test_metrics_are_for_the_host_itself_or_an_admin(web):
    assert web.metrics(remote="10.0.0.7").status_code == 403
    assert web.metrics(remote="10.0.0.7").get_json()["code"] == 403
    assert web.metrics("auditor", remote="10.0.0.7").status_code == 403
    assert web.metrics("admin", remote="10.0.0.7").status_code == 200
    assert web.metrics(remote="::1").status_code == 200
    # A proxy on the same host relays strangers from loopback: its forwarding header gives them away.
    assert web.metrics(remote="127.0.0.1", **{"X-Forwarded-For": "203.0.113.9"}).status_code == 403
    assert web.metrics("admin", remote="127.0.0.1", **{"X-Forwarded-For": "203.0.113.9"}).status_code == 200


def test_a_log_line_written_during_a_request_carries_its_request_id(web):
    from flask import current_app

    from linkage.observability.logs import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("linkage.test.request")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with web.app.test_request_context("/healthz", headers={"X-Request-Id": "abcd-1234-efgh"}):
            web.app.preprocess_request()
            assert current_app  # inside the request
            logger.info("inside")
            web.app.do_teardown_request()
        logger.info("outside")
    finally:
        logger.removeHandler(handler)
    inside, outside = (json.loads(x) for x in stream.getvalue().splitlines())
    assert inside["request_id"] == "abcd-1234-efgh" and "request_id" not in outside


_METRICS_PORT: list[int] = []


def _worker_samples() -> dict:
    """What a worker's LINKAGE_METRICS_PORT endpoint serves: the process's default registry, over HTTP."""
    import socket
    import urllib.request

    from linkage.observability.workers import serve_metrics

    if not _METRICS_PORT:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            _METRICS_PORT.append(probe.getsockname()[1])
        assert serve_metrics(_METRICS_PORT[0], addr="127.0.0.1")
    port = _METRICS_PORT[0]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


# -- the request id across the event spine (real broker) -----------------------------------------
@pytest.fixture
def spine_world(tmp_path):
    from events.broker import EmbeddedBroker
    from linkage.models import Base
    from linkage.platform import build_platform
    from tests.conftest import settings_for_tests

    platform = build_platform(settings_for_tests(f"sqlite:///{tmp_path / 'linkage.db'}"))
    Base.metadata.create_all(platform.engine)
    world = World(platform)
    world.seed_providers()
    with EmbeddedBroker() as broker:
        spine = Spine(platform, broker.bootstrap)
        yield world, spine
        spine.stop_all()
    platform.dispose()


@pytest.mark.broker
def test_the_request_id_of_a_post_follows_the_need_into_the_matcher_and_projector_logs(spine_world):
    from app import create_app
    from linkage.observability.logs import JsonFormatter
    from linkage.services.accounts import create_user

    world, spine = spine_world
    app = create_app(world.platform.settings, testing=True)
    platform = app.extensions["linkage"]
    with platform.uow() as uow:
        user = create_user(uow, platform.passwords, username="staff", password=PASSWORD,
                           role="community_staff", community_id=world.community_id)
    client = Client(app, {"staff": platform.tokens.issue(user.id, user.token_version)}, world.community_id)

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    events_log = logging.getLogger("events")
    events_log.addHandler(handler)
    old_level = events_log.level
    events_log.setLevel(logging.INFO)
    try:
        request_id = "trace-need-0001"
        response = client.post_need(request_id=request_id)
        assert response.status_code == 201 and response.headers["X-Request-Id"] == request_id
        need_id = response.get_json()["id"]
        envelope = json.loads(world.need_envelope(need_id))
        assert envelope["linkagerequestid"] == request_id  # the CloudEvents extension attribute

        spine.all().ready()
        wait_until(lambda: world.all_matched([need_id]), 30, message="the need was ranked and stored")
        wait_until(lambda: any(f'"need_id": {need_id}' in x and "projector" in x
                               for x in stream.getvalue().splitlines()), 10, message="projector line")

        # Lag is refreshed at most once a second, from what each consumer's fetches already told it.
        worker_metrics = wait_until(lambda: (lambda found: found if any(
            name == "linkage_consumer_lag" and dict(labels).get("worker") == "matcher"
            for name, labels in found) else None)(_worker_samples()), 10, message="matcher lag")
    finally:
        events_log.removeHandler(handler)
        events_log.setLevel(old_level)
        platform.dispose()

    assert _value(worker_metrics, "linkage_events_published_total", worker="relay", topic="linkage.needs") >= 1
    assert _value(worker_metrics, "linkage_events_consumed_total", worker="matcher", topic="linkage.needs") >= 1
    assert _value(worker_metrics, "linkage_events_published_total", worker="matcher", topic="linkage.matches") >= 1
    assert _value(worker_metrics, "linkage_events_consumed_total", worker="projector", topic="linkage.matches") >= 1
    assert _value(worker_metrics, "linkage_matcher_rank_duration_seconds_count", worker="matcher") >= 1
    assert _value(worker_metrics, "linkage_consumer_lag", worker="matcher", topic="linkage.needs",
                  partition="0") >= 0

    lines = [json.loads(x) for x in stream.getvalue().splitlines()]
    about_need = [x for x in lines if x.get("need_id") == need_id]
    by_worker = {x["message"].split(":")[0] for x in about_need if x.get("request_id") == request_id}
    assert {"matcher", "projector"} <= by_worker, about_need
    assert all(x["request_id"] == request_id for x in about_need)
