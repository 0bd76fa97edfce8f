"""Races on PostgreSQL: many requests at once never overbook a slot or create two projects."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from linkage.errors import Conflict
from linkage.models import Project, Signup
from linkage.permissions import Actor
from linkage.services import activities, projects
from linkage.services.needs import post_need
from linkage.services.providers import register_provider
from schemas.needs import NeedSchema
from tests.integration.api.conftest import ADMIN, need_body, org_body, volunteer_body

pytestmark = pytest.mark.parametrize("database_url", ["postgresql", "sqlite"], indirect=True)


def _race(n: int, work) -> list:
    """Start n threads behind one barrier so they hit the database together."""
    barrier = threading.Barrier(n)
    outcomes: list = [None] * n

    def run(i):
        barrier.wait()
        try:
            outcomes[i] = work(i)
        except Conflict as exc:
            outcomes[i] = exc
        except Exception as exc:  # anything else is a bug the assertion below will show
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def test_twenty_volunteers_racing_for_the_last_slot_never_overbook(world):
    platform = world.platform
    community = Actor(user_id=None, role="community_staff", community_id=world.ids["community"])
    with platform.uow() as u:
        need = post_need(u, community, NeedSchema().load(need_body(world.ids["community"])))
    org = Actor(user_id=None, role="org_staff", organization_id=world.ids["organization"])
    with platform.uow() as u:
        claim = projects.claim_need(u, org, need.id, "方案：派志愿者陪诊")
    with platform.uow() as u:
        projects.decide_claim(u, community, claim.id, "approve")
    with platform.uow() as u:
        project = u.session.scalars(select(Project)).one()
    start = datetime.now(timezone.utc) + timedelta(days=1)
    with platform.uow() as u:
        activity = activities.schedule_activity(u, org, project.id, {
            "title": "陪诊", "place": "医院", "starts_at": start, "ends_at": start + timedelta(hours=2),
            "slots": 1, "skills_wanted": []})
    volunteer_ids = []
    for k in range(20):
        with platform.uow() as u:
            volunteer_ids.append(register_provider(u, ADMIN, "volunteer",
                                                   volunteer_body(200 + k, world.ids["community"]),
                                                   platform.cipher).id)

    def take_slot(i):
        with platform.uow() as u:
            return activities.sign_up(u, Actor(user_id=None, role="volunteer", volunteer_id=volunteer_ids[i]),
                                      activity.id)

    outcomes = _race(20, take_slot)
    assert all(isinstance(o, Signup) for o in outcomes), outcomes
    winners = [o for o in outcomes if o.status == "signed_up"]
    assert len(winners) == 1, outcomes  # the others wait on the waitlist (候补), holding no slot
    with platform.uow() as u:
        assert u.session.scalar(select(func.count()).select_from(Signup).where(Signup.status == "signed_up")) == 1


def test_approving_two_claims_at_once_creates_exactly_one_project(world):
    platform = world.platform
    community = Actor(user_id=None, role="community_staff", community_id=world.ids["community"])
    claim_ids = []
    with platform.uow() as u:
        need = post_need(u, community, NeedSchema().load(need_body(world.ids["community"])))
    for k in range(20):
        with platform.uow() as u:
            org_id = register_provider(u, ADMIN, "organization", org_body(300 + k), platform.cipher).id
        with platform.uow() as u:
            claim_ids.append(projects.claim_need(u, Actor(user_id=None, role="org_staff", organization_id=org_id),
                                                 need.id, "方案：上门陪诊").id)

    def approve(i):
        with platform.uow() as u:
            return projects.decide_claim(u, community, claim_ids[i], "approve")

    outcomes = _race(20, approve)
    approved = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(approved) == 1, outcomes
    assert all(isinstance(o, Conflict) for o in outcomes if isinstance(o, Exception)), outcomes
    with platform.uow() as u:
        assert u.session.scalar(select(func.count()).select_from(Project)) == 1
