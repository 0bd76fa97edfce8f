"""Provider versions on a real broker: an older update published after a newer one never wins in the matcher."""

from __future__ import annotations

import json

import pytest

from events.producer import make_producer
from events.topics import MATCHES, NEEDS, PROVIDERS
from linkage.catalogue import Types
from linkage.messages import encode, make_envelope
from tests.integration.events.conftest import read_all, wait_until

pytestmark = pytest.mark.broker

NEED = {
    "id": 1,
    "community_id": 1,
    "title": "陪同老人复诊",
    "description": "",
    "category": "养老",
    "skills": ["陪诊"],
    "target_groups": ["elderly"],
    "lat": 39.02,
    "lon": 117.70,
    "starts_at": "2026-12-05T01:00:00Z",
    "ends_at": "2026-12-05T04:00:00Z",
    "volunteers_needed": 1,
    "hours_estimate": 2,
    "budget_fen": 0,
    "urgency": "normal",
    "status": "open",
}


def volunteer(version: int, name: str, lat: float) -> bytes:
    """Volunteer 12's upsert as the relay publishes it: at `lat`, within 5 km of the need or not."""
    record = {
        "id": 12,
        "name": name,
        "lat": lat,
        "lon": 117.70,
        "active": True,
        "reputation": {"rating_sum": 0.0, "rating_count": 0, "completed": 0, "cancelled": 0},
        "skills": ["陪诊"],
        "travel_radius_km": 5,
        "availability": [],
        "verified_minutes": 0,
    }
    envelope = make_envelope(
        type=Types.PROVIDER_UPSERTED,
        source="test",
        subject="volunteer/12",
        data={"kind": "volunteer", "provider": record, "version": version},
    )
    return encode(envelope).encode()


def test_an_older_provider_update_published_after_a_newer_one_does_not_reach_the_ranking(broker, spine):
    matcher = spine.matcher()
    wait_until(lambda: matcher.feed.epochs is not None, 60, message="the matcher reads the providers topic")
    producer = make_producer(broker.bootstrap)
    try:
        # Two relays: the one with version 3 (moved next to the need) publishes first, the one
        # with version 2 (still 50 km away) after it; a third copy of 2 comes in the same poll.
        producer.send(PROVIDERS, key=b"volunteer:12", value=volunteer(3, "新址李明", 39.02)).get(30)
        wait_until(lambda: matcher.feed.applied >= 1, 60, message="version 3 applied")
        for _ in range(2):
            producer.send(PROVIDERS, key=b"volunteer:12", value=volunteer(2, "旧址李明", 39.47))
        producer.flush(30)
        need = make_envelope(type=Types.NEED_POSTED, source="test", subject="need/1", data=NEED)
        producer.send(NEEDS, key=b"1", value=encode(need).encode()).get(30)
    finally:
        producer.close()
    # Before ranking the need the matcher reads the providers topic to its end: both stale copies.
    matched = wait_until(
        lambda: read_all(broker.bootstrap, MATCHES, expect=1, timeout=2), 90, interval=0.5, message="the need's ranking"
    )
    ranking = json.loads(matched[0].value)["data"]["matches"]["volunteer"]
    assert [(e["provider_id"], e["name"]) for e in ranking] == [(12, "新址李明")]
    assert matcher.feed.stale == 2
    assert matcher.index.size("volunteer") == 1
