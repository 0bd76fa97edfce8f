"""One service from end to end without HTTP, numbered as the user story goes: from a posted need to a
certificate, the residents' verdict and the indicators, and the volunteer's erasure after it."""
from __future__ import annotations

from datetime import timedelta

import pytest

from linkage.errors import Forbidden
from linkage.models import utcnow
from linkage.services.activities import check_in, check_out, schedule_activity, sign_up
from linkage.services.certificates import get_certificate, issue_certificate, public_view
from linkage.services.evaluations import evaluate_project, evaluation_summary, issue_codes
from linkage.services.hours import review_hours, volunteer_hours
from linkage.services.matches import matches_for, record_matches
from linkage.services.needs import post_need
from linkage.services.projects import assign_lead, claim_need, decide_claim, project_for_claim, transition_project
from linkage.services.reputation import organization_stats
from linkage.services.rights import ERASED_NAME, erase_volunteer
from linkage.services.stats import linkage_stats
from tests.factories import need_data


def test_from_a_need_to_a_certificate_and_the_indicators(build, act, read, platform):
    # 1. The district registers a community, an organization with a social worker, and a volunteer.
    community = build.community(population=4000)
    organization = build.organization()
    worker = build.social_worker(organization)
    volunteer = build.volunteer(community, name="李明")
    staff, org_staff = build.community_staff(community), build.org_staff(organization)
    me = build.volunteer_actor(volunteer)

    # 2. The community's staff post a need.
    need = act(post_need, staff, need_data(community.id, title="陪同独居老人复诊"))

    # 3. The matcher's ranking is stored: the need is matched, the organization is first.
    def rank(uow):
        record_matches(uow, consumer="projector", event_id="rank-1", need_id=need.id, ranked_at=utcnow(),
                       matches={"organization": [{"provider_id": organization.id, "name": organization.name,
                                                  "score": 0.91, "distance_km": 1.2}]})
        uow.commit()
    act(rank)
    with read() as s:
        ranked = matches_for(s, staff, need.id)
    assert ranked["status"] == "ready" and ranked["matches"]["organization"][0]["provider_id"] == organization.id

    # 4. The organization claims it; the claim remembers its rank.
    claim = act(claim_need, org_staff, need.id, "社工带领两名志愿者陪诊")
    assert (claim.ranked, claim.rank_position) == (True, 1)

    # 5. The community approves: the need becomes a project.
    act(decide_claim, staff, claim.id, "approve")
    with read() as s:
        project = project_for_claim(s, claim.id)

    # 6. The organization names its social worker to lead, starts the project, schedules an activity
    #    that began two hours ago, and the volunteer signs up while it still runs.
    act(assign_lead, org_staff, project.id, worker.id)
    act(transition_project, org_staff, project.id, "in_progress")
    began = utcnow().replace(second=0, microsecond=0) - timedelta(hours=2)
    activity = act(schedule_activity, org_staff, project.id,
                   {"title": "陪同复诊", "place": "区医院", "starts_at": began, "ends_at": began + timedelta(hours=3),
                    "slots": 2, "skills_wanted": ["陪诊"]})
    signup = act(sign_up, me, activity.id)

    # 7. The organization checks the volunteer in and out: two hours, pending review.
    act(check_in, org_staff, signup.id, began)
    _, record = act(check_out, org_staff, signup.id, began + timedelta(hours=2))
    assert record.minutes == 120

    # 8. Whoever checked out does not verify (职责分离); the community does.
    with pytest.raises(Forbidden):
        act(review_hours, org_staff, record.id, "verify")
    act(review_hours, staff, record.id, "verify")
    with read() as s:
        assert volunteer_hours(s, volunteer.id, [1, 10])["verified_minutes"] == 120

    # 9. The project is completed; two households evaluate it; the community closes it.
    act(transition_project, org_staff, project.id, "completed")
    codes = act(issue_codes, staff, project.id, 2)
    act(evaluate_project, project.id, codes[0], 5, "志愿者很耐心")
    act(evaluate_project, project.id, codes[1], 4, "")
    act(transition_project, staff, project.id, "evaluated")
    with read() as s:
        assert evaluation_summary(s, project.id)["mean_satisfaction"] == 4.5
        assert organization_stats(s, organization.id)["reputation"] == {
            "rating_sum": 9.0, "rating_count": 2, "completed": 1, "cancelled": 0}

    # 10. The volunteer asks for a certificate; anyone holding its code can check it.
    certificate = act(issue_certificate, me, platform.cipher, volunteer.id, {}, "https://linkage.example.cn")
    with read() as s:
        view = public_view(s, get_certificate(s, certificate.code))
    assert (view["valid"], view["verified_hours"], view["issuer"]) == (True, 2.0, organization.name)

    # 11. The community's indicators count all of it.
    with read() as s:
        values = linkage_stats(s, community_id=community.id)["indicators"]
    assert (values["needs_posted"], values["needs_matched"], values["needs_completed"]) == (1, 1, 1)
    assert (values["volunteer_minutes_verified"], values["evaluations"], values["mean_satisfaction"]) == (120, 2, 4.5)

    # 12. The volunteer leaves: the person is erased, the service stays counted and certified.
    act(erase_volunteer, me, volunteer.id)
    with read() as s:
        view = public_view(s, get_certificate(s, certificate.code))
        values = linkage_stats(s, community_id=community.id)["indicators"]
    assert view["valid"] and view["volunteer_name"] == ERASED_NAME
    assert values["volunteer_minutes_verified"] == 120 and values["volunteers"] == 0
