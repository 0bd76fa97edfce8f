"""Erasure and retention on a real broker: the tombstone reaches linkage.providers and the
matcher forgets the volunteer; the relay purges daily; old dead letters are deleted."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from events.retention import purge_dead_letters
from events.topics import DLQ, PROVIDERS, admin_client, ensure_topics
from linkage.models import OutboxEvent, utcnow
from linkage.services.rights import erase_volunteer
from tests.integration.events.conftest import ADMIN, read_all, wait_until

pytestmark = pytest.mark.broker


def test_an_erased_volunteer_is_tombstoned_on_the_providers_topic_and_the_matcher_drops_them(world, broker, spine):
    spine.relay()
    index = spine.matcher().index
    spine.ready()
    erased, kept = world.providers["volunteer"]
    wait_until(lambda: world.unsent() == 0, 20, message="providers published")
    wait_until(lambda: index.size("volunteer") == 2, 20, message="both volunteers indexed")
    with world.platform.uow() as uow:
        erase_volunteer(uow, ADMIN, erased, reason="本人书面申请")
    wait_until(lambda: world.unsent() == 0, 20, message="tombstone published")
    # the matcher reads providers in its idle drain: the erased volunteer leaves the index
    wait_until(lambda: index.size("volunteer") == 1, 20, message="volunteer dropped by the matcher")
    need = {"id": 1, "lat": 39.02, "lon": 117.70, "category": "养老", "skills": ["陪诊"],
            "target_groups": ["elderly"], "starts_at": "2026-12-05T01:00:00Z", "ends_at": "2026-12-05T04:00:00Z",
            "status": "open", "title": "陪诊", "description": "", "volunteers_needed": 1, "urgency": "normal"}
    ranked = [e["provider_id"] for e in index.rank(need, k=10)["volunteer"]]
    assert erased not in ranked and kept in ranked
    records = [r for r in read_all(broker.bootstrap, PROVIDERS, expect=9)
               if r.key == f"volunteer:{erased}".encode()]
    assert records and records[-1].value is None  # the key's last word is the tombstone


def test_the_relay_purges_old_sent_rows_when_it_starts(world, broker, spine):
    now = utcnow()
    with world.platform.write_sessions() as s:
        for key, days in (("old", 40), ("newer", 1)):
            s.add(OutboxEvent(event_id=f"purge-{key}", topic="linkage.needs", key=key, type="t", envelope="{}",
                              created_at=now - timedelta(days=days), sent_at=now - timedelta(days=days)))
        s.commit()
    spine.relay()

    def keys():
        with world.platform.read_session() as s:
            return set(s.scalars(select(OutboxEvent.key).where(OutboxEvent.topic == "linkage.needs")))
    wait_until(lambda: "old" not in keys(), 20, message="the relay's purge at start")
    assert "newer" in keys()


def test_dead_letters_older_than_their_retention_are_deleted(broker):
    from events.producer import make_producer

    admin = admin_client(broker.bootstrap)
    try:
        ensure_topics(admin, [DLQ])
    finally:
        admin.close()  # left open, it retries the stopped broker for the rest of the session
    producer = make_producer(broker.bootstrap)
    long_ago = int((time.time() - 40 * 86400) * 1000)
    for i in range(3):
        producer.send(DLQ, key=b"k", value=b"old-%d" % i, timestamp_ms=long_ago)
    producer.flush()
    for i in range(2):
        producer.send(DLQ, key=b"k", value=b"new-%d" % i)
    producer.flush()
    producer.close()
    deleted = purge_dead_letters(broker.bootstrap, days=30)
    left = [r.value for r in read_all(broker.bootstrap, DLQ, expect=5, timeout=5)]
    if broker.kind == "kafka":
        assert deleted == 3 and left == [b"new-0", b"new-1"]
    else:
        # Tansu stamps records with their arrival time and cannot delete records: nothing is
        # old to it, and its memory storage forgets every dead letter when it restarts.
        assert deleted in (0, None) and len(left) == 5
