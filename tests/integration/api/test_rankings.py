"""Storing the matcher's rankings (the projector's service): once per event, newest wins, served as stored."""
from __future__ import annotations

from datetime import timedelta

from linkage.models import utcnow
from linkage.services.matches import Ranking, record_rankings
from tests.integration.api.conftest import need_body


def entry(provider_id: int, score: float, **extra) -> dict:
    return {"provider_id": provider_id, "kind": "volunteer", "name": f"志愿者{provider_id}", "score": score,
            "distance_km": 1.5, "factors": {"skill": 0.5}, "reasons": ["距离 1.5 公里"], **extra}


def store(world, *rankings: Ranking) -> int:
    with world.platform.uow() as uow:
        stored = record_rankings(uow, consumer="test", rankings=list(rankings))
        uow.commit()
    return stored


def matches(world, need_id: int) -> dict:
    return world.call("GET", f"/api/v1/needs/{need_id}/matches", "community_staff").json


def test_a_batch_stores_each_event_once_and_an_older_ranking_never_replaces_a_newer_one(world):
    first = world.call("POST", "/api/v1/needs", "community_staff", json=need_body(world.ids["community"])).json["id"]
    second = world.call("POST", "/api/v1/needs", "community_staff", json=need_body(world.ids["community"])).json["id"]
    now = utcnow()
    newer = Ranking("e-new", first, now, {"volunteer": [entry(1, 0.9)]})
    older = Ranking("e-old", first, now - timedelta(seconds=5), {"volunteer": [entry(2, 0.4)]})
    other = Ranking("e-other", second, now, {"volunteer": [entry(3, 0.7)]})
    unknown_need = Ranking("e-unknown", 10_000_000, now, {"volunteer": [entry(4, 0.7)]})

    assert store(world, newer, other, newer, unknown_need) == 2  # the repeat and the unknown need change nothing
    assert store(world, older, newer) == 0                         # stale, then already processed
    assert [e["provider_id"] for e in matches(world, first)["matches"]["volunteer"]] == [1]
    assert [e["provider_id"] for e in matches(world, second)["matches"]["volunteer"]] == [3]

    later = Ranking("e-later", first, now + timedelta(seconds=5), {"volunteer": [entry(5, 0.8)]})
    assert store(world, later) == 1
    body = matches(world, first)
    assert body["status"] == "ready" and [e["provider_id"] for e in body["matches"]["volunteer"]] == [5]
    assert world.call("GET", f"/api/v1/needs/{first}", "community_staff").json["status"] == "matched"


def test_a_ranking_is_served_with_exactly_the_documented_fields(world):
    need_id = world.call("POST", "/api/v1/needs", "community_staff", json=need_body(world.ids["community"])).json["id"]
    store(world, Ranking("e1", need_id, utcnow(), {"volunteer": [entry(1, 0.9, internal_rank_debug=[1, 2])]}))
    served = matches(world, need_id)["matches"]
    # A volunteer as every caller but themselves sees them (docs/security.md): masked, a distance band.
    assert served["volunteer"] == [{"provider_id": 1, "kind": "volunteer", "name": "志***", "score": 0.9,
                                    "distance_km": None, "distance_band": "1–3 km", "factors": {},
                                    "reasons": ["距离 1–3 公里"]}]
    assert served["organization"] == [] and served["resource"] == []
