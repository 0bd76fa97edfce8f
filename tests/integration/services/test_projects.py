"""From need to project at the service: claims, the community's decision, the lifecycle, the lead social worker."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from linkage.errors import Conflict, Forbidden, InvalidInput, NotFound
from linkage.messages import Types
from linkage.models import Claim, MatchSet, Need, OutboxEvent, Project, utcnow
from linkage.services.projects import (
    assign_lead,
    claim_need,
    claim_record,
    claims_for_need,
    decide_claim,
    get_claim,
    get_project,
    list_projects,
    project_for_claim,
    project_record,
    transition_project,
)
from linkage.services.providers import deactivate_provider
from tests.factories import ADMIN


@pytest.fixture
def scene(build):
    """A community with its staff and an open need; an organization with its staff."""
    scene = build.parties()
    return {**scene, "need": build.need(scene["community"])}


def test_org_staff_claim_an_open_need_for_their_organization(scene, act, read):
    claim = act(claim_need, scene["org_staff"], scene["need"].id, "两名志愿者陪诊")
    assert claim_record(claim) == {"id": claim.id, "need_id": scene["need"].id,
                                   "organization_id": scene["organization"].id, "plan": "两名志愿者陪诊",
                                   "status": "pending", "ranked": False, "rank_position": None,
                                   "decline_reason": ""}
    with read() as s:
        assert [c.id for c in claims_for_need(s, scene["need"].id)] == [claim.id]
        assert list(s.scalars(select(OutboxEvent.type).where(OutboxEvent.key == f"need-{scene['need'].id}"))) \
            == [Types.CLAIM_SUBMITTED]


def test_org_cannot_claim_a_need_twice(scene, act, unchanged):
    act(claim_need, scene["org_staff"], scene["need"].id, "方案")
    with unchanged(), pytest.raises(Conflict):
        act(claim_need, scene["org_staff"], scene["need"].id, "再来一次")


def test_several_organizations_may_claim_the_same_need(scene, build, act, read):
    other = build.organization()
    act(claim_need, scene["org_staff"], scene["need"].id, "方案一")
    act(claim_need, build.org_staff(other), scene["need"].id, "方案二")
    with read() as s:
        assert len(claims_for_need(s, scene["need"].id)) == 2


def test_a_claim_remembers_where_the_matcher_ranked_the_organization(scene, build, act, platform):
    with platform.uow() as uow:
        uow.session.add(MatchSet(need_id=scene["need"].id, event_id="e-1", ranked_at=utcnow(), matches={
            "organization": [{"provider_id": 777}, {"provider_id": scene["organization"].id}]}))
        uow.commit()
    claim = act(claim_need, scene["org_staff"], scene["need"].id, "方案")
    assert (claim.ranked, claim.rank_position) == (True, 2)


def test_nobody_claims_for_another_organization(scene, build, act, unchanged):
    other_staff = build.org_staff(build.organization())
    for actor in (other_staff, scene["community_staff"], build.auditor()):
        with unchanged(), pytest.raises(Forbidden):
            act(claim_need, actor, scene["need"].id, "方案", organization_id=scene["organization"].id)


def test_an_inactive_or_unnamed_organization_cannot_claim(scene, act, unchanged):
    act(deactivate_provider, ADMIN, "organization", scene["organization"].id)
    with unchanged():
        with pytest.raises(InvalidInput):
            act(claim_need, ADMIN, scene["need"].id, "方案", organization_id=scene["organization"].id)
        with pytest.raises(InvalidInput):
            act(claim_need, ADMIN, scene["need"].id, "方案")  # the district names no organization


def test_a_cancelled_or_unknown_need_cannot_be_claimed(scene, build, act, unchanged):
    from linkage.services.needs import cancel_need
    act(cancel_need, ADMIN, scene["need"].id)
    with unchanged():
        with pytest.raises(Conflict):
            act(claim_need, scene["org_staff"], scene["need"].id, "方案")
        with pytest.raises(NotFound):
            act(claim_need, scene["org_staff"], 98765, "方案")


def test_approving_a_claim_makes_the_project_and_declines_the_rest(scene, build, act, read):
    rival = build.organization()
    mine = act(claim_need, scene["org_staff"], scene["need"].id, "方案一")
    theirs = act(claim_need, build.org_staff(rival), scene["need"].id, "方案二")
    approved = act(decide_claim, scene["community_staff"], mine.id, "approve")
    assert approved.status == "approved"
    with read() as s:
        project = project_for_claim(s, mine.id)
        assert (project.need_id, project.organization_id, project.community_id, project.status) == \
            (scene["need"].id, scene["organization"].id, scene["community"].id, "approved")
        assert s.get(Need, scene["need"].id).status == "claimed"
        declined = get_claim(s, theirs.id)
        assert declined.status == "declined" and declined.decline_reason
        assert project_for_claim(s, theirs.id) is None


def test_declining_needs_a_reason(scene, act, unchanged, read):
    claim = act(claim_need, scene["org_staff"], scene["need"].id, "方案")
    with unchanged(), pytest.raises(InvalidInput):
        act(decide_claim, scene["community_staff"], claim.id, "decline", "  ")
    act(decide_claim, scene["community_staff"], claim.id, "decline", "服务范围不符")
    with read() as s:
        assert (get_claim(s, claim.id).status, get_claim(s, claim.id).decline_reason) == ("declined", "服务范围不符")
        assert s.get(Need, scene["need"].id).status == "open"


def test_a_claim_is_decided_once_and_only_by_the_need_s_community(scene, build, act, unchanged):
    claim = act(claim_need, scene["org_staff"], scene["need"].id, "方案")
    outsiders = (build.community_staff(build.community()), scene["org_staff"])
    with unchanged():
        for outsider in outsiders:
            with pytest.raises(Forbidden):
                act(decide_claim, outsider, claim.id, "approve")
    act(decide_claim, scene["community_staff"], claim.id, "approve")
    with unchanged(), pytest.raises(Conflict):
        act(decide_claim, scene["community_staff"], claim.id, "decline", "改主意")
    with pytest.raises(NotFound):
        act(decide_claim, scene["community_staff"], 55555, "approve")


def test_the_project_goes_through_its_lifecycle_by_the_right_parties(scene, build, act, read, unchanged):
    project = build.project(scene["need"], scene["organization"])
    org, community = scene["org_staff"], scene["community_staff"]
    with unchanged(), pytest.raises(Forbidden):  # starting is the organization's move
        act(transition_project, community, project.id, "in_progress")
    started = act(transition_project, org, project.id, "in_progress")
    assert started.status == "in_progress" and started.started_at is not None
    completed = act(transition_project, org, project.id, "completed")
    assert completed.completed_at is not None
    with read() as s:
        assert s.get(Need, scene["need"].id).status == "completed"
    with unchanged(), pytest.raises(Forbidden):  # evaluating is the community's move
        act(transition_project, org, project.id, "evaluated")
    assert act(transition_project, community, project.id, "evaluated").status == "evaluated"
    assert project_record(get_project_of(read, project.id))["status"] == "evaluated"


def get_project_of(read, project_id):
    with read() as s:
        return get_project(s, project_id)


def test_an_illegal_move_is_a_conflict_and_changes_nothing(scene, build, act, unchanged):
    project = build.project(scene["need"], scene["organization"])
    with unchanged():
        with pytest.raises(Conflict):
            act(transition_project, ADMIN, project.id, "completed")  # approved → completed skips a step
        with pytest.raises(Conflict):
            act(transition_project, ADMIN, project.id, "approved")


def test_outsiders_learn_403_before_legality(scene, build, act, unchanged):
    project = build.project(scene["need"], scene["organization"])
    outsider = build.org_staff(build.organization())
    with unchanged(), pytest.raises(Forbidden):
        act(transition_project, outsider, project.id, "evaluated")
    with pytest.raises(NotFound):
        act(transition_project, ADMIN, 8080, "in_progress")


def test_cancelling_a_project_needs_a_reason_and_cancels_the_need(scene, build, act, read, unchanged):
    project = build.project(scene["need"], scene["organization"])
    with unchanged(), pytest.raises(InvalidInput):
        act(transition_project, scene["org_staff"], project.id, "cancelled", " ")
    cancelled = act(transition_project, scene["org_staff"], project.id, "cancelled", "老人已入住养老院")
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "老人已入住养老院")
    with read() as s:
        assert s.get(Need, scene["need"].id).status == "cancelled"


def test_the_lead_social_worker_is_one_of_the_organization_s_own(scene, build, act, unchanged):
    project = build.project(scene["need"], scene["organization"])
    own = build.social_worker(scene["organization"])
    foreign = build.social_worker(build.organization())
    with unchanged():
        with pytest.raises(Forbidden):
            act(assign_lead, scene["org_staff"], project.id, foreign.id)
        with pytest.raises(Forbidden):  # the community does not pick the organization's lead
            act(assign_lead, scene["community_staff"], project.id, own.id)
        with pytest.raises(InvalidInput):
            act(assign_lead, scene["org_staff"], project.id, 4040)
    led = act(assign_lead, scene["org_staff"], project.id, own.id)
    assert led.lead_social_worker_id == own.id
    assert act(assign_lead, ADMIN, project.id, foreign.id).lead_social_worker_id == foreign.id


def test_a_finished_project_gets_no_new_lead(scene, build, act, unchanged):
    project = build.project(scene["need"], scene["organization"], status="completed")
    worker = build.social_worker(scene["organization"])
    with unchanged(), pytest.raises(Conflict):
        act(assign_lead, scene["org_staff"], project.id, worker.id)


def test_projects_are_listed_newest_first_and_filtered(build, read):
    a = build.project(status="approved")
    b = build.project(status="in_progress")
    with read() as s:
        rows, total = list_projects(s)
        assert ([p.id for p in rows], total) == ([b.id, a.id], 2)
        assert [p.id for p in list_projects(s, status="in_progress")[0]] == [b.id]
        assert [p.id for p in list_projects(s, organization_id=a.organization_id)[0]] == [a.id]
        assert [p.id for p in list_projects(s, community_id=b.community_id)[0]] == [b.id]
        with pytest.raises(NotFound):
            get_project(s, 999)
        with pytest.raises(NotFound):
            get_claim(s, 999)
        assert s.scalar(select(Project.claim_id).where(Project.id == a.id)) in \
            set(s.scalars(select(Claim.id)))


def test_a_pending_claim_on_a_need_cancelled_meanwhile_cannot_be_approved(scene, act, read, unchanged):
    from linkage.services.needs import cancel_need
    claim = act(claim_need, scene["org_staff"], scene["need"].id, "方案")
    act(cancel_need, scene["community_staff"], scene["need"].id)
    with unchanged(), pytest.raises(Conflict):
        act(decide_claim, scene["community_staff"], claim.id, "approve")
    act(decide_claim, scene["community_staff"], claim.id, "decline", "需求已取消")
    with read() as s:
        assert get_claim(s, claim.id).status == "declined"
