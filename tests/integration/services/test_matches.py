"""Rankings at the service: stored once per event, never replaced by a stale one, served as the policy shows them."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from linkage.models import MatchSet, Need, ProcessedEvent, utcnow
from linkage.services.matches import (
    Ranking,
    already_processed,
    matches_for,
    record_matches,
    record_rankings,
    shown_entry,
)
from tests.factories import ADMIN

CONSUMER = "projector"


def _entry(kind, provider_id, name, km=2.4, score=0.8):
    return {"provider_id": provider_id, "name": name, "score": score, "distance_km": km,
            "factors": {"distance": 0.7, "skills": 1.0}, "reasons": ["技能匹配：陪诊", "距离 2.4 公里"],
            "ignored": "not served"}


def _ranking(volunteer_id=1, org_id=2, name="李明"):
    return {"organization": [_entry("organization", org_id, "乐龄养老服务中心", km=0.5)],
            "volunteer": [_entry("volunteer", volunteer_id, name)]}


def _record(act, need_id, event_id, ranked_at, matches=None):
    def store(uow):
        stored = record_matches(uow, consumer=CONSUMER, event_id=event_id, need_id=need_id, ranked_at=ranked_at,
                                matches=matches or _ranking(), need_version="v1")
        uow.commit()
        return stored
    return act(store)


def test_a_ranking_is_stored_and_the_need_becomes_matched(build, act, read):
    need = build.need(build.community())
    assert _record(act, need.id, "e-1", utcnow())
    with read() as s:
        stored = s.get(Need, need.id)
        assert (stored.status, stored.matched_at is not None) == ("matched", True)
        view = matches_for(s, ADMIN, need.id)
    assert view["status"] == "ready"
    [org] = view["matches"]["organization"]
    assert set(org) == {"provider_id", "kind", "name", "score", "distance_km", "factors", "reasons", "distance_band"}
    assert org["name"] == "乐龄养老服务中心" and org["distance_band"] is not None
    assert view["matches"]["social_worker"] == [] and view["matches"]["resource"] == []


def test_a_duplicate_delivery_changes_nothing(build, act, platform, unchanged):
    need = build.need(build.community())
    at = utcnow()
    assert _record(act, need.id, "e-1", at)
    with unchanged():
        assert not _record(act, need.id, "e-1", at + timedelta(seconds=5))
    with platform.uow() as uow:
        assert already_processed(uow, CONSUMER, "e-1") and not already_processed(uow, CONSUMER, "e-2")


def test_a_stale_ranking_never_replaces_a_newer_one(build, act, read):
    need = build.need(build.community())
    now = utcnow()
    assert _record(act, need.id, "new", now, _ranking(volunteer_id=7))
    assert not _record(act, need.id, "old", now - timedelta(minutes=1), _ranking(volunteer_id=8))
    assert _record(act, need.id, "newer", now + timedelta(minutes=1), _ranking(volunteer_id=9))
    with read() as s:
        row = s.get(MatchSet, need.id)
        assert (row.event_id, row.matches["volunteer"][0]["provider_id"]) == ("newer", 9)
        # Every event is remembered as processed, stale or not.
        assert s.scalar(select(func.count()).select_from(ProcessedEvent)) == 3


def test_a_batch_stores_each_need_once_and_skips_unknown_needs(build, act, read):
    community = build.community()
    a, b = build.need(community), build.need(community)
    now = utcnow()
    rankings = [Ranking("e-a", a.id, now, _ranking()), Ranking("e-b", b.id, now, _ranking()),
                Ranking("e-a", a.id, now, _ranking()), Ranking("e-x", 99999, now, _ranking())]

    def store(uow):
        stored = record_rankings(uow, consumer=CONSUMER, rankings=rankings)
        uow.commit()
        return stored
    assert act(store) == 2
    with read() as s:
        assert s.scalar(select(func.count()).select_from(MatchSet)) == 2


def test_a_claimed_need_keeps_its_status_when_ranked_again(build, act, read):
    need = build.need(build.community())
    build.project(need)
    assert _record(act, need.id, "late", utcnow())
    with read() as s:
        assert s.get(Need, need.id).status == "claimed"


def test_before_the_matcher_answers_the_view_is_pending(build, read):
    need = build.need(build.community())
    with read() as s:
        view = matches_for(s, ADMIN, need.id, kind="volunteer")
    assert view == {"need_id": need.id, "status": "pending", "ranked_at": None, "matches": {"volunteer": []},
                    "totals": {"volunteer": 0}}


def test_a_volunteer_is_named_whole_only_to_themselves_and_never_placed_to_the_metre(build, act, read):
    volunteer = build.volunteer(build.community())
    need = build.need(build.community())
    _record(act, need.id, "e-1", utcnow(), _ranking(volunteer_id=volunteer.id, name="欧阳明"))
    me = build.volunteer_actor(volunteer)
    with read() as s:
        [to_me] = matches_for(s, me, need.id, kind="volunteer")["matches"]["volunteer"]
        [to_admin] = matches_for(s, ADMIN, need.id, kind="volunteer")["matches"]["volunteer"]
    assert to_me["name"] == "欧阳明" and to_admin["name"] == "欧阳*"
    for entry in (to_me, to_admin):
        assert (entry["distance_km"], entry["factors"]) == (None, {})
        assert "2.4" not in " ".join(entry["reasons"]) and "技能匹配：陪诊" in entry["reasons"]


@pytest.mark.parametrize("km", [None, 0.3, 4.0, 12.0])
def test_every_entry_gets_a_distance_band(km):
    entry = {"provider_id": 1, "kind": "organization", "name": "机构", "distance_km": km, "reasons": []}
    shown = shown_entry(ADMIN, entry)
    assert (shown["distance_band"] is None) == (km is None) and shown["distance_km"] == km


def test_a_kind_is_paged_over_its_stored_ranking(build, act, read):
    need = build.need(build.community())
    ranked = [_entry("organization", i, f"组织{i}", score=1 - i / 100) for i in range(1, 13)]
    assert _record(act, need.id, "e-1", utcnow(), {"organization": ranked})
    with read() as s:
        first = matches_for(s, ADMIN, need.id, kind="organization", limit=5)
        rest = matches_for(s, ADMIN, need.id, kind="organization", offset=5, limit=5)
        tail = matches_for(s, ADMIN, need.id, kind="organization", offset=10)
    assert [e["provider_id"] for e in first["matches"]["organization"]] == [1, 2, 3, 4, 5]
    assert [e["provider_id"] for e in rest["matches"]["organization"]] == [6, 7, 8, 9, 10]
    assert [e["provider_id"] for e in tail["matches"]["organization"]] == [11, 12]
    assert first["totals"] == {"organization": 12}
