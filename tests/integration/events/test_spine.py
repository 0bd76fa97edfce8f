"""Needs flow over the real broker to the matcher and back into the database."""
from __future__ import annotations

import time

import pytest

from events.envelope import matched_event_id
from tests.integration.events.conftest import KINDS, wait_until

pytestmark = pytest.mark.broker


def test_a_need_posted_through_the_api_has_ranked_matches_of_all_four_kinds_within_five_seconds(world, api, spine):
    spine.all().ready()  # a running platform: the matcher and the projector have joined
    wait_until(lambda: world.unsent() == 0, 20, message="providers published")
    posted = time.monotonic()
    response = api.post_need(1)
    assert response.status_code == 201, response.get_json()
    need_id = response.get_json()["id"]
    body = wait_until(lambda: (lambda r: r.get_json() if r.get_json()["status"] == "ready" else None)(
        api.matches(need_id)), 5, interval=0.01, message="matches ready over the API")
    took = time.monotonic() - posted
    assert all(body["matches"][kind] for kind in KINDS), body
    entry = body["matches"]["volunteer"][0]
    assert {"provider_id", "kind", "name", "score", "distance_km", "factors", "reasons"} <= set(entry)
    assert world.match_sets()[need_id].event_id == matched_event_id(world.need_event_ids()[need_id])
    assert took < 5, took
