"""The whole project story over HTTP with the real broker: from a posted need to the residents'
verdict, and that verdict changing the organization's standing in the next ranking."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from events.broker import EmbeddedBroker
from linkage.services.accounts import create_user
from linkage.services.providers import register_provider
from tests.integration.api.conftest import ADMIN, need_body, volunteer_body
from tests.integration.events.conftest import Spine, wait_until

pytestmark = [pytest.mark.broker,
              pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)]


@pytest.fixture
def spine(world):
    with EmbeddedBroker() as broker:
        running = Spine(world.platform, broker.bootstrap).all().ready()
        yield running
        running.stop_all()


def _ranked(world, need_id: int) -> dict:
    def ready():
        body = world.call("GET", f"/api/v1/needs/{need_id}/matches", "community_staff").json
        return body if body["status"] == "ready" else None
    return wait_until(ready, 10, interval=0.05, message=f"matches for need {need_id}")


def _org_entry(matches: dict, organization_id: int) -> dict:
    return next(e for e in matches["matches"]["organization"] if e["provider_id"] == organization_id)


def _post_need(world, title: str) -> int:
    r = world.call("POST", "/api/v1/needs", "community_staff", json=need_body(world.ids["community"], title=title))
    assert r.status_code == 201, r.json
    return r.json["id"]


def _quiet(world) -> None:
    """Every event written so far has reached the broker (the relay drained the outbox)."""
    from sqlalchemy import func, select

    from linkage.models import OutboxEvent
    def drained():
        with world.platform.read_session() as s:
            return s.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.sent_at.is_(None))) == 0
    wait_until(drained, 10, message="outbox drained")
    time.sleep(0.3)  # let the matcher fold the provider events in before the next need arrives


def test_a_need_becomes_a_project_and_the_residents_verdict_moves_the_next_ranking(world, spine):
    org = world.ids["organization"]
    # 1. A community posts a need; the matcher ranks it.
    need_id = _post_need(world, "陪同独居老人到医院复诊")
    before = _org_entry(_ranked(world, need_id), org)
    # 2. Two organizations claim; the matcher had recommended the first.
    mine = world.call("POST", f"/api/v1/needs/{need_id}/claims", "org_staff", json={"plan": "社工带领志愿者陪诊"}).json
    theirs = world.call("POST", f"/api/v1/needs/{need_id}/claims", "other_org_staff", json={"plan": "派员上门陪诊"}).json
    assert mine["ranked"] is True and mine["rank_position"] >= 1
    # 3. The community approves one; the other is declined with a reason.
    decision = world.call("POST", f"/api/v1/claims/{mine['id']}/decision", "community_staff",
                          json={"decision": "approve"}).json
    project_id = decision["project_id"]
    claims = {c["id"]: c for c in world.call("GET", f"/api/v1/needs/{need_id}/claims", "community_staff").json}
    assert claims[theirs["id"]]["status"] == "declined" and claims[theirs["id"]]["decline_reason"]
    # 4. A social worker leads (社工+义工).
    lead = world.call("POST", f"/api/v1/projects/{project_id}/lead", "org_staff",
                      json={"social_worker_id": world.ids["social_worker"]})
    assert lead.status_code == 200
    assert world.call("POST", f"/api/v1/projects/{project_id}/transitions", "org_staff",
                      json={"to": "in_progress"}).json["status"] == "in_progress"
    # 5. An activity with three slots; four volunteers try, one is refused.
    start = datetime.now(timezone.utc) - timedelta(minutes=100)  # under way: sign-ups still open
    activity = world.call("POST", f"/api/v1/projects/{project_id}/activities", "org_staff", json={
        "title": "陪诊", "place": "区人民医院", "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=3)).isoformat(), "slots": 3}).json
    tokens = []
    for k in range(4):
        with world.platform.uow() as u:
            vid = register_provider(u, ADMIN, "volunteer", volunteer_body(500 + k, world.ids["community"]),
                                    world.platform.cipher).id
        with world.platform.uow() as u:
            user = create_user(u, world.platform.passwords, username=f"story{k}", password="lantern-river-42",
                               role="volunteer", volunteer_id=vid)
        tokens.append(world.platform.tokens.issue(user.id, user.token_version))
    signups = [world.client.post(f"/api/v1/activities/{activity['id']}/signups", json={},
                                 headers={"Authorization": f"Bearer {t}"}) for t in tokens]
    assert [s.status_code for s in signups] == [201, 201, 201, 409]
    # 6. The organization checks the three in and out: each gets an hour record.
    now = datetime.now(timezone.utc)
    for signup in signups[:3]:
        sid = signup.json["id"]
        assert world.call("POST", f"/api/v1/signups/{sid}/check-in", "org_staff",
                          json={"at": (now - timedelta(minutes=95)).isoformat()}).status_code == 200
        out = world.call("POST", f"/api/v1/signups/{sid}/check-out", "org_staff",
                         json={"at": (now - timedelta(minutes=5)).isoformat()})
        assert out.status_code == 200 and out.json["minutes"] == 90
    # 7. Completed; the community hands out codes; residents evaluate without logging in.
    assert world.call("POST", f"/api/v1/projects/{project_id}/transitions", "org_staff",
                      json={"to": "completed"}).json["status"] == "completed"
    codes = world.call("POST", f"/api/v1/projects/{project_id}/evaluation-codes", "community_staff",
                       json={"households": 4}).json["codes"]
    for code in codes:
        r = world.client.post(f"/api/v1/projects/{project_id}/evaluations",
                              json={"code": code, "satisfaction": 5, "comment": "服务周到"})
        assert r.status_code == 201
    assert world.call("GET", f"/api/v1/projects/{project_id}/evaluations", "auditor").json["mean_satisfaction"] == 5
    # 8. The next similar need: the organization's reputation factor has risen.
    _quiet(world)
    after = _org_entry(_ranked(world, _post_need(world, "陪同老人复诊取药")), org)
    assert after["factors"]["reputation"] > before["factors"]["reputation"], (before, after)
    assert any("满意度" in reason for reason in after["reasons"]), after["reasons"]
