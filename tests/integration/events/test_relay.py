"""The relay: order per key, at-least-once, and two relays side by side on PostgreSQL."""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections import Counter

import pytest
from sqlalchemy import create_engine, text

from events.relay import Relay
from events.topics import NEEDS
from linkage.models import Base
from linkage.platform import build_platform
from tests.conftest import settings_for_tests as settings_for
from tests.integration.events.conftest import ADMIN, World, read_all, wait_until

pytestmark = pytest.mark.broker

PG_ADMIN_URL = os.environ.get("LINKAGE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
def pg_platform():
    name = f"linkage_events_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    platform = build_platform(settings_for(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"))
    Base.metadata.create_all(platform.engine)
    yield platform
    platform.dispose()
    with admin.connect() as conn:
        conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def test_the_relay_publishes_each_needs_events_in_the_order_they_were_written(world, broker, spine):
    from linkage.services.needs import update_need

    needs = world.post_needs(3)
    for title in ("改为周日上午", "改为周日下午"):
        with world.platform.uow() as uow:
            update_need(uow, ADMIN, needs[0], {"title": title})
    spine.relay()
    wait_until(lambda: world.unsent() == 0, 20)
    world.resend_needs(needs[1:2])  # sent again, as after a failed flush: at least once
    wait_until(lambda: world.unsent() == 0, 20)

    records = read_all(broker.bootstrap, NEEDS, expect=6)
    by_key: dict[str, list[dict]] = {}
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        by_key.setdefault(record.key.decode(), []).append(json.loads(record.value))
    first = by_key[str(needs[0])]
    assert [e["type"] for e in first] == [
        "linkage.need.posted.v1",
        "linkage.need.updated.v1",
        "linkage.need.updated.v1",
    ]
    assert [e["data"]["title"] for e in first][1:] == ["改为周日上午", "改为周日下午"]
    twice = by_key[str(needs[1])]
    assert len(twice) == 2 and twice[0]["id"] == twice[1]["id"]  # same event id: consumers dedupe
    assert len(by_key[str(needs[2])]) == 1


@pytest.mark.postgres
def test_two_relays_on_postgresql_share_the_outbox_without_sending_a_row_twice(pg_platform, broker):
    world = World(pg_platform)
    world.seed_providers(per_kind=1)
    needs = world.post_needs(200)
    stop = threading.Event()
    relays = [Relay(pg_platform, broker.bootstrap, batch_size=20, stop=stop) for _ in range(2)]
    threads = [threading.Thread(target=r.run, daemon=True) for r in relays]
    for thread in threads:
        thread.start()
    try:
        wait_until(lambda: world.unsent() == 0, 30, message="outbox drained")
    finally:
        stop.set()
        for thread in threads:
            thread.join(15)
    assert all(r.published > 0 for r in relays), [r.published for r in relays]
    records = read_all(broker.bootstrap, NEEDS, expect=len(needs))
    ids = Counter(json.loads(r.value)["id"] for r in records)
    assert len(ids) == len(needs) and max(ids.values()) == 1
